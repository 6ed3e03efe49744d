// Interface pointers come back as raw nint: the binding wraps each with its own ComWrappers so every
// call goes through the vtable and every reference is released exactly once.
// Declared by hand in the order of contract/vss-abi.json (the Windows SDK's vsbackup.h / vss.h order), which AbiTests checks slot by slot; edit both together.
// A skipped method shifts every later vtable slot, so every method is declared, used or not.
using System;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Com;

/// <summary>The requester's component object (vsbackup.h). Release of the last reference is VSS's termination path:
/// writers get BackupShutdown and auto-release snapshots end.</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("665c1d5f-c218-414d-a05d-7fef5f9d5c86")]
public unsafe partial interface IVssBackupComponents
{
    // slot 3: HRESULT GetWriterComponentsCount(UINT* pcComponents)
    [PreserveSig] int GetWriterComponentsCount(out uint pcComponents);

    // slot 4: HRESULT GetWriterComponents(UINT iWriter, IVssWriterComponentsExt** ppWriter)
    [PreserveSig] int GetWriterComponents(uint iWriter, out nint ppWriter);

    // slot 5: HRESULT InitializeForBackup(BSTR bstrXML /* optional, NULL */)
    [PreserveSig] int InitializeForBackup([MarshalAs(UnmanagedType.BStr)] string? bstrXML);

    // slot 6: HRESULT SetBackupState(BOOL bSelectComponents, BOOL bBackupBootableSystemState, VSS_BACKUP_TYPE backupType, BOOL bPartialFileSupport)
    [PreserveSig] int SetBackupState([MarshalAs(UnmanagedType.U1)] bool bSelectComponents, [MarshalAs(UnmanagedType.U1)] bool bBackupBootableSystemState, VssBackupType backupType, [MarshalAs(UnmanagedType.U1)] bool bPartialFileSupport);

    // slot 7: HRESULT InitializeForRestore(BSTR bstrXML)
    [PreserveSig] int InitializeForRestore([MarshalAs(UnmanagedType.BStr)] string? bstrXML);

    // slot 8: HRESULT SetRestoreState(VSS_RESTORE_TYPE restoreType)
    [PreserveSig] int SetRestoreState(VssRestoreType restoreType);

    // slot 9: HRESULT GatherWriterMetadata(IVssAsync** pAsync)
    [PreserveSig] int GatherWriterMetadata(out nint pAsync);

    // slot 10: HRESULT GetWriterMetadataCount(UINT* pcWriters)
    [PreserveSig] int GetWriterMetadataCount(out uint pcWriters);

    // slot 11: HRESULT GetWriterMetadata(UINT iWriter, VSS_ID* pidInstance, IVssExamineWriterMetadata** ppMetadata)
    [PreserveSig] int GetWriterMetadata(uint iWriter, out Guid pidInstance, out nint ppMetadata);

    // slot 12: HRESULT FreeWriterMetadata()
    [PreserveSig] int FreeWriterMetadata();

    // slot 13: HRESULT AddComponent(VSS_ID instanceId, VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName)
    [PreserveSig] int AddComponent(Guid instanceId, Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName);

    // slot 14: HRESULT PrepareForBackup(IVssAsync** ppAsync)
    [PreserveSig] int PrepareForBackup(out nint ppAsync);

    // slot 15: HRESULT AbortBackup()
    [PreserveSig] int AbortBackup();

    // slot 16: HRESULT GatherWriterStatus(IVssAsync** pAsync)
    [PreserveSig] int GatherWriterStatus(out nint pAsync);

    // slot 17: HRESULT GetWriterStatusCount(UINT* pcWriters)
    [PreserveSig] int GetWriterStatusCount(out uint pcWriters);

    // slot 18: HRESULT FreeWriterStatus()
    [PreserveSig] int FreeWriterStatus();

    // slot 19: HRESULT GetWriterStatus(UINT iWriter, VSS_ID* pidInstance, VSS_ID* pidWriter, BSTR* pbstrWriter, VSS_WRITER_STATE* pnStatus, HRESULT* phResultFailure)
    [PreserveSig] int GetWriterStatus(uint iWriter, out Guid pidInstance, out Guid pidWriter, [MarshalAs(UnmanagedType.BStr)] out string? pbstrWriter, out VssWriterState pnStatus, out int phResultFailure);

