using System.Buffers;
using System.IO.Pipes;
using System.Text;
using System.Text.Json;
using VssSession.Framing;

namespace VssSession.Interop.Emulator;

/// <summary>A failure the emulated VSS service reported: the HRESULT VSS would have returned, and why.</summary>
public sealed class EmulatorFault(int hresult, string message) : Exception(message)
{
    public int Code { get; } = hresult;

    /// <summary>On DeleteSnapshots: how far it got before the snapshot it could not delete.</summary>
    public DeleteResult? PartialDelete { get; init; }
}

/// <summary>
/// One client connection to the emulated VSS service: JSON-RPC 2.0 with Content-Length framing (the
/// framing vscode-jsonrpc speaks on the service's side) over a Unix domain socket. The connection is the
/// component object's lifeline, as a client's RPC binding is to the real VSS service: when it closes
/// without a release (the process died), the service ends the backup as VSS does for a vanished requester.
/// </summary>
public sealed class EmulatorConnection : IDisposable
{
    private readonly Stream _stream;
    private readonly ContentLengthFrames _frames;
    private readonly string _path;
    private readonly object _gate = new();
    private int _nextId;
    private bool _closed;

    private EmulatorConnection(Stream stream, string path)
    {
        _stream = stream;
        _frames = new(stream);
        _path = path;
    }

    /// <summary>Connects to the service: a Unix domain socket, or on Windows a named pipe (\\.\pipe\name).</summary>
    public static EmulatorConnection Open(string socketPath)
    {
        const string pipePrefix = @"\\.\pipe\";
        if (socketPath.StartsWith(pipePrefix, StringComparison.OrdinalIgnoreCase))
        {
            var pipe = new NamedPipeClientStream(".", socketPath[pipePrefix.Length..], PipeDirection.InOut);
            try
            {
                pipe.Connect(5000);
            }
            catch (Exception e) when (e is TimeoutException or IOException)
            {
                pipe.Dispose();
                throw NotRunning(socketPath, e.Message);
            }
            return new EmulatorConnection(pipe, socketPath);
        }
        // On Windows the service listens on a named pipe only (src/paths.ts).
        if (OperatingSystem.IsWindows()) throw NotRunning(socketPath, @"on Windows the emulated VSS service listens on a named pipe, \\.\pipe\vss-session-…");
        return new EmulatorConnection(UnixSocket.Connect(socketPath, why => NotRunning(socketPath, why)), socketPath);
    }

    private static EmulatorFault NotRunning(string socketPath, string why) =>
        new(VssErrors.VSS_E_UNEXPECTED, $"the emulated VSS service is not running at {socketPath} ({why}); start it with 'vss-session emulator start'");

    /// <summary>
    /// Sends one request and waits for its answer (its <c>result</c>, or null); a service error becomes an
    /// <see cref="EmulatorFault"/>. The parameters are written member by member into the request's <c>params</c> object.
    /// </summary>
    public JsonElement? Call(string method, Action<Utf8JsonWriter>? parameters = null)
    {
        lock (_gate)
        {
            if (_closed) throw new EmulatorFault(VssErrors.VSS_E_BAD_STATE, "the component object was released");
            int id = ++_nextId;
            var request = JsonRpcRequest.Write(id, method, json =>
            {
                json.WriteStartObject();
                parameters?.Invoke(json);
                json.WriteEndObject();
            });
            try
            {
                Write(request.WrittenSpan);
            }
            catch (IOException e)
            {
                // The service may have answered why before it closed (it serves a limited number of clients).
                throw ServiceError() ?? Closed(method, e.Message);
            }
            while (true)
            {
                byte[] frame;
                try
                {
                    frame = Read();
                }
                catch (IOException e)
                {
                    throw Closed(method, e.Message);
                }
                using var reply = JsonDocument.Parse(frame);
                var root = reply.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new EmulatorFault(VssErrors.VSS_E_UNEXPECTED, "the emulated VSS service sent a reply that is not a JSON object");
                bool anonymous = root.TryGetProperty("id", out var replyId) && replyId.ValueKind == JsonValueKind.Null;
                if (!anonymous && (replyId.ValueKind != JsonValueKind.Number || replyId.GetInt32() != id)) continue; // a notification
                if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                {
                    JsonElement? data = error.TryGetProperty("data", out var d) ? d : null;
                    int hresult = data.Property("hresult") is { } code ? code.GetInt32() : VssErrors.VSS_E_UNEXPECTED;
                    throw new EmulatorFault(hresult, ((JsonElement?)error).Property("message").String() ?? "the emulated VSS service failed")
                    {
                        PartialDelete = data.Property("partialDelete") is { ValueKind: JsonValueKind.Object } partial ? DeleteResult.FromJson(partial) : null,
                    };
                }
                if (anonymous) continue;
                return root.TryGetProperty("result", out var result) && result.ValueKind != JsonValueKind.Null ? result.Clone() : null;
            }
        }
    }

