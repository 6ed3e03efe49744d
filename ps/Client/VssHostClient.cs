using System.Buffers;
using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using System.Text.Json;

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
}

/// <summary>The JSON-RPC 2.0 client of one <c>vss-session host</c> process: Content-Length framing (what
/// vscode-jsonrpc speaks) over the process's stdin/stdout. One client is one host process is at most one backup.
/// Answers come back as PowerShell objects, the way ConvertFrom-Json makes them, so the module's script reads
/// them as before.</summary>
/// <remarks>A hand-written client, not StreamJsonRpc: that library brings MessagePack, Nerdbank.Streams and the
/// Visual Studio threading library into every PowerShell session that imports the module, beside PowerShell's own
/// copies of their dependencies, and its first use costs more than this whole client's. The framing is a header
/// and a length; the messages are three shapes (request, answer, notification).</remarks>
public sealed class VssHostClient
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private readonly Stream input;
    private readonly Stream output;
    private readonly Dictionary<int, JsonElement> answers = new();
    // Frames as the reader thread takes them off the host's stdout; null once the host's stdout has ended. Only the
    // bytes cross threads: parsing, logging and the notification callbacks run on the caller's (PowerShell's) thread.
    private readonly System.Collections.Concurrent.BlockingCollection<byte[]?> frames = new();
    private bool ended;
    private readonly int hostPid;
    private byte[] buffer = new byte[65536];
    private int start;
    private int end;
    private int nextId;

    public VssHostClient(string executable)
    {
        if (!File.Exists(executable))
        {
            var runtimes = Path.GetDirectoryName(Path.GetDirectoryName(executable));
            var shipped = runtimes is not null && Directory.Exists(runtimes)
                ? string.Join(", ", Directory.GetDirectories(runtimes).Select(Path.GetFileName).Order(StringComparer.Ordinal))
                : "";
            throw new FileNotFoundException(
                $"The vss-session executable is missing at '{executable}' (this module has executables for: {(shipped.Length > 0 ? shipped : "none")}). " +
                "Run 'npm run build' in the repository, or install the module for this platform.", executable);
        }
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        info.ArgumentList.Add("host");
        Process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{executable}'.");
        hostPid = Process.Id;
        input = Process.StandardInput.BaseStream;
        output = Process.StandardOutput.BaseStream;
        // A thread of its own reads the answers, so a pipeline can see which have come without waiting for one.
        new Thread(ReadFrames) { IsBackground = true, Name = "vss-session host reader" }.Start();
    }

    private void ReadFrames()
    {
        try
        {
            while (true) frames.Add(ReadFrame().ToArray());
        }
        catch (Exception)
        {
            // The host's stdout ended (it exited), broke, or was closed with the client: whoever waits for an answer
            // learns it from the null. Nothing may escape this thread: that would end PowerShell itself.
        }
        finally
        {
            frames.Add(null);
        }
    }

    public Process Process { get; }

    /// <summary>Sends a request and waits for its answer. <paramref name="log"/> gets each frame sent and received
    /// (the calling cmdlet's -Debug stream), <paramref name="onVssCall"/> each notification the host sends while it
    /// serves the request (<c>vss/call</c>, <c>vss/progress</c>, <c>vss/retry</c>: method and params). Either may
    /// be null: then frames are not logged, notifications not read.</summary>
    public object? Call(string method, object? parameters, ScriptBlock? log, ScriptBlock? onVssCall) =>
        Receive(Send(method, parameters, log), log, onVssCall);

    /// <summary>Sends a request without waiting for its answer and returns its id, for <see cref="Receive"/>. A
    /// pipeline keeps a few requests in flight this way, so the host works on one while PowerShell handles the
    /// answer to the last.</summary>
    public int Send(string method, object? parameters, ScriptBlock? log)
    {
        var id = ++nextId;
        var body = VssJson.Request(id, method, parameters);
        log?.Invoke("--> " + Encoding.UTF8.GetString(body));
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        try
        {
            input.Write(header);
            input.Write(body);
            input.Flush();
        }
        catch (IOException)
        {
            throw HostExited();
        }
        return id;
    }

    /// <summary>Waits for the answer to request <paramref name="id"/> and returns its result, or throws a
    /// <see cref="VssSessionException"/> with the VSS error it carries. Answers to other requests read meanwhile
    /// are kept for their own Receive.</summary>
    public object? Receive(int id, ScriptBlock? log, ScriptBlock? onVssCall) => Result(ReceiveAnswer(id, log, onVssCall));

    /// <summary>The answer to request <paramref name="id"/>, as it came (its <c>result</c> or <c>error</c>).</summary>
    internal JsonElement ReceiveAnswer(int id, ScriptBlock? log, ScriptBlock? onVssCall)
    {
        JsonElement reply;
        while (!answers.Remove(id, out reply))
        {
            if (!Take(frames.Take(), log, onVssCall)) throw HostExited();
        }
        return reply;
    }

    /// <summary>Takes in every frame already read, without waiting; then whether request <paramref name="id"/>'s
    /// answer is among those taken in.</summary>
    internal bool HasAnswer(int id, ScriptBlock? log, ScriptBlock? onVssCall)
    {
        while (!answers.ContainsKey(id) && !ended && frames.TryTake(out var frame)) Take(frame, log, onVssCall);
        return answers.ContainsKey(id) || ended;
    }

    /// <summary>One frame: an answer is kept for its Receive, a notification handed to <paramref name="onVssCall"/>.
    /// False when the host's stdout has ended.</summary>
    private bool Take(byte[]? frame, ScriptBlock? log, ScriptBlock? onVssCall)
    {
        if (frame is null)
        {
            ended = true;
            frames.Add(null); // for the next Receive too
            return false;
        }
        log?.Invoke("<-- " + Encoding.UTF8.GetString(frame));
        // A notification nobody listens to is not parsed (vscode-jsonrpc writes "jsonrpc" first, then "method"
        // for a notification, "id" for an answer).
        if (onVssCall is null && frame.AsSpan().StartsWith("{\"jsonrpc\":\"2.0\",\"method\":"u8)) return true;
        using var document = JsonDocument.Parse(frame);
        var message = document.RootElement;
        if (message.ValueKind != JsonValueKind.Object) return true;
        if (!message.TryGetProperty("id", out var replyId))
        {
            if (onVssCall is not null && message.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String
                && method.GetString() is "vss/call" or "vss/progress" or "vss/retry")
            {
                onVssCall.Invoke(method.GetString(), message.TryGetProperty("params", out var p) ? VssJson.ToPowerShell(p) : null);
            }
            return true;
        }
        if (replyId.ValueKind == JsonValueKind.Number && replyId.TryGetInt32(out var number)) answers[number] = message.Clone();
        return true;
    }

    /// <summary>An answer's result as PowerShell objects, or its error thrown as a <see cref="VssSessionException"/>.</summary>
    internal static object? Result(JsonElement reply)
    {
        if (reply.TryGetProperty("error", out var failure) && failure.ValueKind == JsonValueKind.Object) throw Failure(failure);
        return reply.TryGetProperty("result", out var result) ? VssJson.ToPowerShell(result) : null;
    }

    /// <summary>A JSON-RPC error object (<c>code</c>, <c>message</c>, <c>data</c> with the VSS name and HRESULT).</summary>
    internal static VssSessionException Failure(JsonElement failure)
    {
        object? data = failure.TryGetProperty("data", out var d) ? VssJson.ToPowerShell(d) : null;
        var name = d.ValueKind == JsonValueKind.Object && d.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "VSS_E_UNEXPECTED";
        var hr = d.ValueKind == JsonValueKind.Object && d.TryGetProperty("hresult", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString()! : VssErrorCodes.VSS_E_UNEXPECTED;
        var text = failure.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "The vss-session host reported an error without a message.";
        return new VssSessionException(name, hr, text, data);
    }

    /// <summary>Ends the session: closing stdin makes the host end any open backup and exit; waits for that exit,
    /// and kills the host if it has not exited after <paramref name="timeoutMs"/>.</summary>
    public void Close(int timeoutMs)
    {
        try { input.Dispose(); } catch (IOException) { /* the host has exited already: its stdin is closed */ }
        if (!Process.WaitForExit(timeoutMs))
        {
            Process.Kill();
            Process.WaitForExit();
        }
        Process.Dispose();
    }

    internal VssSessionException HostExited() => new(
        "VSS_E_BAD_STATE", VssErrorCodes.VSS_E_BAD_STATE,
        $"The vss-session host process (pid {hostPid}) has exited; the backup it held is over. Start a new one with New-VssBackup.", null);

    /// <summary>One frame's body: a header block ended by an empty line, with Content-Length, then that many bytes.</summary>
    private ReadOnlyMemory<byte> ReadFrame()
    {
        while (true)
        {
            var pending = buffer.AsSpan(start, end - start);
            var headerEnd = pending.IndexOf(HeaderEnd);
            if (headerEnd < 0)
            {
                Fill(end - start + 1);
                continue;
            }
            var length = -1;
            foreach (var line in Encoding.ASCII.GetString(pending[..headerEnd]).Split("\r\n"))
            {
                const string name = "Content-Length:";
                if (line.StartsWith(name, StringComparison.OrdinalIgnoreCase) && int.TryParse(line.AsSpan(name.Length).Trim(), out var n) && n >= 0) length = n;
            }
            if (length < 0) throw new VssSessionException("VSS_E_UNEXPECTED", VssErrorCodes.VSS_E_UNEXPECTED, "The vss-session host sent a frame without Content-Length.", null);
            var bodyStart = start + headerEnd + HeaderEnd.Length;
            if (end - bodyStart >= length)
            {
                start = bodyStart + length;
                return buffer.AsMemory(bodyStart, length);
            }
            Fill(bodyStart + length - start);
        }
    }

    /// <summary>Reads until at least <paramref name="needed"/> unread bytes are buffered, moving them to the front
    /// and growing the buffer as needed.</summary>
    private void Fill(int needed)
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (needed > buffer.Length)
        {
            var bigger = new byte[Math.Max(needed, 2 * buffer.Length)];
            Buffer.BlockCopy(buffer, 0, bigger, 0, end);
            buffer = bigger;
        }
        while (end < needed)
        {
            var n = output.Read(buffer, end, buffer.Length - end);
            if (n <= 0) throw HostExited();
            end += n;
        }
    }
}

