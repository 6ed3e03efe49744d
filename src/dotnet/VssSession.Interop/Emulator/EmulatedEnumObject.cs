using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>The emulator's IVssEnumObject over what Query found: snapshots or providers. Each VSS_OBJECT_PROP handed
/// out owns CoTaskMem strings that the caller frees (VssFreeSnapshotProperties for a snapshot, CoTaskMemFree for a
/// provider's), as with VSS.</summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedEnumObject(EnumCursor<VssObjectProp> cursor) : IVssEnumObject
{
    public static EmulatedEnumObject Of(IReadOnlyList<SnapshotRecord> snapshots) =>
        new(new(snapshots.Count, i => new VssObjectProp { Type = VssObjectType.Snapshot, Snap = snapshots[i].ToNative() }));

    public static EmulatedEnumObject Of(IReadOnlyList<ProviderRecord> providers) =>
        new(new(providers.Count, i => new VssObjectProp { Type = VssObjectType.Provider, Prov = providers[i].ToNative() }));

    public int Next(uint celt, VssObjectProp* rgelt, out uint pceltFetched) => cursor.Next(celt, rgelt, out pceltFetched);

    public int Skip(uint celt) => cursor.Skip(celt);

    public int Reset() => cursor.Reset();

    public int Clone(out nint ppenum)
    {
        ppenum = EmulatorComWrappers.Instance.GetInterface<IVssEnumObject>(new EmulatedEnumObject(cursor.Clone()));
        return VssErrors.S_OK;
    }
}
