// The host's JSON-RPC 2.0 methods: one backup session per host process, spoken over stdio.
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import { BackupTypeName, ContextName } from '../defaults';
import { CallRecord } from '../requester/interop';
import { ComponentLeftOut } from '../requester/components';
import { BackupComponent, BackupOptions, CloseResult, Snapshot, State, Writer } from '../requester/lifecycle';
import type { BackupDocument, DeleteResult, Provider, ShadowStorage } from '../generated/contract';
import type { LostSnapshotSetInfo, OrphanedSnapshotSetInfo } from '../records';
import type { SnapshotSetInfo } from '../snapshot-sets';

export type { LostSnapshotSetInfo, OrphanedSnapshotSetInfo, SnapshotSetInfo };

export interface BackupInfo {
  backupId: string;
  context: ContextName;
  backupType: BackupTypeName;
  state: State;
  hostProcessId: number;
  writers: Writer[];
  /** After BackupComplete in a component-mode backup: each selected component, backed up or not, with its stamp. */
  components: BackupComponent[];
  /** In component mode: components of the writers taking part that were left out, with why; never marked backed up. */
  componentsLeftOut: ComponentLeftOut[];
}

export interface MountParams {
  snapshotId: string;
  /** An absolute folder path (empty, or not there yet), or on Windows a drive letter such as X:. */
  path: string;
  /** The process the exposure belongs to (Invoke-VssBackup's PowerShell): once it is gone, the exposure is undone. */
  ownerPid?: number;
}

/** backup/create: the lifecycle's own options, as far as a client may set them. */
export type CreateBackupParams = Pick<
  BackupOptions,
  'context' | 'backupType' | 'phaseTimeoutMs' | 'timeouts' | 'retryTimeoutMs' | 'requireWriters' | 'volumes' | 'excludeWriters' | 'includeWriters'
>;

/** shadowStorage/*: maxSize as vssadmin takes it (bytes, KB..TB, a percentage, UNBOUNDED). */
export interface ShadowStorageParams {
  volume?: string;
  diffAreaVolume?: string;
  maxSize?: string;
}

/** writers/list and backup/writers: with detailed, each writer's metadata in full (GetWriterMetadata). */
export interface WritersParams {
  detailed?: boolean;
}

export interface DeleteParams {
  snapshotSetId?: string;
  snapshotId?: string;
  force?: boolean;
}

export type { DeleteResult };

/** Several deletes in one request, made in the order given, each answered on its own: its result, or its VSS error. */
export interface DeleteManyParams {
  deletes: DeleteParams[];
}

export type DeleteOutcome = { result: DeleteResult } | { error: { code: number; message: string; data: VssErrorData } };

/** A persistent snapshot set VssSession recorded whose time is up or whose creator died without closing its backup. */
/** A snapshot set to make: the volumes, and for a persistent set how long it is wanted (then it is an orphan). */
export interface CreateSnapshotSetParams {
  volumes: string[];
  expiresAfterMs?: number;
}

/** The data of every VSS error response (code {@link VSS_ERROR_CODE}). */
export interface VssErrorData {
  name: string;
  hresult: string;
  message: string;
  /** On backup/create and snapshotSet/create: whether a BestEffort backup may go on against the live volumes. */
  liveFallback?: boolean;
}

