using System.Runtime.InteropServices.Marshalling;

namespace VssSession.Interop.Binding;

/// <summary>
/// The binding's COM wrappers, caching each wrapper's interface tables in a plain dictionary under a lock.
/// StrategyBasedComWrappers' default cache is a ConcurrentDictionary keyed by RuntimeTypeHandle with a struct value:
/// that instantiation is in no ReadyToRun image, and its first use JIT-compiled ~28 methods in every host (most of
/// what a host's first component object cost beyond its own work). A dictionary of reference types runs the
/// framework's shared, precompiled code. A wrapper's tables are looked up from the thread calling it; the lock covers
/// two calls from two threads.
/// </summary>
internal class CachingComWrappers : StrategyBasedComWrappers
{
    protected override IIUnknownCacheStrategy CreateCacheStrategy() => new InterfaceTableCache();
}

internal sealed unsafe class InterfaceTableCache : IIUnknownCacheStrategy
{
    private sealed class Entry(IIUnknownCacheStrategy.TableInfo info)
    {
        public readonly IIUnknownCacheStrategy.TableInfo Info = info;
    }

    private readonly Dictionary<Type, Entry> _tables = [];

    public IIUnknownCacheStrategy.TableInfo ConstructTableInfo(RuntimeTypeHandle handle, IIUnknownDerivedDetails interfaceDetails, void* ptr)
    {
        var instance = (void***)ptr;
        return new IIUnknownCacheStrategy.TableInfo { ThisPtr = instance, Table = *instance, ManagedType = interfaceDetails.Implementation.TypeHandle };
    }

    public bool TryGetTableInfo(RuntimeTypeHandle handle, out IIUnknownCacheStrategy.TableInfo info)
    {
        Entry? entry;
        lock (_tables) _tables.TryGetValue(Type.GetTypeFromHandle(handle)!, out entry);
        info = entry?.Info ?? default;
        return entry is not null;
    }

    public bool TrySetTableInfo(RuntimeTypeHandle handle, IIUnknownCacheStrategy.TableInfo info)
    {
        lock (_tables) return _tables.TryAdd(Type.GetTypeFromHandle(handle)!, new Entry(info));
    }

    public void Clear(IIUnknownStrategy unknownStrategy)
    {
        lock (_tables)
        {
            foreach (var entry in _tables.Values) unknownStrategy.Release(entry.Info.ThisPtr);
            _tables.Clear();
        }
    }
}
