using System.Reflection;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>The facade against contract/contract.json (through Contract.Generated.cs): the TypeScript side calls
/// exactly the methods the table lists, so a method missing here, or one added here and not there, fails.</summary>
public sealed class FacadeContractTests
{
    [Fact]
    public void TheFacadeHasExactlyTheMethodsOfTheContract()
    {
        var entryPoints = typeof(Facade).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.ReturnType == typeof(Task<object>) && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(object))
            .Select(m => m.Name)
            .ToArray();
        Assert.Equal(Contract.FacadeMethods.Length, Contract.FacadeMethods.Distinct().Count());
        Assert.Equal(Contract.FacadeMethods.Order(), entryPoints.Order());
    }
}
