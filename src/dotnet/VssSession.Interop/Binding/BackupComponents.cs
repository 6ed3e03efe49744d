// The requester binding of IVssBackupComponents: one method per VSS call the lifecycle makes, each HRESULT
// checked and named. Long because it covers the whole interface a requester uses, one short method per call; the
// COM declarations are in Com/, the records it returns at the top of this file.
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;

namespace VssSession.Interop.Binding;

/// <summary>A writer as GetWriterStatus reports it.</summary>
public sealed record WriterStatus(Guid InstanceId, Guid WriterId, string Name, VssWriterState State, int Failure);

/// <summary>A snapshot as GetSnapshotProperties / Query report it, copied out of VSS's memory.</summary>
public sealed record SnapshotProperties(
    Guid SnapshotId, Guid SnapshotSetId, int SnapshotsCount, string DeviceObject, string OriginalVolume,
    string OriginatingMachine, string? ExposedName, string? ExposedPath, Guid ProviderId,
    VssVolumeSnapshotAttributes Attributes, DateTimeOffset CreatedAt, VssSnapshotState Status);

/// <summary>A provider as Query with VSS_OBJECT_PROVIDER reports it (VSS_PROVIDER_PROP), copied out of VSS's memory.</summary>
public sealed record ProviderProperties(Guid ProviderId, string Name, VssProviderType Type, string Version, Guid VersionId, Guid ClassId);

/// <summary>A writer as GetWriterMetadata reports it (IVssExamineWriterMetadata): identity, components, the files it
/// excludes from backup, and its restore method (null where it declares none).</summary>
public sealed record WriterMetadata(Guid InstanceId, Guid WriterId, string Name, IReadOnlyList<ComponentMetadata> Components,
    IReadOnlyList<FileSpecification> ExcludedFiles, RestoreMethod? RestoreMethod);

/// <summary>IVssExamineWriterMetadata::GetRestoreMethod's answer.</summary>
public sealed record RestoreMethod(VssRestoreMethod Method, string? Service, string? UserProcedure, VssWriterRestore WriterRestore, bool RebootRequired, uint Mappings);

/// <summary>One component of a writer's metadata, copied out of its VSS_COMPONENTINFO. <see cref="Type"/> is a
/// VSS_COMPONENT_TYPE value (1 database, 2 file group).</summary>
public sealed record ComponentMetadata(string? LogicalPath, string Name, int Type, bool Selectable, string? Caption,
    IReadOnlyList<FileSpecification> Files, IReadOnlyList<FileSpecification> Databases, IReadOnlyList<FileSpecification> Logs);

/// <summary>One writer's components in the Backup Components Document (GetWriterComponents).</summary>
public sealed record WriterComponents(Guid InstanceId, Guid WriterId, IReadOnlyList<DocumentComponent> Components);

/// <summary>One component as IVssComponent reports it after a backup.</summary>
public sealed record DocumentComponent(
    string Name, string? LogicalPath, VssComponentType Type, bool BackupSucceeded, string? BackupStamp,
    string? PreviousBackupStamp, string? BackupOptions);

/// <summary>
/// One IVssBackupComponents, called through its vtable. Each method is one VSS call and turns a failing
/// HRESULT into a <see cref="VssException"/>; the order of calls is the lifecycle's business, not this class's.
/// <see cref="Release"/> drops the only reference at once: that is how writers get BackupShutdown.
/// </summary>
public sealed unsafe class BackupComponents
{
    private const string Itf = "IVssBackupComponents::";
    private static readonly StrategyBasedComWrappers ClientWrappers = new CachingComWrappers();

    private readonly VssApi _api;
    private IVssBackupComponents? _com;

    private BackupComponents(VssApi api, IVssBackupComponents com)
    {
        _api = api;
        _com = com;
    }

    public static BackupComponents Create(VssApi api)
    {
        Check(api, api.CreateVssBackupComponents(out nint pointer), "CreateVssBackupComponents");
        try
        {
            return new BackupComponents(api, Wrap<IVssBackupComponents>(pointer));
        }
        finally
        {
            Marshal.Release(pointer); // the wrapper holds its own reference
        }
    }

