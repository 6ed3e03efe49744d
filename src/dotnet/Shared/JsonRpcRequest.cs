using System.Buffers;
using System.Text.Json;

namespace VssSession.Framing;

/// <summary>A JSON-RPC 2.0 request as both of VssSession's clients send it (the module's client of the host, the
/// emulated component object's connection to the emulated service): the envelope here, the params by the caller.</summary>
internal static class JsonRpcRequest
{
    /// <summary><c>{"jsonrpc":"2.0","id":…,"method":…,"params":…}</c>; <paramref name="writeParams"/> writes the params
    /// value (a JSON object).</summary>
    public static ArrayBufferWriter<byte> Write(int id, string method, Action<Utf8JsonWriter> writeParams)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WriteNumber("id", id);
        writer.WriteString("method", method);
        writer.WritePropertyName("params");
        writeParams(writer);
        writer.WriteEndObject();
        writer.Flush();
        return body;
    }
}
