// The Windows SDK's vswriter.h order (class __declspec(uuid("d2c72c96-c121-4518-b627-e5a93d010ead")) IVssComponent :
// public IUnknown, 38 methods), checked against mingw-w64 (mingw-w64-headers/include/vswriter.idl). Not in
// contract/vss-abi.json: ComponentAbiTests holds the expected order.
// A skipped method shifts every later vtable slot, so every method is declared, used or not.
using System;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Com;

/// <summary>One component of the Backup Components Document as a requester reads it after a backup
/// (IVssBackupComponents::GetWriterComponents → IVssWriterComponents::GetComponent): whether it was backed up,
/// the writer's backup stamp for the next incremental or differential backup, the options sent to the writer.</summary>
/// <remarks>boolean (1 byte) is declared as byte; BOOL (4 bytes) as a marshalled bool; FILETIME by value as long.</remarks>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("d2c72c96-c121-4518-b627-e5a93d010ead")]
public unsafe partial interface IVssComponent
{
    // slot 3: HRESULT GetLogicalPath(BSTR* pbstrPath)
    [PreserveSig] int GetLogicalPath([MarshalAs(UnmanagedType.BStr)] out string? pbstrPath);

    // slot 4: HRESULT GetComponentType(VSS_COMPONENT_TYPE* pct)
    [PreserveSig] int GetComponentType(out VssComponentType pct);

    // slot 5: HRESULT GetComponentName(BSTR* pbstrName)
    [PreserveSig] int GetComponentName([MarshalAs(UnmanagedType.BStr)] out string? pbstrName);

    // slot 6: HRESULT GetBackupSucceeded(boolean* pbSucceeded)
    [PreserveSig] int GetBackupSucceeded(out byte pbSucceeded);

    // slot 7: HRESULT GetAlternateLocationMappingCount(UINT* pcMappings)
    [PreserveSig] int GetAlternateLocationMappingCount(out uint pcMappings);

    // slot 8: HRESULT GetAlternateLocationMapping(UINT iMapping, IVssWMFiledesc** ppFiledesc)
    [PreserveSig] int GetAlternateLocationMapping(uint iMapping, out nint ppFiledesc);

    // slot 9: HRESULT SetBackupMetadata(LPCWSTR wszData)
    [PreserveSig] int SetBackupMetadata(string? wszData);

    // slot 10: HRESULT GetBackupMetadata(BSTR* pbstrData)
    [PreserveSig] int GetBackupMetadata([MarshalAs(UnmanagedType.BStr)] out string? pbstrData);

    // slot 11: HRESULT AddPartialFile(LPCWSTR wszPath, LPCWSTR wszFilename, LPCWSTR wszRanges, LPCWSTR wszMetadata)
    [PreserveSig] int AddPartialFile(string? wszPath, string? wszFilename, string? wszRanges, string? wszMetadata);

    // slot 12: HRESULT GetPartialFileCount(UINT* pcPartialFiles)
    [PreserveSig] int GetPartialFileCount(out uint pcPartialFiles);

    // slot 13: HRESULT GetPartialFile(UINT iPartialFile, BSTR* pbstrPath, BSTR* pbstrFilename, BSTR* pbstrRange, BSTR* pbstrMetadata)
    [PreserveSig] int GetPartialFile(uint iPartialFile, [MarshalAs(UnmanagedType.BStr)] out string? pbstrPath, [MarshalAs(UnmanagedType.BStr)] out string? pbstrFilename, [MarshalAs(UnmanagedType.BStr)] out string? pbstrRange, [MarshalAs(UnmanagedType.BStr)] out string? pbstrMetadata);

    // slot 14: HRESULT IsSelectedForRestore(boolean* pbSelectedForRestore)
    [PreserveSig] int IsSelectedForRestore(out byte pbSelectedForRestore);

    // slot 15: HRESULT GetAdditionalRestores(boolean* pbAdditionalRestores)
    [PreserveSig] int GetAdditionalRestores(out byte pbAdditionalRestores);

