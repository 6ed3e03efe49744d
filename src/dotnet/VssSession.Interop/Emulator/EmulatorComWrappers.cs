using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>An emulated COM object that must learn when its last reference is released, as the real
/// IVssBackupComponents does: its final Release is the requester's termination (BackupShutdown).</summary>
public interface IFinalReleaseAware
{
    void OnFinalRelease();
}

/// <summary>An emulated object that stands for one of the SDK's C++ (not COM) interfaces, which VSS hands out already
/// typed (IVssWMComponent, IVssWMFiledesc, IVssExamineWriterMetadata). A pointer it hands out answers QueryInterface
/// only for the IIDs named here, and refuses IUnknown itself, as such an object may: the binding must never depend on
/// asking it (issue: ComWrappers builds its wrapper on whatever the IUnknown query returns).</summary>
public interface IAnswersQueryInterfaceOnly
{
    bool Answers(in Guid iid);
}

/// <summary>
/// Exposes the emulator's [GeneratedComClass] objects as real COM objects. It takes the vtables the COM
/// source generator built and swaps IUnknown::Release for one that tells the object when its count
/// reaches zero; ComWrappers alone never tells a managed object that native code let go of it.
/// </summary>
public sealed unsafe class EmulatorComWrappers : ComWrappers
{
    public static readonly EmulatorComWrappers Instance = new();

    private static readonly Guid IID_IUnknown = new("00000000-0000-0000-C000-000000000046");
    private static delegate* unmanaged<nint, uint> s_runtimeRelease;
    private static delegate* unmanaged<nint, Guid*, nint*, int> s_runtimeQueryInterface;
    // A plain dictionary under a lock: ConcurrentDictionary over a value-type tuple is not in the framework's
    // ReadyToRun code, and its first use JIT-compiled dozens of methods in every host.
    private readonly Dictionary<Type, Vtables> _vtables = [];

    private sealed record Vtables(nint Entries, int Count);

    static EmulatorComWrappers()
    {
        GetIUnknownImpl(out nint queryInterface, out _, out nint release);
        s_runtimeRelease = (delegate* unmanaged<nint, uint>)release;
        s_runtimeQueryInterface = (delegate* unmanaged<nint, Guid*, nint*, int>)queryInterface;
    }

    /// <summary>A COM pointer (AddRef'ed, owned by the caller) to the given emulated object's interface.</summary>
    public nint GetInterface<T>(object obj)
    {
        nint unknown = GetOrCreateComInterfaceForObject(obj, CreateComInterfaceFlags.CallerDefinedIUnknown);
        try
        {
            Guid iid = typeof(T).GUID;
            int hr = Marshal.QueryInterface(unknown, in iid, out nint itf);
            Marshal.ThrowExceptionForHR(hr);
            return itf;
        }
        finally
        {
            Marshal.Release(unknown);
        }
    }

    protected override ComInterfaceEntry* ComputeVtables(object obj, CreateComInterfaceFlags flags, out int count)
    {
        (nint entries, int n) = (0, 0);
        lock (_vtables)
        {
            if (!_vtables.TryGetValue(obj.GetType(), out var built)) _vtables[obj.GetType()] = built = BuildVtables(obj.GetType());
            (entries, n) = (built.Entries, built.Count);
        }
        count = n;
        return (ComInterfaceEntry*)entries;
    }

    private static Vtables BuildVtables(Type type)
    {
        var details = type.GetCustomAttributes().OfType<IComExposedDetails>().FirstOrDefault()
            ?? throw new InvalidOperationException($"{type} is not a [GeneratedComClass].");
        ComInterfaceEntry* generated = details.GetComInterfaceEntries(out int generatedCount);

        // Entry 0 is the object's identity IUnknown (CallerDefinedIUnknown); then each generated interface.
        int count = generatedCount + 1;
        var entries = (ComInterfaceEntry*)RuntimeHelpers.AllocateTypeAssociatedMemory(type, sizeof(ComInterfaceEntry) * count);
        entries[0].IID = IID_IUnknown;
        entries[0].Vtable = PatchedCopy(type, generated[0].Vtable, 3, refuseQueries: false);
        // The identity IUnknown (entry 0) always answers: GetInterface asks it for the typed pointer it hands out.
        bool refuse = typeof(IAnswersQueryInterfaceOnly).IsAssignableFrom(type);
        for (int i = 0; i < generatedCount; i++)
        {
            entries[i + 1].IID = generated[i].IID;
            entries[i + 1].Vtable = PatchedCopy(type, generated[i].Vtable, SlotCount(type, generated[i].IID), refuse);
        }
        return new((nint)entries, count);
    }

