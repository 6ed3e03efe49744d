using System.Text.Json;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>One writer's components in the Backup Components Document, as the emulated service reports them.</summary>
public sealed record WriterComponentsRecord(Guid InstanceId, Guid WriterId, List<DocumentComponentRecord> Components)
{
    public static WriterComponentsRecord FromJson(JsonElement json)
    {
        JsonElement? e = json;
        return new(e.Property("instanceId").Guid(), e.Property("writerId").Guid(), e.Property("components").List(DocumentComponentRecord.FromJson));
    }
}

/// <summary>One component the requester added (AddComponent), with what the backup recorded for it.</summary>
public sealed record DocumentComponentRecord(
    string Name, string? LogicalPath, int ComponentType, bool? BackupSucceeded, string? BackupStamp,
    string? PreviousBackupStamp, string? BackupOptions)
{
    public static DocumentComponentRecord FromJson(JsonElement json)
    {
        JsonElement? e = json;
        return new(e.Property("name").String()!, e.Property("logicalPath").String(), e.Property("componentType").Int(),
            e.Property("backupSucceeded").NullableBool(), e.Property("backupStamp").String(), e.Property("previousBackupStamp").String(),
            e.Property("backupOptions").String());
    }
}

/// <summary>
/// The emulator's IVssWriterComponentsExt, laid out as vssapi.dll lays it out (see IVssWriterComponentsLayout): a
/// first vtable of GetComponentCount, GetWriterInfo, GetComponent with no IUnknown, and an IUnknown vtable one pointer
/// further in. The COM source generator makes only IUnknown-first objects, so this one is built by hand:
/// [vtable 1][vtable 2][GCHandle of this object], freed when the count reaches zero.
/// </summary>
public sealed unsafe class EmulatedWriterComponents
{
    private static readonly nint* s_first = MakeFirstVtable();
    private static readonly nint* s_unknown = MakeUnknownVtable();
    private static readonly Guid IID_IUnknown = new("00000000-0000-0000-C000-000000000046");

    private readonly WriterComponentsRecord _writer;
    private int _references = 1;
    private nint _native;

    private EmulatedWriterComponents(WriterComponentsRecord writer) => _writer = writer;

    /// <summary>A new object with one reference, owned by the caller.</summary>
    public static nint Create(WriterComponentsRecord writer)
    {
        var self = new EmulatedWriterComponents(writer);
        var block = (nint*)NativeMemory.AllocZeroed((nuint)(3 * sizeof(nint)));
        block[0] = (nint)s_first;
        block[1] = (nint)s_unknown;
        block[2] = GCHandle.ToIntPtr(GCHandle.Alloc(self));
        self._native = (nint)block;
        return (nint)block;
    }

    private static nint* MakeFirstVtable()
    {
        var vtable = (nint*)NativeMemory.Alloc((nuint)(IVssWriterComponentsLayout.FirstVtableSlots * sizeof(nint)));
        vtable[IVssWriterComponentsLayout.GetComponentCount] = (nint)(delegate* unmanaged[MemberFunction]<nint, uint*, int>)&GetComponentCount;
        vtable[IVssWriterComponentsLayout.GetWriterInfo] = (nint)(delegate* unmanaged[MemberFunction]<nint, Guid*, Guid*, int>)&GetWriterInfo;
        vtable[IVssWriterComponentsLayout.GetComponent] = (nint)(delegate* unmanaged[MemberFunction]<nint, uint, nint*, int>)&GetComponent;
        return vtable;
    }

    private static nint* MakeUnknownVtable()
    {
        var vtable = (nint*)NativeMemory.Alloc((nuint)(3 * sizeof(nint)));
        vtable[0] = (nint)(delegate* unmanaged[MemberFunction]<nint, Guid*, nint*, int>)&QueryInterface;
        vtable[1] = (nint)(delegate* unmanaged[MemberFunction]<nint, uint>)&AddRef;
        vtable[2] = (nint)(delegate* unmanaged[MemberFunction]<nint, uint>)&Release;
        return vtable;
    }

    private static EmulatedWriterComponents FromFirst(nint self) => (EmulatedWriterComponents)GCHandle.FromIntPtr(((nint*)self)[2]).Target!;

