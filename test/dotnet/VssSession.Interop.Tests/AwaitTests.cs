using VssSession.Interop.Binding;
using VssSession.Interop.Com;
using VssSession.Interop.Emulator;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>
/// A pending operation's outcome as it really ended (BackupComponents.AwaitOperation): the emulator's own IVssAsync
/// with each race made to happen, between Wait's expiry and Cancel.
/// </summary>
public sealed class AwaitTests
{
    private static readonly VssApi Api = new EmulatorVssApi("unused");
    private const string Operation = "IVssBackupComponents::DoSnapshotSet";

    /// <summary>The emulator's IVssAsync over an operation the test releases; `between` runs after Wait returns, before
    /// anything else is asked of the object, and `waitAnswer` replaces Wait's own answer where given.</summary>
    private sealed class Race(Func<Task> operation, Action between, int? waitAnswer = null, int? cancelAnswer = null) : IVssAsync
    {
        private readonly EmulatedAsync _inner = new(operation);
        public int Cancels { get; private set; }

        public int Cancel()
        {
            Cancels++;
            return cancelAnswer ?? _inner.Cancel();
        }

        public int Wait(uint dwMilliseconds)
        {
            int hr = _inner.Wait(dwMilliseconds);
            between();
            return waitAnswer ?? hr;
        }

        public int QueryStatus(out int pHrResult, nint pReserved) => _inner.QueryStatus(out pHrResult, pReserved);
    }

    private static (Func<Task> Operation, Action Finish) Held(Exception? failure = null)
    {
        var release = new ManualResetEventSlim();
        var done = new ManualResetEventSlim();
        Func<Task> operation = () =>
        {
            try
            {
                release.Wait();
                if (failure is not null) throw failure;
                return Task.CompletedTask;
            }
            finally
            {
                done.Set();
            }
        };
        return (operation, () => { release.Set(); Assert.True(done.Wait(TimeSpan.FromSeconds(10)), "the operation never ran"); Thread.Sleep(20); });
    }

    [Fact]
    public void StillPendingAfterTheTimeLimitIsCancelledAndReportedAsATimeout()
    {
        var (operation, finish) = Held();
        var pending = new Race(operation, () => { });
        var e = Assert.Throws<VssException>(() => BackupComponents.AwaitOperation(Api, pending, Operation, TimeSpan.FromMilliseconds(50)));
        Assert.Equal("ERROR_TIMEOUT", e.Name);
        Assert.Contains("no answer within 0.05 s; the operation was cancelled", e.Message);
        Assert.Equal(1, pending.Cancels);
        finish();
    }

    [Fact]
    public void FinishedBetweenWaitAndCancelIsReportedAsFinishedNotAsATimeout()
    {
        var (operation, finish) = Held();
        // Wait expires; the operation ends before the status is read: no timeout, no cancel needed.
        var racing = new Race(operation, finish);
        BackupComponents.AwaitOperation(Api, racing, Operation, TimeSpan.FromMilliseconds(50));
        Assert.Equal(0, racing.Cancels);
    }

    [Fact]
    public void CancelAnsweringFinishedReportsTheOperationsOwnResult()
    {
        var (operation, finish) = Held(new EmulatorFault(unchecked((int)0x800423F3) /* VSS_E_WRITERERROR_RETRYABLE */, "a writer failed"));
        // The status still says pending when read; by Cancel the operation has ended with its own error.
        var racing = new RaceAtCancel(operation, finish);
        var e = Assert.Throws<VssException>(() => BackupComponents.AwaitOperation(Api, racing, Operation, TimeSpan.FromMilliseconds(50)));
        Assert.Equal("VSS_E_WRITERERROR_RETRYABLE", e.Name);
    }

    [Fact]
    public void AFailedWaitIsNotTheEndOfTheStory()
    {
        // Wait fails, yet the operation had finished: its result counts.
        var (done, finishDone) = Held();
        var finished = new Race(done, () => { }, waitAnswer: VssErrors.E_UNEXPECTED);
        finishDone();
        BackupComponents.AwaitOperation(Api, finished, Operation, TimeSpan.FromSeconds(5));

        // Wait fails while it is still pending: cancelled, and the report says why it stopped waiting.
        var (held, finishHeld) = Held();
        var pending = new Race(held, () => { }, waitAnswer: VssErrors.E_UNEXPECTED);
        var e = Assert.Throws<VssException>(() => BackupComponents.AwaitOperation(Api, pending, Operation, TimeSpan.FromSeconds(5)));
        Assert.Equal("ERROR_TIMEOUT", e.Name);
        Assert.Contains("IVssAsync::Wait failed with E_UNEXPECTED; the operation was cancelled", e.Message);
        Assert.Equal(1, pending.Cancels);
        finishHeld();
    }

    [Fact]
    public void ACancelThatFailsSaysTheOperationMayStillRun()
    {
        var (operation, finish) = Held();
        var pending = new Race(operation, () => { }, cancelAnswer: VssErrors.E_UNEXPECTED);
        var e = Assert.Throws<VssException>(() => BackupComponents.AwaitOperation(Api, pending, Operation, TimeSpan.FromMilliseconds(50)));
        Assert.Equal("ERROR_TIMEOUT", e.Name);
        Assert.Contains("IVssAsync::Cancel failed with E_UNEXPECTED, so it may still be running", e.Message);
        finish();
    }

    /// <summary>The emulator's IVssAsync whose operation ends just as Cancel is asked, before Cancel looks.</summary>
    private sealed class RaceAtCancel(Func<Task> operation, Action atCancel) : IVssAsync
    {
        private readonly EmulatedAsync _inner = new(operation);

        public int Cancel()
        {
            atCancel();
            return _inner.Cancel();
        }

        public int Wait(uint dwMilliseconds) => _inner.Wait(dwMilliseconds);

        public int QueryStatus(out int pHrResult, nint pReserved) => _inner.QueryStatus(out pHrResult, pReserved);
    }
}
