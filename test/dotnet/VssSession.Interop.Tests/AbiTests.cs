using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using VssSession.Interop.Com;
using VssSession.Interop.Emulator;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>The C# declarations against abi.json (contract/vss-abi.json, copied beside the tests): the IIDs, every
/// vtable slot in order, the HRESULT table, the enums and the native struct layouts.</summary>
public sealed partial class AbiTests
{
    private static readonly JsonElement Abi = LoadAbi();

    private static JsonElement LoadAbi()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "abi.json");
        Assert.True(File.Exists(path), $"abi.json is not in the test output folder ({path})");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static TheoryData<string> Interfaces => new() { "IVssBackupComponents", "IVssAsync", "IVssEnumObject" };

    private static Type InterfaceType(string name) =>
        typeof(IVssBackupComponents).Assembly.GetType("VssSession.Interop.Com." + name)
        ?? throw new Xunit.Sdk.XunitException($"VssSession.Interop.Com.{name} is not declared");

    /// <summary>The declared methods in declaration (= vtable) order: metadata tokens follow source order.</summary>
    private static MethodInfo[] VtableMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).OrderBy(m => m.MetadataToken).ToArray();

    [Fact]
    public void AbiJsonListsExactlyTheThreeInterfaces()
    {
        var names = Abi.GetProperty("interfaces").EnumerateObject().Select(p => p.Name).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { "IVssAsync", "IVssBackupComponents", "IVssEnumObject" }, names);
        Assert.Equal(48, Abi.GetProperty("interfaces").GetProperty("IVssBackupComponents").GetProperty("methods").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void InterfaceIidMatchesAbi(string name)
    {
        var type = InterfaceType(name);
        var guid = type.GetCustomAttribute<GuidAttribute>();
        Assert.NotNull(guid);
        var expected = Guid.Parse(Abi.GetProperty("interfaces").GetProperty(name).GetProperty("iid").GetString()!);
        Assert.Equal(expected, Guid.Parse(guid.Value));
        Assert.Equal(expected, type.GUID);
        Assert.Equal("IUnknown", Abi.GetProperty("interfaces").GetProperty(name).GetProperty("base").GetString());
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void MethodsAreDeclaredInVtableOrder(string name)
    {
        var slots = Abi.GetProperty("interfaces").GetProperty(name).GetProperty("methods").EnumerateArray()
            .Select(m => (Slot: m.GetProperty("slot").GetInt32(), Name: m.GetProperty("name").GetString()!, Params: m.GetProperty("params").GetString()!))
            .ToArray();
        // abi.json's slots are contiguous from 3 (0-2 are IUnknown), so declaration index i is slot i + 3.
        Assert.Equal(Enumerable.Range(3, slots.Length), slots.Select(s => s.Slot));

        var methods = VtableMethods(InterfaceType(name));
        Assert.Equal(slots.Select(s => s.Name), methods.Select(m => m.Name));
        Assert.Equal(slots.Length, methods.Length);

        for (int i = 0; i < slots.Length; i++)
        {
            var method = methods[i];
            Assert.True(method.ReturnType == typeof(int), $"{name}::{method.Name} (slot {slots[i].Slot}) must return the HRESULT as int");
            Assert.True(method.MethodImplementationFlags.HasFlag(MethodImplAttributes.PreserveSig), $"{name}::{method.Name} must be [PreserveSig]");
            Assert.True(ParamCount(slots[i].Params) == method.GetParameters().Length,
                $"{name}::{method.Name} (slot {slots[i].Slot}) takes {ParamCount(slots[i].Params)} parameters in the SDK ({slots[i].Params}), {method.GetParameters().Length} in C#");
        }
    }

    [GeneratedRegex(@"/\*.*?\*/")]
    private static partial Regex Comment();

    private static int ParamCount(string sdkParams)
    {
        string text = Comment().Replace(sdkParams, "").Trim();
        return text.Length == 0 ? 0 : text.Split(',').Length;
    }

    private static IEnumerable<(string Name, int Value)> AbiHResults() =>
        Abi.GetProperty("hresults").EnumerateObject().Select(p =>
            (p.Name, unchecked((int)uint.Parse(p.Value.GetString()!.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture))));

    [Fact]
    public void KnownHResultsMatchAbiExactly()
    {
        var expected = AbiHResults().ToArray();
        var known = VssErrors.Known;
        Assert.Equal(expected.Length, known.Length);
        Assert.Equal(known.Length, known.Select(k => k.Name).Distinct().Count());
        var byName = known.ToDictionary(k => k.Name, k => k.HResult);
        foreach (var (name, value) in expected)
        {
            Assert.True(byName.TryGetValue(name, out int actual), $"VssErrors.Known lacks {name}");
            Assert.True(value == actual, $"{name}: abi.json has {VssErrors.Hex(value)}, VssErrors.Known {VssErrors.Hex(actual)}");
        }
        var extra = known.Select(k => k.Name).Except(expected.Select(e => e.Name)).ToArray();
        Assert.True(extra.Length == 0, "VssErrors.Known has names abi.json lacks: " + string.Join(", ", extra));
    }

    [Fact]
    public void NamesAndLookupsFollowTheTable()
    {
        foreach (var (name, value) in AbiHResults())
        {
            Assert.Equal(value, VssErrors.HResultOf(name));
            Assert.Equal(name, VssErrors.NameOf(value));
        }
        Assert.Equal(unchecked((int)0x80042301), VssErrors.VSS_E_BAD_STATE);
        Assert.Equal(unchecked((int)0x80042308), VssErrors.VSS_E_OBJECT_NOT_FOUND);
        Assert.Equal(0x0004230A, VssErrors.VSS_S_ASYNC_FINISHED);
        Assert.Throws<ArgumentException>(() => VssErrors.HResultOf("VSS_E_NO_SUCH_THING"));
    }

    [Theory]
    [InlineData(unchecked((int)0x80042399), "0x80042399")]
    [InlineData(unchecked((int)0xDEADBEEF), "0xDEADBEEF")]
    [InlineData(0x00000001, "0x00000001")]
    public void NameOfAnUnknownCodeIsItsHexForm(int code, string hex)
    {
        Assert.DoesNotContain(VssErrors.Known, k => k.HResult == code);
        Assert.Equal(hex, VssErrors.NameOf(code));
        var e = new VssException(code, "IVssBackupComponents::Test");
        Assert.Equal(hex, e.Name);
        Assert.Equal(hex, e.HexCode);
        Assert.Contains(hex, e.Message);
    }

    [Fact]
    public void VssExceptionCarriesNameCodeAndOperation()
    {
        var e = new VssException(VssErrors.VSS_E_OBJECT_NOT_FOUND, "IVssBackupComponents::AddToSnapshotSet", "/nowhere");
        Assert.Equal("VSS_E_OBJECT_NOT_FOUND", e.Name);
        Assert.Equal(unchecked((int)0x80042308), e.HResult);
        Assert.Equal("0x80042308", e.HexCode);
        Assert.Contains("IVssBackupComponents::AddToSnapshotSet", e.Message);
        Assert.Contains("/nowhere", e.Message);
        Assert.Null(Record.Exception(() => VssErrors.Check(VssErrors.VSS_S_ASYNC_FINISHED, "x")));
        Assert.Throws<VssException>(() => VssErrors.Check(VssErrors.VSS_E_BAD_STATE, "x"));
    }

    // ---- enums ----

    private static string Pascal(string upperSnake) =>
        string.Concat(upperSnake.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..].ToLowerInvariant()));

    private static string CommonPrefix(IReadOnlyList<string> names)
    {
        string prefix = names[0];
        foreach (var n in names) while (!n.StartsWith(prefix, StringComparison.Ordinal)) prefix = prefix[..^1];
        return prefix[..(prefix.LastIndexOf('_') + 1)];
    }

    public static TheoryData<string> Enums => new(Abi.GetProperty("enums").EnumerateObject().Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Enums))]
    public void EnumMatchesAbi(string sdkName)
    {
        var members = Abi.GetProperty("enums").GetProperty(sdkName).EnumerateObject().Select(p => (p.Name, Value: p.Value.GetInt32())).ToArray();
        var type = typeof(VssSnapshotProp).Assembly.GetType("VssSession.Interop.Com." + Pascal(sdkName));
        Assert.True(type is { IsEnum: true }, $"no enum VssSession.Interop.Com.{Pascal(sdkName)} for {sdkName}");
        Assert.Equal(typeof(int), Enum.GetUnderlyingType(type));
        string prefix = CommonPrefix(members.Select(m => m.Name).ToArray());
        var expected = members.Select(m => (Pascal(m.Name[prefix.Length..]), m.Value)).OrderBy(m => m.Item1, StringComparer.Ordinal).ToArray();
        var actual = Enum.GetNames(type).Select(n => (n, (int)Enum.Parse(type, n))).OrderBy(m => m.n, StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, actual);
    }

    // ---- structs ----

    [GeneratedRegex("^m_(?:pwsz|ts|l|e)?(?=[A-Z])")]
    private static partial Regex HungarianPrefix();

    /// <summary>Size and alignment of an SDK field type on x64.</summary>
    private static (int Size, int Align) NativeSize(string sdkType) => sdkType switch
    {
        "GUID" => (16, 4),
        "LONG" => (4, 4),
        "WCHAR*" => (8, 8),
        _ when sdkType.StartsWith("LONGLONG", StringComparison.Ordinal) => (8, 8),
        _ when sdkType.StartsWith("VSS_", StringComparison.Ordinal) => (4, 4), // enums are int
        _ => throw new Xunit.Sdk.XunitException($"no x64 size known for SDK type {sdkType}"),
    };

    /// <summary>The SDK's fields, their C# names and the offsets the x64 C layout rules give them.</summary>
    private static (string Sdk, string CSharp, int Offset)[] SdkLayout(string sdkStruct, out int size)
    {
        var fields = Abi.GetProperty("structs").GetProperty(sdkStruct).EnumerateArray()
            .Select(f => (Name: f[0].GetString()!, Type: f[1].GetString()!)).ToArray();
        var layout = new List<(string, string, int)>();
        int offset = 0, maxAlign = 1;
        foreach (var (name, type) in fields)
        {
            var (s, a) = NativeSize(type);
            offset = (offset + a - 1) / a * a;
            layout.Add((name, HungarianPrefix().Replace(name, ""), offset));
            offset += s;
            maxAlign = Math.Max(maxAlign, a);
        }
        size = (offset + maxAlign - 1) / maxAlign * maxAlign;
        return layout.ToArray();
    }

    [Theory]
    [InlineData("VSS_SNAPSHOT_PROP", typeof(VssSnapshotProp))]
    [InlineData("VSS_PROVIDER_PROP", typeof(VssProviderProp))]
    public void StructFieldsAreInSdkOrderAtSdkOffsets(string sdkStruct, Type type)
    {
        var layout = SdkLayout(sdkStruct, out int size);
        var declared = type.GetFields(BindingFlags.Public | BindingFlags.Instance).OrderBy(f => f.MetadataToken).Select(f => f.Name).ToArray();
        Assert.Equal(layout.Select(l => l.CSharp), declared);

        var offsets = layout.Select(l => (int)Marshal.OffsetOf(type, l.CSharp)).ToArray();
        for (int i = 1; i < offsets.Length; i++)
            Assert.True(offsets[i] > offsets[i - 1], $"{type.Name}.{layout[i].CSharp} ({layout[i].Sdk}) is not after {layout[i - 1].CSharp}");

        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            Assert.Equal(layout.Select(l => (l.Sdk, l.Offset)), layout.Select((l, i) => (l.Sdk, offsets[i])));
            Assert.Equal(size, Marshal.SizeOf(type));
        }
    }

    [Fact]
    public void SnapshotTimesAreWrittenAsSystemTextJsonWritesThem()
    {
        var random = new Random(20261126);
        var times = new List<DateTimeOffset>
        {
            new(2026, 11, 26, 10, 27, 7, TimeSpan.Zero),
            new(2026, 11, 26, 10, 27, 7, 801, TimeSpan.Zero),
            new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(-5)).AddTicks(1234567),
            new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(330)).AddTicks(10),
        };
        for (int i = 0; i < 10_000; i++)
            times.Add(new DateTimeOffset(random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay), TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1))));
        foreach (var time in times)
            Assert.Equal(System.Text.Json.Nodes.JsonValue.Create(time).ToJsonString(), "\"" + Facade.JsonTimestamp(time) + "\"");
    }

    [Fact]
    public void VtableSlotTableMatchesEveryComInterfacesDeclaredMethods()
    {
        // Every [GeneratedComInterface] the emulator exposes has an entry, and each entry is the interface's size by its
        // declared methods; a method added or removed without the table changing fails here, not in a host.
        var declared = typeof(EmulatorComWrappers).Assembly.GetTypes()
            .Where(t => t.IsInterface && t.IsDefined(typeof(System.Runtime.InteropServices.Marshalling.GeneratedComInterfaceAttribute), inherit: false))
            .ToArray();
        Assert.NotEmpty(declared);
        foreach (var itf in declared)
        {
            Assert.True(EmulatorComWrappers.VtableSlots.TryGetValue(itf, out int slots), $"{itf.Name} has no entry in EmulatorComWrappers.VtableSlots");
            Assert.Equal(EmulatorComWrappers.DeclaredSlotCount(itf), slots);
        }
        Assert.Equal(51, EmulatorComWrappers.VtableSlots[typeof(IVssBackupComponents)]);
    }

    [Fact]
    public unsafe void SnapshotPropHasThe64BitSdkOffsets()
    {
        Assert.True(Environment.Is64BitProcess, "VSS requesters are 64-bit processes; these offsets are the 64-bit SDK layout");
        Assert.Equal(0, (int)Marshal.OffsetOf<VssSnapshotProp>(nameof(VssSnapshotProp.SnapshotId)));
        Assert.Equal(32, (int)Marshal.OffsetOf<VssSnapshotProp>(nameof(VssSnapshotProp.SnapshotsCount)));
        Assert.Equal(40, (int)Marshal.OffsetOf<VssSnapshotProp>(nameof(VssSnapshotProp.SnapshotDeviceObject)));
        Assert.Equal(88, (int)Marshal.OffsetOf<VssSnapshotProp>(nameof(VssSnapshotProp.ProviderId)));
        Assert.Equal(112, (int)Marshal.OffsetOf<VssSnapshotProp>(nameof(VssSnapshotProp.CreationTimestamp)));
        Assert.Equal(120, (int)Marshal.OffsetOf<VssSnapshotProp>(nameof(VssSnapshotProp.Status)));
        Assert.Equal(128, sizeof(VssSnapshotProp));
    }

    [Fact]
    public unsafe void ObjectPropIsTheTagThenTheUnion()
    {
        var fields = Abi.GetProperty("structs").GetProperty("VSS_OBJECT_PROP").EnumerateArray().Select(f => f[0].GetString()).ToArray();
        Assert.Equal(new[] { "Type", "Obj" }, fields);
        Assert.Equal(0, (int)Marshal.OffsetOf<VssObjectProp>(nameof(VssObjectProp.Type)));
        Assert.Equal((int)Marshal.OffsetOf<VssObjectProp>(nameof(VssObjectProp.Snap)), (int)Marshal.OffsetOf<VssObjectProp>(nameof(VssObjectProp.Prov)));
        Assert.True(sizeof(VssSnapshotProp) >= sizeof(VssProviderProp), "the union's size is that of its larger member, VSS_SNAPSHOT_PROP");
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            Assert.Equal(8, (int)Marshal.OffsetOf<VssObjectProp>(nameof(VssObjectProp.Snap)));
            Assert.Equal(8 + sizeof(VssSnapshotProp), sizeof(VssObjectProp));
            Assert.Equal(8 + Marshal.SizeOf<VssSnapshotProp>(), Marshal.SizeOf<VssObjectProp>());
        }
    }
}
