using System.Runtime.InteropServices;
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
