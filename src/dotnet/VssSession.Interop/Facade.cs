using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using VssSession.Interop.Binding;
using VssSession.Interop.Com;

namespace VssSession.Interop;

/// <summary>
/// The edge-js boundary. Each entry point takes one JSON string, calls one binding method on a worker thread
/// (the Node event loop never waits on VSS) and answers one JSON string: <c>{ "result": … }</c> or
/// <c>{ "error": { name, hresult, message, … } }</c>. It only translates: the order of calls and every
/// decision about a backup belong to the TypeScript lifecycle.
/// </summary>
public sealed class Facade
{
    private static readonly ConcurrentDictionary<int, BackupComponents> Components = new();
    private static int s_nextHandle;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static Task<object> Run(object input, Func<JsonObject, object?> call) => Task.Run<object>(() =>
    {
        try
        {
            var args = JsonNode.Parse((string)input) as JsonObject ?? new JsonObject();
            return JsonSerializer.Serialize(new { result = call(args) }, Json);
        }
        catch (VssException e)
        {
            return JsonSerializer.Serialize(new
            {
                error = new
                {
                    name = e.Name,
                    hresult = e.HexCode,
                    message = e.Message,
                    operation = e.Operation,
                    deleted = e.Data["deleted"],
                    nondeleted = e.Data["nondeleted"],
                },
            }, Json);
        }
    });

    private static BackupComponents Component(JsonObject args)
    {
        int handle = args["handle"]?.GetValue<int>() ?? 0;
        return Components.TryGetValue(handle, out var component)
            ? component
            : throw new VssException(VssErrors.VSS_E_BAD_STATE, "IVssBackupComponents::*", $"no component object with handle {handle}; it was released and is never reused");
    }

    private static TimeSpan Timeout(JsonObject args) =>
        args["timeoutMs"] is JsonNode ms ? TimeSpan.FromMilliseconds(ms.GetValue<double>()) : System.Threading.Timeout.InfiniteTimeSpan;

    private static Guid[] Ids(JsonObject args, string method) =>
        (args["ids"] as JsonArray ?? []).Select(id => Guid.TryParse(id?.GetValue<string>(), out var guid)
            ? guid
            : throw new VssException(VssErrors.E_INVALIDARG, "IVssBackupComponents::" + method, $"'{id}' is not a writer id (a GUID)")).ToArray();

    private static T Enum<T>(JsonObject args, string name) where T : struct, System.Enum =>
        System.Enum.Parse<T>(args[name]!.GetValue<string>(), ignoreCase: true);

    private static VssApi Api(JsonObject args) => args["service"]?["kind"]?.GetValue<string>() switch
    {
        "windows" => new WindowsVssApi(),
        "emulator" => new EmulatorVssApi(args["service"]!["socket"]!.GetValue<string>()),
        var other => throw new VssException(VssErrors.E_INVALIDARG, "CreateVssBackupComponents", $"unknown VSS service kind '{other}'"),
    };

    /// <summary>A no-op through the same path as every call (JSON in, worker thread, JSON out).</summary>
    public Task<object> Ping(object input) => Run(input, _ => new { pong = true });

