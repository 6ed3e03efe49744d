// The Windows SDK's vsbackup.h order (class IVssWMComponent : public IUnknown, 6 methods), checked against mingw-w64
// (mingw-w64-headers/include/vsbackup.h) and winapi-rs (src/um/vsbackup.rs). Not in shared/vss/abi.json yet:
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
/// the pointer out already typed; the binding asks QueryInterface for the placeholder and, when VSS refuses it, uses
/// the pointer as handed out. The emulator answers the placeholder.</remarks>
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
// Interface pointers come back as raw nint: the binding wraps each with its own ComWrappers so every
// call goes through the vtable and every reference is released exactly once.
