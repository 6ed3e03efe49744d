using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using VssSession.Framing;

namespace VssSession.Client;

/// <summary>The JSON-RPC 2.0 client of one <c>vss-session host</c> process: Content-Length framing (what
/// vscode-jsonrpc speaks) over the process's stdin/stdout. One client is one host process is at most one backup.
/// Answers come back as PowerShell objects, the way ConvertFrom-Json makes them, so the module's script reads
/// them as before. The framing is shared with the emulated component object's connection (src/dotnet/Shared/).</summary>
/// <remarks>A hand-written client, not StreamJsonRpc: that library brings MessagePack, Nerdbank.Streams and the
/// Visual Studio threading library into every PowerShell session that imports the module, beside PowerShell's own
/// copies of their dependencies, and its first use costs more than this whole client's. The framing is a header
/// and a length; the messages are three shapes (request, answer, notification).</remarks>
public sealed class VssHostClient
{
    private readonly Stream input;
    private readonly ContentLengthFrames toHost;
    private readonly ContentLengthFrames fromHost;
    private readonly Dictionary<int, JsonElement> answers = new();
    // Frames as the reader thread takes them off the host's stdout; null once the host's stdout has ended. Only the
    // bytes cross threads: parsing, logging and the notification callbacks run on the caller's (PowerShell's) thread.
    private readonly System.Collections.Concurrent.BlockingCollection<byte[]?> received = new();
    private bool ended;
    private readonly int hostPid;
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
        toHost = new(input);
        fromHost = new(Process.StandardOutput.BaseStream);
        // A thread of its own reads the answers, so a pipeline can see which have come without waiting for one.
        new Thread(ReadFrames) { IsBackground = true, Name = "vss-session host reader" }.Start();
    }

    private void ReadFrames()
    {
        try
        {
            while (true) received.Add(fromHost.Read().ToArray());
        }
        catch (Exception)
        {
            // The host's stdout ended (it exited), broke, or was closed with the client: whoever waits for an answer
            // learns it from the null. Nothing may escape this thread: that would end PowerShell itself.
        }
        finally
        {
            received.Add(null);
        }
    }

    public Process Process { get; }

    /// <summary>Sends a request and waits for its answer. <paramref name="log"/> gets each frame sent and received
    /// (the calling cmdlet's -Debug stream), <paramref name="onVssCall"/> each notification the host sends while it
    /// serves the request (<c>vss/call</c>, <c>vss/progress</c>, <c>vss/retry</c>: method and params). Either may
    /// be null: then frames are not logged, notifications not read. Each is given <paramref name="cmdlet"/> as its
    /// last argument: the cmdlet whose streams it writes to, never one found on the caller's stack.</summary>
    public object? Call(string method, object? parameters, ScriptBlock? log, ScriptBlock? onVssCall, object? cmdlet) =>
        Receive(Send(method, parameters, log, cmdlet), log, onVssCall, cmdlet);

    /// <summary>Sends a request without waiting for its answer and returns its id, for <see cref="Receive"/>. A
    /// pipeline keeps a few requests in flight this way, so the host works on one while PowerShell handles the
    /// answer to the last.</summary>
    public int Send(string method, object? parameters, ScriptBlock? log, object? cmdlet)
    {
        var id = ++nextId;
        var body = VssJson.Request(id, method, parameters);
        log?.Invoke("--> " + Encoding.UTF8.GetString(body), cmdlet);
        try
        {
            toHost.Write(body);
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
    public object? Receive(int id, ScriptBlock? log, ScriptBlock? onVssCall, object? cmdlet) => Result(ReceiveAnswer(id, log, onVssCall, cmdlet));

    /// <summary>The answer to request <paramref name="id"/>, as it came (its <c>result</c> or <c>error</c>).</summary>
    internal JsonElement ReceiveAnswer(int id, ScriptBlock? log, ScriptBlock? onVssCall, object? cmdlet)
    {
        JsonElement reply;
        while (!answers.Remove(id, out reply))
        {
            if (!Take(received.Take(), log, onVssCall, cmdlet)) throw HostExited();
        }
        return reply;
    }

    /// <summary>Takes in every frame already read, without waiting; then whether request <paramref name="id"/>'s
    /// answer is among those taken in.</summary>
    internal bool HasAnswer(int id, ScriptBlock? log, ScriptBlock? onVssCall, object? cmdlet)
    {
        while (!answers.ContainsKey(id) && !ended && received.TryTake(out var frame)) Take(frame, log, onVssCall, cmdlet);
        return answers.ContainsKey(id) || ended;
    }

    /// <summary>One frame: an answer is kept for its Receive, a notification handed to <paramref name="onVssCall"/>.
    /// False when the host's stdout has ended.</summary>
    private bool Take(byte[]? frame, ScriptBlock? log, ScriptBlock? onVssCall, object? cmdlet)
    {
        if (frame is null)
        {
            ended = true;
            received.Add(null); // for the next Receive too
            return false;
        }
        log?.Invoke("<-- " + Encoding.UTF8.GetString(frame), cmdlet);
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
                onVssCall.Invoke(method.GetString(), message.TryGetProperty("params", out var p) ? VssJson.ToPowerShell(p) : null, cmdlet);
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
        return new VssSessionException(name, hr, text, data)
        {
            PartialDelete = d.ValueKind == JsonValueKind.Object && d.TryGetProperty("partialDelete", out var partial) && partial.ValueKind == JsonValueKind.Object
                ? VssDeleteResult.FromJson(partial)
                : null,
        };
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
}