    private EmulatorFault Closed(string method, string why)
    {
        Lost = true;
        return new(VssErrors.VSS_E_UNEXPECTED, $"the emulated VSS service closed the connection during {method} ({why}); see 'vss-session emulator status' and its emulator.log");
    }

    /// <summary>The service went away (it stopped or was killed) while this connection waited for it.</summary>
    public bool Lost { get; private set; }

    /// <summary>An error the service sent, with no id, before it closed a connection it would not serve; null if none.</summary>
    private EmulatorFault? ServiceError()
    {
        try
        {
            using var reply = JsonDocument.Parse(Read());
            var error = ((JsonElement?)reply.RootElement).Property("error");
            return error is null ? null : new EmulatorFault(error.Property("data").Property("hresult") is { } code ? code.GetInt32() : VssErrors.VSS_E_UNEXPECTED, error.Property("message").String() ?? "the emulated VSS service refused the connection");
        }
        catch (Exception e) when (e is IOException or EmulatorFault or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// IVssAsync::Cancel of this connection's session's operation under way. Sent on a connection of its own: this one
    /// answers one request at a time, and is waiting for the very operation to cancel. Best effort, as Cancel is:
    /// an operation that ends meanwhile simply finishes.
    /// </summary>
    public void CancelOperation(int sessionId)
    {
        try
        {
            using var aside = Open(_path);
            aside.Call("service.cancel", p => p.WriteNumber("sessionId", sessionId));
        }
        catch (EmulatorFault)
        {
            // the service is gone, or the operation ended: nothing left to cancel
        }
    }

    private void Write(ReadOnlySpan<byte> body) => _frames.Write(body);

    private byte[] Read()
    {
        try
        {
            return _frames.Read().ToArray();
        }
        catch (InvalidDataException)
        {
            throw new EmulatorFault(VssErrors.VSS_E_UNEXPECTED, "the emulated VSS service sent a frame without Content-Length");
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed) return;
            _closed = true;
            _stream.Dispose();
        }
    }
}

/// <summary>
/// Reading the emulated service's answers with JsonElement's own accessors. Not JsonSerializer, not even with
/// source-generated metadata: its generic machinery (JsonPropertyInfo&lt;T&gt; over Guid, int, bool, ...) is not in the
/// framework's ReadyToRun code, and a host JIT-compiled ~170 of its methods on its first backup; these accessors are.
/// A missing or null member reads as its type's default, as the serializer read it.
/// </summary>
internal static class EmulatorJson
{
    public static JsonElement? Property(this JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string? String(this JsonElement? element) => element?.GetString();

    public static Guid Guid(this JsonElement? element) => element?.GetGuid() ?? System.Guid.Empty;

    public static int Int(this JsonElement? element) => element?.GetInt32() ?? 0;

    public static bool Bool(this JsonElement? element) => element?.GetBoolean() ?? false;

    public static bool? NullableBool(this JsonElement? element) => element?.GetBoolean();

    public static List<T> List<T>(this JsonElement? element, Func<JsonElement, T> item)
    {
        var list = new List<T>();
        if (element is { ValueKind: JsonValueKind.Array } array)
            foreach (var entry in array.EnumerateArray()) list.Add(item(entry));
        return list;
    }

    /// <summary>A request parameter that is a list of ids.</summary>
    public static void WriteIds(this Utf8JsonWriter json, string name, Guid[] ids)
    {
        json.WriteStartArray(name);
        foreach (var id in ids) json.WriteStringValue(id);
        json.WriteEndArray();
    }
}
