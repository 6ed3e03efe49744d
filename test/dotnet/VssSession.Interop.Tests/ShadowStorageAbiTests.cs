using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>
/// IVssSnapshotMgmt, IVssDifferentialSoftwareSnapshotMgmt, IVssEnumMgmtObject and VSS_MGMT_OBJECT_PROP against vsmgmt.h,
/// by reflection as AbiTests does. contract/vss-abi.json does not list them, so the expected order is written here.
/// Sources, which agree: the SDK header as microsoft/win32metadata recompiles it
/// (generation/WinSDK/RecompiledIdlHeaders/um/vsmgmt.h), mingw-w64 (mingw-w64-headers/include/vsmgmt.idl) and Microsoft's
/// VSS SDK 7.2 vsmgmt.idl (qemu's VSSSDK72/inc/win2003/vsmgmt.idl); ynkdir/py-win32more gives the same slots.
/// </summary>
public sealed class ShadowStorageAbiTests
{
    private static readonly (string Name, string Params)[] SnapshotMgmt =
    [
        ("GetProviderMgmtInterface", "VSS_ID ProviderId, REFIID InterfaceId, IUnknown** ppItf"),
        ("QueryVolumesSupportedForSnapshots", "VSS_ID ProviderId, LONG lContext, IVssEnumMgmtObject** ppEnum"),
        ("QuerySnapshotsByVolume", "VSS_PWSZ pwszVolumeName, VSS_ID ProviderId, IVssEnumObject** ppEnum"),
    ];

    private static readonly (string Name, string Params)[] DifferentialSoftwareSnapshotMgmt =
    [
        ("AddDiffArea", "VSS_PWSZ pwszVolumeName, VSS_PWSZ pwszDiffAreaVolumeName, LONGLONG llMaximumDiffSpace"),
        ("ChangeDiffAreaMaximumSize", "VSS_PWSZ pwszVolumeName, VSS_PWSZ pwszDiffAreaVolumeName, LONGLONG llMaximumDiffSpace"),
        ("QueryVolumesSupportedForDiffAreas", "VSS_PWSZ pwszOriginalVolumeName, IVssEnumMgmtObject** ppEnum"),
        ("QueryDiffAreasForVolume", "VSS_PWSZ pwszVolumeName, IVssEnumMgmtObject** ppEnum"),
        ("QueryDiffAreasOnVolume", "VSS_PWSZ pwszVolumeName, IVssEnumMgmtObject** ppEnum"),
        ("QueryDiffAreasForSnapshot", "VSS_ID SnapshotId, IVssEnumMgmtObject** ppEnum"),
    ];

    private static readonly (string Name, string Params)[] EnumMgmtObject =
    [
        ("Next", "ULONG celt, VSS_MGMT_OBJECT_PROP* rgelt, ULONG* pceltFetched"),
        ("Skip", "ULONG celt"),
        ("Reset", ""),
        ("Clone", "IVssEnumMgmtObject** ppenum"),
    ];

    public static TheoryData<string> Interfaces => new() { nameof(IVssSnapshotMgmt), nameof(IVssDifferentialSoftwareSnapshotMgmt), nameof(IVssEnumMgmtObject) };