    // slot 16: HRESULT GetNewTargetCount(UINT* pcNewTarget)
    [PreserveSig] int GetNewTargetCount(out uint pcNewTarget);

    // slot 17: HRESULT GetNewTarget(UINT iNewTarget, IVssWMFiledesc** ppFiledesc)
    [PreserveSig] int GetNewTarget(uint iNewTarget, out nint ppFiledesc);

    // slot 18: HRESULT AddDirectedTarget(LPCWSTR wszSourcePath, LPCWSTR wszSourceFilename, LPCWSTR wszSourceRangeList, LPCWSTR wszDestinationPath, LPCWSTR wszDestinationFilename, LPCWSTR wszDestinationRangeList)
    [PreserveSig] int AddDirectedTarget(string? wszSourcePath, string? wszSourceFilename, string? wszSourceRangeList, string? wszDestinationPath, string? wszDestinationFilename, string? wszDestinationRangeList);

    // slot 19: HRESULT GetDirectedTargetCount(UINT* pcDirectedTarget)
    [PreserveSig] int GetDirectedTargetCount(out uint pcDirectedTarget);

    // slot 20: HRESULT GetDirectedTarget(UINT iDirectedTarget, BSTR* pbstrSourcePath, BSTR* pbstrSourceFileName, BSTR* pbstrSourceRangeList, BSTR* pbstrDestinationPath, BSTR* pbstrDestinationFilename, BSTR* pbstrDestinationRangeList)
    [PreserveSig] int GetDirectedTarget(uint iDirectedTarget, [MarshalAs(UnmanagedType.BStr)] out string? pbstrSourcePath, [MarshalAs(UnmanagedType.BStr)] out string? pbstrSourceFileName, [MarshalAs(UnmanagedType.BStr)] out string? pbstrSourceRangeList, [MarshalAs(UnmanagedType.BStr)] out string? pbstrDestinationPath, [MarshalAs(UnmanagedType.BStr)] out string? pbstrDestinationFilename, [MarshalAs(UnmanagedType.BStr)] out string? pbstrDestinationRangeList);

    // slot 21: HRESULT SetRestoreMetadata(LPCWSTR wszRestoreMetadata)
    [PreserveSig] int SetRestoreMetadata(string? wszRestoreMetadata);

    // slot 22: HRESULT GetRestoreMetadata(BSTR* pbstrRestoreMetadata)
    [PreserveSig] int GetRestoreMetadata([MarshalAs(UnmanagedType.BStr)] out string? pbstrRestoreMetadata);

    // slot 23: HRESULT SetRestoreTarget(VSS_RESTORE_TARGET target)
    [PreserveSig] int SetRestoreTarget(int target);

    // slot 24: HRESULT GetRestoreTarget(VSS_RESTORE_TARGET* pTarget)
    [PreserveSig] int GetRestoreTarget(out int pTarget);

    // slot 25: HRESULT SetPreRestoreFailureMsg(LPCWSTR wszPreRestoreFailureMsg)
    [PreserveSig] int SetPreRestoreFailureMsg(string? wszPreRestoreFailureMsg);

    // slot 26: HRESULT GetPreRestoreFailureMsg(BSTR* pbstrPreRestoreFailureMsg)
    [PreserveSig] int GetPreRestoreFailureMsg([MarshalAs(UnmanagedType.BStr)] out string? pbstrPreRestoreFailureMsg);

    // slot 27: HRESULT SetPostRestoreFailureMsg(LPCWSTR wszPostRestoreFailureMsg)
    [PreserveSig] int SetPostRestoreFailureMsg(string? wszPostRestoreFailureMsg);

    // slot 28: HRESULT GetPostRestoreFailureMsg(BSTR* pbstrPostRestoreFailureMsg)
    [PreserveSig] int GetPostRestoreFailureMsg([MarshalAs(UnmanagedType.BStr)] out string? pbstrPostRestoreFailureMsg);

