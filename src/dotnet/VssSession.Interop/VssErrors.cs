using System.Globalization;

namespace VssSession.Interop;

/// <summary>A failed VSS call: the VSS name of its HRESULT, the code, and what the operator should do next.</summary>
public sealed class VssException : Exception
{
    public VssException(int hresult, string operation, string? detail = null)
        : base(VssErrors.Describe(hresult, operation, detail))
    {
        HResult = hresult;
        Name = VssErrors.NameOf(hresult);
        Operation = operation;
    }

    /// <summary>VSS_E_* name, or the hex code where the HRESULT is not a VSS one.</summary>
    public string Name { get; }

    /// <summary>The VSS call that failed, e.g. "IVssBackupComponents::DoSnapshotSet".</summary>
    public string Operation { get; }

    public string HexCode => VssErrors.Hex(HResult);

    /// <summary>A DeleteSnapshots that failed: what it deleted before it stopped, and the snapshot it could not
    /// delete (pNondeletedSnapshotID, where VSS names one). Null for every other call.</summary>
    public DeleteResult? PartialDelete { get; init; }
}

public static partial class VssErrors
{
    public const int S_OK = 0;
    public const int S_FALSE = 1;
    public const int E_NOINTERFACE = unchecked((int)0x80004002);
    public const int E_POINTER = unchecked((int)0x80004003);
    public const int E_NOTIMPL = unchecked((int)0x80004001);
    public const int E_INVALIDARG = unchecked((int)0x80070057);
    public const int E_ACCESSDENIED = unchecked((int)0x80070005);
    public const int E_OUTOFMEMORY = unchecked((int)0x8007000E);
    public const int E_UNEXPECTED = unchecked((int)0x8000FFFF);

    /// <summary>HRESULT_FROM_WIN32(ERROR_TIMEOUT): an asynchronous VSS call that did not finish in its time limit.</summary>
    public const int ERROR_TIMEOUT = unchecked((int)0x800705B4);

    public static readonly int VSS_S_ASYNC_PENDING = HResultOf("VSS_S_ASYNC_PENDING");
    public static readonly int VSS_S_ASYNC_FINISHED = HResultOf("VSS_S_ASYNC_FINISHED");
    public static readonly int VSS_S_ASYNC_CANCELLED = HResultOf("VSS_S_ASYNC_CANCELLED");
    public static readonly int VSS_E_BAD_STATE = HResultOf("VSS_E_BAD_STATE");
    public static readonly int VSS_E_UNEXPECTED = HResultOf("VSS_E_UNEXPECTED");
    public static readonly int VSS_E_OBJECT_NOT_FOUND = HResultOf("VSS_E_OBJECT_NOT_FOUND");
    public static readonly int VSS_E_INVALID_XML_DOCUMENT = HResultOf("VSS_E_INVALID_XML_DOCUMENT");
    public static readonly int VSS_E_PROVIDER_NOT_REGISTERED = HResultOf("VSS_E_PROVIDER_NOT_REGISTERED");

    private static readonly Dictionary<int, string> NamesByCode = BuildNames();

    private static Dictionary<int, string> BuildNames()
    {
        var names = new Dictionary<int, string>
        {
            [E_NOTIMPL] = "E_NOTIMPL",
            [E_INVALIDARG] = "E_INVALIDARG",
            [E_ACCESSDENIED] = "E_ACCESSDENIED",
            [E_OUTOFMEMORY] = "E_OUTOFMEMORY",
            [E_UNEXPECTED] = "E_UNEXPECTED",
            [ERROR_TIMEOUT] = "ERROR_TIMEOUT",
        };
        foreach (var (name, code) in Known) names[code] = name;
        return names;
    }

    public static int HResultOf(string name)
    {
        foreach (var (known, code) in Known) if (known == name) return code;
        throw new ArgumentException($"'{name}' is not a VSS HRESULT name.", nameof(name));
    }

    public static string Hex(int hresult) => "0x" + hresult.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>The VSS name of an HRESULT; unknown codes keep their hex form, never a made-up name.</summary>
    public static string NameOf(int hresult) => NamesByCode.TryGetValue(hresult, out var n) ? n : Hex(hresult);

    /// <summary>What the operator should do about an HRESULT.</summary>
    public static string Advice(int hresult) => NameOf(hresult) switch
    {
        "VSS_E_BAD_STATE" => "The call came out of order for this backup. Start a new backup (New-VssBackup): a component object is never reused.",
        "VSS_E_OBJECT_NOT_FOUND" => "No such volume, snapshot or snapshot set. Check the id with Get-VssSnapshotSet, or the volume path.",
        "VSS_E_VOLUME_NOT_SUPPORTED" => "VSS cannot snapshot this volume. Use a local NTFS/ReFS volume (on the emulator: an existing directory).",
        "VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER" => "The provider cannot snapshot this volume. Pick another provider or volume.",
        "VSS_E_SNAPSHOT_SET_IN_PROGRESS" => "Another snapshot set is being created on this machine. Retry in a few seconds.",
        "VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED" => "A snapshot set holds at most 64 volumes. Split the volumes over several backups.",
        "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED" => "The volume has as many shadow copies as VSS allows. Delete old ones (Get-VssSnapshotSet | Remove-VssSnapshotSet).",
        "VSS_E_UNSUPPORTED_CONTEXT" => "The snapshot context is not supported here. Use Backup, or a context the provider supports.",
        "VSS_E_INSUFFICIENT_STORAGE" => "The shadow storage is full. Free space or enlarge it (vssadmin resize shadowstorage).",
        "VSS_E_FLUSH_WRITES_TIMEOUT" or "VSS_E_HOLD_WRITES_TIMEOUT" => "The system was too busy to hold writes for the snapshot. Retry when the volume is less busy.",
        "VSS_E_WRITERERROR_TIMEOUT" or "VSS_E_WRITER_NOT_RESPONDING" => "A writer did not answer in time. Check the writer's service, then retry the backup.",
        "VSS_E_WRITERERROR_RETRYABLE" => "A writer failed for a passing reason. Retry the backup.",
        "VSS_E_WRITERERROR_NONRETRYABLE" => "A writer failed and will fail again. Check the writer's service and its event log before retrying.",
        "VSS_E_UNEXPECTED_WRITER_ERROR" or "VSS_E_WRITER_INFRASTRUCTURE" => "The writer infrastructure failed. Check Get-VssWriter and restart the VSS service if writers are missing.",
        "VSS_E_UNEXPECTED" or "VSS_E_UNEXPECTED_PROVIDER_ERROR" => "VSS failed unexpectedly. Check the Application event log (source VSS), then retry.",
        "E_ACCESSDENIED" => "Run elevated, as a member of Administrators or Backup Operators.",
        "E_NOTIMPL" => "This VSS method is not available here.",
        "ERROR_TIMEOUT" => "The phase took longer than its time limit and was cancelled; the backup was aborted. Raise the limit or find the slow writer (Get-VssWriter).",
        _ => "See the VSS documentation for this code; retry once, and report it if it persists.",
    };

    public static string Describe(int hresult, string operation, string? detail) =>
        $"{operation} failed with {NameOf(hresult)} ({Hex(hresult)}){(string.IsNullOrEmpty(detail) ? "" : ": " + detail)}. {Advice(hresult)}";

    /// <summary>Throws a <see cref="VssException"/> for a failing HRESULT; success codes pass.</summary>
    public static void Check(int hresult, string operation, string? detail = null)
    {
        if (hresult < 0) throw new VssException(hresult, operation, detail);
    }
}
