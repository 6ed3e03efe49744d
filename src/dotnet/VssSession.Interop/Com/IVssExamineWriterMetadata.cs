// The Windows SDK's vsbackup.h order (class IVssExamineWriterMetadata : public IUnknown, 11 methods), checked against
// mingw-w64 (mingw-w64-headers/include/vsbackup.h) and winapi-rs (src/um/vsbackup.rs). Not in shared/vss/abi.json
// yet: WriterMetadataAbiTests holds the expected order. (Wine's include/vsbackup.idl only forward-declares it.)
// A skipped method shifts every later vtable slot, so every method is declared, used or not.
using System;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Com;

/// <summary>One writer's metadata document (vsbackup.h), from IVssBackupComponents::GetWriterMetadata. The SDK calls it
/// a C++ (not COM) interface: IUnknown-derived, valid until FreeWriterMetadata or the component object's release.</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("902fcf7f-b7fd-42f8-81f1-b2e400b1e5bd")]
public unsafe partial interface IVssExamineWriterMetadata
{
    // slot 3: HRESULT GetIdentity(VSS_ID* pidInstance, VSS_ID* pidWriter, BSTR* pbstrWriterName, VSS_USAGE_TYPE* pUsage, VSS_SOURCE_TYPE* pSource)
    [PreserveSig] int GetIdentity(out Guid pidInstance, out Guid pidWriter, [MarshalAs(UnmanagedType.BStr)] out string? pbstrWriterName, out VssUsageType pUsage, out VssSourceType pSource);

    // slot 4: HRESULT GetFileCounts(UINT* pcIncludeFiles, UINT* pcExcludeFiles, UINT* pcComponents)
    [PreserveSig] int GetFileCounts(out uint pcIncludeFiles, out uint pcExcludeFiles, out uint pcComponents);

    // slot 5: HRESULT GetIncludeFile(UINT iFile, IVssWMFiledesc** ppFiledesc)
    [PreserveSig] int GetIncludeFile(uint iFile, out nint ppFiledesc);

    // slot 6: HRESULT GetExcludeFile(UINT iFile, IVssWMFiledesc** ppFiledesc)
    [PreserveSig] int GetExcludeFile(uint iFile, out nint ppFiledesc);

    // slot 7: HRESULT GetComponent(UINT iComponent, IVssWMComponent** ppComponent)
    [PreserveSig] int GetComponent(uint iComponent, out nint ppComponent);

    // slot 8: HRESULT GetRestoreMethod(VSS_RESTOREMETHOD_ENUM* pMethod, BSTR* pbstrService, BSTR* pbstrUserProcedure, VSS_WRITERRESTORE_ENUM* pwriterRestore, bool* pbRebootRequired, UINT* pcMappings)
    [PreserveSig] int GetRestoreMethod(out VssRestoreMethod pMethod, [MarshalAs(UnmanagedType.BStr)] out string? pbstrService, [MarshalAs(UnmanagedType.BStr)] out string? pbstrUserProcedure, out VssWriterRestore pwriterRestore, [MarshalAs(UnmanagedType.U1)] out bool pbRebootRequired, out uint pcMappings);

    // slot 9: HRESULT GetAlternateLocationMapping(UINT iMapping, IVssWMFiledesc** ppFiledesc)
    [PreserveSig] int GetAlternateLocationMapping(uint iMapping, out nint ppFiledesc);

    // slot 10: HRESULT GetBackupSchema(DWORD* pdwSchemaMask)
    [PreserveSig] int GetBackupSchema(out uint pdwSchemaMask);

    // slot 11: HRESULT GetDocument(IXMLDOMDocument** pDoc)
    [PreserveSig] int GetDocument(out nint pDoc);

    // slot 12: HRESULT SaveAsXML(BSTR* pbstrXML)
    [PreserveSig] int SaveAsXML([MarshalAs(UnmanagedType.BStr)] out string? pbstrXML);

    // slot 13: HRESULT LoadFromXML(BSTR bstrXML)
    [PreserveSig] int LoadFromXML([MarshalAs(UnmanagedType.BStr)] string? bstrXML);
}
// Interface pointers come back as raw nint: the binding wraps each with its own ComWrappers so every
// call goes through the vtable and every reference is released exactly once.