    public bool Released => _com is null;

    private IVssBackupComponents Com => _com ?? throw new VssException(VssErrors.VSS_E_BAD_STATE, Itf + "*", "the component object was released and is never reused");

    /// <summary>The binding's wrapper for a COM pointer (it takes its own reference). Also ShadowStorageManagement's.</summary>
    internal static T Wrap<T>(nint pointer) where T : class =>
        (T)ClientWrappers.GetOrCreateObjectForComInstance(pointer, CreateObjectFlags.UniqueInstance);

    /// <summary>A failing HRESULT as a VssException naming the call and what the implementation says of it. Also
    /// ShadowStorageManagement's.</summary>
    internal static void Check(VssApi api, int hresult, string operation, string? detail = null)
    {
        if (hresult >= 0) return;
        string? fault = api.TakeLastFault();
        throw new VssException(hresult, operation, detail is null ? fault : fault is null ? detail : $"{detail}: {fault}");
    }

    private void Check(int hresult, string method, string? detail = null) => Check(_api, hresult, Itf + method, detail);

    /// <summary>Waits for an IVssAsync; on expiry cancels it and fails with ERROR_TIMEOUT.</summary>
    private void Await(int hresult, nint asyncPointer, string method, TimeSpan timeout)
    {
        Check(hresult, method);
        var pending = Wrap<IVssAsync>(asyncPointer);
        Marshal.Release(asyncPointer);
        try
        {
            AwaitOperation(_api, pending, Itf + method, timeout);
        }
        finally
        {
            ((ComObject)(object)pending).FinalRelease();
        }
    }

    /// <summary>
    /// The outcome of a pending operation, as it really ended. Wait may expire (or fail) just as the operation
    /// finishes, so the status is read after it whatever Wait answered; an operation still pending is cancelled, and
    /// Cancel's own answer counts: VSS_S_ASYNC_FINISHED means it finished meanwhile, and then its result is what is
    /// reported, success or its own error, never ERROR_TIMEOUT. (vshadow's WaitAndCheckForAsyncOperation reads the
    /// status after Wait the same way.)
    /// </summary>
    internal static void AwaitOperation(VssApi api, IVssAsync pending, string operation, TimeSpan timeout)
    {
        uint ms = timeout == Timeout.InfiniteTimeSpan ? uint.MaxValue : (uint)Math.Clamp(timeout.TotalMilliseconds, 0, uint.MaxValue - 1);
        int waited = pending.Wait(ms);
        int queried = pending.QueryStatus(out int status, 0);
        if (queried < 0)
        {
            pending.Cancel(); // its state is unknown: do not leave it running
            Check(api, waited < 0 ? waited : queried, operation, waited < 0 ? "IVssAsync::Wait" : "IVssAsync::QueryStatus");
        }
        if (status == VssErrors.VSS_S_ASYNC_PENDING)
        {
            int cancelled = pending.Cancel();
            if (cancelled == VssErrors.VSS_S_ASYNC_FINISHED)
            {
                Check(api, pending.QueryStatus(out status, 0), operation, "IVssAsync::QueryStatus");
            }
            else
            {
                string wait = waited < 0 ? $"IVssAsync::Wait failed with {VssErrors.NameOf(waited)}" : $"no answer within {timeout.TotalSeconds:0.###} s";
                string cancel = cancelled < 0 ? $"; IVssAsync::Cancel failed with {VssErrors.NameOf(cancelled)}, so it may still be running" : "; the operation was cancelled";
                throw new VssException(VssErrors.ERROR_TIMEOUT, operation, wait + cancel);
            }
        }
        if (status == VssErrors.VSS_S_ASYNC_CANCELLED)
            throw new VssException(VssErrors.VSS_E_UNEXPECTED, operation, "the operation was cancelled");
        Check(api, status, operation);
    }

    public void InitializeForBackup(string? xml = null) => Check(Com.InitializeForBackup(xml), nameof(InitializeForBackup));

