using System.Runtime.InteropServices;

namespace VssSession.Interop.Binding;

/// <summary>
/// The process's COM security, set once, before anything in the process marshals an interface. VSS calls back into
/// its requester (IVssWriterCallback) from writers running as SYSTEM, NETWORK SERVICE or other accounts; with COM's
/// default process security only the same logon session and SYSTEM get through, and the other writers fail their
/// callback with E_ACCESSDENIED (VSS event 8194). The call and its parameters are vshadow's (vssclient.cpp,
/// VssClient::Initialize): every caller may call back, packet privacy, impersonation, dynamic cloaking. Microsoft's
/// "Security Considerations for Requesters" gives the same authentication and impersonation levels.
/// </summary>
public static partial class ComSecurity
{
    public const int RPC_E_TOO_LATE = unchecked((int)0x80010119);
    public const int RPC_E_CHANGED_MODE = unchecked((int)0x80010106);
    private const uint COINIT_MULTITHREADED = 0x0;
    private const uint RPC_C_AUTHN_LEVEL_PKT_PRIVACY = 6;
    private const uint RPC_C_IMP_LEVEL_IMPERSONATE = 3;
    private const uint EOAC_DYNAMIC_CLOAKING = 0x40;

    private static readonly object Gate = new();
    private static (int HResult, string? Fault)? s_outcome;

    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [LibraryImport("ole32.dll")]
    private static partial int CoInitializeEx(nint pvReserved, uint dwCoInit);

    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [LibraryImport("ole32.dll")]
    private static partial int CoInitializeSecurity(nint pSecDesc, int cAuthSvc, nint asAuthSvc, nint pReserved1, uint dwAuthnLevel, uint dwImpLevel, nint pAuthList, uint dwCapabilities, nint pReserved3);

    /// <summary>CoInitializeEx for the multithreaded apartment on the calling thread: RPC_E_CHANGED_MODE where the thread
    /// is in a single-threaded one.</summary>
    public static int EnterMultithreadedApartment() => CoInitializeEx(0, COINIT_MULTITHREADED);

    /// <summary>Sets the process's COM security the first time it is called (on a thread-pool thread, which lives in
    /// the multithreaded apartment), and gives that first call's outcome every time: S_OK, or the HRESULT with what
    /// it means for the backup. The host calls it as it starts; creating a component object calls it too.</summary>
    public static (int HResult, string? Fault) Initialize()
    {
        lock (Gate)
        {
            s_outcome ??= Task.Run(() =>
            {
                int hr = EnterMultithreadedApartment();
                if (hr < 0) return (hr, Describe(hr));
                hr = CoInitializeSecurity(0, -1, 0, 0, RPC_C_AUTHN_LEVEL_PKT_PRIVACY, RPC_C_IMP_LEVEL_IMPERSONATE, 0, EOAC_DYNAMIC_CLOAKING, 0);
                return (hr, Describe(hr));
            }).GetAwaiter().GetResult();
            return s_outcome.Value;
        }
    }

    /// <summary>What a result of CoInitializeSecurity means for a requester: null when security is set as VSS needs it.
    /// RPC_E_TOO_LATE means something in this process set COM security first, with parameters VssSession cannot
    /// know; a backup would start, and writers under other accounts could fail to call back halfway through it.</summary>
    public static string? Describe(int hresult) => hresult switch
    {
        >= 0 => null,
        RPC_E_TOO_LATE => "COM security was already set in this process before VssSession could set it (RPC_E_TOO_LATE), so writers running under other accounts might not be able to call back (VSS event 8194) and nothing was sent to VSS. Run vss-session as its own process (as the module does), not loaded into a process that uses COM first",
        RPC_E_CHANGED_MODE => "the thread that sets COM security is in a single-threaded apartment, and VSS requesters need the multithreaded one (\"Overview of Backup Initialization\")",
        _ => $"CoInitializeSecurity failed with 0x{hresult:X8}; nothing was sent to VSS",
    };
}
