using System.Runtime.InteropServices;
using VssSession.Interop.Com;
using VssSession.Interop.Emulator;

namespace VssSession.Interop.Binding;

/// <summary>Where component objects come from: vssapi.dll on Windows, the emulated VSS service elsewhere.
/// Both hand out the same IVssBackupComponents vtable; nothing above this differs between them.</summary>
public abstract class VssApi
{
    public abstract string Kind { get; }

    /// <summary>CreateVssBackupComponents: an AddRef'ed IVssBackupComponents pointer.</summary>
    public abstract int CreateVssBackupComponents(out nint ppBackup);

    /// <summary>VssFreeSnapshotProperties.</summary>
    public abstract void FreeSnapshotProperties(ref VssSnapshotProp prop);

    /// <summary>Why the last call failed, where the implementation can say more than its HRESULT.</summary>
    public virtual string? TakeLastFault() => null;
}

/// <summary>The emulated VSS service at a Unix socket.</summary>
public sealed class EmulatorVssApi(string socketPath) : VssApi
{
    public string SocketPath { get; } = socketPath;

    public override string Kind => "emulator";

    public override int CreateVssBackupComponents(out nint ppBackup) => EmulatedVss.CreateVssBackupComponents(SocketPath, out ppBackup);

    public override void FreeSnapshotProperties(ref VssSnapshotProp prop) => EmulatedVss.FreeSnapshotProperties(ref prop);

    public override string? TakeLastFault()
    {
        string? fault = EmulatedVss.LastFault;
        EmulatedVss.LastFault = null;
        return fault;
    }
}

/// <summary>The real VSS requester API in vssapi.dll (Windows only).</summary>
public sealed unsafe partial class WindowsVssApi : VssApi
{
    public override string Kind => "windows";

    // vsbackup.h: CreateVssBackupComponents is an inline wrapper around this export.
    [LibraryImport("vssapi.dll", EntryPoint = "CreateVssBackupComponentsInternal")]
    private static partial int CreateVssBackupComponentsInternal(out nint ppBackup);

    // vsbackup.h: VssFreeSnapshotProperties wraps this export.
    [LibraryImport("vssapi.dll", EntryPoint = "VssFreeSnapshotPropertiesInternal")]
    private static partial void VssFreeSnapshotPropertiesInternal(VssSnapshotProp* pProp);

    public override int CreateVssBackupComponents(out nint ppBackup) => CreateVssBackupComponentsInternal(out ppBackup);

    public override void FreeSnapshotProperties(ref VssSnapshotProp prop)
    {
        fixed (VssSnapshotProp* p = &prop) VssFreeSnapshotPropertiesInternal(p);
    }
}