    /// <summary>InitializeForRestore with a saved Backup Components Document: VSS checks and loads it, and the
    /// object can read its components (GetWriterComponents). Nothing is restored until PreRestore, which is never sent.</summary>
    public void InitializeForRestore(string xml) => Check(Com.InitializeForRestore(xml), nameof(InitializeForRestore));

    /// <summary>SetContext; a transportable context adds VSS_VOLSNAP_ATTR_TRANSPORTABLE, so the set can be imported elsewhere.</summary>
    public void SetContext(VssSnapshotContext context, bool transportable = false) =>
        Check(Com.SetContext((int)context | (transportable ? (int)VssVolumeSnapshotAttributes.Transportable : 0)), nameof(SetContext), transportable ? $"{context}, transportable" : context.ToString());

    public void SetBackupState(bool selectComponents, bool bootableSystemState, VssBackupType backupType, bool partialFileSupport) =>
        Check(Com.SetBackupState(selectComponents, bootableSystemState, backupType, partialFileSupport), nameof(SetBackupState), backupType.ToString());

    /// <summary>DisableWriterClasses: these writer classes get no event in this backup. Before GatherWriterMetadata.</summary>
    public void DisableWriterClasses(Guid[] classIds)
    {
        fixed (Guid* ids = classIds) Check(Com.DisableWriterClasses(ids, (uint)classIds.Length), nameof(DisableWriterClasses), string.Join(", ", classIds));
    }

    /// <summary>EnableWriterClasses: only the enabled writer classes take part. Before GatherWriterMetadata.</summary>
    public void EnableWriterClasses(Guid[] classIds)
    {
        fixed (Guid* ids = classIds) Check(Com.EnableWriterClasses(ids, (uint)classIds.Length), nameof(EnableWriterClasses), string.Join(", ", classIds));
    }

    /// <summary>DisableWriterInstances: these writer instances get no event in this backup. Before GatherWriterMetadata.</summary>
    public void DisableWriterInstances(Guid[] instanceIds)
    {
        fixed (Guid* ids = instanceIds) Check(Com.DisableWriterInstances(ids, (uint)instanceIds.Length), nameof(DisableWriterInstances), string.Join(", ", instanceIds));
    }

    public void GatherWriterMetadata(TimeSpan timeout)
    {
        int hr = Com.GatherWriterMetadata(out nint pending);
        Await(hr, pending, nameof(GatherWriterMetadata), timeout);
    }

    /// <summary>Every writer's metadata after GatherWriterMetadata: identity and components. Each
    /// IVssExamineWriterMetadata and IVssWMComponent is released here, and each VSS_COMPONENTINFO freed. Both are C++
    /// interfaces VSS hands out already typed: called through their vtables, never asked QueryInterface.</summary>
    public IReadOnlyList<WriterMetadata> GetWriterMetadata()
    {
        Check(Com.GetWriterMetadataCount(out uint count), nameof(Com.GetWriterMetadataCount));
        var writers = new List<WriterMetadata>((int)count);
        for (uint i = 0; i < count; i++)
        {
            Check(Com.GetWriterMetadata(i, out Guid instance, out nint pointer), nameof(Com.GetWriterMetadata), $"writer {i}");
            var metadata = new ExamineWriterMetadataRef(pointer);
            try
            {
                writers.Add(ReadWriterMetadata(metadata, instance));
            }
            finally
            {
                metadata.Release();
            }
        }
        return writers;
    }

