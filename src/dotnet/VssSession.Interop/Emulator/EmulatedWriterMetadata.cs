using System.Runtime.InteropServices;
using System.Text.Json;
using System.Xml.Linq;
using System.Runtime.InteropServices.Marshalling;
using VssSession.Interop.Com;

namespace VssSession.Interop.Emulator;

/// <summary>One writer's metadata as the emulated service reports it from GatherWriterMetadata (Identify).</summary>
public sealed record WriterMetadataRecord(string Name, Guid WriterId, Guid InstanceId, bool Failed, List<ComponentRecord> Components,
    List<FileRecord> ExcludedFiles, RestoreMethodRecord? RestoreMethod)
{
    public static WriterMetadataRecord FromJson(JsonElement json)
    {
        JsonElement? e = json;
        return new(e.Property("name").String()!, e.Property("writerId").Guid(), e.Property("instanceId").Guid(), e.Property("failed").Bool(),
            e.Property("components").List(ComponentRecord.FromJson), e.Property("excludedFiles").List(FileRecord.FromJson),
            e.Property("restoreMethod") is { ValueKind: JsonValueKind.Object } method ? RestoreMethodRecord.FromJson(method) : null);
    }
}

/// <summary>An emulated writer's restore method (writers.json's restoreMethod), in the SDK's enum values.</summary>
public sealed record RestoreMethodRecord(VssRestoreMethod Method, string? Service, string? UserProcedure, VssWriterRestore WriterRestore, bool RebootRequired)
{
    public static RestoreMethodRecord FromJson(JsonElement json)
    {
        JsonElement? e = json;
        return new((VssRestoreMethod)e.Property("method").Int(), e.Property("service").String(), e.Property("userProcedure").String(),
            (VssWriterRestore)e.Property("writerRestore").Int(), e.Property("rebootRequired").Bool());
    }
}

/// <summary>One component of an emulated writer, with its file specifications (writers.json).</summary>
public sealed record ComponentRecord(string Name, string? LogicalPath, int ComponentType, bool Selectable, string? Caption,
    List<FileRecord> Files, List<FileRecord> Databases, List<FileRecord> Logs)
{
    public static ComponentRecord FromJson(JsonElement json)
    {
        JsonElement? e = json;
        return new(e.Property("name").String()!, e.Property("logicalPath").String(), e.Property("componentType").Int(), e.Property("selectable").Bool(),
            e.Property("caption").String(), e.Property("files").List(FileRecord.FromJson), e.Property("databases").List(FileRecord.FromJson),
            e.Property("logs").List(FileRecord.FromJson));
    }
}

/// <summary>One file specification of an emulated component.</summary>
public sealed record FileRecord(string Path, string Filespec, bool Recursive)
{
    public static FileRecord FromJson(JsonElement json)
    {
        JsonElement? e = json;
        return new(e.Property("path").String()!, e.Property("filespec").String() ?? "*", e.Property("recursive").Bool());
    }
}

