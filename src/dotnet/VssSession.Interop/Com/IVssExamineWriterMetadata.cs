// The Windows SDK's vsbackup.h order (class IVssExamineWriterMetadata : public IUnknown, 11 methods), checked against
// mingw-w64 (mingw-w64-headers/include/vsbackup.h) and winapi-rs (src/um/vsbackup.rs). Not in contract/vss-abi.json
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

/// <summary>A caller's reference to one IVssExamineWriterMetadata (or its Ex form from GetWriterMetadataEx), called
/// through its vtable and released exactly once. The SDK documents it as a C++ interface handed out by VSS; vshadow's
/// writer.cpp and AlphaVSS call it without QueryInterface, and so does the binding: ComWrappers would ask the object
/// for IUnknown and build its wrapper on whatever that query returns.</summary>
public readonly unsafe struct ExamineWriterMetadataRef(nint pointer)
{
    private const int GetIdentitySlot = 3, GetFileCountsSlot = 4, GetExcludeFileSlot = 6, GetComponentSlot = 7, GetRestoreMethodSlot = 8, SaveAsXmlSlot = 12;
    private const int GetIdentityExSlot = 14; // IVssExamineWriterMetadataEx
    private const int GetVersionSlot = 15;    // IVssExamineWriterMetadataEx2

    private void** Vtable => *(void***)pointer;

    public int GetIdentity(out Guid instanceId, out Guid writerId, out string? name)
    {
        Guid instance = default, writer = default;
        nint bstr = 0;
        VssUsageType usage;
        VssSourceType source;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, Guid*, Guid*, nint*, VssUsageType*, VssSourceType*, int>)Vtable[GetIdentitySlot])(pointer, &instance, &writer, &bstr, &usage, &source);
        (instanceId, writerId, name) = (instance, writer, Bstr.Take(bstr));
        return hr;
    }

    /// <summary>IVssExamineWriterMetadataEx::GetIdentityEx: only on a pointer GetWriterMetadataEx handed out.</summary>
    public int GetIdentityEx(out Guid instanceId, out Guid writerId, out string? name, out string? instanceName)
    {
        Guid instance = default, writer = default;
        nint bstrName = 0, bstrInstance = 0;
        VssUsageType usage;
        VssSourceType source;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, Guid*, Guid*, nint*, nint*, VssUsageType*, VssSourceType*, int>)Vtable[GetIdentityExSlot])(pointer, &instance, &writer, &bstrName, &bstrInstance, &usage, &source);
        (instanceId, writerId, name, instanceName) = (instance, writer, Bstr.Take(bstrName), Bstr.Take(bstrInstance));
        return hr;
    }

    public int GetFileCounts(out uint includeFiles, out uint excludeFiles, out uint components)
    {
        uint include = 0, exclude = 0, count = 0;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, uint*, uint*, uint*, int>)Vtable[GetFileCountsSlot])(pointer, &include, &exclude, &count);
        (includeFiles, excludeFiles, components) = (include, exclude, count);
        return hr;
    }

    /// <summary>An AddRef'ed IVssWMComponent pointer, owned by the caller (see WMComponentRef).</summary>
    public int GetComponent(uint index, out nint component)
    {
        nint value = 0;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, uint, nint*, int>)Vtable[GetComponentSlot])(pointer, index, &value);
        component = value;
        return hr;
    }

    /// <summary>An AddRef'ed IVssWMFiledesc pointer for one file the writer excludes from backup, owned by the caller.</summary>
    public int GetExcludeFile(uint index, out nint filedesc)
    {
        nint value = 0;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, uint, nint*, int>)Vtable[GetExcludeFileSlot])(pointer, index, &value);
        filedesc = value;
        return hr;
    }

    /// <summary>GetRestoreMethod: S_FALSE (with nothing filled in) where the writer declares no restore method. The
    /// flag is a C++ bool, one byte.</summary>
    public int GetRestoreMethod(out VssRestoreMethod method, out string? service, out string? userProcedure, out VssWriterRestore writerRestore, out bool rebootRequired, out uint mappings)
    {
        VssRestoreMethod m = default;
        VssWriterRestore w = default;
        nint bstrService = 0, bstrProcedure = 0;
        byte reboot = 0;
        uint count = 0;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, VssRestoreMethod*, nint*, nint*, VssWriterRestore*, byte*, uint*, int>)Vtable[GetRestoreMethodSlot])(pointer, &m, &bstrService, &bstrProcedure, &w, &reboot, &count);
        (method, service, userProcedure, writerRestore, rebootRequired, mappings) = (m, Bstr.Take(bstrService), Bstr.Take(bstrProcedure), w, reboot != 0, count);
        return hr;
    }

    public int SaveAsXml(out string? xml)
    {
        nint bstr = 0;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, nint*, int>)Vtable[SaveAsXmlSlot])(pointer, &bstr);
        xml = Bstr.Take(bstr);
        return hr;
    }

    /// <summary>The writer metadata version through IVssExamineWriterMetadataEx2 (Windows Server 2008 and later), or
    /// null where the object does not answer that documented IID. The one QueryInterface the binding makes of it.</summary>
    public Version? GetVersion()
    {
        Guid iid = typeof(IVssExamineWriterMetadataEx2).GUID;
        if (Marshal.QueryInterface(pointer, in iid, out nint ex2) < 0 || ex2 == 0) return null;
        try
        {
            uint major = 0, minor = 0;
            int hr = ((delegate* unmanaged[MemberFunction]<nint, uint*, uint*, int>)(*(void***)ex2)[GetVersionSlot])(ex2, &major, &minor);
            return hr < 0 ? null : new Version((int)major, (int)minor);
        }
        finally
        {
            Marshal.Release(ex2);
        }
    }

    public void Release()
    {
        if (pointer != 0) Marshal.Release(pointer);
    }
}