    /// <summary>Each writer's identity with its instance name (IVssBackupComponentsEx::GetWriterMetadataEx, then
    /// IVssExamineWriterMetadataEx::GetIdentityEx), and its metadata version where IVssExamineWriterMetadataEx2 answers.</summary>
    public IReadOnlyList<(Guid InstanceId, Guid WriterId, string Name, string? InstanceName, Version? MetadataVersion)> GetWriterInstances()
    {
        if (Com is not IVssBackupComponentsEx ex)
            throw new VssException(VssErrors.E_NOINTERFACE, "IVssBackupComponentsEx::GetWriterMetadataEx", "this VSS has no IVssBackupComponentsEx (it needs Windows Server 2003 SP1 or later)");
        Check(Com.GetWriterMetadataCount(out uint count), nameof(Com.GetWriterMetadataCount));
        var writers = new List<(Guid, Guid, string, string?, Version?)>((int)count);
        for (uint i = 0; i < count; i++)
        {
            Check(_api, ex.GetWriterMetadataEx(i, out _, out nint pointer), "IVssBackupComponentsEx::GetWriterMetadataEx", $"writer {i}");
            var metadata = new ExamineWriterMetadataRef(pointer);
            try
            {
                Check(_api, metadata.GetIdentityEx(out Guid instanceId, out Guid writerId, out string? name, out string? instanceName), "IVssExamineWriterMetadataEx::GetIdentityEx", $"writer {i}");
                writers.Add((instanceId, writerId, name ?? "", instanceName, metadata.GetVersion()));
            }
            finally
            {
                metadata.Release();
            }
        }
        return writers;
    }

    /// <summary>Each writer's metadata document (IVssExamineWriterMetadata::SaveAsXML), in GetWriterMetadata's order.</summary>
    public IReadOnlyList<string> GetWriterMetadataDocuments()
    {
        Check(Com.GetWriterMetadataCount(out uint count), nameof(Com.GetWriterMetadataCount));
        var documents = new List<string>((int)count);
        for (uint i = 0; i < count; i++)
        {
            Check(Com.GetWriterMetadata(i, out _, out nint pointer), nameof(Com.GetWriterMetadata), $"writer {i}");
            var metadata = new ExamineWriterMetadataRef(pointer);
            try
            {
                Check(_api, metadata.SaveAsXml(out string? xml), "IVssExamineWriterMetadata::SaveAsXML", $"writer {i}");
                documents.Add(xml ?? "");
            }
            finally
            {
                metadata.Release();
            }
        }
        return documents;
    }

    private WriterMetadata ReadWriterMetadata(ExamineWriterMetadataRef metadata, Guid instance)
    {
        const string Ewm = "IVssExamineWriterMetadata::";
        Check(_api, metadata.GetIdentity(out Guid instanceId, out Guid writerId, out string? name), Ewm + "GetIdentity", instance.ToString());
        Check(_api, metadata.GetFileCounts(out _, out uint excludeCount, out uint componentCount), Ewm + "GetFileCounts", name);
        var components = new List<ComponentMetadata>((int)componentCount);
        for (uint j = 0; j < componentCount; j++)
        {
            Check(_api, metadata.GetComponent(j, out nint pointer), Ewm + "GetComponent", $"{name}, component {j}");
            var component = new WMComponentRef(pointer);
            try
            {
                components.Add(ReadComponent(component, name));
            }
            finally
            {
                component.Release();
            }
        }
        var excluded = ReadFiles(excludeCount, metadata.GetExcludeFile, Ewm + "GetExcludeFile", name ?? instance.ToString());
        int hr = metadata.GetRestoreMethod(out var method, out string? service, out string? procedure, out var writerRestore, out bool reboot, out uint mappings);
        Check(_api, hr, Ewm + "GetRestoreMethod", name);
        // S_FALSE: the writer declares no restore method.
        var restore = hr == VssErrors.S_FALSE ? null : new RestoreMethod(method, service, procedure, writerRestore, reboot, mappings);
        return new WriterMetadata(instanceId, writerId, name ?? "", components, excluded, restore);
    }