    public Task<object> Create(object input) => Run(input, args =>
    {
        var component = BackupComponents.Create(Api(args));
        int handle = Interlocked.Increment(ref s_nextHandle);
        Components[handle] = component;
        return new { handle };
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

    public Task<object> GatherWriterStatus(object input) => Run(input, args => new
    {
        writers = Component(args).GatherWriterStatus(Timeout(args)).Select(w => new
        {
            w.Name,
            w.WriterId,
            w.InstanceId,
            State = w.State.ToString(),
            LastError = w.Failure == 0 ? null : VssErrors.NameOf(w.Failure),
        }),
    });

    public Task<object> StartSnapshotSet(object input) => Run(input, args => new { snapshotSetId = Component(args).StartSnapshotSet() });

    public Task<object> AddToSnapshotSet(object input) => Run(input, args => new { snapshotId = Component(args).AddToSnapshotSet(args["volume"]!.GetValue<string>()) });

    public Task<object> PrepareForBackup(object input) => Run(input, args => { Component(args).PrepareForBackup(Timeout(args)); return null; });

    public Task<object> DoSnapshotSet(object input) => Run(input, args => { Component(args).DoSnapshotSet(Timeout(args)); return null; });

    public Task<object> BackupComplete(object input) => Run(input, args => { Component(args).BackupComplete(Timeout(args)); return null; });

    public Task<object> AbortBackup(object input) => Run(input, args => { Component(args).AbortBackup(); return null; });

    public Task<object> GetSnapshotProperties(object input) => Run(input, args => Snapshot(Component(args).GetSnapshotProperties(Guid.Parse(args["snapshotId"]!.GetValue<string>()))));

    public Task<object> QuerySnapshots(object input) => Run(input, args => new { snapshots = Component(args).QuerySnapshots().Select(Snapshot) });

    public Task<object> DeleteSnapshots(object input) => Run(input, args =>
    {
        var result = Component(args).DeleteSnapshots(Guid.Parse(args["sourceId"]!.GetValue<string>()), Enum<VssObjectType>(args, "sourceType"), args["force"]?.GetValue<bool>() ?? false);
        return new { deleted = result.Deleted };
    });

    private static Guid Id(JsonObject args, string name) =>
        Guid.TryParse(args[name]?.GetValue<string>(), out var id) ? id : throw new VssException(VssErrors.E_INVALIDARG, name, $"'{args[name]}' is not a GUID");

    private static string? Text(JsonObject args, string name) => args[name]?.GetValue<string>();

    /// <summary>Every writer's identity and components (after GatherWriterMetadata).</summary>
    public Task<object> GetWriterMetadata(object input) => Run(input, args => new
    {
        writers = Component(args).GetWriterMetadata().Select(w => new
        {
            w.Name,
            w.WriterId,
            w.InstanceId,
            Components = w.Components.Select(c => new { c.Name, c.LogicalPath, Type = ((VssComponentType)c.Type).ToString(), c.Selectable }),
        }),
    });

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

    public Task<object> GetWriterComponents(object input) => Run(input, args => new
    {
        writers = Component(args).GetWriterComponents().Select(w => new
        {
            w.InstanceId,
            w.WriterId,
            Components = w.Components.Select(c => new { c.Name, c.LogicalPath, Type = c.Type.ToString(), c.BackupSucceeded, c.BackupStamp, c.PreviousBackupStamp, c.BackupOptions }),
        }),
    });

    public Task<object> IsVolumeSupported(object input) => Run(input, args =>
    {
        var (supported, reason) = Component(args).IsVolumeSupported(Text(args, "volume") ?? "");
        return new { supported, reason };
    });

    public Task<object> SaveAsXml(object input) => Run(input, args => new { xml = Component(args).SaveAsXml() });

    public Task<object> ExposeSnapshot(object input) => Run(input, args =>
    {
        var how = Text(args, "share") is null ? VssVolumeSnapshotAttributes.ExposedLocally : VssVolumeSnapshotAttributes.ExposedRemotely;
        string? expose = how == VssVolumeSnapshotAttributes.ExposedLocally ? Text(args, "path") : Text(args, "share");
        return new { exposed = Component(args).ExposeSnapshot(Id(args, "snapshotId"), Text(args, "pathFromRoot"), how, expose) };
    });

    public Task<object> UnexposeSnapshot(object input) => Run(input, args => { Component(args).UnexposeSnapshot(Id(args, "snapshotId")); return null; });

    public Task<object> ImportSnapshots(object input) => Run(input, args => { Component(args).ImportSnapshots(Timeout(args)); return null; });

    public Task<object> BreakSnapshotSet(object input) => Run(input, args => { Component(args).BreakSnapshotSet(Id(args, "snapshotSetId")); return null; });

    /// <summary>Release: the only reference goes now, so VSS sends BackupShutdown before this answers.</summary>
    public Task<object> Release(object input) => Run(input, args =>
    {
        int handle = args["handle"]?.GetValue<int>() ?? 0;
        if (Components.TryRemove(handle, out var component)) component.Release();
        return null;
    });

    private static object Snapshot(SnapshotProperties s) => new
    {
        s.SnapshotId,
        s.SnapshotSetId,
        Volume = s.OriginalVolume,
        DevicePath = s.DeviceObject,
        s.ExposedName,
        s.ExposedPath,
        s.OriginatingMachine,
        Persistent = s.Attributes.HasFlag(VssVolumeSnapshotAttributes.Persistent),
        Attributes = (int)s.Attributes,
        CreatedAt = s.CreatedAt,
        Status = s.Status.ToString(),
    };
}
