// What the emulated service keeps per writer instance and per component object (one client connection).
import { ContextKey } from '../vss';
import { WriterDefinition, WriterEvent, WriterStateName } from './model';

export interface WriterInstance {
  definition: WriterDefinition;
  instanceId: string;
  state: WriterStateName;
  lastError: string | null;
  /** Deliveries of each event since writers.json was read, for failTimes. */
  deliveries: Partial<Record<WriterEvent, number>>;
}

/** What one component object (one client connection) has done, as VSS tracks it for a requester. */
export interface Session {
  id: number;
  /** Names the session in the journal, across restarts of the service. */
  journalId: string;
  pid: number | null;
  initialized: boolean;
  context: ContextKey;
  backupType: number;
  /** DisableWriterClasses / EnableWriterClasses / DisableWriterInstances: who may take part at all (class and instance ids). */
  disabledClasses: Set<string>;
  /** Null until EnableWriterClasses: then only these classes take part. */
  enabledClasses: Set<string> | null;
  disabledInstances: Set<string>;
  /** Writers that answered Identify for this session; later events go to them only. */
  participants: WriterInstance[] | null;
  snapshotSetId: string | null;
  volumes: Map<string, string>; // volume -> snapshot id
  prepared: boolean;
  snapshotsDone: boolean;
  completed: boolean;
  aborted: boolean;
  /** Writers that received BackupComplete in this session. */
  completedWriters: Set<string>;
  ended: boolean;
  /** Requests and the session's end run one after another, in order. */
  queue: Promise<unknown>;
  /** Components the requester added (AddComponent), keyed by writer id, logical path and name. */
  components: Map<string, DocumentComponent>;
  /** The Backup Components Document given to InitializeForBackup, if any (to import a transportable set). */
  document: string | null;
  /** SetContext carried VSS_VOLSNAP_ATTR_TRANSPORTABLE: the set can be imported elsewhere. */
  transportable: boolean;
  /** Set while DoSnapshotSet copies the volumes: AbortBackup, the requester's end and the service's stop cancel it. */
  copying?: AbortController;
}

/** One component of the Backup Components Document: what the requester selected and what the backup recorded. */
export interface DocumentComponent {
  instanceId: string;
  writerId: string;
  name: string;
  logicalPath: string | null;
  componentType: number;
  backupSucceeded: boolean | null;
  backupStamp: string | null;
  previousBackupStamp: string | null;
  backupOptions: string | null;
}

export const componentKey = (writerId: string, logicalPath: string | null | undefined, name: string) => `${writerId.toLowerCase()}|${logicalPath ?? ''}|${name}`;

/**
 * The events after which a writer that failed keeps its failed state and last error: Abort and BackupShutdown, and
 * the Identify of any later requester, so that `vssadmin list writers` (or Get-VssWriter) still shows a writer left
 * failed by an earlier backup as failed, as VSS does, until a new backup's PrepareForBackup starts it afresh.
 */
export const KeepsFailure = new Set<WriterEvent>(['Identify', 'Abort', 'BackupShutdown']);
