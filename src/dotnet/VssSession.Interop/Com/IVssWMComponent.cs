// The Windows SDK's vsbackup.h order (class IVssWMComponent : public IUnknown, 6 methods), checked against mingw-w64
// (mingw-w64-headers/include/vsbackup.h) and winapi-rs (src/um/vsbackup.rs). Not in contract/vss-abi.json yet:
// WriterMetadataAbiTests holds the expected order. (Wine's include/vsbackup.idl does not declare it.)
// A skipped method shifts every later vtable slot, so every method is declared, used or not.
using System;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Com;

/// <summary>One component of a writer's metadata (vsbackup.h), from IVssExamineWriterMetadata::GetComponent.</summary>
/// <remarks>The SDK declares this class with no <c>__declspec(uuid)</c>: it has no IID (mingw-w64 and winapi-rs write
/// GUID_NULL). [GeneratedComInterface] needs one, and .NET ignores an all-zero [Guid] (Type.GUID becomes a name hash
/// that the generated vtable entries do not carry), so the GUID below is a placeholder made for this project: VSS does
/// not know it. It is NOT 156c8b5e-f131-4bd7-9c97-d1923be7e1fa, which is IID_IVssComponentEx (vswriter.h). VSS hands
/// the pointer out already typed; the binding calls it through WMComponentRef and never asks QueryInterface. The
/// declaration below only gives the emulator's components the SDK's vtable; they refuse every QueryInterface.</remarks>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("4b3b25ba-a927-487f-9c4e-6774c7ac8c64")] // project placeholder: the SDK gives IVssWMComponent no IID
public unsafe partial interface IVssWMComponent
{
    // slot 3: HRESULT GetComponentInfo(PVSSCOMPONENTINFO* ppInfo)
    [PreserveSig] int GetComponentInfo(VssComponentInfo** ppInfo);

    // slot 4: HRESULT FreeComponentInfo(PVSSCOMPONENTINFO pInfo)
    [PreserveSig] int FreeComponentInfo(VssComponentInfo* pInfo);

    // slot 5: HRESULT GetFile(UINT iFile, IVssWMFiledesc** ppFiledesc)
    [PreserveSig] int GetFile(uint iFile, out nint ppFiledesc);

    // slot 6: HRESULT GetDatabaseFile(UINT iDBFile, IVssWMFiledesc** ppFiledesc)
    [PreserveSig] int GetDatabaseFile(uint iDBFile, out nint ppFiledesc);

    // slot 7: HRESULT GetDatabaseLogFile(UINT iDbLogFile, IVssWMFiledesc** ppFiledesc)
    [PreserveSig] int GetDatabaseLogFile(uint iDbLogFile, out nint ppFiledesc);

    // slot 8: HRESULT GetDependency(UINT iDependency, IVssWMDependency** ppDependency)
    [PreserveSig] int GetDependency(uint iDependency, out nint ppDependency);
}

/// <summary>A caller's reference to one IVssWMComponent, called through its vtable and released exactly once. The SDK
/// gives the class no IID and VSS hands the pointer out already typed, so nothing here asks QueryInterface (vshadow's
/// writer.cpp and AlphaVSS call it the same way).</summary>
public readonly unsafe struct WMComponentRef(nint pointer)
{
    private const int GetComponentInfoSlot = 3, FreeComponentInfoSlot = 4, GetFileSlot = 5, GetDatabaseFileSlot = 6, GetDatabaseLogFileSlot = 7;

    private void** Vtable => *(void***)pointer;

    /// <summary>A VSS_COMPONENTINFO owned by VSS until FreeComponentInfo.</summary>
    public int GetComponentInfo(VssComponentInfo** info) =>
        ((delegate* unmanaged[MemberFunction]<nint, VssComponentInfo**, int>)Vtable[GetComponentInfoSlot])(pointer, info);

    public int FreeComponentInfo(VssComponentInfo* info) =>
        ((delegate* unmanaged[MemberFunction]<nint, VssComponentInfo*, int>)Vtable[FreeComponentInfoSlot])(pointer, info);

    private int Filedesc(int slot, uint index, out nint filedesc)
    {
        nint value = 0;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, uint, nint*, int>)Vtable[slot])(pointer, index, &value);
        filedesc = value;
        return hr;
    }

    /// <summary>AddRef'ed IVssWMFiledesc pointers, owned by the caller (see WMFiledescRef).</summary>
    public int GetFile(uint index, out nint filedesc) => Filedesc(GetFileSlot, index, out filedesc);

    public int GetDatabaseFile(uint index, out nint filedesc) => Filedesc(GetDatabaseFileSlot, index, out filedesc);

    public int GetDatabaseLogFile(uint index, out nint filedesc) => Filedesc(GetDatabaseLogFileSlot, index, out filedesc);

    public void Release()
    {
        if (pointer != 0) Marshal.Release(pointer);
    }
}
