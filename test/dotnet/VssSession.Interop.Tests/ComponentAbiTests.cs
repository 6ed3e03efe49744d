using System.Reflection;
using System.Runtime.InteropServices;
using VssSession.Interop.Com;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>
/// IVssComponent, IVssWriterComponentsExt, IVssBackupComponentsEx and IVssBackupComponentsEx2 against the Windows SDK,
/// by reflection as AbiTests does. contract/vss-abi.json does not list them, so the expected order is written here.
/// Source: the SDK's um/vswriter.h (IVssComponent, IVssWriterComponents) and um/vsbackup.h (IVssWriterComponentsExt,
/// IVssBackupComponentsEx, IVssBackupComponentsEx2), cross-checked with mingw-w64's translation
/// (mingw-w64/mingw-w64, mingw-w64-headers/include/vswriter.idl and vsbackup.idl), which agrees on every slot.
/// </summary>
public sealed class ComponentAbiTests
{
    private static readonly (string Name, string Params)[] Component =
    [
        ("GetLogicalPath", "BSTR* pbstrPath"),
        ("GetComponentType", "VSS_COMPONENT_TYPE* pct"),
        ("GetComponentName", "BSTR* pbstrName"),
        ("GetBackupSucceeded", "boolean* pbSucceeded"),
        ("GetAlternateLocationMappingCount", "UINT* pcMappings"),
        ("GetAlternateLocationMapping", "UINT iMapping, IVssWMFiledesc** ppFiledesc"),
        ("SetBackupMetadata", "LPCWSTR wszData"),
        ("GetBackupMetadata", "BSTR* pbstrData"),
        ("AddPartialFile", "LPCWSTR wszPath, LPCWSTR wszFilename, LPCWSTR wszRanges, LPCWSTR wszMetadata"),
        ("GetPartialFileCount", "UINT* pcPartialFiles"),
        ("GetPartialFile", "UINT iPartialFile, BSTR* pbstrPath, BSTR* pbstrFilename, BSTR* pbstrRange, BSTR* pbstrMetadata"),
        ("IsSelectedForRestore", "boolean* pbSelectedForRestore"),
        ("GetAdditionalRestores", "boolean* pbAdditionalRestores"),
        ("GetNewTargetCount", "UINT* pcNewTarget"),
        ("GetNewTarget", "UINT iNewTarget, IVssWMFiledesc** ppFiledesc"),
        ("AddDirectedTarget", "LPCWSTR wszSourcePath, LPCWSTR wszSourceFilename, LPCWSTR wszSourceRangeList, LPCWSTR wszDestinationPath, LPCWSTR wszDestinationFilename, LPCWSTR wszDestinationRangeList"),
        ("GetDirectedTargetCount", "UINT* pcDirectedTarget"),
        ("GetDirectedTarget", "UINT iDirectedTarget, BSTR* pbstrSourcePath, BSTR* pbstrSourceFileName, BSTR* pbstrSourceRangeList, BSTR* pbstrDestinationPath, BSTR* pbstrDestinationFilename, BSTR* pbstrDestinationRangeList"),
        ("SetRestoreMetadata", "LPCWSTR wszRestoreMetadata"),
        ("GetRestoreMetadata", "BSTR* pbstrRestoreMetadata"),
        ("SetRestoreTarget", "VSS_RESTORE_TARGET target"),
        ("GetRestoreTarget", "VSS_RESTORE_TARGET* pTarget"),
        ("SetPreRestoreFailureMsg", "LPCWSTR wszPreRestoreFailureMsg"),
        ("GetPreRestoreFailureMsg", "BSTR* pbstrPreRestoreFailureMsg"),
        ("SetPostRestoreFailureMsg", "LPCWSTR wszPostRestoreFailureMsg"),
        ("GetPostRestoreFailureMsg", "BSTR* pbstrPostRestoreFailureMsg"),
        ("SetBackupStamp", "LPCWSTR wszBackupStamp"),
        ("GetBackupStamp", "BSTR* pbstrBackupStamp"),
        ("GetPreviousBackupStamp", "BSTR* pbstrBackupStamp"),
        ("GetBackupOptions", "BSTR* pbstrBackupOptions"),
        ("GetRestoreOptions", "BSTR* pbstrRestoreOptions"),
        ("GetRestoreSubcomponentCount", "UINT* pcRestoreSubcomponent"),
        ("GetRestoreSubcomponent", "UINT iComponent, BSTR* pbstrLogicalPath, BSTR* pbstrComponentName, boolean* pbRepair"),
        ("GetFileRestoreStatus", "VSS_FILE_RESTORE_STATUS* pStatus"),
        ("AddDifferencedFilesByLastModifyTime", "LPCWSTR wszPath, LPCWSTR wszFilespec, BOOL bRecursive, FILETIME ftLastModifyTime"),
        ("AddDifferencedFilesByLastModifyLSN", "LPCWSTR wszPath, LPCWSTR wszFilespec, BOOL bRecursive, BSTR bstrLsnString"),
        ("GetDifferencedFilesCount", "UINT* pcDifferencedFiles"),
        ("GetDifferencedFile", "UINT iDifferencedFile, BSTR* pbstrPath, BSTR* pbstrFilespec, BOOL* pbRecursive, BSTR* pbstrLsnString, FILETIME* pftLastModifyTime"),
    ];

