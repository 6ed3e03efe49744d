using System.Runtime.InteropServices;

namespace VssSession.Interop.Binding;

/// <summary>
/// The volume a path lies on, as VSS wants it named. AddToSnapshotSet and IsVolumeSupported take a volume: its root,
/// a mount folder or its \\?\Volume{GUID}\ name, with the trailing backslash; a folder on a volume is not one.
/// vshadow (GetUniqueVolumeNameForPath in util.h) and restic (vss_windows.go) look a path up the same way:
/// GetVolumePathNameW, then GetVolumeNameForVolumeMountPointW.
/// </summary>
public static unsafe partial class VolumePaths
{
    /// <summary>The volume's root or mount folder (trailing backslash), what VSS is given (its \\?\Volume{GUID}\ name
    /// where it has one), and the path's place inside the volume ("" for the volume itself).</summary>
    public sealed record Resolved(string Volume, string Vss, string Relative);

    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [LibraryImport("kernel32.dll", EntryPoint = "GetVolumePathNameW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetVolumePathName(string fileName, char* volumePathName, uint bufferLength);

    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [LibraryImport("kernel32.dll", EntryPoint = "GetVolumeNameForVolumeMountPointW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetVolumeNameForVolumeMountPoint(string volumeMountPoint, char* volumeName, uint bufferLength);

    public static Resolved Resolve(string named)
    {
        const string Operation = "GetVolumePathName";
        if (string.IsNullOrWhiteSpace(named)) throw new VssException(VssErrors.E_INVALIDARG, Operation, "name a volume or a folder, not an empty string");
        string full;
        try
        {
            full = Path.GetFullPath(named);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new VssException(VssErrors.E_INVALIDARG, Operation, $"{named} is not a path Windows accepts: {e.Message}");
        }
        if (!Directory.Exists(full) && !File.Exists(full))
            throw new VssException(VssErrors.VSS_E_OBJECT_NOT_FOUND, Operation, $"{named} does not exist");

        // A volume path is never longer than the path it was found for.
        uint length = (uint)Math.Max(full.Length + 2, 64);
        char[] buffer = new char[length];
        string volume;
        fixed (char* p = buffer)
        {
            if (!GetVolumePathName(full, p, length))
                throw new VssException(HResultOfLastError(), Operation, $"the volume of {named} could not be found");
            volume = new string(p);
        }
        if (!volume.EndsWith('\\')) volume += "\\";

        string vss = volume;
        char[] name = new char[64]; // \\?\Volume{GUID}\ is 49 characters
        fixed (char* p = name)
        {
            // No volume name (a subst drive, some network redirectors): VSS is given the mount point as it is, and
            // IsVolumeSupported says whether it can be snapshotted.
            if (GetVolumeNameForVolumeMountPoint(volume, p, (uint)name.Length)) vss = new string(p);
        }
        return new Resolved(volume, vss, RelativeTo(volume, full));
    }

    /// <summary>Where the path lies below the volume's root or mount folder, compared without case (as NTFS does)
    /// and without a \\?\ prefix on either side.</summary>
    public static string RelativeTo(string volume, string full)
    {
        static string Plain(string p) => p.StartsWith(@"\\?\", StringComparison.Ordinal) && p.Length > 6 && p[5] == ':' ? p[4..] : p;
        string v = Plain(volume), f = Plain(full);
        if (!f.StartsWith(v.TrimEnd('\\'), StringComparison.OrdinalIgnoreCase)) return "";
        return f[v.TrimEnd('\\').Length..].Trim('\\');
    }

    private static int HResultOfLastError()
    {
        int error = Marshal.GetLastPInvokeError();
        return error == 0 ? VssErrors.E_UNEXPECTED : unchecked((int)(0x80070000 | (uint)(error & 0xFFFF)));
    }
}
