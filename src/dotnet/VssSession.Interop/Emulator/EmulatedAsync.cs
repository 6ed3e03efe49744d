using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>The emulator's IVssAsync: an operation of the emulated service running on a worker thread.</summary>
[GeneratedComClass]
public sealed partial class EmulatedAsync : IVssAsync
{
    private readonly Task _operation;
    private readonly Action? _cancel;
    private volatile bool _cancelled;

    /// <param name="operation">The service call, run on a worker thread.</param>
    /// <param name="cancel">Asks the service to stop the operation (its copy of the volumes, for DoSnapshotSet).</param>
    public EmulatedAsync(Func<Task> operation, Action? cancel = null)
    {
        _operation = Task.Run(operation);
        _cancel = cancel;
    }

    public int Cancel()
    {
        if (_operation.IsCompleted) return VssErrors.VSS_S_ASYNC_FINISHED;
        _cancelled = true;
        _cancel?.Invoke();
        return VssErrors.S_OK;
    }

    public int Wait(uint dwMilliseconds)
    {
        try
        {
            _operation.Wait(dwMilliseconds == uint.MaxValue ? Timeout.Infinite : (int)Math.Min(dwMilliseconds, int.MaxValue));
        }
        catch (AggregateException)
        {
            // The outcome is reported by QueryStatus, as with VSS.
        }
        return VssErrors.S_OK;
    }

    public int QueryStatus(out int pHrResult, nint pReserved)
    {
        if (!_operation.IsCompleted) pHrResult = _cancelled ? VssErrors.VSS_S_ASYNC_CANCELLED : VssErrors.VSS_S_ASYNC_PENDING;
        else if (_operation.Exception?.InnerException is EmulatorFault fault) pHrResult = fault.Code;
        else if (_operation.IsFaulted) pHrResult = VssErrors.VSS_E_UNEXPECTED;
        else pHrResult = _cancelled ? VssErrors.VSS_S_ASYNC_CANCELLED : VssErrors.VSS_S_ASYNC_FINISHED;
        return VssErrors.S_OK;
    }
}
