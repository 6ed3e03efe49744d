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

    /// <summary>CoCreateInstance(CLSID_VssSnapshotMgmt): an AddRef'ed IVssSnapshotMgmt pointer.</summary>
    public abstract int CreateSnapshotMgmt(out nint ppMgmt);

    /// <summary>Why the last call failed, where the implementation can say more than its HRESULT.</summary>
    public virtual string? TakeLastFault() => null;

    /// <summary>What the last final Release of a component object on this thread could not do. VSS's Release
    /// has no result, so this is null on Windows; the emulated service says when it could not finish one.</summary>
    public virtual (int HResult, string Message)? TakeReleaseFault() => null;
}

/// <summary>The emulated VSS service at a Unix socket.</summary>
public sealed class EmulatorVssApi(string socketPath) : VssApi
{
    public string SocketPath { get; } = socketPath;

    public override string Kind => "emulator";

    public override int CreateVssBackupComponents(out nint ppBackup) => EmulatedVss.CreateVssBackupComponents(SocketPath, out ppBackup);

    public override void FreeSnapshotProperties(ref VssSnapshotProp prop) => EmulatedVss.FreeSnapshotProperties(ref prop);

    public override int CreateSnapshotMgmt(out nint ppMgmt) => EmulatedVss.CreateSnapshotMgmt(SocketPath, out ppMgmt);

    public override string? TakeLastFault()
    {
        string? fault = EmulatedVss.LastFault;
        EmulatedVss.LastFault = null;
        return fault;
    }

    public override (int HResult, string Message)? TakeReleaseFault()
    {
        var fault = EmulatedVss.ReleaseFault;
        EmulatedVss.ReleaseFault = null;
        return fault is null ? null : (fault.Code, fault.Message);
    }
}

/// <summary>The real VSS requester API in vssapi.dll (Windows only). The DLLs are loaded from System32 only: the
/// module's folder may be writable by users, and the process is elevated (a planted vssapi.dll beside the executable
/// would run as administrator).</summary>
public sealed unsafe partial class WindowsVssApi : VssApi
{
    public override string Kind => "windows";

    // vsbackup.h: CreateVssBackupComponents is an inline wrapper around this export.
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [LibraryImport("vssapi.dll", EntryPoint = "CreateVssBackupComponentsInternal")]
    private static partial int CreateVssBackupComponentsInternal(out nint ppBackup);

    // vsbackup.h: VssFreeSnapshotProperties wraps this export.
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [LibraryImport("vssapi.dll", EntryPoint = "VssFreeSnapshotPropertiesInternal")]
    private static partial void VssFreeSnapshotPropertiesInternal(VssSnapshotProp* pProp);

    /// <summary>
    /// A requester calls CoInitializeEx (multithreaded apartment) and CoInitializeSecurity before creating the
    /// component object ("Overview of Backup Initialization"; vshadow does the same): VSS calls back into the
    /// requester, and writers must be able to identify it. The edge-js facade runs every call on thread-pool
    /// threads, which live in the process's multithreaded apartment. Security is set once per process (ComSecurity,
    /// which the host calls as it starts); where it could not be set, no component object is created.
    /// </summary>
    public override int CreateVssBackupComponents(out nint ppBackup)
    {
        (int hr, string? fault) = ComSecurity.Initialize();
        if (hr < 0)
        {
            ppBackup = 0;
            LastFault = fault;
            return hr;
        }
        hr = ComSecurity.EnterMultithreadedApartment();
        if (hr == ComSecurity.RPC_E_CHANGED_MODE)
        {
            // A single-threaded apartment: VSS's callbacks would wait for a message loop this thread never runs.
            ppBackup = 0;
            LastFault = "this thread is in a single-threaded COM apartment, and VSS requesters need the multithreaded one (\"Overview of Backup Initialization\"); the component object is created on the facade's thread-pool threads, so something in this process changed that thread's apartment";
            return hr;
        }
        if (hr < 0)
        {
            ppBackup = 0;
            return hr;
        }
        try
        {
            hr = CreateVssBackupComponentsInternal(out ppBackup);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Nano Server and Windows PE have no VSS requester API; Wine's vssapi.dll can be left out.
            ppBackup = 0;
            LastFault = $"this system has no VSS requester API ({(e is DllNotFoundException ? "vssapi.dll could not be loaded from System32" : "vssapi.dll does not export CreateVssBackupComponentsInternal")}); VSS backups need a Windows edition with the Volume Shadow Copy service. To try runbooks without it, use the emulated service (VSS_SESSION_EMULATOR=1)";
            return VssErrors.E_NOTIMPL;
        }
        if (hr == VssErrors.E_NOTIMPL)
        {
            LastFault = "VSS is not available on this system (vssapi.dll answered E_NOTIMPL: Wine's does, and so would a Windows without the Volume Shadow Copy service). To try runbooks without it, use the emulated service (VSS_SESSION_EMULATOR=1)";
        }
        return hr;
    }

    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [LibraryImport("ole32.dll")]
    private static partial int CoCreateInstance(in Guid rclsid, nint pUnkOuter, uint dwClsContext, in Guid riid, out nint ppv);

    /// <summary>VSS's management object, as vssadmin gets it (CLSCTX_ALL), with the same apartment and security as a
    /// component object.</summary>
    public override int CreateSnapshotMgmt(out nint ppMgmt)
    {
        ppMgmt = 0;
        (int hr, string? fault) = ComSecurity.Initialize();
        if (hr < 0)
        {
            LastFault = fault;
            return hr;
        }
        hr = ComSecurity.EnterMultithreadedApartment();
        if (hr < 0 && hr != ComSecurity.RPC_E_CHANGED_MODE) return hr;
        const uint CLSCTX_ALL = 0x17;
        hr = CoCreateInstance(VssMgmt.ClsidVssSnapshotMgmt, 0, CLSCTX_ALL, typeof(IVssSnapshotMgmt).GUID, out ppMgmt);
        if (hr < 0) LastFault = $"VSS's management object (CLSID_VssSnapshotMgmt) could not be created: is the Volume Shadow Copy service installed, and is this PowerShell elevated?";
        return hr;
    }

    [ThreadStatic]
    private static string? LastFault;

    public override string? TakeLastFault()
    {
        string? fault = LastFault;
        LastFault = null;
        return fault;
    }

    public override void FreeSnapshotProperties(ref VssSnapshotProp prop)
    {
        fixed (VssSnapshotProp* p = &prop) VssFreeSnapshotPropertiesInternal(p);
    }
}
