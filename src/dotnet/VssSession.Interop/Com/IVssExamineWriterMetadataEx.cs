// The Windows SDK's vsbackup.h order, checked against mingw-w64 (mingw-w64-headers/include/vsbackup.idl):
// IVssExamineWriterMetadataEx : IVssExamineWriterMetadata (1 method, slot 14) and IVssExamineWriterMetadataEx2 :
// IVssExamineWriterMetadataEx (3 methods, slots 15-17), what IVssBackupComponentsEx::GetWriterMetadataEx hands out.
// Not in contract/vss-abi.json: ComponentAbiTests holds the order.
using System;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Com;

/// <summary>A writer's metadata with its instance name (writers that run several instances, such as SQL Server's).</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("0c0e5ec0-ca44-472b-b702-e652db1c0451")]
public unsafe partial interface IVssExamineWriterMetadataEx : IVssExamineWriterMetadata
{
    // slot 14: HRESULT GetIdentityEx(VSS_ID* pidInstance, VSS_ID* pidWriter, BSTR* pbstrWriterName, BSTR* pbstrInstanceName, VSS_USAGE_TYPE* pUsage, VSS_SOURCE_TYPE* pSource)
    [PreserveSig] int GetIdentityEx(out Guid pidInstance, out Guid pidWriter, [MarshalAs(UnmanagedType.BStr)] out string? pbstrWriterName, [MarshalAs(UnmanagedType.BStr)] out string? pbstrInstanceName, out VssUsageType pUsage, out VssSourceType pSource);
}

/// <summary>A writer's metadata with its version and the files it excludes from snapshots (Windows Server 2008 and later).</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("ce115780-a611-431b-b57f-c38303ab6aee")]
public unsafe partial interface IVssExamineWriterMetadataEx2 : IVssExamineWriterMetadataEx
{
    // slot 15: HRESULT GetVersion(DWORD* pdwMajorVersion, DWORD* pdwMinorVersion)
    [PreserveSig] int GetVersion(out uint pdwMajorVersion, out uint pdwMinorVersion);

    // slot 16: HRESULT GetExcludeFromSnapshotCount(UINT* pcExcludedFromSnapshot)
    [PreserveSig] int GetExcludeFromSnapshotCount(out uint pcExcludedFromSnapshot);

    // slot 17: HRESULT GetExcludeFromSnapshotFile(UINT iFile, IVssWMFiledesc** ppFiledesc)
    [PreserveSig] int GetExcludeFromSnapshotFile(uint iFile, out nint ppFiledesc);
}
