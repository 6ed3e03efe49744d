using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>
/// IVssExamineWriterMetadata, IVssWMComponent and VSS_COMPONENTINFO against the Windows SDK, by reflection as AbiTests
/// does. contract/vss-abi.json does not list them yet, so the expected order is written here.
/// Source: the Windows SDK's um/vsbackup.h (class IVssWMComponent : public IUnknown; class
/// __declspec(uuid("902fcf7f-b7fd-42f8-81f1-b2e400b1e5bd")) IVssExamineWriterMetadata : public IUnknown; struct
/// _VSS_COMPONENTINFO), cross-checked with two independent translations that agree with it and with each other:
/// mingw-w64 (mingw-w64/mingw-w64, mingw-w64-headers/include/vsbackup.h) and winapi-rs (retep998/winapi-rs,
/// src/um/vsbackup.rs). Wine's include/vsbackup.idl only forward-declares IVssExamineWriterMetadata and does not
/// declare IVssWMComponent. The enum values are vswriter.h's (winapi-rs src/um/vswriter.rs, Win32 metadata).
/// </summary>
public sealed class WriterMetadataAbiTests
{
    private static readonly (string Name, string Params)[] ExamineWriterMetadata =
    [
        ("GetIdentity", "VSS_ID* pidInstance, VSS_ID* pidWriter, BSTR* pbstrWriterName, VSS_USAGE_TYPE* pUsage, VSS_SOURCE_TYPE* pSource"),
        ("GetFileCounts", "UINT* pcIncludeFiles, UINT* pcExcludeFiles, UINT* pcComponents"),
        ("GetIncludeFile", "UINT iFile, IVssWMFiledesc** ppFiledesc"),
        ("GetExcludeFile", "UINT iFile, IVssWMFiledesc** ppFiledesc"),
        ("GetComponent", "UINT iComponent, IVssWMComponent** ppComponent"),
        ("GetRestoreMethod", "VSS_RESTOREMETHOD_ENUM* pMethod, BSTR* pbstrService, BSTR* pbstrUserProcedure, VSS_WRITERRESTORE_ENUM* pwriterRestore, bool* pbRebootRequired, UINT* pcMappings"),
        ("GetAlternateLocationMapping", "UINT iMapping, IVssWMFiledesc** ppFiledesc"),
        ("GetBackupSchema", "DWORD* pdwSchemaMask"),
        ("GetDocument", "IXMLDOMDocument** pDoc"),
        ("SaveAsXML", "BSTR* pbstrXML"),
        ("LoadFromXML", "BSTR bstrXML"),
    ];

    private static readonly (string Name, string Params)[] WMComponent =
    [
        ("GetComponentInfo", "PVSSCOMPONENTINFO* ppInfo"),
        ("FreeComponentInfo", "PVSSCOMPONENTINFO pInfo"),
        ("GetFile", "UINT iFile, IVssWMFiledesc** ppFiledesc"),
        ("GetDatabaseFile", "UINT iDBFile, IVssWMFiledesc** ppFiledesc"),
        ("GetDatabaseLogFile", "UINT iDbLogFile, IVssWMFiledesc** ppFiledesc"),
        ("GetDependency", "UINT iDependency, IVssWMDependency** ppDependency"),
    ];

    // vswriter.h (mingw-w64's C bindings: IVssWMFiledesc_GetPath ... IVssWMFiledesc_GetBackupTypeMask).
    private static readonly (string Name, string Params)[] WMFiledesc =
    [
        ("GetPath", "BSTR* pbstrPath"),
        ("GetFilespec", "BSTR* pbstrFilespec"),
        ("GetRecursive", "bool* pbRecursive"),
        ("GetAlternateLocation", "BSTR* pbstrAlternateLocation"),
        ("GetBackupTypeMask", "DWORD* pdwTypeMask"),
    ];

    private static readonly Guid WMComponentPlaceholderIid = new("4b3b25ba-a927-487f-9c4e-6774c7ac8c64");
    private static readonly Guid WMFiledescPlaceholderIid = new("b0e9a2c1-5e4f-4d3a-9c7b-2f8e6d1a4c35");