/// <summary>
/// The emulator's IVssExamineWriterMetadata over one writer's reported metadata: components, excluded files and the
/// restore method. The emulated writers declare no include files (a VSS 1.0 leftover) and no alternate location
/// mappings.
/// </summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedWriterMetadata(WriterMetadataRecord writer) : IVssExamineWriterMetadataEx2, IAnswersQueryInterfaceOnly
{
    /// <summary>Only the documented IIDs that widen it (a requester asks for Ex2 to read the metadata version); never
    /// IUnknown or the interface the pointer already is.</summary>
    public bool Answers(in Guid iid) => iid == typeof(IVssExamineWriterMetadataEx2).GUID;

    private const string Itf = "IVssExamineWriterMetadata::";

    private static int NotSupported(string method, string why)
    {
        EmulatedVss.LastFault = $"{Itf}{method} is not supported by the emulated VSS service: {why}";
        return VssErrors.E_NOTIMPL;
    }

    private static int OutOfRange(string method, uint index, int count)
    {
        EmulatedVss.LastFault = $"{Itf}{method}: index {index} is out of range; the writer reports {count}";
        return VssErrors.E_INVALIDARG;
    }

    public int GetIdentity(out Guid pidInstance, out Guid pidWriter, out string? pbstrWriterName, out VssUsageType pUsage, out VssSourceType pSource)
    {
        (pidInstance, pidWriter, pbstrWriterName) = (writer.InstanceId, writer.WriterId, writer.Name);
        (pUsage, pSource) = (VssUsageType.UserData, VssSourceType.TransactedDb);
        return VssErrors.S_OK;
    }

    /// <summary>The emulated writers run one instance each; its name is the writer's.</summary>
    public int GetIdentityEx(out Guid pidInstance, out Guid pidWriter, out string? pbstrWriterName, out string? pbstrInstanceName, out VssUsageType pUsage, out VssSourceType pSource)
    {
        int hr = GetIdentity(out pidInstance, out pidWriter, out pbstrWriterName, out pUsage, out pSource);
        pbstrInstanceName = writer.Name;
        return hr;
    }

    /// <summary>Writer metadata version 1.0: the emulated writers declare no versioned features.</summary>
    public int GetVersion(out uint pdwMajorVersion, out uint pdwMinorVersion)
    {
        (pdwMajorVersion, pdwMinorVersion) = (1, 0);
        return VssErrors.S_OK;
    }

    public int GetExcludeFromSnapshotCount(out uint pcExcludedFromSnapshot)
    {
        pcExcludedFromSnapshot = 0;
        return VssErrors.S_OK;
    }

    public int GetExcludeFromSnapshotFile(uint iFile, out nint ppFiledesc)
    {
        ppFiledesc = 0;
        return OutOfRange(nameof(GetExcludeFromSnapshotFile), iFile, 0);
    }

    public int GetFileCounts(out uint pcIncludeFiles, out uint pcExcludeFiles, out uint pcComponents)
    {
        (pcIncludeFiles, pcExcludeFiles, pcComponents) = (0, (uint)writer.ExcludedFiles.Count, (uint)writer.Components.Count);
        return VssErrors.S_OK;
    }

    public int GetIncludeFile(uint iFile, out nint ppFiledesc)
    {
        ppFiledesc = 0;
        return OutOfRange(nameof(GetIncludeFile), iFile, 0);
    }

    public int GetExcludeFile(uint iFile, out nint ppFiledesc)
    {
        ppFiledesc = 0;
        if (iFile >= writer.ExcludedFiles.Count) return OutOfRange(nameof(GetExcludeFile), iFile, writer.ExcludedFiles.Count);
        ppFiledesc = EmulatorComWrappers.Instance.GetInterface<IVssWMFiledesc>(new EmulatedWMFiledesc(writer.ExcludedFiles[(int)iFile]));
        return VssErrors.S_OK;
    }

    public int GetComponent(uint iComponent, out nint ppComponent)
    {
        ppComponent = 0;
        if (iComponent >= writer.Components.Count) return OutOfRange(nameof(GetComponent), iComponent, writer.Components.Count);
        ppComponent = EmulatorComWrappers.Instance.GetInterface<IVssWMComponent>(new EmulatedWMComponent(writer.Components[(int)iComponent]));
        return VssErrors.S_OK;
    }

    public int GetRestoreMethod(out VssRestoreMethod pMethod, out string? pbstrService, out string? pbstrUserProcedure, out VssWriterRestore pwriterRestore, out bool pbRebootRequired, out uint pcMappings)
    {
        (pMethod, pbstrService, pbstrUserProcedure, pwriterRestore, pbRebootRequired, pcMappings) = (VssRestoreMethod.Undefined, null, null, VssWriterRestore.Undefined, false, 0);
        // S_FALSE: "No restore method exists" (IVssExamineWriterMetadata::GetRestoreMethod).
        if (writer.RestoreMethod is not { } method) return VssErrors.S_FALSE;
        (pMethod, pbstrService, pbstrUserProcedure, pwriterRestore, pbRebootRequired) = (method.Method, method.Service, method.UserProcedure, method.WriterRestore, method.RebootRequired);
        return VssErrors.S_OK;
    }

    public int GetAlternateLocationMapping(uint iMapping, out nint ppFiledesc)
    {
        ppFiledesc = 0;
        return OutOfRange(nameof(GetAlternateLocationMapping), iMapping, 0);
    }

    public int GetBackupSchema(out uint pdwSchemaMask)
    {
        pdwSchemaMask = 0; // VSS_BS_UNDEFINED: the emulated writers support no incremental or differential schema
        return VssErrors.S_OK;
    }

    public int GetDocument(out nint pDoc)
    {
        pDoc = 0;
        return NotSupported(nameof(GetDocument), "it hands out an MSXML IXMLDOMDocument, which exists only on Windows; SaveAsXML gives the same document as text");
    }

    /// <summary>The writer's metadata document, in the element and attribute names of VSS's writer metadata schema
    /// (WRITER_METADATA, IDENTIFICATION, RESTORE_METHOD, BACKUP_LOCATIONS with EXCLUDE_FILES, DATABASE and FILE_GROUP)
    /// for what the emulated writers declare.</summary>
    public int SaveAsXML(out string? pbstrXML)
    {
        XNamespace ns = "x-schema:#VssWriterMetadataInfo";
        var document = new XElement(ns + "WRITER_METADATA",
            new XAttribute("version", "1.1"),
            new XElement(ns + "IDENTIFICATION",
                new XAttribute("writerId", writer.WriterId),
                new XAttribute("instanceId", writer.InstanceId),
                new XAttribute("friendlyName", writer.Name),
                new XAttribute("usage", "USER_DATA"),
                new XAttribute("dataSource", "TRANSACTION_DB")),
            writer.RestoreMethod is { } restore
                ? new XElement(ns + "RESTORE_METHOD",
                    new XAttribute("method", RestoreMethodName(restore.Method)),
                    restore.Service is null ? null : new XAttribute("service", restore.Service),
                    restore.UserProcedure is null ? null : new XAttribute("userProcedure", restore.UserProcedure),
                    new XAttribute("writerRestore", restore.WriterRestore switch { VssWriterRestore.Always => "always", VssWriterRestore.IfReplaceFails => "ifReplaceFails", _ => "never" }),
                    new XAttribute("rebootRequired", restore.RebootRequired ? "yes" : "no"))
                : null,
            new XElement(ns + "BACKUP_LOCATIONS",
                writer.ExcludedFiles.Select(f => new XElement(ns + "EXCLUDE_FILES", FileAttributes(f))),
                writer.Components.Select(c => new XElement(ns + (c.ComponentType == (int)VssComponentType.Filegroup ? "FILE_GROUP" : "DATABASE"),
                    new XAttribute("logicalPath", c.LogicalPath ?? ""),
                    new XAttribute("componentName", c.Name),
                    c.Caption is null ? null : new XAttribute("caption", c.Caption),
                    new XAttribute("selectable", c.Selectable ? "yes" : "no"),
                    c.Files.Select(f => new XElement(ns + "FILE_LIST", FileAttributes(f))),
                    c.Databases.Select(f => new XElement(ns + "DATABASE_FILES", FileAttributes(f))),
                    c.Logs.Select(f => new XElement(ns + "DATABASE_LOGFILES", FileAttributes(f)))))));
        pbstrXML = document.ToString(SaveOptions.DisableFormatting);
        return VssErrors.S_OK;
    }

    private static XAttribute[] FileAttributes(FileRecord f) =>
        [new("path", f.Path), new("filespec", f.Filespec), new("recursive", f.Recursive ? "yes" : "no")];

    /// <summary>The writer metadata schema's names for VSS_RESTOREMETHOD_ENUM (RESTORE_METHOD's method attribute). The
    /// last two values came later than the rest; they are written in the same style.</summary>
    private static string RestoreMethodName(VssRestoreMethod method) => method switch
    {
        VssRestoreMethod.RestoreIfNotThere => "RESTORE_IF_NONE_THERE",
        VssRestoreMethod.RestoreIfCanReplace => "RESTORE_IF_CAN_BE_REPLACED",
        VssRestoreMethod.StopRestoreStart => "STOP_RESTART_SERVICE",
        VssRestoreMethod.RestoreToAlternateLocation => "RESTORE_TO_ALTERNATE_LOCATION",
        VssRestoreMethod.RestoreAtReboot => "REPLACE_AT_REBOOT",
        VssRestoreMethod.RestoreAtRebootIfCannotReplace => "REPLACE_AT_REBOOT_IF_CANNOT_REPLACE",
        VssRestoreMethod.Custom => "CUSTOM",
        VssRestoreMethod.RestoreStopStart => "RESTORE_STOP_START",
        _ => "UNDEFINED",
    };

    public int LoadFromXML(string? bstrXML) =>
        NotSupported(nameof(LoadFromXML), "it loads a stored writer metadata document for a restore, and restore is not emulated");
}

