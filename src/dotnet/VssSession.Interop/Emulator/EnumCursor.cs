namespace VssSession.Interop.Emulator;

/// <summary>The position of an emulated IEnumXxx (IVssEnumObject, IVssEnumMgmtObject) over items made on demand:
/// Next fills what is asked and answers S_FALSE when fewer remain; Skip moves on; Clone starts where it is.</summary>
public sealed unsafe class EnumCursor<T>(int count, Func<int, T> item) where T : unmanaged
{
    private int _position;

    public int Next(uint celt, T* rgelt, out uint pceltFetched)
    {
        pceltFetched = 0;
        if (rgelt is null) return VssErrors.E_INVALIDARG;
        while (pceltFetched < celt && _position < count)
        {
            rgelt[pceltFetched] = item(_position);
            pceltFetched++;
            _position++;
        }
        return pceltFetched == celt ? VssErrors.S_OK : VssErrors.S_FALSE;
    }

    public int Skip(uint celt)
    {
        _position = (int)Math.Min(count, _position + (long)celt);
        return _position < count ? VssErrors.S_OK : VssErrors.S_FALSE;
    }

    public int Reset()
    {
        _position = 0;
        return VssErrors.S_OK;
    }

    public EnumCursor<T> Clone() => new(count, item) { _position = _position };
}
