// The Windows SDK's vsbackup.h order, checked against mingw-w64 (mingw-w64-headers/include/vsbackup.idl):
// IVssBackupComponentsEx : IVssBackupComponents (2 methods, slots 51-52) and IVssBackupComponentsEx2 :
// IVssBackupComponentsEx (7 methods, slots 53-59). Not in contract/vss-abi.json: ComponentAbiTests holds the order.
// VssSession needs Ex2 for UnexposeSnapshot (Dismount-VssSnapshot); every method is declared so every slot is right.
using System;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Com;

/// <summary>vsbackup.h's IVssBackupComponentsEx (Windows Server 2003 SP1 and later).</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("963f03ad-9e4c-4a34-ac15-e4b6174e5036")]
public unsafe partial interface IVssBackupComponentsEx : IVssBackupComponents
{
    // slot 51: HRESULT GetWriterMetadataEx(UINT iWriter, VSS_ID* pidInstance, IVssExamineWriterMetadataEx** ppMetadata)
    [PreserveSig] int GetWriterMetadataEx(uint iWriter, out Guid pidInstance, out nint ppMetadata);

    // slot 52: HRESULT SetSelectedForRestoreEx(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, boolean bSelectedForRestore, VSS_ID instanceId)
    [PreserveSig] int SetSelectedForRestoreEx(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, byte bSelectedForRestore, Guid instanceId);
}

/// <summary>vsbackup.h's IVssBackupComponentsEx2 (Windows Vista / Server 2008 and later).</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("acfe2b3a-22c9-4ef8-bd03-2f9ca230084e")]
public unsafe partial interface IVssBackupComponentsEx2 : IVssBackupComponentsEx
{
    // slot 53: HRESULT UnexposeSnapshot(VSS_ID snapshotId)
    [PreserveSig] int UnexposeSnapshot(Guid snapshotId);

    // slot 54: HRESULT SetAuthoritativeRestore(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, boolean bAuth)
    [PreserveSig] int SetAuthoritativeRestore(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, byte bAuth);

    // slot 55: HRESULT SetRollForward(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, VSS_ROLLFORWARD_TYPE rollType, LPCWSTR wszRollForwardPoint)
    [PreserveSig] int SetRollForward(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, int rollType, string? wszRollForwardPoint);

    // slot 56: HRESULT SetRestoreName(VSS_ID writerId, VSS_COMPONENT_TYPE ct, LPCWSTR wszLogicalPath, LPCWSTR wszComponentName, LPCWSTR wszRestoreName)
    [PreserveSig] int SetRestoreName(Guid writerId, VssComponentType ct, string? wszLogicalPath, string? wszComponentName, string? wszRestoreName);

    // slot 57: HRESULT BreakSnapshotSetEx(VSS_ID SnapshotSetID, DWORD dwBreakFlags, IVssAsync** ppAsync)
    [PreserveSig] int BreakSnapshotSetEx(Guid SnapshotSetID, uint dwBreakFlags, out nint ppAsync);

    // slot 58: HRESULT PreFastRecovery(VSS_ID SnapshotSetID, DWORD dwPreFastRecoveryFlags, IVssAsync** ppAsync)
    [PreserveSig] int PreFastRecovery(Guid SnapshotSetID, uint dwPreFastRecoveryFlags, out nint ppAsync);

    // slot 59: HRESULT FastRecovery(VSS_ID SnapshotSetID, DWORD dwFastRecoveryFlags, IVssAsync** ppAsync)
    [PreserveSig] int FastRecovery(Guid SnapshotSetID, uint dwFastRecoveryFlags, out nint ppAsync);
}
