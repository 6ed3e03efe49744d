using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Binding;
using VssSession.Interop.Com;
using VssSession.Interop.Emulator;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>GetWriterMetadata through IVssExamineWriterMetadata and IVssWMComponent against the emulated VSS service.</summary>
[Collection(EmulatorCollection.Name)]
public sealed unsafe class WriterMetadataTests(EmulatorFixture emulator) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly StrategyBasedComWrappers Wrappers = new();
    private readonly List<BackupComponents> _components = [];

    public void Dispose()
    {
        foreach (var c in _components) c.Release();
    }

    [Fact]
    public void TheBindingReadsEachDefaultWriterAndItsComponent()
    {
        var vss = BackupComponents.Create(new EmulatorVssApi(emulator.Socket));
        _components.Add(vss);
        vss.InitializeForBackup();
        vss.SetContext(VssSnapshotContext.Backup);
        vss.GatherWriterMetadata(Timeout);

        var writers = vss.GetWriterMetadata();
        Assert.Equal(EmulatorFixture.DefaultWriters.Order(), writers.Select(w => w.Name).Order());
        var database = Assert.Single(writers, w => w.Name == "Emulated Database Writer");
        var registry = Assert.Single(writers, w => w.Name == "Emulated Registry Writer");
        Assert.Equal(["Database"], database.Components.Select(c => c.Name));
        Assert.Equal(["Registry"], registry.Components.Select(c => c.Name));
        Assert.All(writers.SelectMany(w => w.Components), c =>
        {
            Assert.Null(c.LogicalPath);
            Assert.Equal((int)VssComponentType.Database, c.Type);
            Assert.True(c.Selectable);
        });
        Assert.Equal(2, writers.Select(w => w.WriterId).Distinct().Count());
        Assert.DoesNotContain(Guid.Empty, writers.Select(w => w.InstanceId));

        // The same writer instances GatherWriterStatus reports.
        var status = vss.GatherWriterStatus(Timeout);
        Assert.Equal(
            status.Select(s => (s.Name, s.InstanceId, s.WriterId)).OrderBy(s => s.Name),
            writers.Select(w => (w.Name, w.InstanceId, w.WriterId)).OrderBy(w => w.Name));
    }

    [Fact]
    public void TheBindingReadsComponentSetsAndTheirFileDescriptorsThroughTheVtable()
    {
        string writersFile = Path.Combine(emulator.Home, "writers.json");
        File.WriteAllText(writersFile, """
            [{ "name": "Sql Writer", "id": "11111111-2222-3333-4444-555555555555", "components": [
                { "name": "Instance", "selectable": false, "caption": "The instance" },
                { "name": "Sales", "logicalPath": "Instance", "type": "database", "caption": "Sales database",
                  "databases": [{ "path": "/data/sales", "filespec": "*.mdf" }],
                  "logs": [{ "path": "/logs/sales", "filespec": "*.ldf", "recursive": true }] },
                { "name": "Reports", "type": "filegroup", "files": [{ "path": "/data/reports" }] } ] }]
            """);
        try
        {
            var vss = BackupComponents.Create(new EmulatorVssApi(emulator.Socket));
            _components.Add(vss);
            vss.InitializeForBackup();
            vss.SetContext(VssSnapshotContext.Backup);
            vss.GatherWriterMetadata(Timeout);
            var writer = Assert.Single(vss.GetWriterMetadata());
            var instance = Assert.Single(writer.Components, c => c.Name == "Instance");
            Assert.False(instance.Selectable);
            Assert.Equal("The instance", instance.Caption);
            Assert.Empty(instance.Files);
            var sales = Assert.Single(writer.Components, c => c.Name == "Sales");
            Assert.Equal("Instance", sales.LogicalPath);
            Assert.Equal((int)VssComponentType.Database, sales.Type);
            Assert.Equal([new FileSpecification("/data/sales", "*.mdf", false)], sales.Databases);
            Assert.Equal([new FileSpecification("/logs/sales", "*.ldf", true)], sales.Logs);
            Assert.Empty(sales.Files);
            var reports = Assert.Single(writer.Components, c => c.Name == "Reports");
            Assert.Equal((int)VssComponentType.Filegroup, reports.Type);
            Assert.Equal([new FileSpecification("/data/reports", "*", false)], reports.Files);
        }
        finally
        {
            File.Delete(writersFile);
        }
    }

    [Fact]
    public void TheBindingReadsExcludedFilesAndTheRestoreMethodThroughSlots6And8()
    {
        string writersFile = Path.Combine(emulator.Home, "writers.json");
        File.WriteAllText(writersFile, """
            [{ "name": "Mail Writer", "id": "33333333-2222-3333-4444-555555555555",
               "restoreMethod": { "method": "RestoreStopStart", "service": "MailStore", "userProcedure": "https://example.test/how",
                                  "writerRestore": "IfReplaceFails", "rebootRequired": true },
               "components": [
                { "name": "Store", "databases": [{ "path": "/mail/db", "filespec": "*.edb" }],
                  "excludedFiles": [{ "path": "/mail/db", "filespec": "*.tmp" }, { "path": "/mail/cache", "filespec": "*", "recursive": true }] } ] },
             { "name": "Quiet Writer", "id": "44444444-2222-3333-4444-555555555555", "components": ["Data"] }]
            """);
        try
        {
            var vss = BackupComponents.Create(new EmulatorVssApi(emulator.Socket));
            _components.Add(vss);
            vss.InitializeForBackup();
            vss.SetContext(VssSnapshotContext.Backup);
            vss.GatherWriterMetadata(Timeout);
            var writers = vss.GetWriterMetadata();
            var mail = Assert.Single(writers, w => w.Name == "Mail Writer");
            Assert.Equal([new FileSpecification("/mail/db", "*.tmp", false), new FileSpecification("/mail/cache", "*", true)], mail.ExcludedFiles);
            Assert.Equal(new RestoreMethod(VssRestoreMethod.RestoreStopStart, "MailStore", "https://example.test/how", VssWriterRestore.IfReplaceFails, true, 0), mail.RestoreMethod);
            var quiet = Assert.Single(writers, w => w.Name == "Quiet Writer");
            Assert.Null(quiet.RestoreMethod);
            Assert.Empty(quiet.ExcludedFiles);

            // The writer metadata document carries them in the schema's element names.
            var xml = vss.GetWriterMetadataDocuments().Single(d => d.Contains("Mail Writer"));
            var document = System.Xml.Linq.XElement.Parse(xml);
            System.Xml.Linq.XNamespace ns = "x-schema:#VssWriterMetadataInfo";
            var restore = Assert.Single(document.Elements(ns + "RESTORE_METHOD"));
            Assert.Equal(("RESTORE_STOP_START", "MailStore", "ifReplaceFails", "yes"),
                ((string?)restore.Attribute("method"), (string?)restore.Attribute("service"), (string?)restore.Attribute("writerRestore"), (string?)restore.Attribute("rebootRequired")));
            var locations = Assert.Single(document.Elements(ns + "BACKUP_LOCATIONS"));
            Assert.Equal(["*.tmp", "*"], locations.Elements(ns + "EXCLUDE_FILES").Select(e => (string?)e.Attribute("filespec")));
            Assert.Equal("*.edb", (string?)locations.Element(ns + "DATABASE")!.Element(ns + "DATABASE_FILES")!.Attribute("filespec"));
        }
        finally
        {
            File.Delete(writersFile);
        }
    }

    [Fact]
    public void TheEmulatedObjectsRefuseOutOfRangeIndexesAndSayWhatTheyDoNotSupport()
    {
        var backup = GatheredBackup();
        try
        {

            Assert.Equal(VssErrors.S_OK, backup.GetWriterMetadataCount(out uint count));
            Assert.Equal(2u, count);
            Assert.Equal(VssErrors.E_INVALIDARG, backup.GetWriterMetadata(count, out _, out nint none));
            Assert.Equal(0, none);

            Assert.Equal(VssErrors.S_OK, backup.GetWriterMetadata(0, out Guid instance, out nint metadataPointer));
            var metadata = new ExamineWriterMetadataRef(metadataPointer);
            try
            {
                Assert.Equal(VssErrors.S_OK, metadata.GetIdentity(out Guid identity, out _, out string? name));
                Assert.Equal(instance, identity);
                Assert.Contains(name, EmulatorFixture.DefaultWriters);
                var vtable = *(void***)metadataPointer;
                VssUsageType usage;
                VssSourceType source;
                nint bstr = 0;
                Guid writer;
                // slot 3 called with every out parameter, to see the usage and source types too.
                Assert.Equal(VssErrors.S_OK, ((delegate* unmanaged[MemberFunction]<nint, Guid*, Guid*, nint*, VssUsageType*, VssSourceType*, int>)vtable[3])(metadataPointer, &identity, &writer, &bstr, &usage, &source));
                Marshal.FreeBSTR(bstr);
                Assert.Equal((VssUsageType.UserData, VssSourceType.TransactedDb), (usage, source));
                Assert.Equal(VssErrors.S_OK, metadata.GetFileCounts(out uint include, out uint exclude, out uint components));
                Assert.Equal((0u, 0u, 1u), (include, exclude, components));
                Assert.Equal(VssErrors.E_INVALIDARG, metadata.GetComponent(components, out nint noComponent));
                Assert.Equal(0, noComponent);
                nint file = 0;
                Assert.Equal(VssErrors.E_INVALIDARG, ((delegate* unmanaged[MemberFunction]<nint, uint, nint*, int>)vtable[5])(metadataPointer, 0, &file)); // GetIncludeFile

                EmulatedVss.LastFault = null;
                // slot 8: GetRestoreMethod(VSS_RESTOREMETHOD_ENUM*, BSTR*, BSTR*, VSS_WRITERRESTORE_ENUM*, bool*, UINT*):
                // S_FALSE, "No restore method exists", for a default writer, which declares none.
                int method = 7, writerRestore = 3;
                nint service = 0, procedure = 0;
                byte reboot = 1;
                uint mappings = 9;
                Assert.Equal(VssErrors.S_FALSE, ((delegate* unmanaged[MemberFunction]<nint, int*, nint*, nint*, int*, byte*, uint*, int>)vtable[8])(metadataPointer, &method, &service, &procedure, &writerRestore, &reboot, &mappings));
                Assert.Equal((0, (nint)0, (nint)0, 0, (byte)0, 0u), (method, service, procedure, writerRestore, reboot, mappings));
                // slot 9: no alternate location mappings: any index is out of range.
                Assert.Equal(VssErrors.E_INVALIDARG, ((delegate* unmanaged[MemberFunction]<nint, uint, nint*, int>)vtable[9])(metadataPointer, 0, &file));
                // slot 11: GetDocument hands out MSXML's IXMLDOMDocument, which exists only on Windows; SaveAsXML gives the same text.
                nint document = 0;
                Assert.Equal(VssErrors.E_NOTIMPL, ((delegate* unmanaged[MemberFunction]<nint, nint*, int>)vtable[11])(metadataPointer, &document));
                Assert.Equal(0, document);
                Assert.Contains("SaveAsXML", EmulatedVss.LastFault);
                Assert.Equal(VssErrors.S_OK, metadata.SaveAsXml(out string? xml));
                Assert.StartsWith("<WRITER_METADATA", xml);
            }
            finally
            {
                metadata.Release();
            }

            // FreeWriterMetadata ends the metadata: no index is valid after it.
            Assert.Equal(VssErrors.S_OK, backup.FreeWriterMetadata());
            Assert.Equal(VssErrors.E_INVALIDARG, backup.GetWriterMetadata(0, out _, out _));
        }
        finally
        {
            ((ComObject)(object)backup).FinalRelease();
            EmulatedVss.LastFault = null;
        }
    }

    /// <summary>IVssExamineWriterMetadata, IVssWMComponent and IVssWMFiledesc are C++ interfaces VSS hands out already
    /// typed. The emulator's refuse QueryInterface for IUnknown (and, but for the documented Ex2 widening, for anything),
    /// so every read above proves the binding never asks; a wrapper built by ComWrappers fails on them.</summary>
    [Fact]
    public void TheWriterMetadataObjectsRefuseQueryInterfaceAndTheBindingNeverAsks()
    {
        string writersFile = Path.Combine(emulator.Home, "writers.json");
        File.WriteAllText(writersFile, """
            [{ "name": "Files Writer", "id": "22222222-3333-4444-5555-666666666666", "components": [{ "name": "Data", "files": [{ "path": "/data" }] }] }]
            """);
        var backup = GatheredBackup();
        try
        {

            Assert.Equal(VssErrors.S_OK, backup.GetWriterMetadata(0, out _, out nint metadataPointer));
            var metadata = new ExamineWriterMetadataRef(metadataPointer);
            try
            {
                Guid unknown = new("00000000-0000-0000-C000-000000000046");
                Assert.Equal(VssErrors.E_NOINTERFACE, Marshal.QueryInterface(metadataPointer, in unknown, out nint none));
                Assert.Equal(0, none);
                Guid itself = typeof(IVssExamineWriterMetadata).GUID;
                Assert.Equal(VssErrors.E_NOINTERFACE, Marshal.QueryInterface(metadataPointer, in itself, out _));
                Assert.ThrowsAny<Exception>(() => Wrappers.GetOrCreateObjectForComInstance(metadataPointer, CreateObjectFlags.UniqueInstance));
                // The documented widening still answers: the metadata version comes from IVssExamineWriterMetadataEx2.
                Assert.Equal(new Version(1, 0), metadata.GetVersion());

                Assert.Equal(VssErrors.S_OK, metadata.GetComponent(0, out nint componentPointer));
                var component = new WMComponentRef(componentPointer);
                try
                {
                    Assert.Equal(VssErrors.E_NOINTERFACE, Marshal.QueryInterface(componentPointer, in unknown, out _));
                    Guid placeholder = typeof(IVssWMComponent).GUID;
                    Assert.Equal(VssErrors.E_NOINTERFACE, Marshal.QueryInterface(componentPointer, in placeholder, out _));
                    Assert.Equal(VssErrors.S_OK, component.GetFile(0, out nint filePointer));
                    var file = new WMFiledescRef(filePointer);
                    try
                    {
                        Assert.Equal(VssErrors.E_NOINTERFACE, Marshal.QueryInterface(filePointer, in unknown, out _));
                        Assert.Equal(VssErrors.S_OK, file.GetPath(out string? path));
                        Assert.Equal("/data", path);
                    }
                    finally
                    {
                        file.Release();
                    }
                }
                finally
                {
                    component.Release();
                }
            }
            finally
            {
                metadata.Release();
            }
        }
        finally
        {
            ((ComObject)(object)backup).FinalRelease();
            File.Delete(writersFile);
        }
    }

    /// <summary>An emulated component object, called through its raw vtable: InitializeForBackup, SetContext(Backup) and
    /// a finished GatherWriterMetadata.</summary>
    private IVssBackupComponents GatheredBackup()
    {
        Assert.Equal(VssErrors.S_OK, EmulatedVss.CreateVssBackupComponents(emulator.Socket, out nint pointer));
        var backup = Wrap<IVssBackupComponents>(pointer);
        Assert.Equal(VssErrors.S_OK, backup.InitializeForBackup(null));
        Assert.Equal(VssErrors.S_OK, backup.SetContext((int)VssSnapshotContext.Backup));
        Assert.Equal(VssErrors.S_OK, backup.GatherWriterMetadata(out nint asyncPointer));
        var pending = Wrap<IVssAsync>(asyncPointer);
        Assert.Equal(VssErrors.S_OK, pending.Wait(30_000));
        Assert.Equal(VssErrors.S_OK, pending.QueryStatus(out int status, 0));
        Assert.Equal(VssErrors.VSS_S_ASYNC_FINISHED, status);
        ((ComObject)(object)pending).FinalRelease();
        return backup;
    }

    private static T Wrap<T>(nint pointer) where T : class
    {
        try
        {
            return (T)Wrappers.GetOrCreateObjectForComInstance(pointer, CreateObjectFlags.UniqueInstance);
        }
        finally
        {
            Marshal.Release(pointer);
        }
    }
}
