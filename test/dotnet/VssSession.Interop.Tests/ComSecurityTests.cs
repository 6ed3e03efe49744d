using VssSession.Interop.Binding;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>What each result of CoInitializeSecurity means for a requester. The call itself runs on Windows (and under
/// Wine, whose log shows its parameters: test/windows/package.test.ts).</summary>
public sealed class ComSecurityTests
{
    [Fact]
    public void SecuritySetAsRequestedLetsTheBackupGoOn()
    {
        Assert.Null(ComSecurity.Describe(VssErrors.S_OK));
    }

    [Fact]
    public void SecuritySetFirstBySomethingElseStopsTheBackupWithWhatToDo()
    {
        // Taken as success before: writers under other accounts then failed to call back halfway through a backup.
        string? fault = ComSecurity.Describe(ComSecurity.RPC_E_TOO_LATE);
        Assert.NotNull(fault);
        Assert.Contains("RPC_E_TOO_LATE", fault);
        Assert.Contains("8194", fault);
        Assert.Contains("nothing was sent to VSS", fault);
        Assert.Contains("Run vss-session as its own process", fault);
    }

    [Fact]
    public void AnyOtherFailureNamesItsHResult()
    {
        Assert.Contains("0x80070005", ComSecurity.Describe(VssErrors.E_ACCESSDENIED));
        Assert.Contains("multithreaded", ComSecurity.Describe(ComSecurity.RPC_E_CHANGED_MODE));
    }

    [Fact]
    public async Task OffWindowsNothingIsCalled()
    {
        if (OperatingSystem.IsWindows()) return;
        // ole32.dll does not exist here: the facade must not reach it, or it would throw DllNotFoundException.
        var reply = await new Facade().InitializeComSecurity("{}");
        Assert.Contains("\"set\":false", reply.ToString());
    }
}

/// <summary>A path's place on its volume, the part of the volume lookup that is not a Win32 call (the calls run under
/// Wine: test/windows/package.test.ts).</summary>
public sealed class VolumePathTests
{
    [Theory]
    [InlineData(@"C:\", @"C:\", "")]
    [InlineData(@"C:\", @"C:\data", "data")]
    [InlineData(@"C:\", @"c:\Data\Sub\", @"Data\Sub")]
    [InlineData(@"C:\mnt\disk2\", @"C:\mnt\disk2\logs", "logs")]
    [InlineData(@"C:\", @"\\?\C:\data", "data")]
    [InlineData(@"\\?\Volume{6f1f2c3a-0000-0000-0000-100000000000}\", @"\\?\Volume{6f1f2c3a-0000-0000-0000-100000000000}\x", "x")]
    public void ThePathInsideTheVolumeIsWhatFollowsItsRoot(string volume, string full, string relative)
    {
        Assert.Equal(relative, VolumePaths.RelativeTo(volume, full));
    }
}
