// The emulated VSS service's vocabulary: writers, writer states, journal entries, snapshots.
import { ContextKey } from '../vss';

/** VSS_WRITER_STATE, by the numbers vss.h gives them. */
export const WriterState = {
  Unknown: 0,
  Stable: 1,
  WaitingForFreeze: 2,
  WaitingForThaw: 3,
  WaitingForPostSnapshot: 4,
  WaitingForBackupComplete: 5,
  FailedAtIdentify: 6,
  FailedAtPrepareBackup: 7,
  FailedAtPrepareSnapshot: 8,
  FailedAtFreeze: 9,
  FailedAtThaw: 10,
  FailedAtPostSnapshot: 11,
  FailedAtBackupComplete: 12,
  FailedAtPreRestore: 13,
  FailedAtPostRestore: 14,
  FailedAtBackupShutdown: 15,
} as const;
export type WriterStateName = keyof typeof WriterState;

/** The events a writer receives, named as in CVssWriter's On* handlers. */
export const WriterEvents = ['Identify', 'PrepareForBackup', 'PrepareForSnapshot', 'Freeze', 'Thaw', 'PostSnapshot', 'BackupComplete', 'BackupShutdown', 'Abort'] as const;
export type WriterEvent = (typeof WriterEvents)[number];

/** The state a writer is in after handling each event successfully. */
export const StateAfter: Record<WriterEvent, WriterStateName> = {
  Identify: 'Stable',
  PrepareForBackup: 'Stable',
  PrepareForSnapshot: 'WaitingForFreeze',
  Freeze: 'WaitingForThaw',
  Thaw: 'WaitingForPostSnapshot',
  PostSnapshot: 'WaitingForBackupComplete',
  BackupComplete: 'Stable',
  BackupShutdown: 'Stable',
  Abort: 'Stable',
};

/** The state a writer is left in when its handler for an event fails (Abort has no failed state in VSS). */
export const FailedStateAt: Record<WriterEvent, WriterStateName> = {
  Identify: 'FailedAtIdentify',
  PrepareForBackup: 'FailedAtPrepareBackup',
  PrepareForSnapshot: 'FailedAtPrepareSnapshot',
  Freeze: 'FailedAtFreeze',
  Thaw: 'FailedAtThaw',
  PostSnapshot: 'FailedAtPostSnapshot',
  BackupComplete: 'FailedAtBackupComplete',
  BackupShutdown: 'FailedAtBackupShutdown',
  Abort: 'Stable',
};

/** One file specification of a component (IVssWMFiledesc): a folder, the files in it, and whether below it too. */
export interface FileSpec {
  path: string;
  filespec: string;
  recursive: boolean;
}

/**
 * One component of an emulated writer, as IVssWMComponent describes it. A component whose logical path is another
 * component's `logicalPath\name` belongs to that component's set ("Working with Selectability for Backup").
 */
export interface ComponentDefinition {
  name: string;
  logicalPath: string | null;
  type: 'database' | 'filegroup';
  caption: string | null;
  /** Selectable for backup: the requester may add it on its own (AddComponent); else only as part of its set. */
  selectable: boolean;
  files: FileSpec[];
  databases: FileSpec[];
  logs: FileSpec[];
  /** Files the writer excludes from backup (IVssCreateWriterMetadata::AddExcludeFiles), declared with the component
   * they are near; VSS reports them for the whole writer (IVssExamineWriterMetadata::GetExcludeFile). */
  excludedFiles: FileSpec[];
}

/** VSS_RESTOREMETHOD_ENUM and VSS_WRITERRESTORE_ENUM by the names users give them (vswriter.h order, from 0). */
export const RestoreMethods = ['Undefined', 'RestoreIfNotThere', 'RestoreIfCanReplace', 'StopRestoreStart', 'RestoreToAlternateLocation', 'RestoreAtReboot', 'RestoreAtRebootIfCannotReplace', 'Custom', 'RestoreStopStart'] as const;
export const WriterRestores = ['Undefined', 'Never', 'IfReplaceFails', 'Always'] as const;

/** How a writer wants its data restored (IVssCreateWriterMetadata::SetRestoreMethod). */
export interface RestoreMethodDefinition {
  method: (typeof RestoreMethods)[number];
  /** The service stopped and started around the restore (StopRestoreStart, RestoreStopStart). */
  service: string | null;
  userProcedure: string | null;
  writerRestore: (typeof WriterRestores)[number];
  rebootRequired: boolean;
}

/** VSS_COMPONENT_TYPE: VSS_CT_DATABASE, VSS_CT_FILEGROUP. */
export const ComponentTypeValue = { database: 1, filegroup: 2 } as const;

/** A component's full path in its writer: `logicalPath\name`, or the name where it has no logical path. */
export function componentPath(c: { logicalPath: string | null; name: string }): string {
  return c.logicalPath ? `${c.logicalPath}\\${c.name}` : c.name;
}

