using System.Reflection;
using System.Runtime.InteropServices;
using VssSession.Interop.Com;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>
/// vsbackup.h mixes C++ <c>bool</c> (one byte) and Win32 <c>BOOL</c> (four bytes) parameters on IVssBackupComponents;
/// each must be marshalled as its own size. The lists are the SDK's (um/vsbackup.h): SetBackupState's three flags,
/// SetBackupSucceeded, SetSelectedForRestore, SetAdditionalRestores, AddAlternativeLocationMapping,
/// AddRestoreSubcomponent and AddNewTarget take <c>bool</c>; DeleteSnapshots, IsVolumeSupported and RevertToSnapshot
/// take <c>BOOL</c>.
/// </summary>
public sealed class BoolMarshallingTests
{
    private static readonly string[] OneByte = ["SetBackupState", "SetBackupSucceeded", "SetSelectedForRestore", "SetAdditionalRestores", "AddAlternativeLocationMapping", "AddRestoreSubcomponent", "AddNewTarget"];
    private static readonly string[] FourBytes = ["DeleteSnapshots", "IsVolumeSupported", "RevertToSnapshot"];

    [Fact]
    public void EveryBoolParameterOfIVssBackupComponentsHasTheSdksSize()
    {
        var boolParameters = typeof(IVssBackupComponents).GetMethods()
            .SelectMany(m => m.GetParameters().Where(p => (p.ParameterType.IsByRef ? p.ParameterType.GetElementType() : p.ParameterType) == typeof(bool)).Select(p => (Method: m.Name, Parameter: p)))
            .ToList();
        Assert.Equal(OneByte.Concat(FourBytes).Order(), boolParameters.Select(b => b.Method).Distinct().Order());
        foreach (var (method, parameter) in boolParameters)
        {
            var expected = OneByte.Contains(method) ? UnmanagedType.U1 : UnmanagedType.Bool;
            Assert.True(parameter.GetCustomAttribute<MarshalAsAttribute>()?.Value == expected, $"{method}'s {parameter.Name} must be marshalled as {expected}");
        }
    }
}