    private ComponentMetadata ReadComponent(WMComponentRef component, string? writer)
    {
        const string Wmc = "IVssWMComponent::";
        VssComponentInfo* info = null;
        Check(_api, component.GetComponentInfo(&info), Wmc + "GetComponentInfo", writer);
        if (info is null) throw new VssException(VssErrors.VSS_E_UNEXPECTED, Wmc + "GetComponentInfo", $"{writer}: no VSS_COMPONENTINFO returned");
        try
        {
            string name = Bstr(info->ComponentName) ?? "";
            string where = $"{writer}, component {name}";
            return new ComponentMetadata(Bstr(info->LogicalPath), name, (int)info->Type, info->Selectable != 0, Bstr(info->Caption),
                ReadFiles(info->FileCount, component.GetFile, Wmc + "GetFile", where),
                ReadFiles(info->Databases, component.GetDatabaseFile, Wmc + "GetDatabaseFile", where),
                ReadFiles(info->LogFiles, component.GetDatabaseLogFile, Wmc + "GetDatabaseLogFile", where));
        }
        finally
        {
            Check(_api, component.FreeComponentInfo(info), Wmc + "FreeComponentInfo", writer);
        }
    }

    private static string? Bstr(nint p) => p == 0 ? null : Marshal.PtrToStringBSTR(p);

    private delegate int FiledescGetter(uint index, out nint filedesc);

    /// <summary>A component's file descriptors of one kind, each read through its vtable and released in finally.</summary>
    private List<FileSpecification> ReadFiles(uint count, FiledescGetter get, string method, string where)
    {
        var files = new List<FileSpecification>((int)count);
        for (uint i = 0; i < count; i++)
        {
            Check(_api, get(i, out nint pointer), method, $"{where}, file {i}");
            var filedesc = new WMFiledescRef(pointer);
            try
            {
                Check(_api, filedesc.GetPath(out string? path), "IVssWMFiledesc::GetPath", where);
                Check(_api, filedesc.GetFilespec(out string? filespec), "IVssWMFiledesc::GetFilespec", where);
                Check(_api, filedesc.GetRecursive(out bool recursive), "IVssWMFiledesc::GetRecursive", where);
                files.Add(new FileSpecification(path ?? "", filespec ?? "*", recursive));
            }
            finally
            {
                filedesc.Release();
            }
        }
        return files;
    }

    public void AddComponent(Guid instanceId, Guid writerId, VssComponentType type, string? logicalPath, string name) =>
        Check(Com.AddComponent(instanceId, writerId, type, logicalPath, name), nameof(AddComponent), Component(logicalPath, name));

    public void SetBackupSucceeded(Guid instanceId, Guid writerId, VssComponentType type, string? logicalPath, string name, bool succeeded) =>
        Check(Com.SetBackupSucceeded(instanceId, writerId, type, logicalPath, name, succeeded), nameof(SetBackupSucceeded), Component(logicalPath, name));

    private static string Component(string? logicalPath, string name) => string.IsNullOrEmpty(logicalPath) ? name : $"{logicalPath}\\{name}";

    /// <summary>The Backup Components Document as XML (IVssBackupComponents::SaveAsXML): what a requester keeps to
    /// import a transportable snapshot set elsewhere, or to restore.</summary>
    public string SaveAsXml()
    {
        Check(Com.SaveAsXML(out string? xml), nameof(Com.SaveAsXML));
        return xml ?? "";
    }

    /// <summary>Each writer's components in the Backup Components Document: whether each was backed up, the writer's
    /// stamps and the options it was given. Every IVssWriterComponentsExt and IVssComponent is released here.</summary>
    public IReadOnlyList<WriterComponents> GetWriterComponents()
    {
        Check(Com.GetWriterComponentsCount(out uint count), nameof(Com.GetWriterComponentsCount));
        var writers = new List<WriterComponents>((int)count);
        for (uint i = 0; i < count; i++)
        {
            Check(Com.GetWriterComponents(i, out nint pointer), nameof(Com.GetWriterComponents), $"writer {i}");
            var writer = new WriterComponentsRef(pointer);
            try
            {
                const string Wc = "IVssWriterComponents::";
                Check(_api, writer.GetWriterInfo(out Guid instanceId, out Guid writerId), Wc + nameof(writer.GetWriterInfo), $"writer {i}");
                Check(_api, writer.GetComponentCount(out uint components), Wc + nameof(writer.GetComponentCount), writerId.ToString());
                var list = new List<DocumentComponent>((int)components);
                for (uint j = 0; j < components; j++)
                {
                    Check(_api, writer.GetComponent(j, out nint componentPointer), Wc + nameof(writer.GetComponent), $"{writerId}, component {j}");
                    IVssComponent component;
                    try
                    {
                        component = Wrap<IVssComponent>(componentPointer);
                    }
                    finally
                    {
                        Marshal.Release(componentPointer);
                    }
                    try
                    {
                        list.Add(ReadDocumentComponent(component));
                    }
                    finally
                    {
                        ((ComObject)(object)component).FinalRelease();
                    }
                }
                writers.Add(new WriterComponents(instanceId, writerId, list));
            }
            finally
            {
                writer.Release();
            }
        }
        return writers;
    }

