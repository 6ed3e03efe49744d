using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>The emulator's IVssEnumObject over snapshot properties. Each VSS_OBJECT_PROP handed out owns
/// CoTaskMem strings that the caller frees with VssFreeSnapshotProperties, as with VSS.</summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedEnumObject(IReadOnlyList<SnapshotRecord> snapshots) : IVssEnumObject
{
    private int _position;

    public int Next(uint celt, VssObjectProp* rgelt, out uint pceltFetched)
    {
        pceltFetched = 0;
        if (rgelt is null) return VssErrors.E_INVALIDARG;
        while (pceltFetched < celt && _position < snapshots.Count)
        {
            rgelt[pceltFetched] = new VssObjectProp { Type = VssObjectType.Snapshot, Snap = snapshots[_position].ToNative() };
            pceltFetched++;
            _position++;
        }
        return pceltFetched == celt ? VssErrors.S_OK : 1; // S_FALSE when fewer than asked remain
    }

    public int Skip(uint celt)
    {
        _position = (int)Math.Min(snapshots.Count, _position + (long)celt);
        return _position < snapshots.Count ? VssErrors.S_OK : 1;
    }

    public int Reset()
    {
        _position = 0;
        return VssErrors.S_OK;
    }

    public int Clone(out nint ppenum)
    {
        ppenum = EmulatorComWrappers.Instance.GetInterface<IVssEnumObject>(new EmulatedEnumObject(snapshots) { _position = _position });
        return VssErrors.S_OK;
    }
}