    // slot 20: HRESULT SetBackupSucceeded(VSS_ID instanceId, VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, BOOL bSucceded)
    [PreserveSig] int SetBackupSucceeded(Guid instanceId, Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, [MarshalAs(UnmanagedType.U1)] bool bSucceded);

    // slot 21: HRESULT SetBackupOptions(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, LPCWSTR wszBackupOptions)
    [PreserveSig] int SetBackupOptions(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, string? wszBackupOptions);

    // slot 22: HRESULT SetSelectedForRestore(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, BOOL bSelectedForRestore)
    [PreserveSig] int SetSelectedForRestore(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, [MarshalAs(UnmanagedType.U1)] bool bSelectedForRestore);

    // slot 23: HRESULT SetRestoreOptions(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, LPCWSTR wszRestoreOptions)
    [PreserveSig] int SetRestoreOptions(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, string? wszRestoreOptions);

    // slot 24: HRESULT SetAdditionalRestores(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, BOOL bAdditionalRestores)
    [PreserveSig] int SetAdditionalRestores(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, [MarshalAs(UnmanagedType.U1)] bool bAdditionalRestores);

    // slot 25: HRESULT SetPreviousBackupStamp(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, LPCWSTR wszPreviousBackupStamp)
    [PreserveSig] int SetPreviousBackupStamp(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, string? wszPreviousBackupStamp);

    // slot 26: HRESULT SaveAsXML(BSTR* pbstrXML /* out */)
    [PreserveSig] int SaveAsXML([MarshalAs(UnmanagedType.BStr)] out string? pbstrXML);

    // slot 27: HRESULT BackupComplete(IVssAsync** ppAsync)
    [PreserveSig] int BackupComplete(out nint ppAsync);

    // slot 28: HRESULT AddAlternativeLocationMapping(VSS_ID writerId, VSS_COMPONENT_TYPE componentType, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, LPCWSTR wszPath, LPCWSTR wszFilespec, BOOL bRecursive, LPCWSTR wszDestination)
    [PreserveSig] int AddAlternativeLocationMapping(Guid writerId, VssComponentType componentType, string? wszLogicalPath, string? wszComponentName, string? wszPath, string? wszFilespec, [MarshalAs(UnmanagedType.U1)] bool bRecursive, string? wszDestination);

    // slot 29: HRESULT AddRestoreSubcomponent(VSS_ID writerId, VSS_COMPONENT_TYPE componentType, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, LPCWSTR wszSubComponentLogicalPath, LPCWSTR wszSubComponentName, BOOL bRepair)
    [PreserveSig] int AddRestoreSubcomponent(Guid writerId, VssComponentType componentType, string? wszLogicalPath, string? wszComponentName, string? wszSubComponentLogicalPath, string? wszSubComponentName, [MarshalAs(UnmanagedType.U1)] bool bRepair);

    // slot 30: HRESULT SetFileRestoreStatus(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, VSS_FILE_RESTORE_STATUS status)
    [PreserveSig] int SetFileRestoreStatus(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, int status);

    // slot 31: HRESULT AddNewTarget(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, LPCWSTR wszPath, LPCWSTR wszFileName, BOOL bRecursive, LPCWSTR wszAlternatePath)
    [PreserveSig] int AddNewTarget(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, string? wszPath, string? wszFileName, [MarshalAs(UnmanagedType.U1)] bool bRecursive, string? wszAlternatePath);

    // slot 32: HRESULT SetRangesFilePath(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, UINT iPartialFile, LPCWSTR wszRangesFile)
    [PreserveSig] int SetRangesFilePath(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, uint iPartialFile, string? wszRangesFile);

    // slot 33: HRESULT PreRestore(IVssAsync** ppAsync)
    [PreserveSig] int PreRestore(out nint ppAsync);

    // slot 34: HRESULT PostRestore(IVssAsync** ppAsync)
    [PreserveSig] int PostRestore(out nint ppAsync);

    // slot 35: HRESULT SetContext(LONG lContext)
    [PreserveSig] int SetContext(int lContext);

