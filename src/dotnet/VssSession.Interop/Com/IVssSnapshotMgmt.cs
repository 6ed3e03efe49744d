// The Windows SDK's vsmgmt.h order, checked against three sources that agree: the SDK header as microsoft/win32metadata
// recompiles it (generation/WinSDK/RecompiledIdlHeaders/um/vsmgmt.h), mingw-w64 (mingw-w64-headers/include/vsmgmt.idl)
// and Microsoft's VSS SDK 7.2 vsmgmt.idl (as qemu carries it, VSSSDK72/inc/win2003/vsmgmt.idl); ynkdir/py-win32more
// gives the same slot numbers. Not in contract/vss-abi.json: ShadowStorageAbiTests holds the order.
// A skipped method shifts every later vtable slot, so every method is declared, used or not. IVssSnapshotMgmt2 and
// IVssDifferentialSoftwareSnapshotMgmt2/3 (later additions, derived separately) are not used and not declared.
using System;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Com;

/// <summary>VSS's management object (CoCreateInstance of CLSID_VssSnapshotMgmt): the door to each provider's own
/// management interface.</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("FA7DF749-66E7-4986-A27F-E2F04AE53772")]
public unsafe partial interface IVssSnapshotMgmt
{
    // slot 3: HRESULT GetProviderMgmtInterface(VSS_ID ProviderId, REFIID InterfaceId, IUnknown** ppItf)
    [PreserveSig] int GetProviderMgmtInterface(Guid ProviderId, Guid* InterfaceId, out nint ppItf);

    // slot 4: HRESULT QueryVolumesSupportedForSnapshots(VSS_ID ProviderId, LONG lContext, IVssEnumMgmtObject** ppEnum)
    [PreserveSig] int QueryVolumesSupportedForSnapshots(Guid ProviderId, int lContext, out nint ppEnum);

    // slot 5: HRESULT QuerySnapshotsByVolume(VSS_PWSZ pwszVolumeName, VSS_ID ProviderId, IVssEnumObject** ppEnum)
    [PreserveSig] int QuerySnapshotsByVolume(string? pwszVolumeName, Guid ProviderId, out nint ppEnum);
}

/// <summary>The Microsoft software provider's shadow storage ("diff area") management, from
/// IVssSnapshotMgmt::GetProviderMgmtInterface: what vssadmin list|add|resize|delete shadowstorage call.</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("214A0F28-B737-4026-B847-4F9E37D79529")]
public unsafe partial interface IVssDifferentialSoftwareSnapshotMgmt
{
    // slot 3: HRESULT AddDiffArea(VSS_PWSZ pwszVolumeName, VSS_PWSZ pwszDiffAreaVolumeName, LONGLONG llMaximumDiffSpace)
    [PreserveSig] int AddDiffArea(string? pwszVolumeName, string? pwszDiffAreaVolumeName, long llMaximumDiffSpace);

    // slot 4: HRESULT ChangeDiffAreaMaximumSize(VSS_PWSZ pwszVolumeName, VSS_PWSZ pwszDiffAreaVolumeName, LONGLONG llMaximumDiffSpace)
    [PreserveSig] int ChangeDiffAreaMaximumSize(string? pwszVolumeName, string? pwszDiffAreaVolumeName, long llMaximumDiffSpace);

    // slot 5: HRESULT QueryVolumesSupportedForDiffAreas(VSS_PWSZ pwszOriginalVolumeName, IVssEnumMgmtObject** ppEnum)
    [PreserveSig] int QueryVolumesSupportedForDiffAreas(string? pwszOriginalVolumeName, out nint ppEnum);

    // slot 6: HRESULT QueryDiffAreasForVolume(VSS_PWSZ pwszVolumeName, IVssEnumMgmtObject** ppEnum)
    [PreserveSig] int QueryDiffAreasForVolume(string? pwszVolumeName, out nint ppEnum);

    // slot 7: HRESULT QueryDiffAreasOnVolume(VSS_PWSZ pwszVolumeName, IVssEnumMgmtObject** ppEnum)
    [PreserveSig] int QueryDiffAreasOnVolume(string? pwszVolumeName, out nint ppEnum);

    // slot 8: HRESULT QueryDiffAreasForSnapshot(VSS_ID SnapshotId, IVssEnumMgmtObject** ppEnum)
    [PreserveSig] int QueryDiffAreasForSnapshot(Guid SnapshotId, out nint ppEnum);
}