/// <summary>A pipeline of deletes to one host, two requests in flight: the host serves one while PowerShell sends the
/// next and handles the last answer, instead of each side waiting for the other. The items that queue up while both
/// are in flight go together in the next request of <c>batchMethod</c> (<c>snapshots/deleteMany</c>,
/// <c>{ deletes: [params…] }</c>), answered with one outcome per item: under a fast producer a frame each way carries
/// many deletes, and under a slow one each item is still sent as it comes. <see cref="Add"/> queues an item, takes in
/// the answers that have come and sends what the window allows; <see cref="Drain"/> sends and takes in the rest. Each
/// item's outcome goes, in the order given, to <c>onAnswer</c> (param($item, $result)) or, when it failed, to
/// <c>onFailure</c> (param($item, $exception)); they run inside Add and Drain, on the cmdlet's own thread, so they
/// write to the pipeline with $PSCmdlet.WriteObject / WriteError of their cmdlet.</summary>
public sealed class VssHostPipeline
{
    private const int MaxBatch = 64;
    private readonly VssHostClient client;
    private readonly int window;
    private readonly ScriptBlock? log;
    private readonly ScriptBlock? reporter;
    private readonly ScriptBlock onAnswer;
    private readonly ScriptBlock onFailure;
    private readonly string batchMethod;
    private readonly Queue<(int Id, object?[] Items)> inFlight = new();
    private readonly List<(object? Parameters, object? Item)> pending = new();
    // The host's answer to turning its notifications off: taken in like the others, then dropped.
    private static readonly object NotificationsOff = new();
    private bool started;

