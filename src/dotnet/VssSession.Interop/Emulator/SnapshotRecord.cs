using System.Runtime.InteropServices;
using System.Text.Json;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>A snapshot as the emulated service describes it (JSON), turned into VSS_SNAPSHOT_PROP on demand.</summary>
public sealed record SnapshotRecord(
    Guid SnapshotId,
    Guid SnapshotSetId,
    int SnapshotsCount,
    string DeviceObject,
    string OriginalVolume,
    string OriginatingMachine,
    string ServiceMachine,
    string? ExposedName,
    string? ExposedPath,
    Guid ProviderId,
    int Attributes,
    DateTimeOffset CreatedAt,
    int Status)
{
    public static SnapshotRecord FromJson(JsonElement json)
    {
        JsonElement? e = json;
        return new(
            e.Property("snapshotId").Guid(), e.Property("snapshotSetId").Guid(), e.Property("snapshotsCount").Int(),
            e.Property("deviceObject").String()!, e.Property("originalVolume").String()!, e.Property("originatingMachine").String()!,
            e.Property("serviceMachine").String()!, e.Property("exposedName").String(), e.Property("exposedPath").String(),
            e.Property("providerId").Guid(), e.Property("attributes").Int(), e.Property("createdAt")?.GetDateTimeOffset() ?? default,
            e.Property("status").Int());
    }

    /// <summary>A VSS_SNAPSHOT_PROP whose strings are CoTaskMem allocations, as VSS hands them out.</summary>
    public VssSnapshotProp ToNative() => new()
    {
        SnapshotId = SnapshotId,
        SnapshotSetId = SnapshotSetId,
        SnapshotsCount = SnapshotsCount,
        SnapshotDeviceObject = Marshal.StringToCoTaskMemUni(DeviceObject),
        OriginalVolumeName = Marshal.StringToCoTaskMemUni(OriginalVolume),
        OriginatingMachine = Marshal.StringToCoTaskMemUni(OriginatingMachine),
        ServiceMachine = Marshal.StringToCoTaskMemUni(ServiceMachine),
        ExposedName = ExposedName is null ? 0 : Marshal.StringToCoTaskMemUni(ExposedName),
        ExposedPath = ExposedPath is null ? 0 : Marshal.StringToCoTaskMemUni(ExposedPath),
        ProviderId = ProviderId,
        SnapshotAttributes = Attributes,
        CreationTimestamp = CreatedAt.UtcDateTime.ToFileTimeUtc(),
        Status = (VssSnapshotState)Status,
    };
}
