// vswriter.h / vsbackup.h: class IVssWriterComponents { GetComponentCount; GetWriterInfo; GetComponent; } has NO IUnknown
// base, and class IVssWriterComponentsExt : public IVssWriterComponents, public IUnknown puts IUnknown in a SECOND vtable.
// IVssBackupComponents::GetWriterComponents hands out that object: slot 0 of its first vtable is GetComponentCount,
// and Release is slot 2 of the vtable one pointer further in. mingw-w64's vsbackup.idl declares the first vtable the
// same way (interface IVssWriterComponentsExt : IVssWriterComponents, IUnknown commented out). The COM source
// generator cannot describe such an object, so it is called through raw function pointers here.
using System;
using System.Runtime.InteropServices;

namespace VssSession.Interop.Com;

/// <summary>The vtable layout of IVssWriterComponentsExt, in the SDK's order.</summary>
public static unsafe class IVssWriterComponentsLayout
{
    /// <summary>Slots of the first vtable (IVssWriterComponents, no IUnknown).</summary>
    public const int GetComponentCount = 0; // HRESULT GetComponentCount(UINT* pcComponents)
    public const int GetWriterInfo = 1;     // HRESULT GetWriterInfo(VSS_ID* pidInstance, VSS_ID* pidWriter)
    public const int GetComponent = 2;      // HRESULT GetComponent(UINT iComponent, IVssComponent** ppComponent)
    public const int FirstVtableSlots = 3;

    /// <summary>The IUnknown sub-object sits one pointer after the start of the object (MSVC's layout of a class with
    /// two polymorphic bases, the one the SDK's headers and vssapi.dll are built with).</summary>
    public static nint Unknown(nint writerComponents) => writerComponents + sizeof(nint);
}

/// <summary>A caller's reference to one IVssWriterComponentsExt, released exactly once through its IUnknown.</summary>
public readonly unsafe struct WriterComponentsRef(nint pointer)
{
    private void** Vtable => *(void***)pointer;

    public int GetComponentCount(out uint count)
    {
        uint value = 0;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, uint*, int>)Vtable[IVssWriterComponentsLayout.GetComponentCount])(pointer, &value);
        count = value;
        return hr;
    }

    public int GetWriterInfo(out Guid instanceId, out Guid writerId)
    {
        Guid instance = default, writer = default;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, Guid*, Guid*, int>)Vtable[IVssWriterComponentsLayout.GetWriterInfo])(pointer, &instance, &writer);
        (instanceId, writerId) = (instance, writer);
        return hr;
    }

    /// <summary>An AddRef'ed IVssComponent pointer, owned by the caller.</summary>
    public int GetComponent(uint index, out nint component)
    {
        nint value = 0;
        int hr = ((delegate* unmanaged[MemberFunction]<nint, uint, nint*, int>)Vtable[IVssWriterComponentsLayout.GetComponent])(pointer, index, &value);
        component = value;
        return hr;
    }

    public void Release()
    {
        if (pointer != 0) Marshal.Release(IVssWriterComponentsLayout.Unknown(pointer));
    }
}
