using System.Runtime.InteropServices;
using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>One line of `vss-session emulator journal --json`.</summary>
public sealed record JournalEntry(
    string Time, string Event, string Writer, string WriterId, string? SnapshotSetId, string State, string? Error,
    bool? BackupCompleteReceived, int? RequesterPid);

/// <summary>
/// The emulated VSS service for one test run: a fresh VSS_SESSION_HOME (a short path under /tmp, so the socket
/// lives in it), started with `vss-session emulator start` and stopped with `emulator stop`.
/// </summary>
public sealed class EmulatorFixture : IDisposable
{
    public static readonly string[] DefaultWriters = ["Emulated Database Writer", "Emulated Registry Writer"];
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public string RepoRoot { get; }
    public string Executable { get; }
    public string Home { get; }
    public string Socket { get; }

    public EmulatorFixture()
    {
        RepoRoot = FindRepoRoot();
        // module/bin/<runtime>/: one folder per platform, named as .NET names runtimes (linux-x64, win-x64).
        string runtime = $"{(OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux")}-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
        Executable = Path.Combine(RepoRoot, "module", "bin", runtime, OperatingSystem.IsWindows() ? "vss-session.exe" : "vss-session");
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"{Executable} is missing: run `npm run build` in {RepoRoot} first (it builds the vss-session executable these tests start the emulated VSS service with).");

        Home = NewTempDir("vsst-home-");
        var started = Run("emulator", "start", "--json");
        Assert.True(started.ExitCode == 0, $"`vss-session emulator start` exited {started.ExitCode}: {started.StdErr}{started.StdOut}");
        using var status = JsonDocument.Parse(started.StdOut);
        Socket = status.RootElement.GetProperty("socket").GetString()!;
        if (OperatingSystem.IsWindows())
        {
            // Windows: a named pipe per VSS_SESSION_HOME (src/paths.ts), not a file in it.
            Assert.StartsWith(@"\\.\pipe\vss-session-", Socket);
        }
        else
        {
            Assert.Equal(Path.Combine(Home, "emulator.sock"), Socket);
            Assert.True(File.Exists(Socket), $"the emulated VSS service reported socket {Socket}, which does not exist");
        }
    }

    public void Dispose()
    {
        try
        {
            var stopped = Run("emulator", "stop");
            if (stopped.ExitCode != 0) Console.Error.WriteLine($"`vss-session emulator stop` exited {stopped.ExitCode}: {stopped.StdErr}");
        }
        finally
        {
            DeleteTree(Home);
        }
    }

    /// <summary>A new directory with a short name under /tmp (the system temp folder on Windows).</summary>
    public static string NewTempDir(string prefix)
    {
        string root = OperatingSystem.IsWindows() ? Path.GetTempPath() : "/tmp";
        string dir = Path.Combine(root, prefix + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Deletes a tree, snapshot copies included (the emulator makes them read-only).</summary>
    public static void DeleteTree(string dir)
    {
        if (!Directory.Exists(dir)) return;
        if (OperatingSystem.IsWindows())
        {
            // The emulator marks snapshot copies read-only, which Directory.Delete refuses on Windows.
            foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
                File.SetAttributes(f, FileAttributes.Normal);
        }
        else
        {
            foreach (var d in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Prepend(dir))
                File.SetUnixFileMode(d, File.GetUnixFileMode(d) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Directory.Delete(dir, recursive: true);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "package.json"))) return dir.FullName;
        throw new InvalidOperationException($"no package.json above {AppContext.BaseDirectory}: the tests must run from inside the repository");
    }

    public (int ExitCode, string StdOut, string StdErr) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["VSS_SESSION_HOME"] = Home;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException($"`vss-session {string.Join(' ', args)}` did not exit within 60 s");
        }
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>The writer-event journal as JSON lines, oldest first, for fields JournalEntry does not carry.</summary>
    public List<string> JournalLines()
    {
        var result = Run("emulator", "journal", "--json");
        Assert.True(result.ExitCode == 0, $"`vss-session emulator journal --json` exited {result.ExitCode}: {result.StdErr}");
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    /// <summary>The writer-event journal, oldest first.</summary>
    public List<JournalEntry> Journal()
    {
        var result = Run("emulator", "journal", "--json");
        Assert.True(result.ExitCode == 0, $"`vss-session emulator journal --json` exited {result.ExitCode}: {result.StdErr}");
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonSerializer.Deserialize<JournalEntry>(line, Json)!)
            .ToList();
    }
}

/// <summary>Every test that talks to the emulated VSS service: one service, tests run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>
{
    public const string Name = "emulated VSS service";
}
