using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Principal;

namespace VssSession.Interop.Binding;

/// <summary>
/// What VSS asks of a requester's process token ("Security Considerations for Requesters"): membership of
/// Administrators or Backup Operators, or being LocalSystem, in an elevated token. Read from the token itself, so no
/// output format, language or PATH can fool the check. Membership is CheckTokenMembership's answer
/// (WindowsPrincipal.IsInRole): UAC leaves those groups in a filtered token only as deny-only, which it does not
/// count; elevation is GetTokenInformation(TokenElevation). The decision is the lifecycle's (preflight.ts).
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class RequesterToken
{
    /// <summary>The facts about this process's token that the requester check needs.</summary>
    public readonly record struct Facts(bool Elevated, bool Administrators, bool BackupOperators, bool LocalSystem);

    public static Facts Read()
    {
        using var identity = WindowsIdentity.GetCurrent();
        var principal = new WindowsPrincipal(identity);
        return new Facts(
            Elevated: IsElevated(identity.Token),
            Administrators: principal.IsInRole(new SecurityIdentifier(WellKnownSidType.BuiltinAdministratorsSid, null)),
            BackupOperators: principal.IsInRole(new SecurityIdentifier(WellKnownSidType.BuiltinBackupOperatorsSid, null)),
            LocalSystem: identity.User?.IsWellKnown(WellKnownSidType.LocalSystemSid) == true);
    }

    // TOKEN_INFORMATION_CLASS.TokenElevation (winnt.h); TOKEN_ELEVATION is one DWORD, TokenIsElevated.
    private const int TokenElevation = 20;

    private static bool IsElevated(nint token)
    {
        if (!GetTokenInformation(token, TokenElevation, out int elevated, sizeof(int), out _))
            throw new VssException(Marshal.GetHRForLastWin32Error(), "GetTokenInformation(TokenElevation)", "this process's token could not be read: " + Marshal.GetLastPInvokeErrorMessage());
        return elevated != 0;
    }

    [LibraryImport("advapi32.dll", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetTokenInformation(nint tokenHandle, int tokenInformationClass, out int tokenInformation, int tokenInformationLength, out int returnLength);
}
