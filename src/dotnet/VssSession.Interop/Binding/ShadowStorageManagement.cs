// Shadow storage (the software provider's "diff areas"), as vssadmin list|add|resize|delete shadowstorage manage it:
// VSS's management object (CLSID_VssSnapshotMgmt), then the Microsoft software provider's
// IVssDifferentialSoftwareSnapshotMgmt through GetProviderMgmtInterface. Windows and the emulator hand out the same
// vtables; each HRESULT is checked and named.
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;

namespace VssSession.Interop.Binding;

/// <summary>One association (VSS_DIFF_AREA_PROP): a volume, where its shadow storage is, and its sizes in bytes.
/// MaxSpace -1: no limit.</summary>
public sealed record ShadowStorageArea(string Volume, string DiffAreaVolume, long MaxSpace, long AllocatedSpace, long UsedSpace);

public sealed unsafe class ShadowStorageManagement : IDisposable
{
    private const string Itf = "IVssDifferentialSoftwareSnapshotMgmt::";

    private readonly VssApi _api;
    private IVssSnapshotMgmt? _mgmt;
    private IVssDifferentialSoftwareSnapshotMgmt? _diff;

    private ShadowStorageManagement(VssApi api, IVssSnapshotMgmt mgmt, IVssDifferentialSoftwareSnapshotMgmt diff)
    {
        _api = api;
        _mgmt = mgmt;
        _diff = diff;
    }

    /// <summary>The wrapper, with the pointer's own reference given back: the wrapper holds one.</summary>
    private static T Wrap<T>(nint pointer) where T : class
    {
        try
        {
            return BackupComponents.Wrap<T>(pointer);
        }
        finally
        {
            Marshal.Release(pointer);
        }
    }

    private static void Check(VssApi api, int hresult, string operation, string? detail = null) => BackupComponents.Check(api, hresult, operation, detail);

    /// <summary>The management object, then the software provider's shadow storage interface from it.</summary>
    public static ShadowStorageManagement Open(VssApi api)
    {
        Check(api, api.CreateSnapshotMgmt(out nint pointer), "CoCreateInstance(CLSID_VssSnapshotMgmt)");
        var mgmt = Wrap<IVssSnapshotMgmt>(pointer);
        Guid iid = typeof(IVssDifferentialSoftwareSnapshotMgmt).GUID;
        int hr = mgmt.GetProviderMgmtInterface(VssMgmt.SoftwareProviderId, &iid, out nint diff);
        if (hr < 0)
        {
            ((ComObject)(object)mgmt).FinalRelease();
            Check(api, hr, "IVssSnapshotMgmt::GetProviderMgmtInterface", "the Microsoft Software Shadow Copy provider's IVssDifferentialSoftwareSnapshotMgmt");
        }
        return new ShadowStorageManagement(api, mgmt, Wrap<IVssDifferentialSoftwareSnapshotMgmt>(diff));
    }

    private IVssDifferentialSoftwareSnapshotMgmt Diff => _diff ?? throw new ObjectDisposedException(nameof(ShadowStorageManagement));

    /// <summary>QueryDiffAreasForVolume of one volume; without one, of every volume the provider can snapshot
    /// (IVssSnapshotMgmt::QueryVolumesSupportedForSnapshots), as vssadmin list shadowstorage lists them all.</summary>
    public IReadOnlyList<ShadowStorageArea> Query(string? volume)
    {
        if (volume is not null) return ForVolume(volume);
        const int VSS_CTX_ALL = unchecked((int)0xffffffff);
        Check(_api, _mgmt!.QueryVolumesSupportedForSnapshots(VssMgmt.SoftwareProviderId, VSS_CTX_ALL, out nint volumes), "IVssSnapshotMgmt::QueryVolumesSupportedForSnapshots");
        var names = Read(volumes, p =>
        {
            if (p.Type != VssMgmtObjectType.Volume) return null;
            Take(p.Vol.VolumeDisplayName);
            return Take(p.Vol.VolumeName);
        }, p => Free(p));
        return names.OfType<string>().SelectMany(ForVolume).DistinctBy(a => (a.Volume, a.DiffAreaVolume)).ToList();
    }

