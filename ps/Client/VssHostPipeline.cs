using System.Management.Automation;
using System.Text.Json;

namespace VssSession.Client;

/// <summary>A pipeline of deletes to one host, two requests in flight: the host serves one while PowerShell sends the
/// next and handles the last answer, instead of each side waiting for the other. The items that queue up while both
/// are in flight go together in the next request of <c>batchMethod</c> (<c>snapshots/deleteMany</c>,
/// <c>{ deletes: [params…] }</c>), answered with one outcome per item: under a fast producer a frame each way carries
/// many deletes, and under a slow one each item is still sent as it comes. <see cref="Add"/> queues an item, takes in
/// the answers that have come and sends what the window allows; <see cref="Drain"/> sends and takes in the rest. Each
/// item's outcome goes, in the order given, to <c>onAnswer</c> (param($item, $result)) or, when it failed, to
/// <c>onFailure</c> (param($item, $exception)); they run inside Add and Drain, on the cmdlet's own thread, and are
/// given the cmdlet as their last argument (param($item, $result, $Cmdlet)), to write with its WriteObject / WriteError.</summary>
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
    /// <summary>The cmdlet every callback writes to, given to each as its last argument.</summary>
    private readonly object? cmdlet;
    private readonly Queue<(int Id, object?[] Items)> inFlight = new();
    private readonly List<(object? Parameters, object? Item)> pending = new();
    // The host's answer to turning its notifications off: taken in like the others, then dropped.
    private static readonly object NotificationsOff = new();
    private bool started;

    public VssHostPipeline(VssHostClient client, int window, ScriptBlock? log, ScriptBlock? reporter, ScriptBlock onAnswer, ScriptBlock onFailure, string batchMethod, object? cmdlet)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "At least one request must be in flight.");
        this.client = client;
        this.window = window;
        this.log = log;
        this.reporter = reporter;
        this.onAnswer = onAnswer;
        this.onFailure = onFailure;
        this.batchMethod = batchMethod;
        this.cmdlet = cmdlet;
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
                inFlight.Enqueue((client.Send("host/notifications", new Dictionary<string, object> { ["enabled"] = false }, log, cmdlet), [NotificationsOff]));
            }
            started = true;
            id = client.Send(batchMethod, new Dictionary<string, object?> { ["deletes"] = batch.Select(b => b.Parameters).ToArray() }, log, cmdlet);
        }
        catch (VssSessionException e)
        {
            foreach (var item in items) onFailure.Invoke(item, e, cmdlet);
            return;
        }
        inFlight.Enqueue((id, items));
    }

    /// <summary>Takes in, in order, the answers that have come, without waiting for any.</summary>
    private void TakeReady()
    {
        while (inFlight.Count > 0 && client.HasAnswer(inFlight.Peek().Id, log, reporter, cmdlet)) TakeOne();
    }

    private void TakeOne()
    {
        var (id, items) = inFlight.Dequeue();
        JsonElement answer;
        try
        {
            answer = client.ReceiveAnswer(id, log, reporter, cmdlet);
        }
        catch (VssSessionException e)
        {
            if (items[0] == NotificationsOff) return; // the requests after it fail too, each with its own item
            foreach (var item in items) onFailure.Invoke(item, e, cmdlet);
            return;
        }
        if (items[0] == NotificationsOff) return;
        // An error for the whole request fails each item with it; else one outcome per item, in order.
        if (answer.TryGetProperty("error", out var failure) && failure.ValueKind == JsonValueKind.Object)
        {
            var e = VssHostClient.Failure(failure);
            foreach (var item in items) onFailure.Invoke(item, e, cmdlet);
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
                    onFailure.Invoke(item, VssHostClient.Failure(itemFailure), cmdlet);
                else
                    onAnswer.Invoke(item, outcome.ValueKind == JsonValueKind.Object && outcome.TryGetProperty("result", out var itemResult) ? VssJson.ToPowerShell(itemResult) : null, cmdlet);
            }
        }
        // An answer without an outcome for an item (a host that does not know the method would have failed it whole).
        for (; i < items.Length; i++)
            onFailure.Invoke(items[i], new VssSessionException("VSS_E_UNEXPECTED", VssErrorCodes.VSS_E_UNEXPECTED, "The vss-session host answered a batch of deletes without an outcome for this one; check it with Get-VssSnapshotSet.", null), cmdlet);
    }
}
