using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>The emulator's IVssEnumObject over what Query found: snapshots or providers. Each VSS_OBJECT_PROP handed
/// out owns CoTaskMem strings that the caller frees (VssFreeSnapshotProperties for a snapshot, CoTaskMemFree for a
/// provider's), as with VSS.</summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedEnumObject(int count, Func<int, VssObjectProp> item) : IVssEnumObject
{
    private int _position;

    public static EmulatedEnumObject Of(IReadOnlyList<SnapshotRecord> snapshots) =>
        new(snapshots.Count, i => new VssObjectProp { Type = VssObjectType.Snapshot, Snap = snapshots[i].ToNative() });

    public static EmulatedEnumObject Of(IReadOnlyList<ProviderRecord> providers) =>
        new(providers.Count, i => new VssObjectProp { Type = VssObjectType.Provider, Prov = providers[i].ToNative() });

    public int Next(uint celt, VssObjectProp* rgelt, out uint pceltFetched)
    {
        pceltFetched = 0;
        if (rgelt is null) return VssErrors.E_INVALIDARG;
        while (pceltFetched < celt && _position < count)
        {
            rgelt[pceltFetched] = item(_position);
            pceltFetched++;
            _position++;
        }
        return pceltFetched == celt ? VssErrors.S_OK : 1; // S_FALSE when fewer than asked remain
    }

    public int Skip(uint celt)
    {
        _position = (int)Math.Min(count, _position + (long)celt);
        return _position < count ? VssErrors.S_OK : 1;
    }

    public int Reset()
    {
        _position = 0;
        return VssErrors.S_OK;
    }

    public int Clone(out nint ppenum)
    {
        ppenum = EmulatorComWrappers.Instance.GetInterface<IVssEnumObject>(new EmulatedEnumObject(count, item) { _position = _position });
        return VssErrors.S_OK;
    }
}