/// <summary>
/// The emulator's IVssWMComponent. GetComponentInfo hands out a VSS_COMPONENTINFO in CoTaskMem with BSTR strings,
/// owned by the caller until it gives it back to FreeComponentInfo, as with VSS.
/// </summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedWMComponent(ComponentRecord component) : IVssWMComponent, IAnswersQueryInterfaceOnly
{
    /// <summary>No IID at all: the SDK gives the class none.</summary>
    public bool Answers(in Guid iid) => false;

    private const string Itf = "IVssWMComponent::";

    private static int OutOfRange(string method, uint index)
    {
        EmulatedVss.LastFault = $"{Itf}{method}: index {index} is out of range; the emulated component reports none";
        return VssErrors.E_INVALIDARG;
    }

    public int GetComponentInfo(VssComponentInfo** ppInfo)
    {
        if (ppInfo is null) return VssErrors.E_INVALIDARG;
        var info = (VssComponentInfo*)Marshal.AllocCoTaskMem(sizeof(VssComponentInfo));
        *info = new VssComponentInfo
        {
            Type = (VssComponentType)component.ComponentType,
            LogicalPath = component.LogicalPath is null ? 0 : Marshal.StringToBSTR(component.LogicalPath),
            ComponentName = Marshal.StringToBSTR(component.Name),
            Caption = component.Caption is null ? 0 : Marshal.StringToBSTR(component.Caption),
            Selectable = component.Selectable ? (byte)1 : (byte)0,
            FileCount = (uint)component.Files.Count,
            Databases = (uint)component.Databases.Count,
            LogFiles = (uint)component.Logs.Count,
        };
        *ppInfo = info;
        return VssErrors.S_OK;
    }

    public int FreeComponentInfo(VssComponentInfo* pInfo)
    {
        if (pInfo is null) return VssErrors.S_OK;
        foreach (nint s in new[] { pInfo->LogicalPath, pInfo->ComponentName, pInfo->Caption })
            if (s != 0) Marshal.FreeBSTR(s);
        Marshal.FreeCoTaskMem((nint)pInfo);
        return VssErrors.S_OK;
    }

    private static int Filedesc(List<FileRecord> files, uint index, string method, out nint ppFiledesc)
    {
        ppFiledesc = 0;
        if (index >= files.Count) return OutOfRange(method, index);
        ppFiledesc = EmulatorComWrappers.Instance.GetInterface<IVssWMFiledesc>(new EmulatedWMFiledesc(files[(int)index]));
        return VssErrors.S_OK;
    }

    public int GetFile(uint iFile, out nint ppFiledesc) => Filedesc(component.Files, iFile, nameof(GetFile), out ppFiledesc);

    public int GetDatabaseFile(uint iDBFile, out nint ppFiledesc) => Filedesc(component.Databases, iDBFile, nameof(GetDatabaseFile), out ppFiledesc);

    public int GetDatabaseLogFile(uint iDbLogFile, out nint ppFiledesc) => Filedesc(component.Logs, iDbLogFile, nameof(GetDatabaseLogFile), out ppFiledesc);

    public int GetDependency(uint iDependency, out nint ppDependency)
    {
        ppDependency = 0;
        return OutOfRange(nameof(GetDependency), iDependency);
    }
}

