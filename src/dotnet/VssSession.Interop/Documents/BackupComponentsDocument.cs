// The Backup Components Document as text: what SaveAsXML gives and InitializeForRestore takes, in VSS's component
// metadata schema (x-schema:#VssComponentMetadata): BACKUP_COMPONENTS (backupType), WRITER_COMPONENTS (instanceId,
// writerId) with each COMPONENT (logicalPath, componentName, componentType, backupSucceeded, backupOptions,
// backupStamp, previousBackupStamp), and SNAPSHOT_SET_DESCRIPTION (snapshotSetId) with its SNAPSHOT_DESCRIPTIONs.
// The binding reads components through IVssComponent after InitializeForRestore; what the API gives no getter for
// (the backup type and the snapshot set) is read here. The emulator reads its own documents here too, so a document
// from a real server and one from the emulator are read the same way.
using System.Xml;
using System.Xml.Linq;

namespace VssSession.Interop.Documents;

/// <summary>One COMPONENT element.</summary>
public sealed record DocumentComponentElement(string Name, string? LogicalPath, string ComponentType, bool? BackupSucceeded,
    string? BackupOptions, string? BackupStamp, string? PreviousBackupStamp);

/// <summary>One WRITER_COMPONENTS element.</summary>
public sealed record DocumentWriterElement(Guid InstanceId, Guid WriterId, IReadOnlyList<DocumentComponentElement> Components);

/// <summary>A parsed Backup Components Document.</summary>
public sealed record BackupComponentsDocument(string BackupType, Guid? SnapshotSetId, IReadOnlyList<Guid> SnapshotIds, IReadOnlyList<DocumentWriterElement> Writers)
{
    private static readonly XNamespace Ns = "x-schema:#VssComponentMetadata";

    /// <summary>Parses a document; a text that is not one throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static BackupComponentsDocument Parse(string? xml)
    {
        if (string.IsNullOrWhiteSpace(xml)) throw new FormatException("the document is empty");
        XElement root;
        try
        {
            root = XElement.Parse(xml);
        }
        catch (XmlException e)
        {
            throw new FormatException($"it is not well-formed XML ({e.Message})");
        }
        // VSS itself wraps the document in <root> with its schema when it loads it; accept either.
        if (root.Name.LocalName == "root") root = root.Elements().FirstOrDefault(e => e.Name.LocalName == "BACKUP_COMPONENTS") ?? root;
        if (root.Name.LocalName != "BACKUP_COMPONENTS")
            throw new FormatException($"its root element is <{root.Name.LocalName}>, not <BACKUP_COMPONENTS>: it is not a Backup Components Document (SaveAsXML)");
        XName Local(string name) => root.Name.Namespace == Ns ? Ns + name : root.Name.Namespace + name;
        var set = root.Element(Local("SNAPSHOT_SET_DESCRIPTION"));
        return new BackupComponentsDocument(
            (string?)root.Attribute("backupType") ?? "undefined",
            set is null ? null : Id(set, "snapshotSetId"),
            set?.Elements(Local("SNAPSHOT_DESCRIPTION")).Select(s => Id(s, "snapshotId")).ToList() ?? [],
            root.Elements(Local("WRITER_COMPONENTS")).Select(w => new DocumentWriterElement(Id(w, "instanceId"), Id(w, "writerId"),
                w.Elements(Local("COMPONENT")).Select(c => new DocumentComponentElement(
                    (string?)c.Attribute("componentName") ?? throw new FormatException("a COMPONENT has no componentName"),
                    (string?)c.Attribute("logicalPath"),
                    (string?)c.Attribute("componentType") ?? "database",
                    YesNo((string?)c.Attribute("backupSucceeded")),
                    (string?)c.Attribute("backupOptions"),
                    (string?)c.Attribute("backupStamp"),
                    (string?)c.Attribute("previousBackupStamp"))).ToList())).ToList());
    }

    private static Guid Id(XElement element, string attribute) =>
        Guid.TryParse((string?)element.Attribute(attribute), out var id)
            ? id
            : throw new FormatException($"<{element.Name.LocalName}> has no GUID in {attribute} ('{(string?)element.Attribute(attribute)}')");

    private static bool? YesNo(string? value) => value switch
    {
        null => null,
        "yes" or "true" or "1" => true,
        "no" or "false" or "0" => false,
        _ => throw new FormatException($"backupSucceeded is '{value}', not yes or no"),
    };
}