    private static EmulatedWriterComponents FromUnknown(nint self) => FromFirst(self - sizeof(nint));

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvMemberFunction)])]
    private static int GetComponentCount(nint self, uint* count)
    {
        if (count is null) return VssErrors.E_INVALIDARG;
        *count = (uint)FromFirst(self)._writer.Components.Count;
        return VssErrors.S_OK;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvMemberFunction)])]
    private static int GetWriterInfo(nint self, Guid* instanceId, Guid* writerId)
    {
        if (instanceId is null || writerId is null) return VssErrors.E_INVALIDARG;
        var writer = FromFirst(self)._writer;
        (*instanceId, *writerId) = (writer.InstanceId, writer.WriterId);
        return VssErrors.S_OK;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvMemberFunction)])]
    private static int GetComponent(nint self, uint index, nint* component)
    {
        if (component is null) return VssErrors.E_INVALIDARG;
        *component = 0;
        var components = FromFirst(self)._writer.Components;
        if (index >= components.Count)
        {
            EmulatedVss.LastFault = $"IVssWriterComponents::GetComponent: index {index} is out of range; the writer has {components.Count} components in the document";
            return VssErrors.E_INVALIDARG;
        }
        try
        {
            *component = EmulatorComWrappers.Instance.GetInterface<IVssComponent>(new EmulatedComponent(components[(int)index]));
            return VssErrors.S_OK;
        }
        catch (Exception e)
        {
            EmulatedVss.LastFault = e.Message;
            return VssErrors.E_UNEXPECTED;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvMemberFunction)])]
    private static int QueryInterface(nint self, Guid* iid, nint* result)
    {
        if (result is null) return VssErrors.E_INVALIDARG;
        *result = 0;
        if (*iid != IID_IUnknown) return VssErrors.E_NOINTERFACE;
        Interlocked.Increment(ref FromUnknown(self)._references);
        *result = self;
        return VssErrors.S_OK;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvMemberFunction)])]
    private static uint AddRef(nint self) => (uint)Interlocked.Increment(ref FromUnknown(self)._references);

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvMemberFunction)])]
    private static uint Release(nint self)
    {
        var target = FromUnknown(self);
        int remaining = Interlocked.Decrement(ref target._references);
        if (remaining == 0)
        {
            var block = (nint*)target._native;
            GCHandle.FromIntPtr(block[2]).Free();
            NativeMemory.Free(block);
            Interlocked.Increment(ref s_freed);
        }
        return (uint)Math.Max(remaining, 0);
    }

    private static int s_freed;

    /// <summary>How many of these objects have been freed (their count reached zero): lets tests prove each
    /// reference handed out was released exactly once.</summary>
    public static int Freed => Volatile.Read(ref s_freed);
}

