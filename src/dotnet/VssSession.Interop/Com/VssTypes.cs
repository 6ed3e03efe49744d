// Declared by hand in the order of contract/vss-abi.json (vss.h enums and structs, SDK field order), which AbiTests checks slot by slot; edit both together.
using System;
using System.Runtime.InteropServices;

namespace VssSession.Interop.Com;

/// <summary>VSS_OBJECT_TYPE</summary>
public enum VssObjectType
{
    Unknown = 0, // VSS_OBJECT_UNKNOWN
    None = 1, // VSS_OBJECT_NONE
    SnapshotSet = 2, // VSS_OBJECT_SNAPSHOT_SET
    Snapshot = 3, // VSS_OBJECT_SNAPSHOT
    Provider = 4, // VSS_OBJECT_PROVIDER
    TypeCount = 5, // VSS_OBJECT_TYPE_COUNT
}

/// <summary>VSS_SNAPSHOT_CONTEXT</summary>
public enum VssSnapshotContext
{
    Backup = 0, // VSS_CTX_BACKUP
    FileShareBackup = 16, // VSS_CTX_FILE_SHARE_BACKUP
    NasRollback = 25, // VSS_CTX_NAS_ROLLBACK
    AppRollback = 9, // VSS_CTX_APP_ROLLBACK
    ClientAccessible = 29, // VSS_CTX_CLIENT_ACCESSIBLE
    ClientAccessibleWriters = 13, // VSS_CTX_CLIENT_ACCESSIBLE_WRITERS
    All = -1, // VSS_CTX_ALL
}

[Flags]
/// <summary>VSS_VOLUME_SNAPSHOT_ATTRIBUTES</summary>
public enum VssVolumeSnapshotAttributes
{
    Persistent = 1, // VSS_VOLSNAP_ATTR_PERSISTENT
    NoAutorecovery = 2, // VSS_VOLSNAP_ATTR_NO_AUTORECOVERY
    ClientAccessible = 4, // VSS_VOLSNAP_ATTR_CLIENT_ACCESSIBLE
    NoAutoRelease = 8, // VSS_VOLSNAP_ATTR_NO_AUTO_RELEASE
    NoWriters = 16, // VSS_VOLSNAP_ATTR_NO_WRITERS
    Transportable = 32, // VSS_VOLSNAP_ATTR_TRANSPORTABLE
    NotSurfaced = 64, // VSS_VOLSNAP_ATTR_NOT_SURFACED
    NotTransacted = 128, // VSS_VOLSNAP_ATTR_NOT_TRANSACTED
    HardwareAssisted = 65536, // VSS_VOLSNAP_ATTR_HARDWARE_ASSISTED
    Differential = 131072, // VSS_VOLSNAP_ATTR_DIFFERENTIAL
    Plex = 262144, // VSS_VOLSNAP_ATTR_PLEX
    Imported = 524288, // VSS_VOLSNAP_ATTR_IMPORTED
    ExposedLocally = 1048576, // VSS_VOLSNAP_ATTR_EXPOSED_LOCALLY
    ExposedRemotely = 2097152, // VSS_VOLSNAP_ATTR_EXPOSED_REMOTELY
    Autorecover = 4194304, // VSS_VOLSNAP_ATTR_AUTORECOVER
    RollbackRecovery = 8388608, // VSS_VOLSNAP_ATTR_ROLLBACK_RECOVERY
    DelayedPostsnapshot = 16777216, // VSS_VOLSNAP_ATTR_DELAYED_POSTSNAPSHOT
    TxfRecovery = 33554432, // VSS_VOLSNAP_ATTR_TXF_RECOVERY
    FileShare = 67108864, // VSS_VOLSNAP_ATTR_FILE_SHARE
}

/// <summary>VSS_BACKUP_TYPE</summary>
public enum VssBackupType
{
    Undefined = 0, // VSS_BT_UNDEFINED
    Full = 1, // VSS_BT_FULL
    Incremental = 2, // VSS_BT_INCREMENTAL
    Differential = 3, // VSS_BT_DIFFERENTIAL
    Log = 4, // VSS_BT_LOG
    Copy = 5, // VSS_BT_COPY
    Other = 6, // VSS_BT_OTHER
}

/// <summary>VSS_RESTORE_TYPE</summary>
public enum VssRestoreType
{
    Undefined = 0, // VSS_RTYPE_UNDEFINED
    ByCopy = 1, // VSS_RTYPE_BY_COPY
    Import = 2, // VSS_RTYPE_IMPORT
    Other = 3, // VSS_RTYPE_OTHER
}

/// <summary>VSS_COMPONENT_TYPE</summary>
public enum VssComponentType
{
    Undefined = 0, // VSS_CT_UNDEFINED
    Database = 1, // VSS_CT_DATABASE
    Filegroup = 2, // VSS_CT_FILEGROUP
}