    private DocumentComponent ReadDocumentComponent(IVssComponent component)
    {
        const string C = "IVssComponent::";
        Check(_api, component.GetComponentName(out string? name), C + nameof(component.GetComponentName));
        Check(_api, component.GetLogicalPath(out string? logicalPath), C + nameof(component.GetLogicalPath), name);
        Check(_api, component.GetComponentType(out VssComponentType type), C + nameof(component.GetComponentType), name);
        Check(_api, component.GetBackupSucceeded(out byte succeeded), C + nameof(component.GetBackupSucceeded), name);
        Check(_api, component.GetBackupStamp(out string? stamp), C + nameof(component.GetBackupStamp), name);
        Check(_api, component.GetPreviousBackupStamp(out string? previous), C + nameof(component.GetPreviousBackupStamp), name);
        Check(_api, component.GetBackupOptions(out string? options), C + nameof(component.GetBackupOptions), name);
        return new DocumentComponent(name ?? "", string.IsNullOrEmpty(logicalPath) ? null : logicalPath, type, succeeded != 0, stamp, previous, options);
    }

    /// <summary>ExposeSnapshot locally (a drive letter or an empty folder) or remotely (a share); returns the name VSS
    /// exposed it under, copied out of VSS's CoTaskMem string, which is freed here.</summary>
    public string ExposeSnapshot(Guid snapshotId, string? pathFromRoot, VssVolumeSnapshotAttributes how, string? expose)
    {
        Check(Com.ExposeSnapshot(snapshotId, pathFromRoot, (int)how, expose, out nint exposed), nameof(ExposeSnapshot), $"{snapshotId} at {expose ?? "(chosen by VSS)"}");
        try
        {
            return Str(exposed) ?? "";
        }
        finally
        {
            Marshal.FreeCoTaskMem(exposed);
        }
    }

    /// <summary>IVssBackupComponentsEx2::UnexposeSnapshot (Windows Vista / Server 2008 and later), reached by
    /// QueryInterface on the same object; the interface reference goes with the object.</summary>
    public void UnexposeSnapshot(Guid snapshotId)
    {
        if (Com is not IVssBackupComponentsEx2 ex2)
            throw new VssException(VssErrors.E_NOINTERFACE, "IVssBackupComponentsEx2::UnexposeSnapshot", "this VSS has no IVssBackupComponentsEx2 (it needs Windows Vista / Server 2008 or later)");
        Check(_api, ex2.UnexposeSnapshot(snapshotId), "IVssBackupComponentsEx2::UnexposeSnapshot", snapshotId.ToString());
    }

    /// <summary>ImportSnapshots: the transportable snapshot set named by the document given to InitializeForBackup.</summary>
    public void ImportSnapshots(TimeSpan timeout)
    {
        int hr = Com.ImportSnapshots(out nint pending);
        Await(hr, pending, nameof(ImportSnapshots), timeout);
    }

    /// <summary>BreakSnapshotSet: VSS forgets the set; its snapshots stay, no longer shadow copies.</summary>
    public void BreakSnapshotSet(Guid snapshotSetId) => Check(Com.BreakSnapshotSet(snapshotSetId), nameof(BreakSnapshotSet), snapshotSetId.ToString());

