// The emulator's VSS management objects: IVssSnapshotMgmt (CLSID_VssSnapshotMgmt) and the emulated software provider's
// IVssDifferentialSoftwareSnapshotMgmt, with the VSS_MGMT_OBJECT_PROP enumeration they hand out. Each call is one
// request to the emulated service, which keeps the associations and counts what the snapshots hold.
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Text.Json;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>One association as the service reports it.</summary>
public sealed record DiffAreaRecord(string Volume, string DiffAreaVolume, long MaxSpace, long AllocatedSpace, long UsedSpace)
{
    public static DiffAreaRecord FromJson(JsonElement json) => new(
        json.GetProperty("volume").GetString()!, json.GetProperty("diffAreaVolume").GetString()!, json.GetProperty("maxSpace").GetInt64(),
        json.GetProperty("allocatedSpace").GetInt64(), json.GetProperty("usedSpace").GetInt64());
}

internal static class EmulatedMgmtCall
{
    /// <summary>One request on a connection of its own; a failure is the HRESULT, with why in LastFault.</summary>
    public static int Run(string socketPath, string method, Action<Utf8JsonWriter>? parameters, Action<JsonElement?>? answer = null)
    {
        try
        {
            using var connection = EmulatorConnection.Open(socketPath);
            var result = connection.Call(method, parameters);
            answer?.Invoke(result);
            return VssErrors.S_OK;
        }
        catch (EmulatorFault fault)
        {
            EmulatedVss.LastFault = fault.Message;
            return fault.Code;
        }
    }

    public static List<DiffAreaRecord> Areas(JsonElement? result) => result.Property("areas").List(DiffAreaRecord.FromJson);
}

/// <summary>The emulator's IVssSnapshotMgmt: hands out the emulated software provider's shadow storage management.</summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedSnapshotMgmt(string socketPath) : IVssSnapshotMgmt
{
    public int GetProviderMgmtInterface(Guid ProviderId, Guid* InterfaceId, out nint ppItf)
    {
        ppItf = 0;
        if (InterfaceId is null) return VssErrors.E_INVALIDARG;
        if (ProviderId != VssMgmt.SoftwareProviderId)
        {
            EmulatedVss.LastFault = $"IVssSnapshotMgmt::GetProviderMgmtInterface: provider {ProviderId} is not registered; the emulated service has one, the software provider {VssMgmt.SoftwareProviderId}";
            return VssErrors.VSS_E_PROVIDER_NOT_REGISTERED;
        }
        if (*InterfaceId != typeof(IVssDifferentialSoftwareSnapshotMgmt).GUID) return VssErrors.E_NOINTERFACE;
        ppItf = EmulatorComWrappers.Instance.GetInterface<IVssDifferentialSoftwareSnapshotMgmt>(new EmulatedDiffAreaMgmt(socketPath));
        return VssErrors.S_OK;
    }

    /// <summary>The volumes with shadow storage: the ones the emulated provider snapshots (any folder) that it
    /// keeps an association for.</summary>
    public int QueryVolumesSupportedForSnapshots(Guid ProviderId, int lContext, out nint ppEnum)
    {
        ppEnum = 0;
        List<DiffAreaRecord> areas = [];
        int hr = EmulatedMgmtCall.Run(socketPath, "queryDiffAreas", null, r => areas = EmulatedMgmtCall.Areas(r));
        if (hr < 0) return hr;
        var volumes = areas.Select(a => a.Volume).Distinct().ToList();
        ppEnum = EmulatorComWrappers.Instance.GetInterface<IVssEnumMgmtObject>(new EmulatedEnumMgmtObject(volumes.Count, i => new VssMgmtObjectProp
        {
            Type = VssMgmtObjectType.Volume,
            Vol = new VssVolumeProp { VolumeName = Marshal.StringToCoTaskMemUni(volumes[i]), VolumeDisplayName = Marshal.StringToCoTaskMemUni(volumes[i]) },
        }));
        return VssErrors.S_OK;
    }

    public int QuerySnapshotsByVolume(string? pwszVolumeName, Guid ProviderId, out nint ppEnum)
    {
        ppEnum = 0;
        EmulatedVss.LastFault = "IVssSnapshotMgmt::QuerySnapshotsByVolume is not supported by the emulated VSS service: IVssBackupComponents::Query lists the snapshots";
        return VssErrors.E_NOTIMPL;
    }
}