    private static readonly (string Name, string Params)[] BackupComponentsEx =
    [
        ("GetWriterMetadataEx", "UINT iWriter, VSS_ID* pidInstance, IVssExamineWriterMetadataEx** ppMetadata"),
        ("SetSelectedForRestoreEx", "VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, boolean bSelectedForRestore, VSS_ID instanceId"),
    ];

    private static readonly (string Name, string Params)[] BackupComponentsEx2 =
    [
        ("UnexposeSnapshot", "VSS_ID snapshotId"),
        ("SetAuthoritativeRestore", "VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, boolean bAuth"),
        ("SetRollForward", "VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, VSS_ROLLFORWARD_TYPE rollType, LPCWSTR wszRollForwardPoint"),
        ("SetRestoreName", "VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, LPCWSTR wszRestoreName"),
        ("BreakSnapshotSetEx", "VSS_ID SnapshotSetID, DWORD dwBreakFlags, IVssAsync** ppAsync"),
        ("PreFastRecovery", "VSS_ID SnapshotSetID, DWORD dwPreFastRecoveryFlags, IVssAsync** ppAsync"),
        ("FastRecovery", "VSS_ID SnapshotSetID, DWORD dwFastRecoveryFlags, IVssAsync** ppAsync"),
    ];

    private static readonly (string Name, string Params)[] ExamineWriterMetadataEx =
    [
        ("GetIdentityEx", "VSS_ID* pidInstance, VSS_ID* pidWriter, BSTR* pbstrWriterName, BSTR* pbstrInstanceName, VSS_USAGE_TYPE* pUsage, VSS_SOURCE_TYPE* pSource"),
    ];

    private static readonly (string Name, string Params)[] ExamineWriterMetadataEx2 =
    [
        ("GetVersion", "DWORD* pdwMajorVersion, DWORD* pdwMinorVersion"),
        ("GetExcludeFromSnapshotCount", "UINT* pcExcludedFromSnapshot"),
        ("GetExcludeFromSnapshotFile", "UINT iFile, IVssWMFiledesc** ppFiledesc"),
    ];

    public static TheoryData<string> Interfaces => new()
    {
        nameof(IVssComponent), nameof(IVssBackupComponentsEx), nameof(IVssBackupComponentsEx2), nameof(IVssExamineWriterMetadataEx), nameof(IVssExamineWriterMetadataEx2),
    };

