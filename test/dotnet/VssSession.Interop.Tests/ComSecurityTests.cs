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
    public void OffWindowsNothingIsCalled()
    {
        if (OperatingSystem.IsWindows()) return;
        // ole32.dll does not exist here: the facade must not reach it, or it would throw DllNotFoundException.
        var reply = new Facade().InitializeComSecurity("{}").GetAwaiter().GetResult();
        Assert.Contains("\"set\":false", reply.ToString());
    }
}
