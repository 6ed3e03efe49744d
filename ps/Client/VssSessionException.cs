namespace VssSession.Client;

/// <summary>A VSS error as the host reports it: the VSS name (the ErrorRecord's FullyQualifiedErrorId), the HRESULT
/// in hex, a message that says what to do, and the error's data (PowerShell objects, as ConvertFrom-Json gives).</summary>
public sealed class VssSessionException : Exception
{
    public VssSessionException(string name, string hresult, string message, object? details) : base(message)
    {
        VssName = name;
        HResultText = hresult;
        Details = details;
        if (hresult.Length == 10 && hresult.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && uint.TryParse(hresult.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out var code))
            HResult = unchecked((int)code);
    }

    public string VssName { get; }
    public string HResultText { get; }
    public object? Details { get; }

    /// <summary>A delete that stopped part-way: how many snapshots it deleted and the one it could not delete.</summary>
    public VssDeleteResult? PartialDelete { get; init; }
}