    [Fact]
    public void IVssWMComponentDoesNotBorrowAnotherInterfacesIid()
    {
        // 156c8b5e-f131-4bd7-9c97-d1923be7e1fa is IID_IVssComponentEx (vswriter.h); a QueryInterface for it would
        // reach a different vtable. 902fcf7f-... is IVssExamineWriterMetadata's own.
        Assert.NotEqual(new Guid("156c8b5e-f131-4bd7-9c97-d1923be7e1fa"), typeof(IVssWMComponent).GUID);
        Assert.NotEqual(typeof(IVssExamineWriterMetadata).GUID, typeof(IVssWMComponent).GUID);
        Assert.NotEqual(Guid.Empty, typeof(IVssWMComponent).GUID);
    }

    public static TheoryData<string> Interfaces => new() { nameof(IVssExamineWriterMetadata), nameof(IVssWMComponent), nameof(IVssWMFiledesc) };

    private static (Type Type, Guid Iid, (string Name, string Params)[] Methods) Expected(string name) => name switch
    {
        nameof(IVssExamineWriterMetadata) => (typeof(IVssExamineWriterMetadata), new Guid("902fcf7f-b7fd-42f8-81f1-b2e400b1e5bd"), ExamineWriterMetadata),
        // vsbackup.h gives IVssWMComponent no uuid (mingw-w64 and winapi-rs write GUID_NULL, which .NET ignores in a
        // [Guid]); the declaration carries a project placeholder, documented in IVssWMComponent.cs.
        nameof(IVssWMComponent) => (typeof(IVssWMComponent), WMComponentPlaceholderIid, WMComponent),
        // Likewise IVssWMFiledesc (vswriter.h); the binding calls it through WMFiledescRef's raw slots only.
        nameof(IVssWMFiledesc) => (typeof(IVssWMFiledesc), WMFiledescPlaceholderIid, WMFiledesc),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static MethodInfo[] VtableMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).OrderBy(m => m.MetadataToken).ToArray();

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void InterfaceIidMatchesTheSdk(string name)
    {
        var (type, iid, _) = Expected(name);
        var guid = type.GetCustomAttribute<GuidAttribute>();
        Assert.NotNull(guid);
        Assert.Equal(iid, Guid.Parse(guid.Value));
        Assert.Equal(iid, type.GUID);
        Assert.NotNull(type.GetCustomAttribute<GeneratedComInterfaceAttribute>());
        Assert.Empty(type.GetInterfaces()); // derives from IUnknown only: slot 3 is the first method
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void MethodsAreDeclaredInVtableOrder(string name)
    {
        var (type, _, expected) = Expected(name);
        var methods = VtableMethods(type);
        Assert.Equal(expected.Select(m => m.Name), methods.Select(m => m.Name));
        for (int i = 0; i < expected.Length; i++)
        {
            var method = methods[i];
            int slot = i + 3;
            Assert.True(method.ReturnType == typeof(int), $"{name}::{method.Name} (slot {slot}) must return the HRESULT as int");
            Assert.True(method.MethodImplementationFlags.HasFlag(MethodImplAttributes.PreserveSig), $"{name}::{method.Name} must be [PreserveSig]");
            int sdkParams = expected[i].Params.Split(',').Length;
            Assert.True(sdkParams == method.GetParameters().Length,
                $"{name}::{method.Name} (slot {slot}) takes {sdkParams} parameters in the SDK ({expected[i].Params}), {method.GetParameters().Length} in C#");
        }
    }

    [Fact]
    public void OneByteBoolsAreDeclaredAsOneByte()
    {
        // GetRestoreMethod's bool* pbRebootRequired is C++ bool: one byte, not a 4-byte BOOL.
        var reboot = typeof(IVssExamineWriterMetadata).GetMethod(nameof(IVssExamineWriterMetadata.GetRestoreMethod))!.GetParameters()
            .Single(p => p.Name == "pbRebootRequired");
        Assert.Equal(UnmanagedType.U1, reboot.GetCustomAttribute<MarshalAsAttribute>()?.Value);
    }

    /// <summary>VSS_COMPONENTINFO's fields in SDK order with their x64 offsets.</summary>
    private static readonly (string Sdk, string CSharp, int Offset)[] ComponentInfoLayout =
    [
        ("type", nameof(VssComponentInfo.Type), 0),
        ("bstrLogicalPath", nameof(VssComponentInfo.LogicalPath), 8),
        ("bstrComponentName", nameof(VssComponentInfo.ComponentName), 16),
        ("bstrCaption", nameof(VssComponentInfo.Caption), 24),
        ("pbIcon", nameof(VssComponentInfo.Icon), 32),
        ("cbIcon", nameof(VssComponentInfo.IconSize), 40),
        ("bRestoreMetadata", nameof(VssComponentInfo.RestoreMetadata), 44),
        ("bNotifyOnBackupComplete", nameof(VssComponentInfo.NotifyOnBackupComplete), 45),
        ("bSelectable", nameof(VssComponentInfo.Selectable), 46),
        ("bSelectableForRestore", nameof(VssComponentInfo.SelectableForRestore), 47),
        ("dwComponentFlags", nameof(VssComponentInfo.ComponentFlags), 48),
        ("cFileCount", nameof(VssComponentInfo.FileCount), 52),
        ("cDatabases", nameof(VssComponentInfo.Databases), 56),
        ("cLogFiles", nameof(VssComponentInfo.LogFiles), 60),
        ("cDependencies", nameof(VssComponentInfo.Dependencies), 64),
    ];

    [Fact]
    public unsafe void ComponentInfoFieldsAreInSdkOrderAtX64Offsets()
    {
        var declared = typeof(VssComponentInfo).GetFields(BindingFlags.Public | BindingFlags.Instance).OrderBy(f => f.MetadataToken).Select(f => f.Name);
        Assert.Equal(ComponentInfoLayout.Select(f => f.CSharp), declared);
        foreach (var name in new[] { "RestoreMetadata", "NotifyOnBackupComplete", "Selectable", "SelectableForRestore" })
            Assert.Equal(typeof(byte), typeof(VssComponentInfo).GetField(name)!.FieldType); // C++ bool
        Assert.True(Environment.Is64BitProcess, "VSS requesters are 64-bit processes; these offsets are the 64-bit SDK layout");
        Assert.Equal(ComponentInfoLayout.Select(f => (f.Sdk, f.Offset)), ComponentInfoLayout.Select(f => (f.Sdk, (int)Marshal.OffsetOf<VssComponentInfo>(f.CSharp))));
        Assert.Equal(72, sizeof(VssComponentInfo));
        Assert.Equal(72, Marshal.SizeOf<VssComponentInfo>());
    }

    [Fact]
    public void WriterEnumsHaveTheSdkValues()
    {
        Assert.Equal(
            [("Undefined", 0), ("BootableSystemState", 1), ("SystemService", 2), ("UserData", 3), ("Other", 4)],
            Members<VssUsageType>());
        Assert.Equal([("Undefined", 0), ("TransactedDb", 1), ("NonTransactedDb", 2), ("Other", 3)], Members<VssSourceType>());
        Assert.Equal(
            [("Undefined", 0), ("RestoreIfNotThere", 1), ("RestoreIfCanReplace", 2), ("StopRestoreStart", 3), ("RestoreToAlternateLocation", 4),
             ("RestoreAtReboot", 5), ("RestoreAtRebootIfCannotReplace", 6), ("Custom", 7), ("RestoreStopStart", 8)],
            Members<VssRestoreMethod>());
        Assert.Equal([("Undefined", 0), ("Never", 1), ("IfReplaceFails", 2), ("Always", 3)], Members<VssWriterRestore>());
    }

    private static (string, int)[] Members<T>() where T : struct, Enum
    {
        Assert.Equal(typeof(int), Enum.GetUnderlyingType(typeof(T)));
        return Enum.GetValues<T>().Select(v => (v.ToString(), Convert.ToInt32(v))).ToArray();
    }
}