    /// <summary>Each COM interface's vtable size (IUnknown's 3 slots, then each method of the interface and its bases),
    /// as the SDK headers declare them (contract/vss-abi.json). A table, not reflection over the interfaces' methods, which
    /// every host would run at its first component object. AbiTests checks each entry against the declared methods.</summary>
    public static readonly IReadOnlyDictionary<Type, int> VtableSlots = new Dictionary<Type, int>
    {
        [typeof(IVssBackupComponents)] = 3 + 48,
        [typeof(IVssBackupComponentsEx)] = 3 + 48 + 2,
        [typeof(IVssBackupComponentsEx2)] = 3 + 48 + 2 + 7,
        [typeof(IVssAsync)] = 3 + 3,
        [typeof(IVssEnumObject)] = 3 + 4,
        [typeof(IVssExamineWriterMetadata)] = 3 + 11,
        [typeof(IVssExamineWriterMetadataEx)] = 3 + 11 + 1,
        [typeof(IVssExamineWriterMetadataEx2)] = 3 + 11 + 1 + 3,
        [typeof(IVssWMComponent)] = 3 + 6,
        [typeof(IVssWMFiledesc)] = 3 + 5,
        [typeof(IVssComponent)] = 3 + 38,
        [typeof(IVssSnapshotMgmt)] = 3 + 3,
        [typeof(IVssDifferentialSoftwareSnapshotMgmt)] = 3 + 6,
        [typeof(IVssEnumMgmtObject)] = 3 + 4,
    };

    /// <summary>The number of slots of one of the class's COM interfaces, found among the interfaces it implements
    /// (not by scanning the assembly's types: that cost every host milliseconds on its first component object).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The types reflected over are this assembly's own COM interfaces and classes; the Windows package trims only the framework (TrimMode partial), never this assembly.")]
    private static int SlotCount(Type owner, Guid iid)
    {
        foreach (var itf in owner.GetInterfaces())
            if (itf.GUID == iid && VtableSlots.TryGetValue(itf, out int slots)) return slots;
        throw new InvalidOperationException($"{owner} implements no COM interface with IID {iid} that EmulatorComWrappers.VtableSlots knows.");
    }

    /// <summary>The size of an interface's vtable from its declared methods, by reflection: what VtableSlots must
    /// hold for it (a derived interface's vtable holds every base interface's slots first).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The types reflected over are this assembly's own COM interfaces and classes; the Windows package trims only the framework (TrimMode partial), never this assembly.")]
    public static int DeclaredSlotCount(Type itf) => 3 + itf.GetInterfaces().Append(itf).Sum(i => OwnMethods(i).Count());

    /// <summary>The methods an interface adds to its base's vtable. The COM source generator redeclares a derived
    /// interface's inherited methods (as <c>new</c> members), so those are left out by name.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The types reflected over are this assembly's own COM interfaces and classes; the Windows package trims only the framework (TrimMode partial), never this assembly.")]
    public static IEnumerable<MethodInfo> OwnMethods(Type itf)
    {
        var inherited = itf.GetInterfaces().SelectMany(b => b.GetMethods()).Select(m => m.Name).ToHashSet();
        return itf.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => !inherited.Contains(m.Name));
    }

    private static nint PatchedCopy(Type owner, nint vtable, int slots, bool refuseQueries)
    {
        var copy = (nint*)RuntimeHelpers.AllocateTypeAssociatedMemory(owner, sizeof(nint) * slots);
        new ReadOnlySpan<nint>((void*)vtable, slots).CopyTo(new Span<nint>(copy, slots));
        if (refuseQueries) copy[0] = (nint)(delegate* unmanaged<nint, Guid*, nint*, int>)&QueryInterfaceOnly;
        copy[2] = (nint)(delegate* unmanaged<nint, uint>)&Release;
        return (nint)copy;
    }

    [UnmanagedCallersOnly]
    private static int QueryInterfaceOnly(nint self, Guid* iid, nint* ppv)
    {
        if (ppv is null || iid is null) return VssErrors.E_POINTER;
        var target = ComInterfaceDispatch.GetInstance<IAnswersQueryInterfaceOnly>((ComInterfaceDispatch*)self);
        if (target.Answers(*iid)) return s_runtimeQueryInterface(self, iid, ppv);
        *ppv = 0;
        return VssErrors.E_NOINTERFACE;
    }

    [UnmanagedCallersOnly]
    private static uint Release(nint self)
    {
        object target = ComInterfaceDispatch.GetInstance<object>((ComInterfaceDispatch*)self);
        uint remaining = s_runtimeRelease(self);
        if (remaining == 0 && target is IFinalReleaseAware aware)
        {
            // Release returns no HRESULT; what the service could not do is kept for the caller on this thread
            // (the final Release runs on the thread that called it), and the session ends when the connection closes anyway.
            try { aware.OnFinalRelease(); }
            catch (EmulatorFault fault) { EmulatedVss.ReleaseFault = fault; }
            catch (Exception e) { EmulatedVss.ReleaseFault = new EmulatorFault(VssErrors.VSS_E_UNEXPECTED, e.Message); }
        }
        return remaining;
    }

    protected override object CreateObject(nint externalComObject, CreateObjectFlags flags) =>
        throw new NotSupportedException("The emulator only exposes objects; the binding wraps them.");

    protected override void ReleaseObjects(System.Collections.IEnumerable objects) =>
        throw new NotSupportedException();
}