export interface WriterDefinition {
  name: string;
  /** The writer class id (VSS_ID writerId). */
  writerId: string;
  components: ComponentDefinition[];
  /** Fault injection: the VSS_E_WRITERERROR_* a writer's handler reports for an event. */
  failOn: Partial<Record<WriterEvent, string>>;
  /** With failOn: fail only the first n deliveries of the event (counted since the service read the file); then succeed. */
  failTimes: Partial<Record<WriterEvent, number>>;
  /** How long the writer's handler takes for an event. */
  delayMs: Partial<Record<WriterEvent, number>>;
  /** The writer's freeze-to-thaw timeout; past it the writer fails with VSS_E_WRITERERROR_TIMEOUT. */
  freezeTimeoutMs: number;
  /** The (emulated) service whose process hosts the writer, as Get-VssWriter reports it. */
  service: string | null;
  /** Null: the writer declares none, and GetRestoreMethod answers S_FALSE. */
  restoreMethod: RestoreMethodDefinition | null;
}

/** The two writers every emulated service has, standing for an application database and the registry. */
export const DefaultWriters: WriterDefinition[] = [
  { name: 'Emulated Database Writer', writerId: '7f0b7c8a-2c5e-4d1e-9b3a-5d1c0e9a4f01', components: [simpleComponent('Database')], failOn: {}, failTimes: {}, delayMs: {}, freezeTimeoutMs: 60_000, service: 'EmulatedDatabase', restoreMethod: null },
  { name: 'Emulated Registry Writer', writerId: '7f0b7c8a-2c5e-4d1e-9b3a-5d1c0e9a4f02', components: [simpleComponent('Registry')], failOn: {}, failTimes: {}, delayMs: {}, freezeTimeoutMs: 60_000, service: 'VSS', restoreMethod: null },
];

/** A component given by its name only: a selectable database component at the top of its writer, with no files. */
export function simpleComponent(name: string): ComponentDefinition {
  return { name, logicalPath: null, type: 'database', caption: null, selectable: true, files: [], databases: [], logs: [], excludedFiles: [] };
}

/** The emulated software provider's id (VSS_ID ProviderId). */
/** VSS_VOLSNAP_ATTR_TRANSPORTABLE: the set can be imported by another component object (or machine). */
export const TransportableAttr = 0x20;

export const EmulatedProviderId = 'b5946137-7b9f-4925-af80-51abd60b20d5';

/** VSS_PROVIDER_TYPE by name (vss.h). */
export const ProviderTypeValue = { System: 1, Software: 2, Hardware: 3, Fileshare: 4 } as const;

/** The emulated provider as Query reports it (VSS_PROVIDER_PROP); provider.json may rename it, version it and type it. */
export interface ProviderRecord {
  providerId: string;
  name: string;
  type: number;
  version: string;
  versionId: string;
  classId: string;
}

export const DefaultProvider: ProviderRecord = {
  providerId: EmulatedProviderId,
  name: 'VssSession Emulated Software Provider',
  type: ProviderTypeValue.Software,
  version: '1.0.0.0',
  versionId: '6b1f9e0c-52a7-4a6e-9d3c-1f2e8a7b4c50',
  classId: '8e3c7d21-4b9a-4f6e-a1d0-3c5b7e9f2a14',
};

/** One line of the event journal (`vss-session emulator journal --json`). */
export interface JournalEntry {
  time: string;
  event: WriterEvent;
  writer: string;
  writerId: string;
  instanceId: string;
  snapshotSetId: string | null;
  state: WriterStateName;
  error: string | null;
  backupCompleteReceived?: boolean;
  /** On BackupShutdown: Release of the component object, or its requester going away without one. */
  endedBy?: 'Release' | 'RequesterGone' | 'ServiceRestart';
  /** The component object (one client connection) the event belongs to. */
  sessionId: string;
  requesterPid: number | null;
  /** On PrepareForBackup: the backup type the requester set (SetBackupState), as the writer reads it (GetBackupType). */
  backupType?: string;
  /** On BackupComplete: the writer's components in the backup and whether the requester marked each backed up. */
  components?: { name: string; logicalPath: string | null; backupSucceeded: boolean }[];
}

/** A snapshot the emulated service keeps (persisted in emulator-state.json). */
export interface SnapshotRecord {
  snapshotId: string;
  snapshotSetId: string;
  snapshotsCount: number;
  deviceObject: string;
  originalVolume: string;
  originatingMachine: string;
  serviceMachine: string;
  exposedName: string | null;
  exposedPath: string | null;
  providerId: string;
  attributes: number;
  createdAt: string;
  /** VSS_SNAPSHOT_STATE: 12 = VSS_SS_CREATED. */
  status: number;
  context: ContextKey;
  /** Where the emulated provider exposed the snapshot (ExposeSnapshot), to undo it exactly. */
  exposure?: { target: string; replacedEmptyFolder: boolean };
  /** The bytes its copy holds in its volume's shadow storage. */
  size?: number;
}
