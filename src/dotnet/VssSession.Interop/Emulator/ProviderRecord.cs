using System.Runtime.InteropServices;
using System.Text.Json;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>The emulated provider as the service describes it (JSON), turned into VSS_PROVIDER_PROP on demand.</summary>
public sealed record ProviderRecord(Guid ProviderId, string Name, VssProviderType Type, string Version, Guid VersionId, Guid ClassId)
{
    public static ProviderRecord FromJson(JsonElement json)
    {
        JsonElement? e = json;
        return new(e.Property("providerId").Guid(), e.Property("name").String() ?? "", (VssProviderType)e.Property("type").Int(),
            e.Property("version").String() ?? "", e.Property("versionId").Guid(), e.Property("classId").Guid());
    }

    /// <summary>A VSS_PROVIDER_PROP whose strings are CoTaskMem allocations, which the caller frees with
    /// CoTaskMemFree, as VSS_OBJECT_PROP's documentation has it.</summary>
    public VssProviderProp ToNative() => new()
    {
        ProviderId = ProviderId,
        ProviderName = Marshal.StringToCoTaskMemUni(Name),
        ProviderType = Type,
        ProviderVersion = Marshal.StringToCoTaskMemUni(Version),
        ProviderVersionId = VersionId,
        ClassId = ClassId,
    };
}