    // slot 29: HRESULT SetBackupStamp(LPCWSTR wszBackupStamp)
    [PreserveSig] int SetBackupStamp(string? wszBackupStamp);

    // slot 30: HRESULT GetBackupStamp(BSTR* pbstrBackupStamp)
    [PreserveSig] int GetBackupStamp([MarshalAs(UnmanagedType.BStr)] out string? pbstrBackupStamp);

    // slot 31: HRESULT GetPreviousBackupStamp(BSTR* pbstrBackupStamp)
    [PreserveSig] int GetPreviousBackupStamp([MarshalAs(UnmanagedType.BStr)] out string? pbstrBackupStamp);

    // slot 32: HRESULT GetBackupOptions(BSTR* pbstrBackupOptions)
    [PreserveSig] int GetBackupOptions([MarshalAs(UnmanagedType.BStr)] out string? pbstrBackupOptions);

    // slot 33: HRESULT GetRestoreOptions(BSTR* pbstrRestoreOptions)
    [PreserveSig] int GetRestoreOptions([MarshalAs(UnmanagedType.BStr)] out string? pbstrRestoreOptions);

    // slot 34: HRESULT GetRestoreSubcomponentCount(UINT* pcRestoreSubcomponent)
    [PreserveSig] int GetRestoreSubcomponentCount(out uint pcRestoreSubcomponent);

    // slot 35: HRESULT GetRestoreSubcomponent(UINT iComponent, BSTR* pbstrLogicalPath, BSTR* pbstrComponentName, boolean* pbRepair)
    [PreserveSig] int GetRestoreSubcomponent(uint iComponent, [MarshalAs(UnmanagedType.BStr)] out string? pbstrLogicalPath, [MarshalAs(UnmanagedType.BStr)] out string? pbstrComponentName, out byte pbRepair);

    // slot 36: HRESULT GetFileRestoreStatus(VSS_FILE_RESTORE_STATUS* pStatus)
    [PreserveSig] int GetFileRestoreStatus(out int pStatus);

    // slot 37: HRESULT AddDifferencedFilesByLastModifyTime(LPCWSTR wszPath, LPCWSTR wszFilespec, BOOL bRecursive, FILETIME ftLastModifyTime)
    [PreserveSig] int AddDifferencedFilesByLastModifyTime(string? wszPath, string? wszFilespec, [MarshalAs(UnmanagedType.Bool)] bool bRecursive, long ftLastModifyTime);

    // slot 38: HRESULT AddDifferencedFilesByLastModifyLSN(LPCWSTR wszPath, LPCWSTR wszFilespec, BOOL bRecursive, BSTR bstrLsnString)
    [PreserveSig] int AddDifferencedFilesByLastModifyLSN(string? wszPath, string? wszFilespec, [MarshalAs(UnmanagedType.Bool)] bool bRecursive, [MarshalAs(UnmanagedType.BStr)] string? bstrLsnString);

    // slot 39: HRESULT GetDifferencedFilesCount(UINT* pcDifferencedFiles)
    [PreserveSig] int GetDifferencedFilesCount(out uint pcDifferencedFiles);

    // slot 40: HRESULT GetDifferencedFile(UINT iDifferencedFile, BSTR* pbstrPath, BSTR* pbstrFilespec, BOOL* pbRecursive, BSTR* pbstrLsnString, FILETIME* pftLastModifyTime)
    [PreserveSig] int GetDifferencedFile(uint iDifferencedFile, [MarshalAs(UnmanagedType.BStr)] out string? pbstrPath, [MarshalAs(UnmanagedType.BStr)] out string? pbstrFilespec, [MarshalAs(UnmanagedType.Bool)] out bool pbRecursive, [MarshalAs(UnmanagedType.BStr)] out string? pbstrLsnString, out long pftLastModifyTime);
}
