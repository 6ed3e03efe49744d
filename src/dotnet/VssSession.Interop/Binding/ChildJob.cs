using System.Runtime.InteropServices;

namespace VssSession.Interop.Binding;

/// <summary>
/// Windows' way for children to die with their parent (Linux uses PR_SET_PDEATHSIG and process groups): a job object
/// with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE that this process joins, so every process it starts from then on, and all
/// of theirs, is in the job. When this process ends, however it ends (TerminateProcess included), its handle to the
/// job closes and Windows ends the job's processes: a <c>backup --exec</c> command never reads a snapshot that is gone.
/// Node's own job object lets grandchildren break away silently; this one does not, and jobs nest (Windows 8 and later).
/// </summary>
public static unsafe partial class ChildJob
{
    private const int JobObjectExtendedLimitInformation = 9;
    private const uint KillOnJobClose = 0x2000; // JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    private const uint BreakawayOk = 0x800; // JOB_OBJECT_LIMIT_BREAKAWAY_OK: CREATE_BREAKAWAY_FROM_JOB still works

    // winnt.h's JOBOBJECT_EXTENDED_LIMIT_INFORMATION (its basic limits, IO_COUNTERS, then the memory limits).
    [StructLayout(LayoutKind.Sequential)]
    private struct ExtendedLimits
    {
        public long PerProcessUserTimeLimit;
        public long PerJobUserTimeLimit;
        public uint LimitFlags;
        public nuint MinimumWorkingSetSize;
        public nuint MaximumWorkingSetSize;
        public uint ActiveProcessLimit;
        public nuint Affinity;
        public uint PriorityClass;
        public uint SchedulingClass;
        public ulong ReadOperationCount, WriteOperationCount, OtherOperationCount, ReadTransferCount, WriteTransferCount, OtherTransferCount;
        public nuint ProcessMemoryLimit, JobMemoryLimit, PeakProcessMemoryUsed, PeakJobMemoryUsed;
    }

    [LibraryImport("kernel32.dll", SetLastError = true)]
    private static partial nint CreateJobObjectW(nint attributes, nint name);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool SetInformationJobObject(nint job, int infoClass, void* info, uint length);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool AssignProcessToJobObject(nint job, nint process);

    [LibraryImport("kernel32.dll")]
    private static partial nint GetCurrentProcess();

    /// <summary>Never closed: its closing, at this process's end, is what ends the children.</summary>
    private static nint s_job;

    /// <summary>From now on, the processes this one starts die with it. Returns why not where that cannot be had.</summary>
    public static string? Tie()
    {
        if (s_job != 0) return SetFlags(KillOnJobClose | BreakawayOk);
        nint job = CreateJobObjectW(0, 0);
        if (job == 0) return $"CreateJobObject failed with error {Marshal.GetLastPInvokeError()}";
        string? failed = SetFlags(KillOnJobClose | BreakawayOk, job);
        if (failed is not null) return failed;
        if (!AssignProcessToJobObject(job, GetCurrentProcess())) return $"AssignProcessToJobObject failed with error {Marshal.GetLastPInvokeError()} (jobs nest from Windows 8 on)";
        s_job = job;
        return null;
    }

    /// <summary>The processes started meanwhile outlive this one again, as after a command that ended on its own.</summary>
    public static string? Untie() => s_job == 0 ? null : SetFlags(BreakawayOk);

    private static string? SetFlags(uint flags, nint job = 0)
    {
        var limits = new ExtendedLimits { LimitFlags = flags };
        return SetInformationJobObject(job == 0 ? s_job : job, JobObjectExtendedLimitInformation, &limits, (uint)sizeof(ExtendedLimits))
            ? null
            : $"SetInformationJobObject failed with error {Marshal.GetLastPInvokeError()}";
    }
}