/// <summary>The emulated software provider's IVssDifferentialSoftwareSnapshotMgmt.</summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedDiffAreaMgmt(string socketPath) : IVssDifferentialSoftwareSnapshotMgmt
{
    private int Change(string method, string? volume, string? diffAreaVolume, long maxSpace) =>
        EmulatedMgmtCall.Run(socketPath, method, p =>
        {
            p.WriteString("volume", volume);
            p.WriteString("diffAreaVolume", diffAreaVolume);
            p.WriteNumber("maxSpace", maxSpace);
        });

    public int AddDiffArea(string? pwszVolumeName, string? pwszDiffAreaVolumeName, long llMaximumDiffSpace) =>
        Change("addDiffArea", pwszVolumeName, pwszDiffAreaVolumeName, llMaximumDiffSpace);

    public int ChangeDiffAreaMaximumSize(string? pwszVolumeName, string? pwszDiffAreaVolumeName, long llMaximumDiffSpace) =>
        Change("changeDiffAreaMaximumSize", pwszVolumeName, pwszDiffAreaVolumeName, llMaximumDiffSpace);

    public int QueryVolumesSupportedForDiffAreas(string? pwszOriginalVolumeName, out nint ppEnum)
    {
        ppEnum = 0;
        EmulatedVss.LastFault = "QueryVolumesSupportedForDiffAreas is not supported by the emulated VSS service: any folder may hold shadow storage";
        return VssErrors.E_NOTIMPL;
    }

    private int Areas(string? volume, Func<DiffAreaRecord, bool> which, out nint ppEnum)
    {
        ppEnum = 0;
        List<DiffAreaRecord> areas = [];
        int hr = EmulatedMgmtCall.Run(socketPath, "queryDiffAreas", p => { if (volume is not null) p.WriteString("volume", volume); }, r => areas = EmulatedMgmtCall.Areas(r));
        if (hr < 0) return hr;
        areas = areas.Where(which).ToList();
        ppEnum = EmulatorComWrappers.Instance.GetInterface<IVssEnumMgmtObject>(new EmulatedEnumMgmtObject(areas.Count, i => new VssMgmtObjectProp
        {
            Type = VssMgmtObjectType.DiffArea,
            DiffArea = new VssDiffAreaProp
            {
                VolumeName = Marshal.StringToCoTaskMemUni(areas[i].Volume),
                DiffAreaVolumeName = Marshal.StringToCoTaskMemUni(areas[i].DiffAreaVolume),
                MaximumDiffSpace = areas[i].MaxSpace,
                AllocatedDiffSpace = areas[i].AllocatedSpace,
                UsedDiffSpace = areas[i].UsedSpace,
            },
        }));
        return VssErrors.S_OK;
    }

    public int QueryDiffAreasForVolume(string? pwszVolumeName, out nint ppEnum) => Areas(pwszVolumeName ?? "", _ => true, out ppEnum);

    public int QueryDiffAreasOnVolume(string? pwszVolumeName, out nint ppEnum) =>
        Areas(null, a => Path.GetFullPath(a.DiffAreaVolume) == Path.GetFullPath(pwszVolumeName ?? ""), out ppEnum);

    public int QueryDiffAreasForSnapshot(Guid SnapshotId, out nint ppEnum)
    {
        ppEnum = 0;
        EmulatedVss.LastFault = "QueryDiffAreasForSnapshot is not supported by the emulated VSS service: QueryDiffAreasForVolume of the snapshot's volume gives its shadow storage";
        return VssErrors.E_NOTIMPL;
    }
}

/// <summary>An IVssEnumMgmtObject over items made on demand; strings handed out in CoTaskMem for the caller to free.</summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedEnumMgmtObject(EnumCursor<VssMgmtObjectProp> cursor) : IVssEnumMgmtObject
{
    public EmulatedEnumMgmtObject(int count, Func<int, VssMgmtObjectProp> item) : this(new EnumCursor<VssMgmtObjectProp>(count, item)) { }

    public int Next(uint celt, VssMgmtObjectProp* rgelt, out uint pceltFetched) => cursor.Next(celt, rgelt, out pceltFetched);

    public int Skip(uint celt) => cursor.Skip(celt);

    public int Reset() => cursor.Reset();

    public int Clone(nint* ppenum)
    {
        if (ppenum is null) return VssErrors.E_INVALIDARG;
        *ppenum = EmulatorComWrappers.Instance.GetInterface<IVssEnumMgmtObject>(new EmulatedEnumMgmtObject(cursor.Clone()));
        return VssErrors.S_OK;
    }
}