    private IReadOnlyList<ShadowStorageArea> ForVolume(string volume)
    {
        Check(_api, Diff.QueryDiffAreasForVolume(volume, out nint areas), Itf + "QueryDiffAreasForVolume", volume);
        return Read(areas, p => p.Type == VssMgmtObjectType.DiffArea
            ? new ShadowStorageArea(Take(p.DiffArea.VolumeName) ?? "", Take(p.DiffArea.DiffAreaVolumeName) ?? "", p.DiffArea.MaximumDiffSpace, p.DiffArea.AllocatedDiffSpace, p.DiffArea.UsedDiffSpace)
            : null, p => Free(p)).OfType<ShadowStorageArea>().ToList();
    }

    /// <summary>AddDiffArea: the volume's shadow storage on diffAreaVolume, at most maxSpace bytes (-1: no limit).</summary>
    public void Add(string volume, string diffAreaVolume, long maxSpace) =>
        Check(_api, Diff.AddDiffArea(volume, diffAreaVolume, maxSpace), Itf + "AddDiffArea", $"{volume} on {diffAreaVolume}");

    /// <summary>ChangeDiffAreaMaximumSize; VSS_ASSOC_REMOVE (0) deletes the association.</summary>
    public void Change(string volume, string diffAreaVolume, long maxSpace) =>
        Check(_api, Diff.ChangeDiffAreaMaximumSize(volume, diffAreaVolume, maxSpace), Itf + "ChangeDiffAreaMaximumSize", $"{volume} on {diffAreaVolume}");

    /// <summary>Every VSS_MGMT_OBJECT_PROP of an enumeration, one Next at a time, each copied out and its strings freed
    /// (a string taken by <paramref name="copy"/> is freed there; <paramref name="free"/> frees the rest).</summary>
    private List<T?> Read<T>(nint enumPointer, Func<VssMgmtObjectProp, T?> copy, Action<VssMgmtObjectProp> free)
    {
        var items = new List<T?>();
        var enumeration = Wrap<IVssEnumMgmtObject>(enumPointer);
        try
        {
            while (true)
            {
                VssMgmtObjectProp prop = default;
                int hr = enumeration.Next(1, &prop, out uint fetched);
                Check(_api, hr, "IVssEnumMgmtObject::Next");
                if (fetched == 0) break;
                var item = copy(prop);
                if (item is null) free(prop);
                items.Add(item);
                if (hr != VssErrors.S_OK) break; // S_FALSE: fewer than asked were left
            }
        }
        finally
        {
            ((ComObject)(object)enumeration).FinalRelease();
        }
        return items;
    }

    private static string? Take(nint p)
    {
        if (p == 0) return null;
        string value = Marshal.PtrToStringUni(p)!;
        Marshal.FreeCoTaskMem(p);
        return value;
    }

    /// <summary>The strings of an object not copied (another type than asked for).</summary>
    private static void Free(VssMgmtObjectProp p)
    {
        switch (p.Type)
        {
            case VssMgmtObjectType.Volume: Take(p.Vol.VolumeName); Take(p.Vol.VolumeDisplayName); break;
            case VssMgmtObjectType.DiffVolume: Take(p.DiffVol.VolumeName); Take(p.DiffVol.VolumeDisplayName); break;
            case VssMgmtObjectType.DiffArea: Take(p.DiffArea.VolumeName); Take(p.DiffArea.DiffAreaVolumeName); break;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _diff, null) is { } diff) ((ComObject)(object)diff).FinalRelease();
        if (Interlocked.Exchange(ref _mgmt, null) is { } mgmt) ((ComObject)(object)mgmt).FinalRelease();
    }
}
