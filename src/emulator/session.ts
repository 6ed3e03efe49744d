// What the emulated service keeps per writer instance and per component object (one client connection), and the
// phases a component object goes through: its state, named, with the transitions VSS allows between them.
import { Attr, ContextKey, ContextValue } from '../vss';
import { fault } from './fault';
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
  /** The phases this component object went through, in order; the last is where it is (see {@link Phase}). */
  phases: Phase[];
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
  /** Writers that received BackupComplete in this session. */
  completedWriters: Set<string>;
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

/**
 * Where a component object is in its backup, in the order of "Overview of Processing a Backup Under VSS":
 * InitializeForBackup, PrepareForBackup (which a context without writers skips: "Shadow Copy Creation Details"),
 * DoSnapshotSet, BackupComplete. AbortBackup may end a backup anywhere after InitializeForBackup and before
 * BackupComplete; the object's Release (or its requester's death) ends it in any phase, and it is never reused.
 */
export type Phase = 'Created' | 'Initialized' | 'Prepared' | 'SnapshotsDone' | 'Completed' | 'Aborted' | 'Ended';

const Next: Record<Phase, readonly Phase[]> = {
  Created: ['Initialized', 'Ended'],
  Initialized: ['Prepared', 'SnapshotsDone', 'Aborted', 'Ended'],
  Prepared: ['SnapshotsDone', 'Aborted', 'Ended'],
  SnapshotsDone: ['Completed', 'Aborted', 'Ended'],
  Completed: ['Ended'],
  Aborted: ['Ended'],
  Ended: [],
};

/** The phase the component object is in. */
export const phaseOf = (s: Session): Phase => s.phases[s.phases.length - 1]!;

/** Whether the component object went through `phase` (an aborted or ended one keeps how far it got). */
export const reached = (s: Session, phase: Phase): boolean => s.phases.includes(phase);

/** Moves the component object on. The requests check their order first; a move the table does not allow is a
 * mistake in the service, never the requester's. */
export function enter(s: Session, phase: Phase): void {
  const now = phaseOf(s);
  if (!Next[now].includes(phase)) throw new Error(`the emulated service moved session ${s.id} from ${now} to ${phase}, which VSS never does`);
  s.phases.push(phase);
}

export function requireInitialized(s: Session, call: string): void {
  if (!reached(s, 'Initialized')) throw fault('VSS_E_BAD_STATE', `${call} needs InitializeForBackup first`);
}

export function writersTakePart(s: Session): boolean {
  return (ContextValue[s.context] & Attr.NoWriters) === 0;
}

/** "Shadow Copy Creation Details": in a context without writers (FileShareBackup, ClientAccessible, NasRollback),
 * AddComponent, PrepareForBackup and BackupComplete return an error; the set goes from its volumes to DoSnapshotSet. */
export function requireWriterContext(s: Session, call: string): void {
  if (!writersTakePart(s)) throw fault('VSS_E_BAD_STATE', `${call} is not called in context ${s.context}: no writer takes part in it, so after AddToSnapshotSet comes DoSnapshotSet ("Shadow Copy Creation Details")`);
}

/** A new component object's session, before InitializeForBackup. */
export function newSession(id: number, journalId: string): Session {
  return {
    id,
    journalId,
    pid: null,
    phases: ['Created'],
    context: 'Backup',
    backupType: 0,
    disabledClasses: new Set(),
    enabledClasses: null,
    disabledInstances: new Set(),
    participants: null,
    snapshotSetId: null,
    volumes: new Map(),
    completedWriters: new Set(),
    queue: Promise.resolve(),
    components: new Map(),
    document: null,
    transportable: false,
  };
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
