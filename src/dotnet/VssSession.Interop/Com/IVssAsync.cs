// Declared by hand in the order of contract/vss-abi.json (the Windows SDK's vsbackup.h / vss.h order), which AbiTests checks slot by slot; edit both together.
// A skipped method shifts every later vtable slot, so every method is declared, used or not.
using System;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Com;

/// <summary>A pending VSS operation (vss.h): Wait, QueryStatus, Cancel.</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid("507c37b4-cf5b-4e95-b0af-14eb9767467e")]
public unsafe partial interface IVssAsync
{
    // slot 3: HRESULT Cancel()
    [PreserveSig] int Cancel();

    // slot 4: HRESULT Wait(DWORD dwMilliseconds)
    [PreserveSig] int Wait(uint dwMilliseconds);

    // slot 5: HRESULT QueryStatus(HRESULT* pHrResult, INT* pReserved /* NULL */)
    [PreserveSig] int QueryStatus(out int pHrResult, nint pReserved);
}