    private static (Type Type, Guid Iid, Type? Base, int FirstSlot, (string Name, string Params)[] Methods) Expected(string name) => name switch
    {
        nameof(IVssComponent) => (typeof(IVssComponent), new Guid("d2c72c96-c121-4518-b627-e5a93d010ead"), null, 3, Component),
        // IVssBackupComponents fills slots 3-50, so Ex starts at 51 and Ex2 at 53.
        nameof(IVssBackupComponentsEx) => (typeof(IVssBackupComponentsEx), new Guid("963f03ad-9e4c-4a34-ac15-e4b6174e5036"), typeof(IVssBackupComponents), 51, BackupComponentsEx),
        nameof(IVssBackupComponentsEx2) => (typeof(IVssBackupComponentsEx2), new Guid("acfe2b3a-22c9-4ef8-bd03-2f9ca230084e"), typeof(IVssBackupComponentsEx), 53, BackupComponentsEx2),
        // IVssExamineWriterMetadata fills slots 3-13.
        nameof(IVssExamineWriterMetadataEx) => (typeof(IVssExamineWriterMetadataEx), new Guid("0c0e5ec0-ca44-472b-b702-e652db1c0451"), typeof(IVssExamineWriterMetadata), 14, ExamineWriterMetadataEx),
        nameof(IVssExamineWriterMetadataEx2) => (typeof(IVssExamineWriterMetadataEx2), new Guid("ce115780-a611-431b-b57f-c38303ab6aee"), typeof(IVssExamineWriterMetadataEx), 15, ExamineWriterMetadataEx2),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>The methods an interface adds, in declaration (= vtable) order. The COM source generator redeclares a
    /// derived interface's inherited methods as <c>new</c> members; those are the base's slots, not new ones.</summary>
    private static MethodInfo[] Declared(Type type)
    {
        var inherited = type.GetInterfaces().SelectMany(b => b.GetMethods()).Select(m => m.Name).ToHashSet();
        return type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !inherited.Contains(m.Name)).OrderBy(m => m.MetadataToken).ToArray();
    }

    private static int ParamCount(string native) => native.Length == 0 ? 0 : native.Split(',').Length;

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void MethodsAreDeclaredInVtableOrderWithTheSdksIid(string name)
    {
        var (type, iid, baseType, firstSlot, methods) = Expected(name);
        Assert.Equal(iid, Guid.Parse(type.GetCustomAttribute<GuidAttribute>()!.Value));
        Assert.Equal(iid, type.GUID);
        var declared = Declared(type);
        Assert.Equal(methods.Select(m => m.Name), declared.Select(m => m.Name));
        for (int i = 0; i < methods.Length; i++)
        {
            Assert.True(declared[i].ReturnType == typeof(int), $"{name}::{declared[i].Name} (slot {firstSlot + i}) must return the HRESULT as int");
            Assert.True(declared[i].MethodImplementationFlags.HasFlag(MethodImplAttributes.PreserveSig), $"{name}::{declared[i].Name} must be [PreserveSig]");
            Assert.True(ParamCount(methods[i].Params) == declared[i].GetParameters().Length,
                $"{name}::{declared[i].Name} (slot {firstSlot + i}) takes {ParamCount(methods[i].Params)} parameters in the SDK ({methods[i].Params}), {declared[i].GetParameters().Length} in C#");
        }
        // The base interface's slots come first: the derived interface extends exactly the one the SDK names.
        var bases = type.GetInterfaces();
        if (baseType is null) Assert.Empty(bases);
        else Assert.Contains(baseType, bases);
        int inherited = bases.Sum(b => Declared(b).Length);
        Assert.Equal(firstSlot, 3 + inherited);
    }

    [Fact]
    public void IVssComponentHas38Methods() => Assert.Equal(38, Declared(typeof(IVssComponent)).Length);

    [Fact]
    public void WriterComponentsHasNoIUnknownInItsFirstVtable()
    {
        // class IVssWriterComponentsExt : public IVssWriterComponents, public IUnknown: the first vtable is the three
        // IVssWriterComponents methods; IUnknown is the second base, one pointer further into the object.
        Assert.Equal(0, IVssWriterComponentsLayout.GetComponentCount);
        Assert.Equal(1, IVssWriterComponentsLayout.GetWriterInfo);
        Assert.Equal(2, IVssWriterComponentsLayout.GetComponent);
        Assert.Equal(3, IVssWriterComponentsLayout.FirstVtableSlots);
        Assert.Equal((nint)0x1000 + IntPtr.Size, IVssWriterComponentsLayout.Unknown(0x1000));
    }
}