/// <summary>
/// The emulator's IVssComponent: what the Backup Components Document holds for one component after a backup. The
/// requester reads it; the writer-side setters (backup metadata, stamps, partial and differenced files, restore
/// targets) belong to the writer, so a requester calling them gets VSS_E_BAD_STATE, as from VSS.
/// </summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedComponent(DocumentComponentRecord component) : IVssComponent
{
    private const string Itf = "IVssComponent::";

    private static int WriterOnly(string method)
    {
        EmulatedVss.LastFault = $"{Itf}{method} is a writer's call; a requester reads the component and cannot change it";
        return VssErrors.VSS_E_BAD_STATE;
    }

    private static int None(string method, uint index)
    {
        EmulatedVss.LastFault = $"{Itf}{method}: index {index} is out of range; the emulated component has none";
        return VssErrors.E_INVALIDARG;
    }

    /// <summary>S_FALSE when the document holds no value, as VSS answers for an absent string.</summary>
    private static int Text(string? value, out string? result)
    {
        result = value;
        return value is null ? VssErrors.S_FALSE : VssErrors.S_OK;
    }

    public int GetLogicalPath(out string? pbstrPath) => Text(component.LogicalPath, out pbstrPath);

    public int GetComponentType(out VssComponentType pct)
    {
        pct = (VssComponentType)component.ComponentType;
        return VssErrors.S_OK;
    }

    public int GetComponentName(out string? pbstrName) => Text(component.Name, out pbstrName);

    public int GetBackupSucceeded(out byte pbSucceeded)
    {
        pbSucceeded = component.BackupSucceeded == true ? (byte)1 : (byte)0;
        return VssErrors.S_OK;
    }

    public int GetAlternateLocationMappingCount(out uint pcMappings)
    {
        pcMappings = 0;
        return VssErrors.S_OK;
    }

    public int GetAlternateLocationMapping(uint iMapping, out nint ppFiledesc)
    {
        ppFiledesc = 0;
        return None(nameof(GetAlternateLocationMapping), iMapping);
    }

    public int SetBackupMetadata(string? wszData) => WriterOnly(nameof(SetBackupMetadata));

    public int GetBackupMetadata(out string? pbstrData) => Text(null, out pbstrData);

    public int AddPartialFile(string? wszPath, string? wszFilename, string? wszRanges, string? wszMetadata) => WriterOnly(nameof(AddPartialFile));

    public int GetPartialFileCount(out uint pcPartialFiles)
    {
        pcPartialFiles = 0;
        return VssErrors.S_OK;
    }

    public int GetPartialFile(uint iPartialFile, out string? pbstrPath, out string? pbstrFilename, out string? pbstrRange, out string? pbstrMetadata)
    {
        (pbstrPath, pbstrFilename, pbstrRange, pbstrMetadata) = (null, null, null, null);
        return None(nameof(GetPartialFile), iPartialFile);
    }

    public int IsSelectedForRestore(out byte pbSelectedForRestore)
    {
        pbSelectedForRestore = 0;
        return VssErrors.S_OK;
    }

    public int GetAdditionalRestores(out byte pbAdditionalRestores)
    {
        pbAdditionalRestores = 0;
        return VssErrors.S_OK;
    }

    public int GetNewTargetCount(out uint pcNewTarget)
    {
        pcNewTarget = 0;
        return VssErrors.S_OK;
    }

    public int GetNewTarget(uint iNewTarget, out nint ppFiledesc)
    {
        ppFiledesc = 0;
        return None(nameof(GetNewTarget), iNewTarget);
    }

    public int AddDirectedTarget(string? wszSourcePath, string? wszSourceFilename, string? wszSourceRangeList, string? wszDestinationPath, string? wszDestinationFilename, string? wszDestinationRangeList) =>
        WriterOnly(nameof(AddDirectedTarget));

    public int GetDirectedTargetCount(out uint pcDirectedTarget)
    {
        pcDirectedTarget = 0;
        return VssErrors.S_OK;
    }

    public int GetDirectedTarget(uint iDirectedTarget, out string? pbstrSourcePath, out string? pbstrSourceFileName, out string? pbstrSourceRangeList, out string? pbstrDestinationPath, out string? pbstrDestinationFilename, out string? pbstrDestinationRangeList)
    {
        (pbstrSourcePath, pbstrSourceFileName, pbstrSourceRangeList, pbstrDestinationPath, pbstrDestinationFilename, pbstrDestinationRangeList) = (null, null, null, null, null, null);
        return None(nameof(GetDirectedTarget), iDirectedTarget);
    }

    public int SetRestoreMetadata(string? wszRestoreMetadata) => WriterOnly(nameof(SetRestoreMetadata));

    public int GetRestoreMetadata(out string? pbstrRestoreMetadata) => Text(null, out pbstrRestoreMetadata);

    public int SetRestoreTarget(int target) => WriterOnly(nameof(SetRestoreTarget));

    public int GetRestoreTarget(out int pTarget)
    {
        pTarget = 1; // VSS_RT_ORIGINAL: nothing was restored, the target is the original location
        return VssErrors.S_OK;
    }

    public int SetPreRestoreFailureMsg(string? wszPreRestoreFailureMsg) => WriterOnly(nameof(SetPreRestoreFailureMsg));

    public int GetPreRestoreFailureMsg(out string? pbstrPreRestoreFailureMsg) => Text(null, out pbstrPreRestoreFailureMsg);

    public int SetPostRestoreFailureMsg(string? wszPostRestoreFailureMsg) => WriterOnly(nameof(SetPostRestoreFailureMsg));

    public int GetPostRestoreFailureMsg(out string? pbstrPostRestoreFailureMsg) => Text(null, out pbstrPostRestoreFailureMsg);

    public int SetBackupStamp(string? wszBackupStamp) => WriterOnly(nameof(SetBackupStamp));

    public int GetBackupStamp(out string? pbstrBackupStamp) => Text(component.BackupStamp, out pbstrBackupStamp);

    public int GetPreviousBackupStamp(out string? pbstrBackupStamp) => Text(component.PreviousBackupStamp, out pbstrBackupStamp);

    public int GetBackupOptions(out string? pbstrBackupOptions) => Text(component.BackupOptions, out pbstrBackupOptions);

    public int GetRestoreOptions(out string? pbstrRestoreOptions) => Text(null, out pbstrRestoreOptions);

    public int GetRestoreSubcomponentCount(out uint pcRestoreSubcomponent)
    {
        pcRestoreSubcomponent = 0;
        return VssErrors.S_OK;
    }

    public int GetRestoreSubcomponent(uint iComponent, out string? pbstrLogicalPath, out string? pbstrComponentName, out byte pbRepair)
    {
        (pbstrLogicalPath, pbstrComponentName, pbRepair) = (null, null, 0);
        return None(nameof(GetRestoreSubcomponent), iComponent);
    }

    public int GetFileRestoreStatus(out int pStatus)
    {
        pStatus = 0; // VSS_RS_UNDEFINED: nothing was restored
        return VssErrors.S_OK;
    }

    public int AddDifferencedFilesByLastModifyTime(string? wszPath, string? wszFilespec, bool bRecursive, long ftLastModifyTime) => WriterOnly(nameof(AddDifferencedFilesByLastModifyTime));

    public int AddDifferencedFilesByLastModifyLSN(string? wszPath, string? wszFilespec, bool bRecursive, string? bstrLsnString) => WriterOnly(nameof(AddDifferencedFilesByLastModifyLSN));

    public int GetDifferencedFilesCount(out uint pcDifferencedFiles)
    {
        pcDifferencedFiles = 0;
        return VssErrors.S_OK;
    }

    public int GetDifferencedFile(uint iDifferencedFile, out string? pbstrPath, out string? pbstrFilespec, out bool pbRecursive, out string? pbstrLsnString, out long pftLastModifyTime)
    {
        (pbstrPath, pbstrFilespec, pbRecursive, pbstrLsnString, pftLastModifyTime) = (null, null, false, null, 0);
        return None(nameof(GetDifferencedFile), iDifferencedFile);
    }
}
