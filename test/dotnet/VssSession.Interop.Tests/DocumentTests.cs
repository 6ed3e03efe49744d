using System.Runtime.InteropServices;
using VssSession.Interop.Binding;
using VssSession.Interop.Com;
using VssSession.Interop.Emulator;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>
/// The Backup Components Document (AddComponent, SetBackupSucceeded, GetWriterComponents through IVssWriterComponentsExt
/// and IVssComponent), ExposeSnapshot / UnexposeSnapshot (IVssBackupComponentsEx2), ImportSnapshots, BreakSnapshotSet
/// and writer metadata documents, through the binding and the vtables against the emulated VSS service.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed unsafe class DocumentTests(EmulatorFixture emulator) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<BackupComponents> _components = [];
    private readonly List<string> _dirs = [];

    public void Dispose()
    {
        foreach (var c in _components) c.Release();
        foreach (var d in _dirs) EmulatorFixture.DeleteTree(d);
    }

    private BackupComponents NewComponent()
    {
        var component = BackupComponents.Create(new EmulatorVssApi(emulator.Socket));
        _components.Add(component);
        return component;
    }

    private string NewDir(string prefix)
    {
        string dir = EmulatorFixture.NewTempDir(prefix);
        _dirs.Add(dir);
        return dir;
    }

    private string NewVolume(string content)
    {
        string dir = NewDir("vsst-vol-");
        File.WriteAllText(Path.Combine(dir, "data.txt"), content);
        return dir;
    }

    /// <summary>A snapshot set of one volume; the component object stays open (not completed) for the caller.</summary>
    private (BackupComponents Vss, Guid SetId, Guid SnapshotId) Snapshot(string volume, VssSnapshotContext context, bool transportable = false)
    {
        var vss = NewComponent();
        vss.InitializeForBackup();
        vss.SetContext(context, transportable);
        vss.SetBackupState(false, false, VssBackupType.Copy, false);
        vss.GatherWriterMetadata(Timeout);
        Guid setId = vss.StartSnapshotSet();
        Guid snapshotId = vss.AddToSnapshotSet(volume);
        vss.PrepareForBackup(Timeout);
        vss.DoSnapshotSet(Timeout);
        return (vss, setId, snapshotId);
    }

    private void Delete(Guid setId)
    {
        var admin = NewComponent();
        admin.InitializeForBackup();
        admin.SetContext(VssSnapshotContext.All);
        admin.DeleteSnapshots(setId, VssObjectType.SnapshotSet, true);
    }

    private (IReadOnlyList<WriterComponents> Document, Guid SetId) BackupWithComponents(VssBackupType type) => BackupWithComponents(type, out _);

    private (IReadOnlyList<WriterComponents> Document, Guid SetId) BackupWithComponents(VssBackupType type, out string xml)
    {
        string volume = NewVolume("components");
        var vss = NewComponent();
        vss.InitializeForBackup();
        vss.SetContext(VssSnapshotContext.Backup);
        vss.SetBackupState(true, false, type, false);
        vss.GatherWriterMetadata(Timeout);
        var writers = vss.GetWriterMetadata();
        foreach (var w in writers)
            foreach (var c in w.Components)
                vss.AddComponent(w.InstanceId, w.WriterId, (VssComponentType)c.Type, c.LogicalPath, c.Name);
        Guid setId = vss.StartSnapshotSet();
        vss.AddToSnapshotSet(volume);
        vss.PrepareForBackup(Timeout);
        vss.DoSnapshotSet(Timeout);
        foreach (var w in writers)
            foreach (var c in w.Components)
                vss.SetBackupSucceeded(w.InstanceId, w.WriterId, (VssComponentType)c.Type, c.LogicalPath, c.Name, true);
        vss.BackupComplete(Timeout);
        int freedBefore = EmulatedWriterComponents.Freed;
        var document = vss.GetWriterComponents();
        // Every IVssWriterComponentsExt handed out was released exactly once, through its second (IUnknown) vtable.
        Assert.Equal(freedBefore + document.Count, EmulatedWriterComponents.Freed);
        xml = vss.SaveAsXml();
        vss.Release();
        return (document, setId);
    }

    [Fact]
    public void ASavedDocumentIsReadBackThroughInitializeForRestoreOnAFreshObject()
    {
        var (saved, setId) = BackupWithComponents(VssBackupType.Full, out string xml);
        var parsed = Documents.BackupComponentsDocument.Parse(xml);
        Assert.Equal("full", parsed.BackupType);
        Assert.Equal(setId, parsed.SnapshotSetId);
        Assert.Single(parsed.SnapshotIds);

        var reader = NewComponent();
        reader.InitializeForRestore(xml);
        var read = reader.GetWriterComponents();
        Assert.Equal(
            saved.SelectMany(w => w.Components.Select(c => (w.WriterId, w.InstanceId, c.Name, c.LogicalPath, c.Type, c.BackupSucceeded, c.BackupStamp))).Order(),
            read.SelectMany(w => w.Components.Select(c => (w.WriterId, w.InstanceId, c.Name, c.LogicalPath, c.Type, c.BackupSucceeded, c.BackupStamp))).Order());
        // The object reads the document and is never a backup.
        Assert.Equal("VSS_E_BAD_STATE", Assert.Throws<VssException>(() => reader.InitializeForBackup()).Name);

        var garbage = NewComponent();
        var e = Assert.Throws<VssException>(() => garbage.InitializeForRestore("<WRITER_METADATA/>"));
        Assert.Equal("VSS_E_INVALID_XML_DOCUMENT", e.Name);
        Assert.Contains("not <BACKUP_COMPONENTS>", e.Message);
        Assert.Equal("VSS_E_INVALID_XML_DOCUMENT", Assert.Throws<VssException>(() => NewComponent().InitializeForRestore("<BACKUP_COMPONENTS")).Name);

        // A backup object is not given a document to restore from.
        var backup = NewComponent();
        backup.InitializeForBackup();
        Assert.Equal("VSS_E_BAD_STATE", Assert.Throws<VssException>(() => backup.InitializeForRestore(xml)).Name);
    }

    [Fact]
    public void AFullBackupMarksEachComponentBackedUpAndTheWritersStampThem()
    {
        var (document, setId) = BackupWithComponents(VssBackupType.Full);

        Assert.Equal(EmulatorFixture.DefaultWriters.Length, document.Count);
        var components = document.SelectMany(w => w.Components).ToList();
        Assert.Equal(["Database", "Registry"], components.Select(c => c.Name).Order());
        Assert.All(components, c => Assert.True(c.BackupSucceeded));
        Assert.All(components, c => Assert.Equal(VssComponentType.Database, c.Type));
        Assert.All(components, c => Assert.Contains(setId.ToString(), c.BackupStamp));
        Assert.All(document, w => Assert.NotEqual(Guid.Empty, w.InstanceId));

        // Each writer's BackupComplete handler saw its components marked backed up.
        var completes = emulator.JournalLines().Where(l => l.Contains("\"event\":\"BackupComplete\"") && l.Contains(setId.ToString())).ToList();
        Assert.Equal(2, completes.Count);
        Assert.All(completes, l => Assert.Contains("\"backupSucceeded\":true", l));
    }

    [Fact]
    public void ACopyBackupLeavesTheWritersBackupHistoryAlone()
    {
        var (document, _) = BackupWithComponents(VssBackupType.Copy);
        var components = document.SelectMany(w => w.Components).ToList();
        Assert.Equal(2, components.Count);
        Assert.All(components, c => Assert.True(c.BackupSucceeded));
        Assert.All(components, c => Assert.Null(c.BackupStamp));
    }

    [Fact]
    public void SetBackupSucceededBeforeTheSnapshotIsBadStateAndAnUnknownComponentIsNotFound()
    {
        var vss = NewComponent();
        vss.InitializeForBackup();
        vss.SetBackupState(true, false, VssBackupType.Full, false);
        vss.GatherWriterMetadata(Timeout);
        var writer = vss.GetWriterMetadata()[0];
        var missing = Assert.Throws<VssException>(() => vss.AddComponent(writer.InstanceId, writer.WriterId, VssComponentType.Database, null, "NoSuchComponent"));
        Assert.Equal("VSS_E_OBJECT_NOT_FOUND", missing.Name);
        Assert.Contains("NoSuchComponent", missing.Message);
        vss.AddComponent(writer.InstanceId, writer.WriterId, VssComponentType.Database, null, writer.Components[0].Name);
        var early = Assert.Throws<VssException>(() => vss.SetBackupSucceeded(writer.InstanceId, writer.WriterId, VssComponentType.Database, null, writer.Components[0].Name, true));
        Assert.Equal("VSS_E_BAD_STATE", early.Name);
    }

    [Fact]
    public void AnAppRollbackSnapshotIsExposedAtAFolderAndUnexposedAgain()
    {
        string volume = NewVolume("exposed content");
        var (vss, setId, snapshotId) = Snapshot(volume, VssSnapshotContext.AppRollback);
        string mount = Path.Combine(NewDir("vsst-mnt-"), "snapshot");
        try
        {
            string exposed = vss.ExposeSnapshot(snapshotId, null, VssVolumeSnapshotAttributes.ExposedLocally, mount);
            Assert.Equal(mount, exposed);
            Assert.Equal("exposed content", File.ReadAllText(Path.Combine(mount, "data.txt")));
            var props = vss.GetSnapshotProperties(snapshotId);
            Assert.Equal(mount, props.ExposedName);
            Assert.True(props.Attributes.HasFlag(VssVolumeSnapshotAttributes.ExposedLocally));

            var twice = Assert.Throws<VssException>(() => vss.ExposeSnapshot(snapshotId, null, VssVolumeSnapshotAttributes.ExposedLocally, mount + "2"));
            Assert.Equal("VSS_E_OBJECT_ALREADY_EXISTS", twice.Name);

            vss.UnexposeSnapshot(snapshotId);
            Assert.False(Path.Exists(mount));
            Assert.False(vss.GetSnapshotProperties(snapshotId).Attributes.HasFlag(VssVolumeSnapshotAttributes.ExposedLocally));
            var again = Assert.Throws<VssException>(() => vss.UnexposeSnapshot(snapshotId));
            Assert.Equal("VSS_E_OBJECT_NOT_FOUND", again.Name);
            Assert.Contains("not exposed", again.Message);
        }
        finally
        {
            Delete(setId);
        }
    }

    [Fact]
    public void AnEmptyFolderMayTakeTheExposureAndComesBackAfterwards()
    {
        string volume = NewVolume("into an empty folder");
        var (vss, setId, snapshotId) = Snapshot(volume, VssSnapshotContext.AppRollback);
        string mount = NewDir("vsst-mnt-");
        try
        {
            vss.ExposeSnapshot(snapshotId, null, VssVolumeSnapshotAttributes.ExposedLocally, mount);
            Assert.Equal("into an empty folder", File.ReadAllText(Path.Combine(mount, "data.txt")));
            vss.UnexposeSnapshot(snapshotId);
            Assert.True(Directory.Exists(mount));
            Assert.Empty(Directory.EnumerateFileSystemEntries(mount));
        }
        finally
        {
            Delete(setId);
        }
    }

    [Fact]
    public void OnlyAppRollbackSnapshotsAreExposedLocallyAndNeverOverAFolderWithFiles()
    {
        string volume = NewVolume("auto-release");
        var (vss, _, snapshotId) = Snapshot(volume, VssSnapshotContext.Backup);
        var e = Assert.Throws<VssException>(() => vss.ExposeSnapshot(snapshotId, null, VssVolumeSnapshotAttributes.ExposedLocally, Path.Combine(NewDir("vsst-mnt-"), "x")));
        Assert.Equal("E_INVALIDARG", e.Name);
        Assert.Contains("auto-release", e.Message);

        var (rollback, setId, rollbackSnapshot) = Snapshot(NewVolume("rollback"), VssSnapshotContext.AppRollback);
        try
        {
            string busy = NewVolume("occupied");
            var full = Assert.Throws<VssException>(() => rollback.ExposeSnapshot(rollbackSnapshot, null, VssVolumeSnapshotAttributes.ExposedLocally, busy));
            Assert.Equal("E_INVALIDARG", full.Name);
            Assert.Contains("empty folder", full.Message);
            Assert.Equal("occupied", File.ReadAllText(Path.Combine(busy, "data.txt")));
        }
        finally
        {
            Delete(setId);
        }
    }

    [Fact]
    public void DeletingAnExposedSnapshotUnexposesItFirst()
    {
        var (vss, setId, snapshotId) = Snapshot(NewVolume("deleted while exposed"), VssSnapshotContext.AppRollback);
        string mount = Path.Combine(NewDir("vsst-mnt-"), "snapshot");
        vss.ExposeSnapshot(snapshotId, null, VssVolumeSnapshotAttributes.ExposedLocally, mount);
        Delete(setId);
        Assert.False(Path.Exists(mount));
    }

    [Fact]
    public void UnexposeSnapshotIsSlot53OfTheSameObject()
    {
        // QueryInterface for IVssBackupComponentsEx2 on the emulated object, then slot 53 called raw.
        Assert.Equal(VssErrors.S_OK, EmulatedVss.CreateVssBackupComponents(emulator.Socket, out nint p));
        try
        {
            Guid iid = typeof(IVssBackupComponentsEx2).GUID;
            Assert.Equal(VssErrors.S_OK, Marshal.QueryInterface(p, in iid, out nint ex2));
            try
            {
                var unexpose = (delegate* unmanaged<nint, Guid, int>)(*(nint**)ex2)[53];
                var initialize = (delegate* unmanaged<nint, nint, int>)(*(nint**)ex2)[5];
                Assert.Equal(VssErrors.S_OK, initialize(ex2, 0));
                Guid unknown = Guid.NewGuid();
                Assert.Equal(VssErrors.HResultOf("VSS_E_OBJECT_NOT_FOUND"), unexpose(ex2, unknown));
                Assert.Contains(unknown.ToString(), EmulatedVss.LastFault);
            }
            finally
            {
                Marshal.Release(ex2);
            }
        }
        finally
        {
            Marshal.Release(p);
        }
    }

    [Fact]
    public void ATransportableSetIsImportedFromItsDocumentAndOthersAreRefused()
    {
        var (vss, setId, snapshotId) = Snapshot(NewVolume("transported"), VssSnapshotContext.AppRollback, transportable: true);
        try
        {
            vss.BackupComplete(Timeout);
            string xml = vss.SaveAsXml();
            Assert.Contains(setId.ToString(), xml);
            Assert.True(vss.GetSnapshotProperties(snapshotId).Attributes.HasFlag(VssVolumeSnapshotAttributes.Transportable));
            vss.Release();

            var importer = NewComponent();
            importer.InitializeForBackup(xml);
            importer.ImportSnapshots(Timeout);
            Assert.True(importer.GetSnapshotProperties(snapshotId).Attributes.HasFlag(VssVolumeSnapshotAttributes.Imported));

            var withoutDocument = NewComponent();
            withoutDocument.InitializeForBackup();
            Assert.Equal("VSS_E_BAD_STATE", Assert.Throws<VssException>(() => withoutDocument.ImportSnapshots(Timeout)).Name);
        }
        finally
        {
            Delete(setId);
        }

        var (plain, plainSet, _) = Snapshot(NewVolume("not transportable"), VssSnapshotContext.AppRollback);
        try
        {
            plain.BackupComplete(Timeout);
            var importer = NewComponent();
            importer.InitializeForBackup(plain.SaveAsXml());
            var e = Assert.Throws<VssException>(() => importer.ImportSnapshots(Timeout));
            Assert.Equal("VSS_E_NO_SNAPSHOTS_IMPORTED", e.Name);
            Assert.Contains("not transportable", e.Message);
        }
        finally
        {
            Delete(plainSet);
        }
    }

    [Fact]
    public void ABrokenSetIsForgottenAndItsDataBecomesWritable()
    {
        var (vss, setId, snapshotId) = Snapshot(NewVolume("broken out"), VssSnapshotContext.AppRollback);
        vss.BackupComplete(Timeout);
        vss.BreakSnapshotSet(setId);
        Assert.DoesNotContain(vss.QuerySnapshots(), s => s.SnapshotSetId == setId);
        string data = Path.Combine(emulator.Home, "broken", snapshotId.ToString(), "data.txt");
        Assert.Equal("broken out", File.ReadAllText(data));
        File.AppendAllText(data, ", and changed");
        Assert.Equal("VSS_E_OBJECT_NOT_FOUND", Assert.Throws<VssException>(() => vss.BreakSnapshotSet(setId)).Name);
    }

    [Fact]
    public void GetWriterMetadataExGivesEachWritersInstanceNameAndMetadataVersion()
    {
        var vss = NewComponent();
        vss.InitializeForBackup();
        vss.GatherWriterMetadata(Timeout);
        var plain = vss.GetWriterMetadata();
        var instances = vss.GetWriterInstances();
        Assert.Equal(plain.Select(w => (w.InstanceId, w.WriterId, w.Name)), instances.Select(w => (w.InstanceId, w.WriterId, w.Name)));
        Assert.All(instances, w => Assert.Equal(w.Name, w.InstanceName));
        Assert.All(instances, w => Assert.Equal(new Version(1, 0), w.MetadataVersion));
    }

    [Fact]
    public void EachWriterGivesItsMetadataDocument()
    {
        var vss = NewComponent();
        vss.InitializeForBackup();
        vss.GatherWriterMetadata(Timeout);
        var writers = vss.GetWriterMetadata();
        var documents = vss.GetWriterMetadataDocuments();
        Assert.Equal(writers.Count, documents.Count);
        for (int i = 0; i < writers.Count; i++)
        {
            var xml = System.Xml.Linq.XElement.Parse(documents[i]);
            Assert.Equal("WRITER_METADATA", xml.Name.LocalName);
            var identity = xml.Elements().Single(e => e.Name.LocalName == "IDENTIFICATION");
            Assert.Equal(writers[i].WriterId, Guid.Parse(identity.Attribute("writerId")!.Value));
            Assert.Equal(writers[i].Name, identity.Attribute("friendlyName")!.Value);
        }
    }
}
