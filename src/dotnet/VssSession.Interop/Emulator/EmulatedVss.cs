using System.Runtime.InteropServices;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>The emulator's twin of vssapi.dll's exports: the component object factory and the function
/// that frees snapshot properties.</summary>
public static class EmulatedVss
{
    /// <summary>Like CreateVssBackupComponentsInternal: a new component object, connected to the emulated
    /// VSS service listening at <paramref name="socketPath"/>, returned as an AddRef'ed COM pointer.</summary>
    public static int CreateVssBackupComponents(string socketPath, out nint ppBackup)
    {
        ppBackup = 0;
        try
        {
            var connection = EmulatorConnection.Open(socketPath);
            var component = new EmulatedBackupComponents(connection);
            ppBackup = EmulatorComWrappers.Instance.GetInterface<IVssBackupComponents>(component);
            return VssErrors.S_OK;
        }
        catch (EmulatorFault fault)
        {
            LastFault = fault.Message;
            return fault.Code;
        }
    }

    /// <summary>Like CoCreateInstance(CLSID_VssSnapshotMgmt): the emulated provider's management object.</summary>
    public static int CreateSnapshotMgmt(string socketPath, out nint ppMgmt)
    {
        ppMgmt = EmulatorComWrappers.Instance.GetInterface<IVssSnapshotMgmt>(new EmulatedSnapshotMgmt(socketPath));
        return VssErrors.S_OK;
    }

    /// <summary>Like VssFreeSnapshotPropertiesInternal: frees the strings of a VSS_SNAPSHOT_PROP.</summary>
    public static void FreeSnapshotProperties(ref VssSnapshotProp prop)
    {
        foreach (nint s in new[] { prop.SnapshotDeviceObject, prop.OriginalVolumeName, prop.OriginatingMachine, prop.ServiceMachine, prop.ExposedName, prop.ExposedPath })
            if (s != 0) Marshal.FreeCoTaskMem(s);
        prop = default;
    }

    /// <summary>The emulated service's explanation of its last failure. VSS itself returns only HRESULTs; the
    /// emulator also says why, and the binding adds it to its error message where it has one.</summary>
    public static string? LastFault
    {
        get => Volatile.Read(ref s_lastFault);
        set => Volatile.Write(ref s_lastFault, value);
    }

    private static string? s_lastFault;

    /// <summary>What the emulated service could not do in the last final Release of a component object on this
    /// thread. Release has no HRESULT in VSS, so the binding asks for this at once after releasing.</summary>
    [ThreadStatic] internal static EmulatorFault? ReleaseFault;
}
