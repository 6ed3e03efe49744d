using System.Buffers;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using VssSession.Framing;

namespace VssSession.Client;

/// <summary>JSON both ways: requests written with Utf8JsonWriter from the module's hashtables, answers read into the
/// objects ConvertFrom-Json makes (PSCustomObject, object[], long, double, string, bool).</summary>
public static class VssJson
{
    public static byte[] Request(int id, string method, object? parameters) =>
        JsonRpcRequest.Write(id, method, writer =>
        {
            if (parameters is null)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else
            {
                Write(writer, parameters, 0);
            }
        }).WrittenSpan.ToArray();

    /// <summary>A value of a request: what the module's requests are made of. Anything else is a mistake in the
    /// module, said as such rather than sent as text the host would misread.</summary>
    public static void Write(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > 20) throw new ArgumentException("A request to the vss-session host is nested more than 20 levels deep.");
        if (value is PSObject wrapped)
        {
            if (wrapped.BaseObject is PSCustomObject)
            {
                writer.WriteStartObject();
                foreach (var property in wrapped.Properties)
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, depth + 1);
                }
                writer.WriteEndObject();
                return;
            }
            value = wrapped.BaseObject;
        }
        switch (value)
        {
            case null: writer.WriteNullValue(); return;
            case string s: writer.WriteStringValue(s); return;
            case Guid g: writer.WriteStringValue(g.ToString()); return;
            case bool b: writer.WriteBooleanValue(b); return;
            case SwitchParameter sw: writer.WriteBooleanValue(sw.IsPresent); return;
            case int or long or short or byte or sbyte or ushort or uint: writer.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); return;
            case ulong u: writer.WriteNumberValue(u); return;
            case decimal m: writer.WriteNumberValue(m); return;
            case double or float:
                var d = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
                if (double.IsFinite(d)) writer.WriteNumberValue(d); else writer.WriteNullValue();
                return;
            case DateTimeOffset at: writer.WriteStringValue(at); return;
            case DateTime time: writer.WriteStringValue(time); return;
            case TimeSpan span: writer.WriteNumberValue(span.TotalMilliseconds); return;
            case Enum e: writer.WriteStringValue(e.ToString()); return;
            case System.Collections.IDictionary map:
                writer.WriteStartObject();
                foreach (System.Collections.DictionaryEntry entry in map)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "");
                    Write(writer, entry.Value, depth + 1);
                }
                writer.WriteEndObject();
                return;
            case System.Collections.IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list) Write(writer, item, depth + 1);
                writer.WriteEndArray();
                return;
            default:
                throw new ArgumentException($"A request to the vss-session host cannot carry a value of type {value.GetType().FullName}.");
        }
    }

    public static object? ToPowerShell(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var result = new PSObject();
                foreach (var property in element.EnumerateObject()) result.Properties.Add(new PSNoteProperty(property.Name, ToPowerShell(property.Value)));
                return result;
            case JsonValueKind.Array:
                var items = new object?[element.GetArrayLength()];
                var i = 0;
                foreach (var item in element.EnumerateArray()) items[i++] = ToPowerShell(item);
                return items;
            case JsonValueKind.String: return element.GetString();
            case JsonValueKind.Number: return element.TryGetInt64(out var whole) ? whole : element.GetDouble();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            default: return null;
        }
    }
}
