// Interface pointers come back as raw nint: the binding wraps each with its own ComWrappers so every
// call goes through the vtable and every reference is released exactly once.
// Declared by hand in the order of contract/vss-abi.json (the Windows SDK's vsbackup.h / vss.h order), which AbiTests checks slot by slot; edit both together.
// A skipped method shifts every later vtable slot, so every method is declared, used or not.
using System;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Com;

/// <summary>Enumerates VSS_OBJECT_PROP results of IVssBackupComponents::Query (vss.h).</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("ae1c7110-2f60-11d3-8a39-00c04f72d8e3")]
public unsafe partial interface IVssEnumObject
{
    // slot 3: HRESULT Next(ULONG celt, VSS_OBJECT_PROP* rgelt, ULONG* pceltFetched)
    [PreserveSig] int Next(uint celt, VssObjectProp* rgelt, out uint pceltFetched);

    // slot 4: HRESULT Skip(ULONG celt)
    [PreserveSig] int Skip(uint celt);

    // slot 5: HRESULT Reset()
    [PreserveSig] int Reset();

    // slot 6: HRESULT Clone(IVssEnumObject** ppenum)
    [PreserveSig] int Clone(out nint ppenum);
}
