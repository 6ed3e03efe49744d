using VssSession.Interop.Binding;
using VssSession.Interop.Com;
using VssSession.Interop.Emulator;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>Shadow storage through the binding (ShadowStorageManagement over IVssSnapshotMgmt and
/// IVssDifferentialSoftwareSnapshotMgmt vtables) against the emulated provider.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class ShadowStorageTests(EmulatorFixture emulator) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<string> _dirs = [];
    private readonly string _provider = Path.Combine(emulator.Home, "provider.json");

    public void Dispose()
    {
        File.Delete(_provider);
        foreach (var d in _dirs) EmulatorFixture.DeleteTree(d);
    }

    private string NewVolume(int bytes)
    {
        string dir = EmulatorFixture.NewTempDir("vsst-ss-");
        _dirs.Add(dir);
        File.WriteAllBytes(Path.Combine(dir, "data.bin"), new byte[bytes]);
        return dir;
    }

    private (Guid SetId, Guid SnapshotId) Snapshot(string volume)
    {
        var vss = BackupComponents.Create(new EmulatorVssApi(emulator.Socket));
        try
        {
            vss.InitializeForBackup();
            vss.SetContext(VssSnapshotContext.ClientAccessible);
            Guid setId = vss.StartSnapshotSet();
            Guid snapshotId = vss.AddToSnapshotSet(volume);
            vss.DoSnapshotSet(Timeout);
            return (setId, snapshotId);
        }
        finally
        {
            vss.Release();
        }
    }

    private IReadOnlyList<Guid> SnapshotsOf(string volume)
    {
        var vss = BackupComponents.Create(new EmulatorVssApi(emulator.Socket));
        try
        {
            vss.InitializeForBackup();
            vss.SetContext(VssSnapshotContext.All);
            return vss.QuerySnapshots().Where(s => Path.GetFullPath(s.OriginalVolume) == Path.GetFullPath(volume)).Select(s => s.SnapshotId).ToList();
        }
        finally
        {
            vss.Release();
        }
    }

    [Fact]
    public void AddQueryResizeAndDeleteThroughTheVtables()
    {
        File.WriteAllText(_provider, """{ "minDiffSpace": 1000 }""");
        string volume = NewVolume(600), storage = NewVolume(0);
        using var mgmt = ShadowStorageManagement.Open(new EmulatorVssApi(emulator.Socket));

        // VSS's minimum (here provider.json's) and the id of a provider it does not have.
        Assert.Equal("E_INVALIDARG", Assert.Throws<VssException>(() => mgmt.Add(volume, storage, 999)).Name);
        mgmt.Add(volume, storage, 1500);
        Assert.Equal("VSS_E_OBJECT_ALREADY_EXISTS", Assert.Throws<VssException>(() => mgmt.Add(volume, storage, 1500)).Name);
        var area = Assert.Single(mgmt.Query(volume));
        Assert.Equal(new ShadowStorageArea(Path.GetFullPath(volume), Path.GetFullPath(storage), 1500, 0, 0), area);
        Assert.Contains(mgmt.Query(null), a => a.Volume == Path.GetFullPath(volume));

        // Each snapshot holds its copy's bytes; the third does not fit, so the oldest goes.
        var (firstSet, first) = Snapshot(volume);
        var (_, second) = Snapshot(volume);
        Assert.Equal(1200, Assert.Single(mgmt.Query(volume)).UsedSpace);
        var (_, third) = Snapshot(volume);
        Assert.Equal(new[] { second, third }.Order(), SnapshotsOf(volume).Order());
        Assert.Equal(1200, Assert.Single(mgmt.Query(volume)).UsedSpace);
        var full = emulator.JournalLines().Where(l => l.Contains("\"event\":\"DiffAreaFull\"") && l.Contains(first.ToString())).ToList();
        Assert.Single(full);
        Assert.Contains(firstSet.ToString(), full[0]);

        // Lowering the maximum below what is used deletes the oldest at once; 0 is refused while copies use it.
        mgmt.Change(volume, storage, 1000);
        Assert.Equal([third], SnapshotsOf(volume));
        Assert.Equal("VSS_E_VOLUME_IN_USE", Assert.Throws<VssException>(() => mgmt.Change(volume, storage, VssMgmt.Remove)).Name);
        mgmt.Change(volume, storage, VssMgmt.NoMaxSpace);
        Assert.Equal(-1, Assert.Single(mgmt.Query(volume)).MaxSpace);

        // A snapshot bigger than the whole storage fails the set, and nothing older is deleted for it.
        mgmt.Change(volume, storage, 1000);
        File.WriteAllBytes(Path.Combine(volume, "big.bin"), new byte[2000]);
        var e = Assert.Throws<VssException>(() => Snapshot(volume));
        Assert.Equal("VSS_E_INSUFFICIENT_STORAGE", e.Name);
        Assert.Equal([third], SnapshotsOf(volume));
    }

    [Fact]
    public void TheManagementObjectHandsOutOnlyTheSoftwareProvidersInterface()
    {
        var api = new EmulatorVssApi(emulator.Socket);
        Assert.Equal(VssErrors.S_OK, api.CreateSnapshotMgmt(out nint pointer));
        var mgmt = (IVssSnapshotMgmt)new System.Runtime.InteropServices.Marshalling.StrategyBasedComWrappers()
            .GetOrCreateObjectForComInstance(pointer, System.Runtime.InteropServices.CreateObjectFlags.UniqueInstance);
        System.Runtime.InteropServices.Marshal.Release(pointer);
        unsafe
        {
            Guid diff = typeof(IVssDifferentialSoftwareSnapshotMgmt).GUID, other = typeof(IVssEnumObject).GUID;
            Assert.Equal(VssErrors.VSS_E_PROVIDER_NOT_REGISTERED, mgmt.GetProviderMgmtInterface(Guid.NewGuid(), &diff, out nint none));
            Assert.Equal(0, none);
            Assert.Equal(VssErrors.E_NOINTERFACE, mgmt.GetProviderMgmtInterface(VssMgmt.SoftwareProviderId, &other, out _));
            Assert.Equal(VssErrors.S_OK, mgmt.GetProviderMgmtInterface(VssMgmt.SoftwareProviderId, &diff, out nint ok));
            Assert.NotEqual(0, ok);
            System.Runtime.InteropServices.Marshal.Release(ok);
        }
    }
}