export const Methods = {
  createBackup: new RequestType<CreateBackupParams, BackupInfo, VssErrorData>('backup/create'),
  createSnapshotSet: new RequestType<CreateSnapshotSetParams, SnapshotSetInfo, VssErrorData>('snapshotSet/create'),
  // The same snapshot phase one VSS call at a time, for callers that drive each step themselves.
  startSnapshotSet: new RequestType0<{ snapshotSetId: string }, VssErrorData>('snapshotSet/start'),
  addVolume: new RequestType<{ volume: string }, { snapshotId: string }, VssErrorData>('snapshotSet/add'),
  prepareBackup: new RequestType0<BackupInfo, VssErrorData>('backup/prepare'),
  doSnapshotSet: new RequestType0<SnapshotSetInfo, VssErrorData>('snapshotSet/do'),
  /** SetBackupSucceeded, BackupComplete; with documentPath the Backup Components Document is saved there (see complete()). */
  completeBackup: new RequestType<{ documentPath?: string } | undefined, BackupInfo, VssErrorData>('backup/complete'),
  /** A saved Backup Components Document, read through InitializeForRestore on a component object made for it. */
  readDocument: new RequestType<{ path: string }, BackupDocument, VssErrorData>('document/read'),
  abortBackup: new RequestType0<BackupInfo, VssErrorData>('backup/abort'),
  closeBackup: new RequestType0<CloseResult, VssErrorData>('backup/close'),
  /** The work on the snapshots failed or was cut short: AbortBackup, then Release (the lifecycle's abandon). A
   * persistent set of an abandoned backup is an orphan once its creator is gone. */
  abandonBackup: new RequestType0<CloseResult, VssErrorData>('backup/abandon'),
  listSnapshotSets: new RequestType<{ snapshotSetId?: string }, SnapshotSetInfo[], VssErrorData>('snapshotSets/list'),
  deleteSnapshots: new RequestType<DeleteParams, DeleteResult, VssErrorData>('snapshots/delete'),
  /** DeleteSnapshots of each item, in order, on the one component object: a pipeline's queued deletes in one frame
   * each way. One failing does not stop the others; each outcome says which. */
  deleteMany: new RequestType<DeleteManyParams, { outcomes: DeleteOutcome[] }, VssErrorData>('snapshots/deleteMany'),
  /** ExposeSnapshot at a folder (or drive letter); with ownerPid, undone by the next command once that process is gone. */
  mountSnapshot: new RequestType<MountParams, Snapshot, VssErrorData>('snapshot/mount'),
  /** UnexposeSnapshot. */
  dismountSnapshot: new RequestType<{ snapshotId: string }, Snapshot, VssErrorData>('snapshot/dismount'),
  /** The writers' status in the open backup (GatherWriterStatus); with detailed, their metadata in full too. */
  backupWriters: new RequestType<WritersParams | undefined, { writers: Writer[] }, VssErrorData>('backup/writers'),
  /** The writers, from a component object made for the purpose and released at once; with detailed, their metadata too. */
  listWriters: new RequestType<WritersParams | undefined, { writers: Writer[] }, VssErrorData>('writers/list'),
  /** Query with VSS_OBJECT_PROVIDER, on the session's admin component object. */
  listProviders: new RequestType0<{ providers: Provider[] }, VssErrorData>('providers/list'),
  /** QueryDiffAreasForVolume (of one volume, or all). */
  listShadowStorage: new RequestType<ShadowStorageParams | undefined, { areas: ShadowStorage[] }, VssErrorData>('shadowStorage/list'),
  /** AddDiffArea; the association as it is after. */
  addShadowStorage: new RequestType<ShadowStorageParams, ShadowStorage, VssErrorData>('shadowStorage/add'),
  /** ChangeDiffAreaMaximumSize; lowering it below what is used deletes the oldest shadow copies. */
  setShadowStorage: new RequestType<ShadowStorageParams, ShadowStorage, VssErrorData>('shadowStorage/set'),
  /** ChangeDiffAreaMaximumSize with VSS_ASSOC_REMOVE; the association as it was. */
  removeShadowStorage: new RequestType<ShadowStorageParams, ShadowStorage, VssErrorData>('shadowStorage/remove'),
  /** Sent by the host for each VSS call as it returns, during the request that made it. */
  vssCall: new NotificationType<CallRecord>('vss/call'),
  /** Sent by the host before it retries a VSS call (VSS_E_SNAPSHOT_SET_IN_PROGRESS), with the wait; or, with `writer`,
   * before it restarts the snapshot creation on a new component object after that writer's retryable error. */
  vssRetry: new NotificationType<{ operation: string; error: string; attempt: number; delayMs: number; writer?: string }>('vss/retry'),
  /** Sent by the host as each long VSS call starts (the phases: writer metadata and status, PrepareForBackup,
   * DoSnapshotSet, BackupComplete): the client's progress bar. Quick calls (a delete, a query) send none. */
  vssProgress: new NotificationType<{ method: string }>('vss/progress'),
  /** The orphaned snapshot sets: recorded by VssSession, still in VSS, expired or left by a creator that died. */
  listOrphanedSnapshotSets: new RequestType0<OrphanedSnapshotSetInfo[], VssErrorData>('snapshotSets/orphaned'),
  /** The sets VssSession made that VSS deleted on its own (for space), each reported once. */
  listLostSnapshotSets: new RequestType0<LostSnapshotSetInfo[], VssErrorData>('snapshotSets/lost'),
  /** DeleteSnapshots of one orphaned set (no writer event); refused for a set that is not one. */
  deleteOrphanedSnapshotSet: new RequestType<{ snapshotSetId: string; force?: boolean }, DeleteResult, VssErrorData>('snapshotSets/deleteOrphaned'),
  /** A no-op that goes through the same path as every VSS call (JSON-RPC, edge-js, the C# facade). */
  ping: new RequestType0<{ pong: boolean }, VssErrorData>('host/ping'),
  /** Whether the host sends the vss/* notifications (on at start). A client that shows none of them (a pipeline of
   * deletes without -Verbose) turns them off, so neither side spends a frame per VSS call. */
  notifications: new RequestType<{ enabled: boolean }, { enabled: boolean }, VssErrorData>('host/notifications'),
} as const;