/// <summary>An enumeration of VSS_MGMT_OBJECT_PROP (volumes, diff volumes or diff areas).</summary>
[GeneratedComInterface]
[Guid("01954E6B-9254-4e6e-808C-C9E05D007696")]
public unsafe partial interface IVssEnumMgmtObject
{
    // slot 3: HRESULT Next(ULONG celt, VSS_MGMT_OBJECT_PROP* rgelt, ULONG* pceltFetched)
    [PreserveSig] int Next(uint celt, VssMgmtObjectProp* rgelt, out uint pceltFetched);

    // slot 4: HRESULT Skip(ULONG celt)
    [PreserveSig] int Skip(uint celt);

    // slot 5: HRESULT Reset(void)
    [PreserveSig] int Reset();

    // slot 6: HRESULT Clone(IVssEnumMgmtObject** ppenum) -- [in, out] in every source
    [PreserveSig] int Clone(nint* ppenum);
}

/// <summary>VSS_MGMT_OBJECT_TYPE (vsmgmt.h).</summary>
public enum VssMgmtObjectType
{
    Unknown = 0, // VSS_MGMT_OBJECT_UNKNOWN
    Volume = 1, // VSS_MGMT_OBJECT_VOLUME
    DiffVolume = 2, // VSS_MGMT_OBJECT_DIFF_VOLUME
    DiffArea = 3, // VSS_MGMT_OBJECT_DIFF_AREA
}

/// <summary>VSS_VOLUME_PROP: CoTaskMem strings the caller frees.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VssVolumeProp
{
    public nint VolumeName;        // VSS_PWSZ m_pwszVolumeName
    public nint VolumeDisplayName; // VSS_PWSZ m_pwszVolumeDisplayName
}

/// <summary>VSS_DIFF_VOLUME_PROP.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VssDiffVolumeProp
{
    public nint VolumeName;        // VSS_PWSZ m_pwszVolumeName
    public nint VolumeDisplayName; // VSS_PWSZ m_pwszVolumeDisplayName
    public long VolumeFreeSpace;   // LONGLONG m_llVolumeFreeSpace
    public long VolumeTotalSpace;  // LONGLONG m_llVolumeTotalSpace
}

/// <summary>VSS_DIFF_AREA_PROP: allocated is at most the maximum, used at most allocated (its Learn page).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VssDiffAreaProp
{
    public nint VolumeName;          // VSS_PWSZ m_pwszVolumeName
    public nint DiffAreaVolumeName;  // VSS_PWSZ m_pwszDiffAreaVolumeName
    public long MaximumDiffSpace;    // LONGLONG m_llMaximumDiffSpace (-1: VSS_ASSOC_NO_MAX_SPACE)
    public long AllocatedDiffSpace;  // LONGLONG m_llAllocatedDiffSpace
    public long UsedDiffSpace;       // LONGLONG m_llUsedDiffSpace
}

/// <summary>VSS_MGMT_OBJECT_PROP: the type, then the union (VSS_MGMT_OBJECT_UNION: Vol, DiffVol, DiffArea) at the
/// union's 8-byte alignment. x64: Type at 0, Obj at 8, size 48 (the largest member, VSS_DIFF_AREA_PROP, is 40).</summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
public struct VssMgmtObjectProp
{
    [FieldOffset(0)] public VssMgmtObjectType Type;
    [FieldOffset(8)] public VssVolumeProp Vol;
    [FieldOffset(8)] public VssDiffVolumeProp DiffVol;
    [FieldOffset(8)] public VssDiffAreaProp DiffArea;
}

/// <summary>vsmgmt.h's constants and the ids the binding needs that no modern header carries.</summary>
public static class VssMgmt
{
    /// <summary>CLSID_VssSnapshotMgmt (vsmgmt.h): CoCreateInstance gives its IVssSnapshotMgmt.</summary>
    public static readonly Guid ClsidVssSnapshotMgmt = new("0B5A2C52-3EB9-470a-96E2-6C6D4570E40F");

    /// <summary>VSS_SWPRV_ProviderId, the Microsoft Software Shadow Copy provider (VSS SDK 7.2 vsswprv.h; not in the
    /// modern SDK headers). The emulated provider has the same id.</summary>
    public static readonly Guid SoftwareProviderId = new("b5946137-7b9f-4925-af80-51abd60b20d5");

    /// <summary>VSS_ASSOC_NO_MAX_SPACE: no limit.</summary>
    public const long NoMaxSpace = -1;

    /// <summary>VSS_ASSOC_REMOVE: ChangeDiffAreaMaximumSize with it deletes the association.</summary>
    public const long Remove = 0;
}
