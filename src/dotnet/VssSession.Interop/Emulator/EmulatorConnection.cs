using System.IO.Pipes;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace VssSession.Interop.Emulator;

/// <summary>A failure the emulated VSS service reported: the HRESULT VSS would have returned, and why.</summary>
public sealed class EmulatorFault(int hresult, string message) : Exception(message)
{
    public int Code { get; } = hresult;
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
    private readonly object _gate = new();
    private int _nextId;
    private bool _closed;

    private EmulatorConnection(Stream stream) => _stream = stream;

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
            return new EmulatorConnection(pipe);
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw NotRunning(socketPath, e.SocketErrorCode.ToString());
        }
        return new EmulatorConnection(new NetworkStream(socket, ownsSocket: true));
    }

    private static EmulatorFault NotRunning(string socketPath, string why) =>
        new(VssErrors.VSS_E_UNEXPECTED, $"the emulated VSS service is not running at {socketPath} ({why}); start it with 'vss-session emulator start'");

    /// <summary>Sends one request and waits for its answer; a service error becomes an <see cref="EmulatorFault"/>.</summary>
    public JsonNode? Call(string method, object? parameters = null)
    {
        lock (_gate)
        {
            if (_closed) throw new EmulatorFault(VssErrors.VSS_E_BAD_STATE, "the component object was released");
            int id = ++_nextId;
            var request = new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = id,
                ["method"] = method,
                ["params"] = EmulatorJson.Parameters(parameters),
            };
            Write(request.ToJsonString());
            while (true)
            {
                var reply = JsonNode.Parse(Read()) ?? throw new EmulatorFault(VssErrors.VSS_E_UNEXPECTED, "empty reply from the emulated VSS service");
                if (reply["id"] is null || reply["id"]!.GetValue<int>() != id) continue; // a notification
                if (reply["error"] is JsonObject error)
                {
                    int hresult = error["data"]?["hresult"]?.GetValue<int>() ?? VssErrors.VSS_E_UNEXPECTED;
                    var fault = new EmulatorFault(hresult, error["message"]?.GetValue<string>() ?? "the emulated VSS service failed");
                    // DeleteSnapshots reports how far it got before the snapshot it could not delete.
                    if (error["data"]?["deleted"] is JsonNode deleted) fault.Data["deleted"] = deleted.GetValue<int>();
                    if (error["data"]?["nondeleted"] is JsonNode nondeleted) fault.Data["nondeleted"] = Guid.Parse(nondeleted.GetValue<string>());
                    throw fault;
                }
                return reply["result"];
            }
        }
    }

    private void Write(string json)
    {
        byte[] body = Encoding.UTF8.GetBytes(json);
        byte[] header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        _stream.Write(header);
        _stream.Write(body);
        _stream.Flush();
    }

    private string Read()
    {
        int length = -1;
        while (true)
        {
            string line = ReadHeaderLine();
            if (line.Length == 0) break;
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                length = int.Parse(line[(colon + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        if (length < 0) throw new EmulatorFault(VssErrors.VSS_E_UNEXPECTED, "the emulated VSS service sent a frame without Content-Length");
        byte[] body = new byte[length];
        _stream.ReadExactly(body);
        return Encoding.UTF8.GetString(body);
    }

    private string ReadHeaderLine()
    {
        var line = new StringBuilder();
        while (true)
        {
            int b = _stream.ReadByte();
            if (b < 0) throw new EmulatorFault(VssErrors.VSS_E_UNEXPECTED, "the emulated VSS service closed the connection");
            if (b == '\n') return line.ToString().TrimEnd('\r');
            line.Append((char)b);
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
/// JSON to and from the emulated service without System.Text.Json's reflection metadata, whose first use costs a
/// host tens of milliseconds (a benchmarked goal): answers are read through source-generated metadata
/// (<see cref="EmulatorJsonContext"/>), and a request's parameters, written in C# as an anonymous object of a few
/// scalars, are turned into a JSON object member by member.
/// </summary>
internal static class EmulatorJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        TypeInfoResolver = EmulatorJsonContext.Default,
    };

    public static JsonObject Parameters(object? parameters)
    {
        var json = new JsonObject();
        if (parameters is null) return json;
        foreach (var property in parameters.GetType().GetProperties())
            json[JsonNamingPolicy.CamelCase.ConvertName(property.Name)] = Value(property.GetValue(parameters), property.Name);
        return json;
    }

    private static JsonNode? Value(object? value, string name) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        int i => i,
        uint u => u,
        long l => l,
        double d => d,
        Guid g => g,
        Guid[] ids => new JsonArray(ids.Select(id => (JsonNode?)id).ToArray()),
        _ => throw new ArgumentException($"parameter '{name}' of type {value.GetType()} has no JSON form here; add it to EmulatorJson.Value"),
    };
}

/// <summary>The answers of the emulated service, read without reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<WriterMetadataRecord>))]
[JsonSerializable(typeof(List<WriterStatusRecord>))]
[JsonSerializable(typeof(List<WriterComponentsRecord>))]
[JsonSerializable(typeof(List<SnapshotRecord>))]
[JsonSerializable(typeof(SnapshotRecord))]
[JsonSerializable(typeof(Guid))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
internal sealed partial class EmulatorJsonContext : JsonSerializerContext;