/// <summary>VSS_WRITER_STATE</summary>
public enum VssWriterState
{
    Unknown = 0, // VSS_WS_UNKNOWN
    Stable = 1, // VSS_WS_STABLE
    WaitingForFreeze = 2, // VSS_WS_WAITING_FOR_FREEZE
    WaitingForThaw = 3, // VSS_WS_WAITING_FOR_THAW
    WaitingForPostSnapshot = 4, // VSS_WS_WAITING_FOR_POST_SNAPSHOT
    WaitingForBackupComplete = 5, // VSS_WS_WAITING_FOR_BACKUP_COMPLETE
    FailedAtIdentify = 6, // VSS_WS_FAILED_AT_IDENTIFY
    FailedAtPrepareBackup = 7, // VSS_WS_FAILED_AT_PREPARE_BACKUP
    FailedAtPrepareSnapshot = 8, // VSS_WS_FAILED_AT_PREPARE_SNAPSHOT
    FailedAtFreeze = 9, // VSS_WS_FAILED_AT_FREEZE
    FailedAtThaw = 10, // VSS_WS_FAILED_AT_THAW
    FailedAtPostSnapshot = 11, // VSS_WS_FAILED_AT_POST_SNAPSHOT
    FailedAtBackupComplete = 12, // VSS_WS_FAILED_AT_BACKUP_COMPLETE
    FailedAtPreRestore = 13, // VSS_WS_FAILED_AT_PRE_RESTORE
    FailedAtPostRestore = 14, // VSS_WS_FAILED_AT_POST_RESTORE
    FailedAtBackupshutdown = 15, // VSS_WS_FAILED_AT_BACKUPSHUTDOWN
    Count = 16, // VSS_WS_COUNT
}

/// <summary>VSS_SNAPSHOT_STATE</summary>
public enum VssSnapshotState
{
    Unknown = 0, // VSS_SS_UNKNOWN
    Preparing = 1, // VSS_SS_PREPARING
    ProcessingPrepare = 2, // VSS_SS_PROCESSING_PREPARE
    Prepared = 3, // VSS_SS_PREPARED
    ProcessingPrecommit = 4, // VSS_SS_PROCESSING_PRECOMMIT
    Precommitted = 5, // VSS_SS_PRECOMMITTED
    ProcessingCommit = 6, // VSS_SS_PROCESSING_COMMIT
    Committed = 7, // VSS_SS_COMMITTED
    ProcessingPostcommit = 8, // VSS_SS_PROCESSING_POSTCOMMIT
    ProcessingPrefinalcommit = 9, // VSS_SS_PROCESSING_PREFINALCOMMIT
    Prefinalcommitted = 10, // VSS_SS_PREFINALCOMMITTED
    ProcessingPostfinalcommit = 11, // VSS_SS_PROCESSING_POSTFINALCOMMIT
    Created = 12, // VSS_SS_CREATED
    Aborted = 13, // VSS_SS_ABORTED
    Deleted = 14, // VSS_SS_DELETED
    Postcommitted = 15, // VSS_SS_POSTCOMMITTED
    Count = 16, // VSS_SS_COUNT
}

/// <summary>VSS_PROVIDER_TYPE</summary>
public enum VssProviderType
{
    Unknown = 0, // VSS_PROV_UNKNOWN
    System = 1, // VSS_PROV_SYSTEM
    Software = 2, // VSS_PROV_SOFTWARE
    Hardware = 3, // VSS_PROV_HARDWARE
    Fileshare = 4, // VSS_PROV_FILESHARE
}

/// <summary>VSS_SNAPSHOT_PROP. Strings are CoTaskMem WCHAR* owned by VSS: free the whole struct with
/// VssFreeSnapshotProperties (the emulator's twin frees what it allocated the same way).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VssSnapshotProp
{
    public Guid SnapshotId;              // VSS_ID m_SnapshotId
    public Guid SnapshotSetId;           // VSS_ID m_SnapshotSetId
    public int SnapshotsCount;           // LONG m_lSnapshotsCount
    public nint SnapshotDeviceObject;    // VSS_PWSZ m_pwszSnapshotDeviceObject
    public nint OriginalVolumeName;      // VSS_PWSZ m_pwszOriginalVolumeName
    public nint OriginatingMachine;      // VSS_PWSZ m_pwszOriginatingMachine
    public nint ServiceMachine;          // VSS_PWSZ m_pwszServiceMachine
    public nint ExposedName;             // VSS_PWSZ m_pwszExposedName
    public nint ExposedPath;             // VSS_PWSZ m_pwszExposedPath
    public Guid ProviderId;              // VSS_ID m_ProviderId
    public int SnapshotAttributes;       // LONG m_lSnapshotAttributes
    public long CreationTimestamp;       // VSS_TIMESTAMP m_tsCreationTimestamp (FILETIME ticks)
    public VssSnapshotState Status;      // VSS_SNAPSHOT_STATE m_eStatus
}

/// <summary>VSS_PROVIDER_PROP.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VssProviderProp
{
    public Guid ProviderId;              // VSS_ID m_ProviderId
    public nint ProviderName;            // VSS_PWSZ m_pwszProviderName
    public VssProviderType ProviderType; // VSS_PROVIDER_TYPE m_eProviderType
    public nint ProviderVersion;         // VSS_PWSZ m_pwszProviderVersion
    public Guid ProviderVersionId;       // VSS_ID m_ProviderVersionId
    public Guid ClassId;                 // CLSID m_ClassId
}

/// <summary>VSS_OBJECT_PROP: a type tag and the union VSS_OBJECT_UNION { Snap; Prov; }.</summary>
[StructLayout(LayoutKind.Explicit)]
public struct VssObjectProp
{
    [FieldOffset(0)] public VssObjectType Type;   // VSS_OBJECT_TYPE Type
    [FieldOffset(8)] public VssSnapshotProp Snap;  // union member, 8-aligned after the 4-byte tag on x64
    [FieldOffset(8)] public VssProviderProp Prov;
}