    public IReadOnlyList<WriterStatus> GatherWriterStatus(TimeSpan timeout)
    {
        int hr = Com.GatherWriterStatus(out nint pending);
        Await(hr, pending, nameof(GatherWriterStatus), timeout);
        Check(Com.GetWriterStatusCount(out uint count), nameof(Com.GetWriterStatusCount));
        var writers = new List<WriterStatus>((int)count);
        try
        {
            for (uint i = 0; i < count; i++)
            {
                Check(Com.GetWriterStatus(i, out Guid instance, out Guid writer, out string? name, out VssWriterState state, out int failure), nameof(Com.GetWriterStatus));
                writers.Add(new WriterStatus(instance, writer, name ?? "", state, failure));
            }
        }
        finally
        {
            // VSS keeps the status until freed, however the reading ended (vshadow frees it in every path too).
            int freed = Com.FreeWriterStatus();
            if (freed < 0 && writers.Count == (int)count) Check(freed, nameof(Com.FreeWriterStatus));
        }
        return writers;
    }

    public Guid StartSnapshotSet()
    {
        Check(Com.StartSnapshotSet(out Guid id), nameof(StartSnapshotSet));
        return id;
    }

    public Guid AddToSnapshotSet(string volume)
    {
        Check(Com.AddToSnapshotSet(volume, Guid.Empty, out Guid id), nameof(AddToSnapshotSet), volume);
        return id;
    }

    /// <summary>IsVolumeSupported with GUID_NULL as the provider: whether any provider can snapshot the volume
    /// ("IVssBackupComponents::IsVolumeSupported"). Where it cannot, the reason is the implementation's own
    /// explanation if it has one (the emulator does; VSS answers only yes or no).</summary>
    public (bool Supported, string? Reason) IsVolumeSupported(string volume)
    {
        _api.TakeLastFault(); // an explanation left by an earlier call is not this answer's
        Check(Com.IsVolumeSupported(Guid.Empty, volume, out bool supported), nameof(IsVolumeSupported), volume);
        return (supported, supported ? null : _api.TakeLastFault());
    }

    public void PrepareForBackup(TimeSpan timeout)
    {
        int hr = Com.PrepareForBackup(out nint pending);
        Await(hr, pending, nameof(PrepareForBackup), timeout);
    }

    public void DoSnapshotSet(TimeSpan timeout)
    {
        int hr = Com.DoSnapshotSet(out nint pending);
        Await(hr, pending, nameof(DoSnapshotSet), timeout);
    }

    public void BackupComplete(TimeSpan timeout)
    {
        int hr = Com.BackupComplete(out nint pending);
        Await(hr, pending, nameof(BackupComplete), timeout);
    }

    public void AbortBackup() => Check(Com.AbortBackup(), nameof(AbortBackup));

    public SnapshotProperties GetSnapshotProperties(Guid snapshotId)
    {
        VssSnapshotProp prop = default;
        Check(Com.GetSnapshotProperties(snapshotId, &prop), nameof(GetSnapshotProperties), snapshotId.ToString());
        try
        {
            return Copy(in prop);
        }
        finally
        {
            _api.FreeSnapshotProperties(ref prop);
        }
    }

    /// <summary>Every snapshot VSS knows in the current context (Query of VSS_OBJECT_SNAPSHOT).</summary>
    public IReadOnlyList<SnapshotProperties> QuerySnapshots()
    {
        Check(Com.Query(Guid.Empty, VssObjectType.None, VssObjectType.Snapshot, out nint enumPointer), nameof(Com.Query));
        var snapshots = new List<SnapshotProperties>();
        if (enumPointer == 0) return snapshots; // S_FALSE: nothing to enumerate
        var enumerator = Wrap<IVssEnumObject>(enumPointer);
        Marshal.Release(enumPointer);
        try
        {
            VssObjectProp item = default;
            while (true)
            {
                int hr = enumerator.Next(1, &item, out uint fetched);
                Check(hr, "IVssEnumObject::Next");
                if (fetched == 0) break;
                try
                {
                    if (item.Type == VssObjectType.Snapshot) snapshots.Add(Copy(in item.Snap));
                }
                finally
                {
                    _api.FreeSnapshotProperties(ref item.Snap);
                }
            }
        }
        finally
        {
            ((ComObject)(object)enumerator).FinalRelease();
        }
        return snapshots;
    }

