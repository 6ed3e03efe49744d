// The emulated IVssBackupComponents(Ex2): long because it implements the interface slot by slot, as the vtable
// has them, each a short forward to the emulated service (EmulatorConnection); the writer-side objects it hands out
// are in EmulatedWriterComponents.cs and EmulatedWriterMetadata.cs.
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Text.Json;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>
/// The emulator's IVssBackupComponents: the same vtable the Windows binding calls, each method forwarded to
/// the emulated VSS service, which keeps the snapshots, the writers and the journal for every client.
/// VSS's own rules (order of calls, contexts, limits) are enforced by the service, as VSS enforces them.
/// </summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedBackupComponents : IVssBackupComponentsEx2, IFinalReleaseAware
{
    private readonly EmulatorConnection _service;
    private readonly int _sessionId;
    private List<WriterStatusRecord> _writerStatus = [];
    private int _writerMetadataCount;
    private List<WriterMetadataRecord> _writerMetadata = [];

    internal EmulatedBackupComponents(EmulatorConnection service)
    {
        _service = service;
        _sessionId = _service.Call("open", p => p.WriteNumber("pid", Environment.ProcessId)).Property("sessionId")?.GetInt32() ?? 0;
    }

    /// <summary>The final Release: the service sends BackupShutdown to every writer and ends auto-release snapshots.</summary>
    public void OnFinalRelease()
    {
        try { _service.Call("release"); }
        catch (EmulatorFault fault) when (_service.Lost)
        {
            throw new EmulatorFault(fault.Code, $"{fault.Message}. The service restarts the session's end itself: each writer that did not get its BackupShutdown gets it (with the Abort it is owed) when the service starts again, marked endedBy ServiceRestart in its journal");
        }
        finally { _service.Dispose(); }
    }

    /// <summary>One call to the service. Any call but a read of the document may change it: the copy kept is dropped.</summary>
    private int Run(Action call, bool readsDocument = false)
    {
        try
        {
            if (!readsDocument) _document = null;
            call();
            return VssErrors.S_OK;
        }
        catch (EmulatorFault fault)
        {
            EmulatedVss.LastFault = fault.Message;
            return fault.Code;
        }
    }

    private int RunAsync(string method, Action<Utf8JsonWriter>? parameters, out nint ppAsync, Action<JsonElement?>? onResult = null)
    {
        _document = null;
        var operation = new EmulatedAsync(() =>
        {
            try
            {
                var result = _service.Call(method, parameters);
                onResult?.Invoke(result);
            }
            catch (EmulatorFault fault)
            {
                EmulatedVss.LastFault = fault.Message;
                throw;
            }
            return Task.CompletedTask;
        }, () => _service.CancelOperation(_sessionId));
        ppAsync = EmulatorComWrappers.Instance.GetInterface<IVssAsync>(operation);
        return VssErrors.S_OK;
    }

    private static int NotSupported(string method)
    {
        EmulatedVss.LastFault = $"IVssBackupComponents::{method} is a restore-side method that the emulated VSS service does not support";
        return VssErrors.E_NOTIMPL;
    }

    private static JsonElement Required(JsonElement? answer, string member) =>
        answer.Property(member) ?? throw new EmulatorFault(VssErrors.VSS_E_UNEXPECTED, $"the emulated VSS service's answer has no '{member}'");

    /// <summary>The Backup Components Document's writers with components, read from the service when first asked
    /// after each change of state and kept until the next one, as VSS's document is.</summary>
    private List<WriterComponentsRecord>? _document;

    private List<WriterComponentsRecord> Document() =>
        _restoreDocument ?? (_document ??= _service.Call("getWriterComponents").Property("writers").List(WriterComponentsRecord.FromJson));

    /// <summary>The document InitializeForRestore was given: this object reads it, and nothing else.</summary>
    private List<WriterComponentsRecord>? _restoreDocument;

    public int GetWriterComponentsCount(out uint pcComponents)
    {
        uint count = 0;
        int hr = Run(() => count = (uint)Document().Count, readsDocument: true);
        pcComponents = count;
        return hr;
    }

    public int GetWriterComponents(uint iWriter, out nint ppWriter)
    {
        nint writer = 0;
        int hr = Run(() =>
        {
            var document = Document();
            if (iWriter >= document.Count)
                throw new EmulatorFault(VssErrors.E_INVALIDARG, $"IVssBackupComponents::GetWriterComponents: writer index {iWriter} is out of range; GetWriterComponentsCount reports {document.Count}");
            writer = EmulatedWriterComponents.Create(document[(int)iWriter]);
        }, readsDocument: true);
        ppWriter = writer;
        return hr;
    }

    private bool _initializedForBackup;

    public int InitializeForBackup(string? bstrXML)
    {
        if (_restoreDocument is not null)
        {
            EmulatedVss.LastFault = "IVssBackupComponents::InitializeForBackup: this component object was initialized for restore; make a new one";
            return VssErrors.VSS_E_BAD_STATE;
        }
        int hr = Run(() => _service.Call("initializeForBackup", p => p.WriteString("xml", bstrXML)));
        _initializedForBackup |= hr == VssErrors.S_OK;
        return hr;
    }

    public int SetBackupState(bool bSelectComponents, bool bBackupBootableSystemState, VssBackupType backupType, bool bPartialFileSupport) =>
        Run(() => _service.Call("setBackupState", p =>
        {
            p.WriteBoolean("selectComponents", bSelectComponents);
            p.WriteBoolean("bootableSystemState", bBackupBootableSystemState);
            p.WriteNumber("backupType", (int)backupType);
            p.WriteBoolean("partialFileSupport", bPartialFileSupport);
        }));

    /// <summary>InitializeForRestore: the object reads the given Backup Components Document (GetWriterComponents) and is
    /// never a backup. The emulated service restores nothing, so nothing later than reading the document is offered.</summary>
    public int InitializeForRestore(string? bstrXML)
    {
        if (_restoreDocument is not null || _initializedForBackup)
        {
            EmulatedVss.LastFault = "IVssBackupComponents::InitializeForRestore: this component object is already initialized; make a new one";
            return VssErrors.VSS_E_BAD_STATE;
        }
        try
        {
            var document = Documents.BackupComponentsDocument.Parse(bstrXML);
            _restoreDocument = document.Writers.Select(w => new WriterComponentsRecord(w.InstanceId, w.WriterId,
                w.Components.Select(c => new DocumentComponentRecord(c.Name, c.LogicalPath, c.ComponentType == "filegroup" ? (int)VssComponentType.Filegroup : (int)VssComponentType.Database,
                    c.BackupSucceeded, c.BackupStamp, c.PreviousBackupStamp, c.BackupOptions)).ToList())).ToList();
            return VssErrors.S_OK;
        }
        catch (FormatException e)
        {
            EmulatedVss.LastFault = $"IVssBackupComponents::InitializeForRestore: {e.Message}";
            return VssErrors.VSS_E_INVALID_XML_DOCUMENT;
        }
    }

    public int SetRestoreState(VssRestoreType restoreType) => NotSupported(nameof(SetRestoreState));

    public int GatherWriterMetadata(out nint pAsync) =>
        RunAsync("gatherWriterMetadata", null, out pAsync, result =>
        {
            _writerMetadata = result.Property("writers").List(WriterMetadataRecord.FromJson);
            _writerMetadataCount = _writerMetadata.Count;
        });

    public int GetWriterMetadataCount(out uint pcWriters)
    {
        pcWriters = (uint)_writerMetadataCount;
        return VssErrors.S_OK;
    }

    public int GetWriterMetadata(uint iWriter, out Guid pidInstance, out nint ppMetadata)
    {
        pidInstance = Guid.Empty;
        ppMetadata = 0;
        // FreeWriterMetadata zeroes the count: after it, every index is out of range, as with VSS.
        if (iWriter >= _writerMetadataCount || iWriter >= _writerMetadata.Count)
        {
            EmulatedVss.LastFault = $"IVssBackupComponents::GetWriterMetadata: writer index {iWriter} is out of range; GetWriterMetadataCount reports {_writerMetadataCount}";
            return VssErrors.E_INVALIDARG;
        }
        var writer = _writerMetadata[(int)iWriter];
        pidInstance = writer.InstanceId;
        ppMetadata = EmulatorComWrappers.Instance.GetInterface<IVssExamineWriterMetadata>(new EmulatedWriterMetadata(writer));
        return VssErrors.S_OK;
    }

    public int FreeWriterMetadata()
    {
        _writerMetadataCount = 0;
        return VssErrors.S_OK;
    }

    public int AddComponent(Guid instanceId, Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName) =>
        Run(() => _service.Call("addComponent", p =>
        {
            p.WriteString("instanceId", instanceId);
            WriteComponent(p, writerId, ct, wszLogicalPath, wszComponentName);
        }));

    public int PrepareForBackup(out nint ppAsync) => RunAsync("prepareForBackup", null, out ppAsync);

    public int AbortBackup() => Run(() => _service.Call("abortBackup"));

    public int GatherWriterStatus(out nint pAsync) =>
        RunAsync("gatherWriterStatus", null, out pAsync, result => _writerStatus = result.Property("writers").List(WriterStatusRecord.FromJson));

    public int GetWriterStatusCount(out uint pcWriters)
    {
        pcWriters = (uint)_writerStatus.Count;
        return VssErrors.S_OK;
    }

    public int FreeWriterStatus()
    {
        _writerStatus = [];
        return VssErrors.S_OK;
    }

    public int GetWriterStatus(uint iWriter, out Guid pidInstance, out Guid pidWriter, out string? pbstrWriter, out VssWriterState pnStatus, out int phResultFailure)
    {
        if (iWriter >= _writerStatus.Count)
        {
            (pidInstance, pidWriter, pbstrWriter, pnStatus, phResultFailure) = (Guid.Empty, Guid.Empty, null, VssWriterState.Unknown, 0);
            return VssErrors.E_INVALIDARG;
        }
        var w = _writerStatus[(int)iWriter];
        (pidInstance, pidWriter, pbstrWriter, pnStatus, phResultFailure) = (w.InstanceId, w.WriterId, w.Name, (VssWriterState)w.State, w.Failure);
        return VssErrors.S_OK;
    }

    public int SetBackupSucceeded(Guid instanceId, Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, bool bSucceded) =>
        Run(() => _service.Call("setBackupSucceeded", p =>
        {
            p.WriteString("instanceId", instanceId);
            WriteComponent(p, writerId, ct, wszLogicalPath, wszComponentName);
            p.WriteBoolean("succeeded", bSucceded);
        }));

    public int SetBackupOptions(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, string? wszBackupOptions) =>
        Run(() => _service.Call("setBackupOptions", p =>
        {
            WriteComponent(p, writerId, ct, wszLogicalPath, wszComponentName);
            p.WriteString("options", wszBackupOptions);
        }));

    public int SetSelectedForRestore(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, bool bSelectedForRestore) => NotSupported(nameof(SetSelectedForRestore));

    public int SetRestoreOptions(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, string? wszRestoreOptions) => NotSupported(nameof(SetRestoreOptions));

    public int SetAdditionalRestores(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, bool bAdditionalRestores) => NotSupported(nameof(SetAdditionalRestores));

    public int SetPreviousBackupStamp(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, string? wszPreviousBackupStamp) =>
        Run(() => _service.Call("setPreviousBackupStamp", p =>
        {
            WriteComponent(p, writerId, ct, wszLogicalPath, wszComponentName);
            p.WriteString("stamp", wszPreviousBackupStamp);
        }));

    public int SaveAsXML(out string? pbstrXML)
    {
        string? xml = null;
        int hr = Run(() => xml = _service.Call("saveAsXml").Property("xml").String());
        pbstrXML = xml;
        return hr;
    }

    public int BackupComplete(out nint ppAsync) => RunAsync("backupComplete", null, out ppAsync);

    public int AddAlternativeLocationMapping(Guid writerId, VssComponentType componentType, string? wszLogicalPath, string? wszComponentName, string? wszPath, string? wszFilespec, bool bRecursive, string? wszDestination) => NotSupported(nameof(AddAlternativeLocationMapping));

    public int AddRestoreSubcomponent(Guid writerId, VssComponentType componentType, string? wszLogicalPath, string? wszComponentName, string? wszSubComponentLogicalPath, string? wszSubComponentName, bool bRepair) => NotSupported(nameof(AddRestoreSubcomponent));

    public int SetFileRestoreStatus(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, int status) => NotSupported(nameof(SetFileRestoreStatus));

    public int AddNewTarget(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, string? wszPath, string? wszFileName, bool bRecursive, string? wszAlternatePath) => NotSupported(nameof(AddNewTarget));

    public int SetRangesFilePath(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, uint iPartialFile, string? wszRangesFile) => NotSupported(nameof(SetRangesFilePath));

    public int PreRestore(out nint ppAsync)
    {
        ppAsync = 0;
        return NotSupported(nameof(PreRestore));
    }

    public int PostRestore(out nint ppAsync)
    {
        ppAsync = 0;
        return NotSupported(nameof(PostRestore));
    }

    public int SetContext(int lContext) => Run(() => _service.Call("setContext", p => p.WriteNumber("context", lContext)));

    public int StartSnapshotSet(out Guid pSnapshotSetId)
    {
        Guid id = Guid.Empty;
        int hr = Run(() => id = Required(_service.Call("startSnapshotSet"), "snapshotSetId").GetGuid());
        pSnapshotSetId = id;
        return hr;
    }

    public int AddToSnapshotSet(string? pwszVolumeName, Guid ProviderId, out Guid pidSnapshot)
    {
        Guid id = Guid.Empty;
        int hr = Run(() => id = Required(_service.Call("addToSnapshotSet", p =>
        {
            p.WriteString("volume", pwszVolumeName);
            p.WriteString("providerId", ProviderId);
        }), "snapshotId").GetGuid());
        pidSnapshot = id;
        return hr;
    }

    public int DoSnapshotSet(out nint ppAsync) => RunAsync("doSnapshotSet", null, out ppAsync);

    public int DeleteSnapshots(Guid SourceObjectId, VssObjectType eSourceObjectType, bool bForceDelete, out int plDeletedSnapshots, out Guid pNondeletedSnapshotID)
    {
        (int deleted, Guid nondeleted) = (0, Guid.Empty);
        int hr = Run(() =>
        {
            try
            {
                var result = _service.Call("deleteSnapshots", p =>
                {
                    p.WriteString("sourceId", SourceObjectId);
                    p.WriteNumber("sourceType", (int)eSourceObjectType);
                    p.WriteBoolean("force", bForceDelete);
                });
                deleted = Required(result, "deleted").GetInt32();
            }
            catch (EmulatorFault fault) when (fault.PartialDelete is { } partial)
            {
                (deleted, nondeleted) = (partial.Deleted, partial.NondeletedSnapshotId ?? Guid.Empty);
                throw;
            }
        });
        (plDeletedSnapshots, pNondeletedSnapshotID) = (deleted, nondeleted);
        return hr;
    }

    public int ImportSnapshots(out nint ppAsync) => RunAsync("importSnapshots", null, out ppAsync);

    public int BreakSnapshotSet(Guid SnapshotSetId) => Run(() => _service.Call("breakSnapshotSet", p => p.WriteString("snapshotSetId", SnapshotSetId)));

    public int GetSnapshotProperties(Guid SnapshotId, VssSnapshotProp* pProp)
    {
        if (pProp is null) return VssErrors.E_INVALIDARG;
        SnapshotRecord? record = null;
        int hr = Run(() => record = SnapshotRecord.FromJson(_service.Call("getSnapshotProperties", p => p.WriteString("snapshotId", SnapshotId))
            ?? throw new EmulatorFault(VssErrors.VSS_E_UNEXPECTED, "the emulated VSS service sent no snapshot properties")));
        if (record is not null) *pProp = record.ToNative();
        return hr;
    }

    public int Query(Guid QueriedObjectId, VssObjectType eQueriedObjectType, VssObjectType eReturnedObjectsType, out nint ppEnum)
    {
        EmulatedEnumObject? found = null;
        int hr = Run(() =>
        {
            JsonElement? answer = _service.Call("query", p =>
            {
                p.WriteString("queriedObjectId", QueriedObjectId);
                p.WriteNumber("queriedObjectType", (int)eQueriedObjectType);
                p.WriteNumber("returnedObjectsType", (int)eReturnedObjectsType);
            });
            found = eReturnedObjectsType == VssObjectType.Provider
                ? EmulatedEnumObject.Of(answer.Property("providers").List(ProviderRecord.FromJson))
                : EmulatedEnumObject.Of(answer.Property("snapshots").List(SnapshotRecord.FromJson));
        });
        ppEnum = found is null ? 0 : EmulatorComWrappers.Instance.GetInterface<IVssEnumObject>(found);
        return hr;
    }

    public int IsVolumeSupported(Guid ProviderId, string? pwszVolumeName, out bool pbSupportedByThisProvider)
    {
        bool supported = false;
        int hr = Run(() =>
        {
            var answer = _service.Call("isVolumeSupported", p =>
            {
                p.WriteString("providerId", ProviderId);
                p.WriteString("volume", pwszVolumeName);
            });
            supported = Required(answer, "supported").GetBoolean();
            // VSS answers only false; the emulator also says why, for the binding to pass on.
            if (!supported) EmulatedVss.LastFault = answer.Property("reason").String();
        });
        pbSupportedByThisProvider = supported;
        return hr;
    }

    public int DisableWriterClasses(Guid* rgWriterClassId, uint cClassId) => Run(() => _service.Call("disableWriterClasses", p => p.WriteIds("ids", Ids(rgWriterClassId, cClassId))));

    public int EnableWriterClasses(Guid* rgWriterClassId, uint cClassId) => Run(() => _service.Call("enableWriterClasses", p => p.WriteIds("ids", Ids(rgWriterClassId, cClassId))));

    public int DisableWriterInstances(Guid* rgWriterInstanceId, uint cInstanceId) => Run(() => _service.Call("disableWriterInstances", p => p.WriteIds("ids", Ids(rgWriterInstanceId, cInstanceId))));

    /// <summary>The members that name a component in the Backup Components Document.</summary>
    private static void WriteComponent(Utf8JsonWriter p, Guid writerId, VssComponentType ct, string? logicalPath, string? componentName)
    {
        p.WriteString("writerId", writerId);
        p.WriteNumber("componentType", (int)ct);
        p.WriteString("logicalPath", logicalPath);
        p.WriteString("componentName", componentName);
    }

    private static Guid[] Ids(Guid* ids, uint count) => ids is null ? [] : new ReadOnlySpan<Guid>(ids, (int)count).ToArray();

    public int ExposeSnapshot(Guid SnapshotId, string? wszPathFromRoot, int lAttributes, string? wszExpose, out nint pwszExposed)
    {
        string? exposed = null;
        int hr = Run(() => exposed = _service.Call("exposeSnapshot", p =>
        {
            p.WriteString("snapshotId", SnapshotId);
            p.WriteString("pathFromRoot", wszPathFromRoot);
            p.WriteNumber("attributes", lAttributes);
            p.WriteString("expose", wszExpose);
        }).Property("exposed").String());
        // VSS allocates the exposed name with CoTaskMemAlloc; the caller frees it with CoTaskMemFree.
        pwszExposed = hr >= 0 && exposed is not null ? Marshal.StringToCoTaskMemUni(exposed) : 0;
        return hr;
    }

    public int RevertToSnapshot(Guid SnapshotId, bool bForceDismount) => NotSupported(nameof(RevertToSnapshot));

    public int QueryRevertStatus(string? pwszVolume, out nint ppAsync)
    {
        ppAsync = 0;
        return NotSupported(nameof(QueryRevertStatus));
    }

    // IVssBackupComponentsEx

    public int GetWriterMetadataEx(uint iWriter, out Guid pidInstance, out nint ppMetadata)
    {
        pidInstance = Guid.Empty;
        ppMetadata = 0;
        if (iWriter >= _writerMetadataCount || iWriter >= _writerMetadata.Count)
        {
            EmulatedVss.LastFault = $"IVssBackupComponentsEx::GetWriterMetadataEx: writer index {iWriter} is out of range; GetWriterMetadataCount reports {_writerMetadataCount}";
            return VssErrors.E_INVALIDARG;
        }
        var writer = _writerMetadata[(int)iWriter];
        pidInstance = writer.InstanceId;
        ppMetadata = EmulatorComWrappers.Instance.GetInterface<IVssExamineWriterMetadataEx>(new EmulatedWriterMetadata(writer));
        return VssErrors.S_OK;
    }

    public int SetSelectedForRestoreEx(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, byte bSelectedForRestore, Guid instanceId) => NotSupported(nameof(SetSelectedForRestoreEx));

    // IVssBackupComponentsEx2

    public int UnexposeSnapshot(Guid snapshotId) => Run(() => _service.Call("unexposeSnapshot", p => p.WriteString("snapshotId", snapshotId)));

    public int SetAuthoritativeRestore(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, byte bAuth) => NotSupported(nameof(SetAuthoritativeRestore));

    public int SetRollForward(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, int rollType, string? wszRollForwardPoint) => NotSupported(nameof(SetRollForward));

    public int SetRestoreName(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, string? wszRestoreName) => NotSupported(nameof(SetRestoreName));

    public int BreakSnapshotSetEx(Guid SnapshotSetID, uint dwBreakFlags, out nint ppAsync) =>
        RunAsync("breakSnapshotSet", p =>
        {
            p.WriteString("snapshotSetId", SnapshotSetID);
            p.WriteNumber("flags", dwBreakFlags);
        }, out ppAsync);

    public int PreFastRecovery(Guid SnapshotSetID, uint dwPreFastRecoveryFlags, out nint ppAsync)
    {
        ppAsync = 0;
        return NotSupported(nameof(PreFastRecovery));
    }

    public int FastRecovery(Guid SnapshotSetID, uint dwFastRecoveryFlags, out nint ppAsync)
    {
        ppAsync = 0;
        return NotSupported(nameof(FastRecovery));
    }
}

/// <summary>One writer's status as the emulated service reports it.</summary>
public sealed record WriterStatusRecord(Guid InstanceId, Guid WriterId, string Name, int State, int Failure)
{
    public static WriterStatusRecord FromJson(JsonElement json)
    {
        JsonElement? e = json;
        return new(e.Property("instanceId").Guid(), e.Property("writerId").Guid(), e.Property("name").String()!, e.Property("state").Int(), e.Property("failure").Int());
    }
}
