using System.Text.Json.Nodes;
using VssSession.Interop.Binding;
using VssSession.Interop.Com;

namespace VssSession.Interop;

/// <summary>
/// The edge-js boundary. Each entry point takes one JSON string, calls one binding method on a worker thread
/// (the Node event loop never waits on VSS) and answers one JSON string: <c>{ "result": … }</c> or
/// <c>{ "error": { name, hresult, message, … } }</c>. It only translates: the order of calls and every
/// decision about a backup belong to the TypeScript lifecycle.
/// Answers are built as JSON nodes with their names written out, not serialized from objects by reflection:
/// System.Text.Json's reflection metadata for a type is built at its first use, which every host would pay on its
/// first request (the host's start time is a benchmarked goal; bench/README.md has the figures).
/// </summary>
public sealed class Facade
{
    // A plain dictionary under a lock, not ConcurrentDictionary<int, …>: that instantiation is not in the framework's
    // ReadyToRun code, and its first use JIT-compiled ~40 methods in every host.
    private static readonly Dictionary<int, BackupComponents> Components = [];
    private static int s_nextHandle;
    private static Task<object> Run(object input, Func<JsonObject, JsonNode?> call) => Task.Run<object>(() =>
    {
        try
        {
            var args = JsonNode.Parse((string)input) as JsonObject ?? new JsonObject();
            return new JsonObject { ["result"] = call(args) }.ToJsonString();
        }
        catch (VssException e)
        {
            return new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["name"] = e.Name,
                    ["hresult"] = e.HexCode,
                    ["message"] = e.Message,
                    ["operation"] = e.Operation,
                    ["partialDelete"] = e.PartialDelete?.ToJson(),
                },
            }.ToJsonString();
        }
    });

    private static JsonArray JsonList<T>(IEnumerable<T> items, Func<T, JsonNode> item) => new(items.Select(item).ToArray());

    private static BackupComponents Component(JsonObject args)
    {
        int handle = args["handle"]?.GetValue<int>() ?? 0;
        BackupComponents? component;
        lock (Components) Components.TryGetValue(handle, out component);
        return component ?? throw new VssException(VssErrors.VSS_E_BAD_STATE, "IVssBackupComponents::*", $"no component object with handle {handle}; it was released and is never reused");
    }

    private static TimeSpan Timeout(JsonObject args) =>
        args["timeoutMs"] is JsonNode ms ? TimeSpan.FromMilliseconds(ms.GetValue<double>()) : System.Threading.Timeout.InfiniteTimeSpan;

    private static Guid[] Ids(JsonObject args, string method) =>
        (args["ids"] as JsonArray ?? []).Select(id => Guid.TryParse(id?.GetValue<string>(), out var guid)
            ? guid
            : throw new VssException(VssErrors.E_INVALIDARG, "IVssBackupComponents::" + method, $"'{id}' is not a writer id (a GUID)")).ToArray();

    // Enum.Parse(Type, …), not Enum.Parse<T>: the generic one is JIT-compiled per enum type in every host.
    private static T Enum<T>(JsonObject args, string name) where T : struct, System.Enum =>
        (T)System.Enum.Parse(typeof(T), args[name]!.GetValue<string>(), ignoreCase: true);

    private static VssApi Api(JsonObject args) => args["service"]?["kind"]?.GetValue<string>() switch
    {
        "windows" => new WindowsVssApi(),
        "emulator" => new EmulatorVssApi(args["service"]!["socket"]!.GetValue<string>()),
        var other => throw new VssException(VssErrors.E_INVALIDARG, "CreateVssBackupComponents", $"unknown VSS service kind '{other}'"),
    };

    /// <summary>A no-op through the same path as every call (JSON in, worker thread, JSON out).</summary>
    public Task<object> Ping(object input) => Run(input, _ => new JsonObject { ["pong"] = true });

    /// <summary>Sets the process's COM security (Windows only), what a requester does before anything else: the host
    /// calls this as it starts. Its failure is kept and reported by the first component object's creation.</summary>
    public Task<object> InitializeComSecurity(object input) => Run(input, _ =>
    {
        if (!OperatingSystem.IsWindows()) return new JsonObject { ["set"] = false };
        (int hr, string? fault) = ComSecurity.Initialize();
        return new JsonObject { ["set"] = hr >= 0, ["hresult"] = VssErrors.Hex(hr), ["fault"] = fault };
    });

    /// <summary>The volume VSS is given for a path (Windows only: the emulated service snapshots directories).</summary>
    public Task<object> ResolveVolume(object input) => Run(input, args =>
    {
        if (!OperatingSystem.IsWindows()) throw new VssException(VssErrors.E_NOTIMPL, "GetVolumePathName", "volumes are looked up on Windows only");
        var resolved = VolumePaths.Resolve(args["path"]!.GetValue<string>());
        return new JsonObject { ["volume"] = resolved.Volume, ["vss"] = resolved.Vss, ["relative"] = resolved.Relative };
    });

    /// <summary>The process token's facts for the requester check (Windows only: elsewhere there is no token to
    /// ask, and the emulated service has no privileges to check).</summary>
    public Task<object> RequesterToken(object input) => Run(input, _ =>
    {
        if (!OperatingSystem.IsWindows()) throw new VssException(VssErrors.E_NOTIMPL, "RequesterToken", "a process token is read on Windows only");
        var token = Binding.RequesterToken.Read();
        return new JsonObject
        {
            ["elevated"] = token.Elevated,
            ["administrators"] = token.Administrators,
            ["backupOperators"] = token.BackupOperators,
            ["localSystem"] = token.LocalSystem,
        };
    });

    /// <summary>Windows only: the processes this one starts from now on die with it, even when it is killed (a job
    /// object, see ChildJob). <c>fault</c> says why not, where the system refuses.</summary>
    public Task<object> TieChildren(object input) => Run(input, _ =>
    {
        if (!OperatingSystem.IsWindows()) throw new VssException(VssErrors.E_NOTIMPL, "TieChildren", "a job object is Windows'; elsewhere children are tied by PR_SET_PDEATHSIG and process groups");
        return new JsonObject { ["fault"] = ChildJob.Tie() };
    });

    /// <summary>Windows only: processes started since TieChildren outlive this one again.</summary>
    public Task<object> UntieChildren(object input) => Run(input, _ =>
    {
        if (!OperatingSystem.IsWindows()) throw new VssException(VssErrors.E_NOTIMPL, "UntieChildren", "a job object is Windows'");
        return new JsonObject { ["fault"] = ChildJob.Untie() };
    });

    public Task<object> Create(object input) => Run(input, args =>
    {
        var component = BackupComponents.Create(Api(args));
        int handle = Interlocked.Increment(ref s_nextHandle);
        lock (Components) Components[handle] = component;
        return new JsonObject { ["handle"] = handle };
    });

    /// <summary>InitializeForBackup, with the Backup Components Document of an earlier backup when given (to import
    /// its transportable snapshot set).</summary>
    public Task<object> InitializeForBackup(object input) => Run(input, args => { Component(args).InitializeForBackup(Text(args, "xml")); return null; });

    public Task<object> SetContext(object input) => Run(input, args => { Component(args).SetContext(Enum<VssSnapshotContext>(args, "context"), args["transportable"]?.GetValue<bool>() ?? false); return null; });

    public Task<object> SetBackupState(object input) => Run(input, args =>
    {
        Component(args).SetBackupState(
            args["selectComponents"]?.GetValue<bool>() ?? false,
            args["bootableSystemState"]?.GetValue<bool>() ?? false,
            Enum<VssBackupType>(args, "backupType"),
            args["partialFileSupport"]?.GetValue<bool>() ?? false);
        return null;
    });

    public Task<object> DisableWriterClasses(object input) => Run(input, args => { Component(args).DisableWriterClasses(Ids(args, nameof(DisableWriterClasses))); return null; });

    public Task<object> EnableWriterClasses(object input) => Run(input, args => { Component(args).EnableWriterClasses(Ids(args, nameof(EnableWriterClasses))); return null; });

    public Task<object> DisableWriterInstances(object input) => Run(input, args => { Component(args).DisableWriterInstances(Ids(args, nameof(DisableWriterInstances))); return null; });

    public Task<object> GatherWriterMetadata(object input) => Run(input, args => { Component(args).GatherWriterMetadata(Timeout(args)); return null; });

    public Task<object> GatherWriterStatus(object input) => Run(input, args => new JsonObject
    {
        ["writers"] = JsonList(Component(args).GatherWriterStatus(Timeout(args)),
            w => Shapes.Writer(w.Name, w.WriterId, w.InstanceId, w.State.ToString(), w.Failure == 0 ? null : VssErrors.NameOf(w.Failure))),
    });

    public Task<object> StartSnapshotSet(object input) => Run(input, args => new JsonObject { ["snapshotSetId"] = Component(args).StartSnapshotSet().ToString() });

    public Task<object> AddToSnapshotSet(object input) => Run(input, args => new JsonObject { ["snapshotId"] = Component(args).AddToSnapshotSet(args["volume"]!.GetValue<string>()).ToString() });

    public Task<object> PrepareForBackup(object input) => Run(input, args => { Component(args).PrepareForBackup(Timeout(args)); return null; });

    public Task<object> DoSnapshotSet(object input) => Run(input, args => { Component(args).DoSnapshotSet(Timeout(args)); return null; });

    public Task<object> BackupComplete(object input) => Run(input, args => { Component(args).BackupComplete(Timeout(args)); return null; });

    public Task<object> AbortBackup(object input) => Run(input, args => { Component(args).AbortBackup(); return null; });

    public Task<object> GetSnapshotProperties(object input) => Run(input, args => Snapshot(Component(args).GetSnapshotProperties(Guid.Parse(args["snapshotId"]!.GetValue<string>()))));

    public Task<object> QuerySnapshots(object input) => Run(input, args => new JsonObject { ["snapshots"] = JsonList(Component(args).QuerySnapshots(), Snapshot) });

    public Task<object> QueryProviders(object input) => Run(input, args => new JsonObject
    {
        ["providers"] = JsonList(Component(args).QueryProviders(), p => Shapes.Provider(p.ProviderId, p.Name, p.Type.ToString(), p.Version, p.VersionId, p.ClassId)),
    });

    /// <summary>Shadow storage through a management object made for the call and released after it.</summary>
    private static T WithShadowStorage<T>(JsonObject args, Func<ShadowStorageManagement, T> work)
    {
        using var management = ShadowStorageManagement.Open(Api(args));
        return work(management);
    }

    public Task<object> QueryShadowStorage(object input) => Run(input, args => new JsonObject
    {
        ["areas"] = JsonList(WithShadowStorage(args, m => m.Query(Text(args, "volume"))),
            a => Shapes.ShadowStorage(a.Volume, a.DiffAreaVolume, a.UsedSpace, a.AllocatedSpace, a.MaxSpace)),
    });

    public Task<object> AddShadowStorage(object input) => Run(input, args => WithShadowStorage<JsonNode?>(args, m =>
    {
        m.Add(Text(args, "volume") ?? "", Text(args, "diffAreaVolume") ?? "", args["maxSpace"]?.GetValue<long>() ?? VssMgmt.NoMaxSpace);
        return null;
    }));

    public Task<object> ChangeShadowStorage(object input) => Run(input, args => WithShadowStorage<JsonNode?>(args, m =>
    {
        m.Change(Text(args, "volume") ?? "", Text(args, "diffAreaVolume") ?? "", args["maxSpace"]?.GetValue<long>() ?? VssMgmt.NoMaxSpace);
        return null;
    }));

    public Task<object> DeleteSnapshots(object input) => Run(input, args =>
    {
        return Component(args).DeleteSnapshots(Guid.Parse(args["sourceId"]!.GetValue<string>()), Enum<VssObjectType>(args, "sourceType"), args["force"]?.GetValue<bool>() ?? false).ToJson();
    });

    private static Guid Id(JsonObject args, string name) =>
        Guid.TryParse(args[name]?.GetValue<string>(), out var id) ? id : throw new VssException(VssErrors.E_INVALIDARG, name, $"'{args[name]}' is not a GUID");

    private static string? Text(JsonObject args, string name) => args[name]?.GetValue<string>();

    /// <summary>Every writer's identity, components, excluded files and restore method (after GatherWriterMetadata).</summary>
    public Task<object> GetWriterMetadata(object input) => Run(input, args => new JsonObject
    {
        ["writers"] = JsonList(Component(args).GetWriterMetadata(), w => new JsonObject
        {
            ["name"] = w.Name,
            ["writerId"] = w.WriterId.ToString(),
            ["instanceId"] = w.InstanceId.ToString(),
            ["components"] = JsonList(w.Components, c => Shapes.WriterComponent(c.LogicalPath, c.Name, ((VssComponentType)c.Type).ToString(), c.Selectable, c.Caption,
                JsonList(c.Files, FileSpec), JsonList(c.Databases, FileSpec), JsonList(c.Logs, FileSpec))),
            ["excludedFiles"] = JsonList(w.ExcludedFiles, FileSpec),
            ["restoreMethod"] = w.RestoreMethod is { } r
                ? Shapes.RestoreMethod(r.Method.ToString(), r.Service, r.UserProcedure, r.WriterRestore.ToString(), r.RebootRequired, (int)r.Mappings)
                : null,
        }),
    });

    private static JsonNode FileSpec(FileSpecification f) => Shapes.FileSpec(f.Path, f.Filespec, f.Recursive);

    public Task<object> AddComponent(object input) => Run(input, args =>
    {
        Component(args).AddComponent(Id(args, "instanceId"), Id(args, "writerId"), Enum<VssComponentType>(args, "type"), Text(args, "logicalPath"), Text(args, "name") ?? "");
        return null;
    });

    public Task<object> SetBackupSucceeded(object input) => Run(input, args =>
    {
        Component(args).SetBackupSucceeded(Id(args, "instanceId"), Id(args, "writerId"), Enum<VssComponentType>(args, "type"), Text(args, "logicalPath"), Text(args, "name") ?? "", args["succeeded"]?.GetValue<bool>() ?? false);
        return null;
    });

    public Task<object> GetWriterComponents(object input) => Run(input, args => new JsonObject
    {
        ["writers"] = JsonList(Component(args).GetWriterComponents(), w => new JsonObject
        {
            ["instanceId"] = w.InstanceId.ToString(),
            ["writerId"] = w.WriterId.ToString(),
            ["components"] = JsonList(w.Components, c => new JsonObject
            {
                ["name"] = c.Name,
                ["logicalPath"] = c.LogicalPath,
                ["type"] = c.Type.ToString(),
                ["backupSucceeded"] = c.BackupSucceeded,
                ["backupStamp"] = c.BackupStamp,
                ["previousBackupStamp"] = c.PreviousBackupStamp,
                ["backupOptions"] = c.BackupOptions,
            }),
        }),
    });

    public Task<object> IsVolumeSupported(object input) => Run(input, args =>
    {
        var (supported, reason) = Component(args).IsVolumeSupported(Text(args, "volume") ?? "");
        return new JsonObject { ["supported"] = supported, ["reason"] = reason };
    });

    public Task<object> SaveAsXml(object input) => Run(input, args => new JsonObject { ["xml"] = Component(args).SaveAsXml() });

    /// <summary>InitializeForRestore with a saved Backup Components Document on a fresh component object; then what the
    /// API has no getter for, read from the document itself: its backup type, snapshot set and snapshots.</summary>
    public Task<object> InitializeForRestore(object input) => Run(input, args =>
    {
        string xml = Text(args, "xml") ?? "";
        Component(args).InitializeForRestore(xml);
        Documents.BackupComponentsDocument document;
        try
        {
            document = Documents.BackupComponentsDocument.Parse(xml);
        }
        catch (FormatException e)
        {
            throw new VssException(VssErrors.VSS_E_INVALID_XML_DOCUMENT, "InitializeForRestore", e.Message);
        }
        return Shapes.BackupDocument(document.SnapshotSetId, document.BackupType, JsonList(document.SnapshotIds, id => JsonValue.Create(id.ToString())));
    });

    public Task<object> ExposeSnapshot(object input) => Run(input, args =>
    {
        var how = Text(args, "share") is null ? VssVolumeSnapshotAttributes.ExposedLocally : VssVolumeSnapshotAttributes.ExposedRemotely;
        string? expose = how == VssVolumeSnapshotAttributes.ExposedLocally ? Text(args, "path") : Text(args, "share");
        return new JsonObject { ["exposed"] = Component(args).ExposeSnapshot(Id(args, "snapshotId"), Text(args, "pathFromRoot"), how, expose) };
    });

    public Task<object> UnexposeSnapshot(object input) => Run(input, args => { Component(args).UnexposeSnapshot(Id(args, "snapshotId")); return null; });

    public Task<object> ImportSnapshots(object input) => Run(input, args => { Component(args).ImportSnapshots(Timeout(args)); return null; });

    public Task<object> BreakSnapshotSet(object input) => Run(input, args => { Component(args).BreakSnapshotSet(Id(args, "snapshotSetId")); return null; });

    /// <summary>Release: the only reference goes now, so VSS sends BackupShutdown before this answers.</summary>
    public Task<object> Release(object input) => Run(input, args =>
    {
        int handle = args["handle"]?.GetValue<int>() ?? 0;
        BackupComponents? component;
        lock (Components) Components.Remove(handle, out component);
        component?.Release();
        return null;
    });

    /// <summary>A time as System.Text.Json writes a DateTimeOffset (ISO 8601, the fraction's trailing zeros dropped),
    /// formatted here: a JsonValue&lt;DateTimeOffset&gt; is in no ReadyToRun image, and its first use JIT-compiled ~10
    /// methods in every host. AbiTests checks the two agree.</summary>
    internal static string JsonTimestamp(DateTimeOffset time) =>
        time.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Snapshot(SnapshotProperties s) => Shapes.Snapshot(
        s.SnapshotId, s.SnapshotSetId, s.OriginalVolume, s.DeviceObject, s.ExposedName, s.ExposedPath, s.OriginatingMachine,
        s.Attributes.HasFlag(VssVolumeSnapshotAttributes.Persistent), (int)s.Attributes, s.CreatedAt, s.Status.ToString());
}