    public VssHostPipeline(VssHostClient client, int window, ScriptBlock? log, ScriptBlock? reporter, ScriptBlock onAnswer, ScriptBlock onFailure, string batchMethod)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "At least one request must be in flight.");
        this.client = client;
        this.window = window;
        this.log = log;
        this.reporter = reporter;
        this.onAnswer = onAnswer;
        this.onFailure = onFailure;
        this.batchMethod = batchMethod;
    }

    public void Add(object? parameters, object? item)
    {
        pending.Add((parameters, item));
        TakeReady();
        // Sent now if the window has room; otherwise it waits for the next answer with the items behind it, unless
        // a whole batch is waiting already.
        while (pending.Count > 0 && (inFlight.Count < window || pending.Count >= MaxBatch))
        {
            if (inFlight.Count >= window) TakeOne();
            SendPending();
        }
    }

    public void Drain()
    {
        while (pending.Count > 0)
        {
            if (inFlight.Count >= window) TakeOne();
            SendPending();
        }
        while (inFlight.Count > 0) TakeOne();
    }

    private void SendPending()
    {
        var batch = pending.GetRange(0, Math.Min(pending.Count, MaxBatch));
        pending.RemoveRange(0, batch.Count);
        var items = batch.Select(b => b.Item).ToArray();
        int id;
        try
        {
            if (!started && reporter is null)
            {
                // Nobody shows the host's per-call notifications: it need not send them (a frame per VSS call).
                inFlight.Enqueue((client.Send("host/notifications", new Dictionary<string, object> { ["enabled"] = false }, log), [NotificationsOff]));
            }
            started = true;
            id = client.Send(batchMethod, new Dictionary<string, object?> { ["deletes"] = batch.Select(b => b.Parameters).ToArray() }, log);
        }
        catch (VssSessionException e)
        {
            foreach (var item in items) onFailure.Invoke(item, e);
            return;
        }
        inFlight.Enqueue((id, items));
    }

    /// <summary>Takes in, in order, the answers that have come, without waiting for any.</summary>
    private void TakeReady()
    {
        while (inFlight.Count > 0 && client.HasAnswer(inFlight.Peek().Id, log, reporter)) TakeOne();
    }

    private void TakeOne()
    {
        var (id, items) = inFlight.Dequeue();
        JsonElement answer;
        try
        {
            answer = client.ReceiveAnswer(id, log, reporter);
        }
        catch (VssSessionException e)
        {
            if (items[0] == NotificationsOff) return; // the requests after it fail too, each with its own item
            foreach (var item in items) onFailure.Invoke(item, e);
            return;
        }
        if (items[0] == NotificationsOff) return;
        // An error for the whole request fails each item with it; else one outcome per item, in order.
        if (answer.TryGetProperty("error", out var failure) && failure.ValueKind == JsonValueKind.Object)
        {
            var e = VssHostClient.Failure(failure);
            foreach (var item in items) onFailure.Invoke(item, e);
            return;
        }
        var outcomes = answer.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.Object && r.TryGetProperty("outcomes", out var o) && o.ValueKind == JsonValueKind.Array ? o : default;
        int i = 0;
        if (outcomes.ValueKind == JsonValueKind.Array)
        {
            foreach (var outcome in outcomes.EnumerateArray())
            {
                if (i >= items.Length) break;
                var item = items[i++];
                if (outcome.ValueKind == JsonValueKind.Object && outcome.TryGetProperty("error", out var itemFailure) && itemFailure.ValueKind == JsonValueKind.Object)
                    onFailure.Invoke(item, VssHostClient.Failure(itemFailure));
                else
                    onAnswer.Invoke(item, outcome.ValueKind == JsonValueKind.Object && outcome.TryGetProperty("result", out var itemResult) ? VssJson.ToPowerShell(itemResult) : null);
            }
        }
        // An answer without an outcome for an item (a host that does not know the method would have failed it whole).
        for (; i < items.Length; i++)
            onFailure.Invoke(items[i], new VssSessionException("VSS_E_UNEXPECTED", VssErrorCodes.VSS_E_UNEXPECTED, "The vss-session host answered a batch of deletes without an outcome for this one; check it with Get-VssSnapshotSet.", null));
    }
}

/// <summary>JSON both ways: requests written with Utf8JsonWriter from the module's hashtables, answers read into the
/// objects ConvertFrom-Json makes (PSCustomObject, object[], long, double, string, bool).</summary>
public static class VssJson
{
    public static byte[] Request(int id, string method, object? parameters)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WriteNumber("id", id);
            writer.WriteString("method", method);
            writer.WritePropertyName("params");
            if (parameters is null)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else
            {
                Write(writer, parameters, 0);
            }
            writer.WriteEndObject();
        }
        return body.WrittenSpan.ToArray();
    }

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