    private static (Type Type, Guid Iid, (string Name, string Params)[] Methods) Expected(string name) => name switch
    {
        nameof(IVssSnapshotMgmt) => (typeof(IVssSnapshotMgmt), new Guid("FA7DF749-66E7-4986-A27F-E2F04AE53772"), SnapshotMgmt),
        nameof(IVssDifferentialSoftwareSnapshotMgmt) => (typeof(IVssDifferentialSoftwareSnapshotMgmt), new Guid("214A0F28-B737-4026-B847-4F9E37D79529"), DifferentialSoftwareSnapshotMgmt),
        nameof(IVssEnumMgmtObject) => (typeof(IVssEnumMgmtObject), new Guid("01954E6B-9254-4e6e-808C-C9E05D007696"), EnumMgmtObject),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void InterfaceIidMatchesTheSdk(string name)
    {
        var (type, iid, _) = Expected(name);
        Assert.Equal(iid, type.GUID);
        Assert.NotNull(type.GetCustomAttribute<GeneratedComInterfaceAttribute>());
        Assert.Empty(type.GetInterfaces()); // derives from IUnknown only: slot 3 is the first method
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void MethodsAreDeclaredInVtableOrder(string name)
    {
        var (type, _, expected) = Expected(name);
        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).OrderBy(m => m.MetadataToken).ToArray();
        Assert.Equal(expected.Select(m => m.Name), methods.Select(m => m.Name));
        for (int i = 0; i < expected.Length; i++)
        {
            int slot = i + 3;
            Assert.True(methods[i].ReturnType == typeof(int), $"{name}::{methods[i].Name} (slot {slot}) returns the HRESULT as int");
            Assert.True(methods[i].MethodImplementationFlags.HasFlag(MethodImplAttributes.PreserveSig), $"{name}::{methods[i].Name} must be [PreserveSig]");
            int sdkParams = expected[i].Params.Length == 0 ? 0 : expected[i].Params.Split(',').Length;
            Assert.True(sdkParams == methods[i].GetParameters().Length, $"{name}::{methods[i].Name} (slot {slot}) takes {sdkParams} parameters in the SDK ({expected[i].Params})");
        }
    }

    [Fact]
    public void SizesAreLonglongAndIdsAreByValue()
    {
        // LONGLONG llMaximumDiffSpace: -1 (VSS_ASSOC_NO_MAX_SPACE) must reach VSS as 64 bits.
        foreach (var method in new[] { "AddDiffArea", "ChangeDiffAreaMaximumSize" })
            Assert.Equal(typeof(long), typeof(IVssDifferentialSoftwareSnapshotMgmt).GetMethod(method)!.GetParameters()[2].ParameterType);
        // VSS_ID is a GUID passed by value, REFIID a pointer.
        var get = typeof(IVssSnapshotMgmt).GetMethod(nameof(IVssSnapshotMgmt.GetProviderMgmtInterface))!.GetParameters();
        Assert.Equal(typeof(Guid), get[0].ParameterType);
        Assert.Equal(typeof(Guid*), get[1].ParameterType);
        Assert.Equal(-1, VssMgmt.NoMaxSpace);
        Assert.Equal(0, VssMgmt.Remove);
        Assert.Equal(new Guid("0B5A2C52-3EB9-470a-96E2-6C6D4570E40F"), VssMgmt.ClsidVssSnapshotMgmt);
        Assert.Equal(new Guid("b5946137-7b9f-4925-af80-51abd60b20d5"), VssMgmt.SoftwareProviderId);
    }

    [Fact]
    public unsafe void MgmtObjectPropHasThe64BitSdkLayout()
    {
        Assert.True(Environment.Is64BitProcess, "VSS requesters are 64-bit processes; these offsets are the 64-bit SDK layout");
        Assert.Equal([("Unknown", 0), ("Volume", 1), ("DiffVolume", 2), ("DiffArea", 3)], Enum.GetValues<VssMgmtObjectType>().Select(v => (v.ToString(), (int)v)));
        // VSS_MGMT_OBJECT_PROP: Type, then the union at its 8-byte alignment; the largest member (VSS_DIFF_AREA_PROP) is 40.
        Assert.Equal(0, (int)Marshal.OffsetOf<VssMgmtObjectProp>(nameof(VssMgmtObjectProp.Type)));
        Assert.Equal(8, (int)Marshal.OffsetOf<VssMgmtObjectProp>(nameof(VssMgmtObjectProp.DiffArea)));
        Assert.Equal(48, sizeof(VssMgmtObjectProp));
        Assert.Equal(16, sizeof(VssVolumeProp));
        Assert.Equal(32, sizeof(VssDiffVolumeProp));
        Assert.Equal(40, sizeof(VssDiffAreaProp));
        Assert.Equal(
            [("VolumeName", 0), ("DiffAreaVolumeName", 8), ("MaximumDiffSpace", 16), ("AllocatedDiffSpace", 24), ("UsedDiffSpace", 32)],
            typeof(VssDiffAreaProp).GetFields().OrderBy(f => f.MetadataToken).Select(f => (f.Name, (int)Marshal.OffsetOf<VssDiffAreaProp>(f.Name))));
        Assert.Equal(
            [("VolumeName", 0), ("VolumeDisplayName", 8), ("VolumeFreeSpace", 16), ("VolumeTotalSpace", 24)],
            typeof(VssDiffVolumeProp).GetFields().OrderBy(f => f.MetadataToken).Select(f => (f.Name, (int)Marshal.OffsetOf<VssDiffVolumeProp>(f.Name))));
    }
}