    /// <summary>Query with VSS_OBJECT_PROVIDER: the providers installed (vssadmin list providers). Each item's strings
    /// are VSS's CoTaskMem allocations, freed here with CoTaskMemFree as VSS_OBJECT_PROP's documentation says.</summary>
    public IReadOnlyList<ProviderProperties> QueryProviders()
    {
        Check(Com.Query(Guid.Empty, VssObjectType.None, VssObjectType.Provider, out nint enumPointer), nameof(Com.Query));
        var providers = new List<ProviderProperties>();
        if (enumPointer == 0) return providers;
        var enumerator = Wrap<IVssEnumObject>(enumPointer);
        Marshal.Release(enumPointer);
        try
        {
            VssObjectProp item = default;
            while (true)
            {
                Check(enumerator.Next(1, &item, out uint fetched), "IVssEnumObject::Next");
                if (fetched == 0) break;
                if (item.Type != VssObjectType.Provider) continue;
                try
                {
                    providers.Add(new(item.Prov.ProviderId, Str(item.Prov.ProviderName) ?? "", item.Prov.ProviderType, Str(item.Prov.ProviderVersion) ?? "", item.Prov.ProviderVersionId, item.Prov.ClassId));
                }
                finally
                {
                    Marshal.FreeCoTaskMem(item.Prov.ProviderName);
                    Marshal.FreeCoTaskMem(item.Prov.ProviderVersion);
                }
            }
        }
        finally
        {
            ((ComObject)(object)enumerator).FinalRelease();
        }
        return providers;
    }

    public DeleteResult DeleteSnapshots(Guid sourceId, VssObjectType sourceType, bool force)
    {
        int hr = Com.DeleteSnapshots(sourceId, sourceType, force, out int deleted, out Guid nondeleted);
        if (hr < 0)
        {
            throw new VssException(hr, Itf + nameof(DeleteSnapshots), Detail(sourceId, deleted, nondeleted))
            {
                PartialDelete = new DeleteResult(deleted, nondeleted == Guid.Empty ? null : nondeleted),
            };
        }
        return new DeleteResult(deleted, null);
    }

    private string Detail(Guid sourceId, int deleted, Guid nondeleted)
    {
        string? fault = _api.TakeLastFault();
        string what = $"{sourceId}; deleted {deleted}" + (nondeleted == Guid.Empty ? "" : $", could not delete {nondeleted}");
        return fault is null ? what : $"{what}: {fault}";
    }

    /// <summary>Releases the component object now, never from a finalizer: VSS then sends BackupShutdown. The object
    /// is gone either way; what the service says it could not do in its Release is thrown after.</summary>
    public void Release()
    {
        var com = Interlocked.Exchange(ref _com, null);
        if (com is null) return;
        _api.TakeReleaseFault(); // left by another object's Release on this thread, never read
        ((ComObject)(object)com).FinalRelease();
        if (_api.TakeReleaseFault() is { } fault) throw new VssException(fault.HResult, Itf + nameof(Release), fault.Message);
    }

    private static string? Str(nint p) => p == 0 ? null : Marshal.PtrToStringUni(p);

    private static SnapshotProperties Copy(in VssSnapshotProp p) => new(
        p.SnapshotId, p.SnapshotSetId, p.SnapshotsCount, Str(p.SnapshotDeviceObject) ?? "", Str(p.OriginalVolumeName) ?? "",
        Str(p.OriginatingMachine) ?? "", Str(p.ExposedName), Str(p.ExposedPath), p.ProviderId,
        (VssVolumeSnapshotAttributes)p.SnapshotAttributes, DateTimeOffset.FromFileTime(p.CreationTimestamp).ToUniversalTime(), p.Status);
}