/// <summary>The emulator's IVssWMFiledesc: strings handed out as BSTRs the caller frees, as with VSS.</summary>
[GeneratedComClass]
public sealed unsafe partial class EmulatedWMFiledesc(FileRecord file) : IVssWMFiledesc, IAnswersQueryInterfaceOnly
{
    /// <summary>No IID at all: the SDK gives the class none.</summary>
    public bool Answers(in Guid iid) => false;

    public int GetPath(nint* pbstrPath)
    {
        *pbstrPath = Marshal.StringToBSTR(file.Path);
        return VssErrors.S_OK;
    }

    public int GetFilespec(nint* pbstrFilespec)
    {
        *pbstrFilespec = Marshal.StringToBSTR(file.Filespec);
        return VssErrors.S_OK;
    }

    public int GetRecursive(byte* pbRecursive)
    {
        *pbRecursive = file.Recursive ? (byte)1 : (byte)0;
        return VssErrors.S_OK;
    }

    public int GetAlternateLocation(nint* pbstrAlternateLocation)
    {
        *pbstrAlternateLocation = 0;
        return VssErrors.S_OK;
    }

    public int GetBackupTypeMask(uint* pdwTypeMask)
    {
        // VSS_FSBT_ALL_BACKUP_REQUIRED | VSS_FSBT_ALL_SNAPSHOT_REQUIRED: every backup type copies these files
        *pdwTypeMask = 0x0F | 0xF00;
        return VssErrors.S_OK;
    }
}