    // slot 36: HRESULT StartSnapshotSet(VSS_ID* pSnapshotSetId)
    [PreserveSig] int StartSnapshotSet(out Guid pSnapshotSetId);

    // slot 37: HRESULT AddToSnapshotSet(VSS_PWSZ pwszVolumeName, VSS_ID ProviderId, VSS_ID* pidSnapshot)
    [PreserveSig] int AddToSnapshotSet(string? pwszVolumeName, Guid ProviderId, out Guid pidSnapshot);

    // slot 38: HRESULT DoSnapshotSet(IVssAsync** ppAsync)
    [PreserveSig] int DoSnapshotSet(out nint ppAsync);

    // slot 39: HRESULT DeleteSnapshots(VSS_ID SourceObjectId, VSS_OBJECT_TYPE eSourceObjectType, BOOL bForceDelete, LONG* plDeletedSnapshots, VSS_ID* pNondeletedSnapshotID)
    [PreserveSig] int DeleteSnapshots(Guid SourceObjectId, VssObjectType eSourceObjectType, [MarshalAs(UnmanagedType.Bool)] bool bForceDelete, out int plDeletedSnapshots, out Guid pNondeletedSnapshotID);

    // slot 40: HRESULT ImportSnapshots(IVssAsync** ppAsync)
    [PreserveSig] int ImportSnapshots(out nint ppAsync);

    // slot 41: HRESULT BreakSnapshotSet(VSS_ID SnapshotSetId)
    [PreserveSig] int BreakSnapshotSet(Guid SnapshotSetId);

    // slot 42: HRESULT GetSnapshotProperties(VSS_ID SnapshotId, VSS_SNAPSHOT_PROP* pProp)
    [PreserveSig] int GetSnapshotProperties(Guid SnapshotId, VssSnapshotProp* pProp);

    // slot 43: HRESULT Query(VSS_ID QueriedObjectId, VSS_OBJECT_TYPE eQueriedObjectType, VSS_OBJECT_TYPE eReturnedObjectsType, IVssEnumObject** ppEnum)
    [PreserveSig] int Query(Guid QueriedObjectId, VssObjectType eQueriedObjectType, VssObjectType eReturnedObjectsType, out nint ppEnum);

    // slot 44: HRESULT IsVolumeSupported(VSS_ID ProviderId, VSS_PWSZ pwszVolumeName, BOOL* pbSupportedByThisProvider)
    [PreserveSig] int IsVolumeSupported(Guid ProviderId, string? pwszVolumeName, [MarshalAs(UnmanagedType.Bool)] out bool pbSupportedByThisProvider);

    // slot 45: HRESULT DisableWriterClasses(const VSS_ID* rgWriterClassId, UINT cClassId)
    [PreserveSig] int DisableWriterClasses(Guid* rgWriterClassId, uint cClassId);

    // slot 46: HRESULT EnableWriterClasses(const VSS_ID* rgWriterClassId, UINT cClassId)
    [PreserveSig] int EnableWriterClasses(Guid* rgWriterClassId, uint cClassId);

    // slot 47: HRESULT DisableWriterInstances(const VSS_ID* rgWriterInstanceId, UINT cInstanceId)
    [PreserveSig] int DisableWriterInstances(Guid* rgWriterInstanceId, uint cInstanceId);

    // slot 48: HRESULT ExposeSnapshot(VSS_ID SnapshotId, VSS_PWSZ wszPathFromRoot, LONG lAttributes, VSS_PWSZ wszExpose, VSS_PWSZ* pwszExposed)
    [PreserveSig] int ExposeSnapshot(Guid SnapshotId, string? wszPathFromRoot, int lAttributes, string? wszExpose, out nint pwszExposed);

    // slot 49: HRESULT RevertToSnapshot(VSS_ID SnapshotId, BOOL bForceDismount)
    [PreserveSig] int RevertToSnapshot(Guid SnapshotId, [MarshalAs(UnmanagedType.Bool)] bool bForceDismount);

    // slot 50: HRESULT QueryRevertStatus(VSS_PWSZ pwszVolume, IVssAsync** ppAsync)
    [PreserveSig] int QueryRevertStatus(string? pwszVolume, out nint ppAsync);
}
