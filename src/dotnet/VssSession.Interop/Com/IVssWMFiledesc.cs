// The Windows SDK's vswriter.h order (class IVssWMFiledesc : public IUnknown, 5 methods), checked against mingw-w64's
// vswriter.h C bindings (IVssWMFiledesc_GetPath ... IVssWMFiledesc_GetBackupTypeMask). Like IVssWMComponent, the SDK
// gives it no IID; VSS hands the pointer out already typed (IVssWMComponent::GetFile, GetDatabaseFile,
// GetDatabaseLogFile). The binding calls it through raw function pointers (WMFiledescRef), never QueryInterface; the
// [GeneratedComInterface] below only gives the emulator's file descriptors the same vtable.
using System;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Com;

/// <summary>A component's file specification: a folder, a file name pattern, and whether it reaches below.</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("b0e9a2c1-5e4f-4d3a-9c7b-2f8e6d1a4c35")] // project placeholder: the SDK gives IVssWMFiledesc no IID
public unsafe partial interface IVssWMFiledesc
{
    // slot 3: HRESULT GetPath(BSTR* pbstrPath)
    [PreserveSig] int GetPath(nint* pbstrPath);

    // slot 4: HRESULT GetFilespec(BSTR* pbstrFilespec)
    [PreserveSig] int GetFilespec(nint* pbstrFilespec);

    // slot 5: HRESULT GetRecursive(bool* pbRecursive) -- a C++ bool: one byte
    [PreserveSig] int GetRecursive(byte* pbRecursive);

    // slot 6: HRESULT GetAlternateLocation(BSTR* pbstrAlternateLocation)
    [PreserveSig] int GetAlternateLocation(nint* pbstrAlternateLocation);

    // slot 7: HRESULT GetBackupTypeMask(DWORD* pdwTypeMask)
    [PreserveSig] int GetBackupTypeMask(uint* pdwTypeMask);
}

/// <summary>One file specification read from an IVssWMFiledesc.</summary>
public sealed record FileSpecification(string Path, string Filespec, bool Recursive);

/// <summary>A caller's reference to one IVssWMFiledesc, called through its vtable and released exactly once.</summary>
public readonly unsafe struct WMFiledescRef(nint pointer)
{
    private const int GetPathSlot = 3, GetFilespecSlot = 4, GetRecursiveSlot = 5;

    private void** Vtable => *(void***)pointer;

    private int String(int slot, out string? value)
    {
        nint bstr = 0;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, nint*, int>)Vtable[slot])(pointer, &bstr);
        value = Bstr.Take(bstr);
        return hr;
    }

    public int GetPath(out string? path) => String(GetPathSlot, out path);

    public int GetFilespec(out string? filespec) => String(GetFilespecSlot, out filespec);

    public int GetRecursive(out bool recursive)
    {
        byte value = 0;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, byte*, int>)Vtable[GetRecursiveSlot])(pointer, &value);
        recursive = value != 0;
        return hr;
    }

    public void Release()
    {
        if (pointer != 0) Marshal.Release(pointer);
    }
}
