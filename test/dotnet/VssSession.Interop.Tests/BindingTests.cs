using VssSession.Interop.Binding;
using VssSession.Interop.Com;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>The client binding (BackupComponents over EmulatorVssApi) through whole backups against the emulated
/// VSS service, checked against the writer-event journal.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class BindingTests(EmulatorFixture emulator) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<BackupComponents> _components = [];
    private readonly List<string> _dirs = [];

    public void Dispose()
    {
        // Whatever a failed test left behind must not block the next test's snapshot set.
        foreach (var c in _components) c.Release();
        foreach (var d in _dirs) EmulatorFixture.DeleteTree(d);
    }

    private BackupComponents NewComponent()
    {
        var component = BackupComponents.Create(new EmulatorVssApi(emulator.Socket));
        _components.Add(component);
        return component;
    }

    private string NewVolume(string fileName, string content)
    {
        string dir = EmulatorFixture.NewTempDir("vsst-vol-");
        _dirs.Add(dir);
        File.WriteAllText(Path.Combine(dir, fileName), content);
        return dir;
    }

    [Fact]
    public void AWholeBackupEndsWithBackupCompleteThenBackupShutdown()
    {
        string volume = NewVolume("data.txt", "before the snapshot");
        var vss = NewComponent();

        vss.InitializeForBackup();
        vss.SetContext(VssSnapshotContext.Backup);
        vss.SetBackupState(false, false, VssBackupType.Copy, false);
        vss.GatherWriterMetadata(Timeout);
        var writers = vss.GatherWriterStatus(Timeout);
        Assert.Equal(EmulatorFixture.DefaultWriters.Order(), writers.Select(w => w.Name).Order());
        Assert.All(writers, w => Assert.Equal(VssWriterState.Stable, w.State));
        Assert.All(writers, w => Assert.Equal(0, w.Failure));
        Assert.All(writers, w => Assert.NotEqual(Guid.Empty, w.InstanceId));
        Assert.Equal(2, writers.Select(w => w.WriterId).Distinct().Count());

        Guid setId = vss.StartSnapshotSet();
        Assert.NotEqual(Guid.Empty, setId);
        Guid snapshotId = vss.AddToSnapshotSet(volume);
        Assert.NotEqual(Guid.Empty, snapshotId);
        vss.PrepareForBackup(Timeout);
        vss.DoSnapshotSet(Timeout);
        Assert.All(vss.GatherWriterStatus(Timeout), w => Assert.Equal(VssWriterState.WaitingForBackupComplete, w.State));

        var snapshot = vss.GetSnapshotProperties(snapshotId);
        Assert.Equal(snapshotId, snapshot.SnapshotId);
        Assert.Equal(setId, snapshot.SnapshotSetId);
        Assert.Equal(1, snapshot.SnapshotsCount);
        Assert.Equal(volume, snapshot.OriginalVolume);
        Assert.Equal(VssSnapshotState.Created, snapshot.Status);
        Assert.Equal((VssVolumeSnapshotAttributes)0, snapshot.Attributes); // VSS_CTX_BACKUP: auto-release, writers
        Assert.InRange(snapshot.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.True(Directory.Exists(snapshot.DeviceObject), $"the device object {snapshot.DeviceObject} is not a directory");
        string copy = Path.Combine(snapshot.DeviceObject, "data.txt");
        Assert.Equal("before the snapshot", File.ReadAllText(copy));

        // A shadow copy is a point in time: later writes to the volume do not reach it.
        File.WriteAllText(Path.Combine(volume, "data.txt"), "after the snapshot");
        File.WriteAllText(Path.Combine(volume, "new.txt"), "new");
        Assert.Equal("before the snapshot", File.ReadAllText(copy));
        Assert.False(File.Exists(Path.Combine(snapshot.DeviceObject, "new.txt")));

        vss.BackupComplete(Timeout);
        Assert.All(vss.GatherWriterStatus(Timeout), w => Assert.Equal(VssWriterState.Stable, w.State));
        vss.Release();
        Assert.True(vss.Released);

        var events = emulator.Journal().Where(e => e.SnapshotSetId == setId.ToString()).ToList();
        foreach (string writer in EmulatorFixture.DefaultWriters)
        {
            var mine = events.Where(e => e.Writer == writer).ToList();
            Assert.Equal(["PrepareForBackup", "PrepareForSnapshot", "Freeze", "Thaw", "PostSnapshot", "BackupComplete", "BackupShutdown"], mine.Select(e => e.Event));
            Assert.True(mine[^1].BackupCompleteReceived, $"{writer}'s BackupShutdown says BackupComplete was not received");
            Assert.All(mine, e => Assert.Null(e.Error));
        }
        Assert.False(Directory.Exists(snapshot.DeviceObject), $"the auto-release snapshot {snapshot.DeviceObject} outlived its component object");
    }

    [Fact]
    public void QueryWithProviderTypeEnumeratesTheEmulatedProviderThroughVssProviderProp()
    {
        var component = NewComponent();
        component.InitializeForBackup();
        component.SetContext(VssSnapshotContext.All);
        var provider = Assert.Single(component.QueryProviders());
        Assert.Equal(Guid.Parse("b5946137-7b9f-4925-af80-51abd60b20d5"), provider.ProviderId);
        Assert.Equal("VssSession Emulated Software Provider", provider.Name);
        Assert.Equal(VssProviderType.Software, provider.Type);
        Assert.Equal("1.0.0.0", provider.Version);
        Assert.NotEqual(Guid.Empty, provider.ClassId);
        // The snapshot query on the same object still answers snapshots only.
        Assert.All(component.QuerySnapshots(), s => Assert.NotEqual(Guid.Empty, s.SnapshotId));
        component.Release();
    }

    [Fact]
    public void DeleteSnapshotsRemovesAPersistentSetOnceAndThenFindsNothing()
    {
        string volume = NewVolume("keep.txt", "persistent");
        int before = emulator.Journal().Count;

        var creator = NewComponent();
        creator.InitializeForBackup();
        creator.SetContext(VssSnapshotContext.ClientAccessible);
        creator.SetBackupState(false, false, VssBackupType.Copy, false);
        // No writers in this context: no GatherWriterMetadata or PrepareForBackup, as vshadow does.
        Guid setId = creator.StartSnapshotSet();
        Guid snapshotId = creator.AddToSnapshotSet(volume);
        creator.DoSnapshotSet(Timeout);
        var created = creator.GetSnapshotProperties(snapshotId);
        creator.Release();

        Assert.True(Directory.Exists(created.DeviceObject), "a persistent snapshot must outlive its component object");
        Assert.Equal("persistent", File.ReadAllText(Path.Combine(created.DeviceObject, "keep.txt")));
        Assert.Empty(emulator.Journal().Skip(before)); // no writer saw anything of a no-writers context

        var deleter = NewComponent();
        deleter.InitializeForBackup();
        deleter.SetContext(VssSnapshotContext.All);
        var found = Assert.Single(deleter.QuerySnapshots(), s => s.SnapshotSetId == setId);
        Assert.Equal(snapshotId, found.SnapshotId);
        Assert.Equal(volume, found.OriginalVolume);
        Assert.Equal(VssSnapshotState.Created, found.Status);
        var persistentNoWriters = VssVolumeSnapshotAttributes.Persistent | VssVolumeSnapshotAttributes.ClientAccessible
            | VssVolumeSnapshotAttributes.NoAutoRelease | VssVolumeSnapshotAttributes.NoWriters;
        Assert.Equal(persistentNoWriters, found.Attributes);

        var deleted = deleter.DeleteSnapshots(setId, VssObjectType.SnapshotSet, false);
        Assert.Equal(1, deleted.Deleted);
        Assert.Null(deleted.NondeletedSnapshotId);
        Assert.False(Directory.Exists(created.DeviceObject));
        Assert.DoesNotContain(deleter.QuerySnapshots(), s => s.SnapshotSetId == setId);

        var again = Assert.Throws<VssException>(() => deleter.DeleteSnapshots(setId, VssObjectType.SnapshotSet, false));
        Assert.Equal("VSS_E_OBJECT_NOT_FOUND", again.Name);
        Assert.Equal(VssErrors.VSS_E_OBJECT_NOT_FOUND, again.HResult);
        Assert.Contains(setId.ToString(), again.Message);
        Assert.Equal(0, again.PartialDelete!.Deleted);
        deleter.Release();
        Assert.Empty(emulator.Journal().Skip(before));
    }

    [Fact]
    public void AddingAMissingDirectoryIsObjectNotFoundNamingThePath()
    {
        string missing = Path.Combine("/tmp", "vsst-missing-" + Guid.NewGuid().ToString("N")[..10]);
        var vss = NewComponent();
        vss.InitializeForBackup();
        vss.SetContext(VssSnapshotContext.Backup);
        vss.StartSnapshotSet();
        var e = Assert.Throws<VssException>(() => vss.AddToSnapshotSet(missing));
        Assert.Equal("VSS_E_OBJECT_NOT_FOUND", e.Name);
        Assert.Equal("IVssBackupComponents::AddToSnapshotSet", e.Operation);
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void CallsAfterReleaseAreBadState()
    {
        var vss = NewComponent();
        vss.InitializeForBackup();
        vss.Release();
        Assert.True(vss.Released);
        foreach (Action call in new Action[]
                 {
                     () => vss.InitializeForBackup(),
                     () => vss.SetContext(VssSnapshotContext.Backup),
                     () => vss.StartSnapshotSet(),
                     () => vss.GatherWriterMetadata(Timeout),
                     () => vss.QuerySnapshots(),
                 })
        {
            var e = Assert.Throws<VssException>(call);
            Assert.Equal("VSS_E_BAD_STATE", e.Name);
        }
        vss.Release(); // a second Release is harmless
    }

    [Fact]
    public void BackupCompleteBeforeDoSnapshotSetIsBadState()
    {
        string volume = NewVolume("a.txt", "a");
        var vss = NewComponent();
        vss.InitializeForBackup();
        vss.SetContext(VssSnapshotContext.Backup);
        vss.SetBackupState(false, false, VssBackupType.Copy, false);
        vss.GatherWriterMetadata(Timeout);
        Guid setId = vss.StartSnapshotSet();
        vss.AddToSnapshotSet(volume);
        vss.PrepareForBackup(Timeout);
        var e = Assert.Throws<VssException>(() => vss.BackupComplete(Timeout));
        Assert.Equal("VSS_E_BAD_STATE", e.Name);
        Assert.Equal("IVssBackupComponents::BackupComplete", e.Operation);

        // Released without a BackupComplete: each writer's BackupShutdown says the backup did not complete.
        vss.Release();
        var events = emulator.Journal().Where(x => x.SnapshotSetId == setId.ToString()).ToList();
        foreach (string writer in EmulatorFixture.DefaultWriters)
        {
            var mine = events.Where(x => x.Writer == writer && x.Event != "Abort").ToList();
            Assert.Equal(["PrepareForBackup", "BackupShutdown"], mine.Select(x => x.Event));
            Assert.False(mine[^1].BackupCompleteReceived);
        }
    }

    /// <summary>"Shadow Copy Creation Details": in a context without writers, AddComponent, PrepareForBackup and
    /// BackupComplete return an error, and DoSnapshotSet follows the volumes with no GatherWriterMetadata.</summary>
    [Theory]
    [InlineData(VssSnapshotContext.FileShareBackup)]
    [InlineData(VssSnapshotContext.ClientAccessible)]
    public void WithoutWritersTheSetGoesFromItsVolumesToDoSnapshotSetAndWriterCallsAreBadState(VssSnapshotContext context)
    {
        string volume = NewVolume("w.txt", "w");
        var vss = NewComponent();
        vss.InitializeForBackup();
        vss.SetContext(context);
        vss.SetBackupState(false, false, VssBackupType.Copy, false);
        Guid setId = vss.StartSnapshotSet();
        Guid snapshotId = vss.AddToSnapshotSet(volume);
        var prepare = Assert.Throws<VssException>(() => vss.PrepareForBackup(Timeout));
        Assert.Equal("VSS_E_BAD_STATE", prepare.Name);
        Assert.Contains("Shadow Copy Creation Details", prepare.Message);
        var add = Assert.Throws<VssException>(() => vss.AddComponent(Guid.NewGuid(), Guid.NewGuid(), VssComponentType.Database, null, "Database"));
        Assert.Equal("VSS_E_BAD_STATE", add.Name);
        vss.DoSnapshotSet(Timeout);
        Assert.True(Directory.Exists(vss.GetSnapshotProperties(snapshotId).DeviceObject));
        var complete = Assert.Throws<VssException>(() => vss.BackupComplete(Timeout));
        Assert.Equal("VSS_E_BAD_STATE", complete.Name);
        // A second DoSnapshotSet, or another volume after it, is out of sequence too.
        Assert.Equal("VSS_E_BAD_STATE", Assert.Throws<VssException>(() => vss.DoSnapshotSet(Timeout)).Name);
        Assert.Equal("VSS_E_BAD_STATE", Assert.Throws<VssException>(() => vss.AddToSnapshotSet(NewVolume("x.txt", "x"))).Name);
        vss.Release();
        Assert.DoesNotContain(emulator.Journal(), x => x.SnapshotSetId == setId.ToString());
        if (context == VssSnapshotContext.ClientAccessible)
        {
            var deleter = NewComponent();
            deleter.InitializeForBackup();
            deleter.SetContext(VssSnapshotContext.All);
            Assert.Equal(1, deleter.DeleteSnapshots(setId, VssObjectType.SnapshotSet, false).Deleted);
        }
    }

    [Fact]
    public void OnlyOneSnapshotSetIsBeingCreatedAtATime()
    {
        string volume = NewVolume("b.txt", "b");
        var first = NewComponent();
        first.InitializeForBackup();
        first.SetContext(VssSnapshotContext.Backup);
        first.GatherWriterMetadata(Timeout); // writers must be asked before they are prepared
        Guid firstSet = first.StartSnapshotSet();
        first.AddToSnapshotSet(volume);

        var second = NewComponent();
        second.InitializeForBackup();
        second.SetContext(VssSnapshotContext.Backup);
        var e = Assert.Throws<VssException>(() => second.StartSnapshotSet());
        Assert.Equal("VSS_E_SNAPSHOT_SET_IN_PROGRESS", e.Name);
        Assert.Contains(firstSet.ToString(), e.Message);

        // Once the first set is done, the machine may create another.
        first.PrepareForBackup(Timeout);
        first.DoSnapshotSet(Timeout);
        Assert.NotEqual(Guid.Empty, second.StartSnapshotSet());
        second.Release();

        // Releasing a component in the middle of its set frees the machine as well.
        var third = NewComponent();
        third.InitializeForBackup();
        third.StartSnapshotSet();
        third.Release();
        var fourth = NewComponent();
        fourth.InitializeForBackup();
        Assert.NotEqual(Guid.Empty, fourth.StartSnapshotSet());
    }
}
