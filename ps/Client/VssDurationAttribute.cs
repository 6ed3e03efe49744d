using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace VssSession.Client;

/// <summary>Lets a TimeSpan parameter take a duration as an operator writes one: <c>7d</c>, <c>12h</c>, <c>30m</c>,
/// <c>90s</c>, as the executable's options take it (<c>Get-VssSnapshotSet -OlderThan 7d</c>). Anything else is left to
/// PowerShell's own conversion (a TimeSpan, <c>'7.00:00:00'</c>, New-TimeSpan), whose error stands if it fails.</summary>
/// <remarks>PowerShell's parser reads an unquoted <c>7d</c> as the decimal literal 7 and <c>90s</c> as the short 90
/// (numeric suffixes), before any parameter sees the text; so a decimal is taken as days and a short as seconds.
/// Neither is a useful TimeSpan otherwise (PowerShell would make ticks of them).</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed partial class VssDurationAttribute : ArgumentTransformationAttribute
{
    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Duration();

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is decimal days) return TimeSpan.FromDays((double)days);
        if (value is short seconds) return TimeSpan.FromSeconds(seconds);
        if (value is not string text || Duration().Match(text) is not { Success: true } match) return inputData;
        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value.ToLowerInvariant() switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
    }
}
