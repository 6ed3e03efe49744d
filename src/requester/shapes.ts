// What the lifecycle hands up to the front ends: volumes, writers, snapshots, components and a backup's end, and the
// options a backup is started with.
import type { BackupTypeName, ContextName, PhaseName } from '../defaults';
import type { FacadeSnapshot, Snapshot, Writer } from '../generated/contract';
import { snapshotRootPath } from '../vss';
import type { Operation, State } from './transitions';

/**
 * A volume as the user named it, and what VSS is given for it. AddToSnapshotSet and IsVolumeSupported take a volume
 * (its root, a mount folder or its \\?\Volume{GUID}\ name, with the trailing backslash), so on Windows a folder is
 * looked up as vshadow and restic do (GetVolumePathNameW, then GetVolumeNameForVolumeMountPointW); the snapshot
 * keeps what the user named and the folder inside it. The emulated service snapshots directories: given as named.
 */
export interface VolumeTarget {
  /** What the user named. */
  named: string;
  /** The volume it lies on: its root or mount folder, with a trailing separator on Windows. */
  volume: string;
  /** What VSS is given: the volume's \\?\Volume{GUID}\ name where it has one, else `volume`. */
  vss: string;
  /** The named path inside the volume ('' for the volume itself). */
  relative: string;
}

export type { Writer };

/** One component in the Backup Components Document after the backup (GetWriterComponents). */
export interface BackupComponent {
  writer: string;
  writerId: string;
  instanceId: string;
  name: string;
  logicalPath: string | null;
  backupSucceeded: boolean;
  backupStamp: string | null;
  previousBackupStamp: string | null;
}

export type { FacadeSnapshot, Snapshot };

/**
 * Told of a snapshot set's start and of its being given up unmade, so that a record of it can be kept outside
 * VSS (persistent sets outlive their requester). Each call may be asynchronous.
 */
export interface SnapshotSetHooks {
  /** After StartSnapshotSet returned the set's id, before any volume is added or frozen; a failure aborts the backup. */
  started(snapshotSetId: string): void | Promise<void>;
  /** The set will never exist: the backup was aborted or released before DoSnapshotSet made it, or DoSnapshotSet failed. */
  notCreated(snapshotSetId: string): void | Promise<void>;
  /** DoSnapshotSet made the set, at `createdAt` (its snapshots' creation time, as VSS reports it). */
  created(snapshotSetId: string, createdAt: string): void | Promise<void>;
}

export interface BackupOptions {
  context?: ContextName;
  backupType?: BackupTypeName;
  /** One time limit for every phase; `timeouts` overrides it per phase. */
  phaseTimeoutMs?: number;
  timeouts?: Partial<Record<PhaseName, number>>;
  /** How long StartSnapshotSet retries VSS_E_SNAPSHOT_SET_IN_PROGRESS before giving up (0: no retry). */
  retryTimeoutMs?: number;
  /** Writers (names or ids) that must be present and stable, checked before anything is prepared or frozen. */
  requireWriters?: string[];
  /** Volumes the backup will snapshot, checked with IsVolumeSupported in begin(), before anything is prepared or frozen. */
  volumes?: string[];
  /** Writers (names, class ids or instance ids) kept out of the backup: they get no event at all. */
  excludeWriters?: string[];
  /** Writers (names or ids) that alone take part: every other writer gets no event. */
  includeWriters?: string[];
  /** Told of each retry: what failed, the attempt, the wait before the next one, and the writer whose error it was. */
  onRetry?: (retry: { operation: Operation; error: string; attempt: number; delayMs: number; writer?: string }) => void;
  /** Told when the snapshot set starts and when it is given up unmade. */
  snapshotSetHooks?: SnapshotSetHooks;
}

export interface CloseResult {
  backupId: string;
  state: State;
  writers: { name: string; writerId: string; backupCompleteReceived: boolean }[];
  endedSnapshots: string[];
  keptSnapshots: string[];
}

/** A snapshot as VSS reports it, with the device path usable as a root and, where nothing was named, the root as its path. */
export const withRootPath = (s: FacadeSnapshot): Snapshot => {
  const rootPath = snapshotRootPath(s.devicePath);
  return { ...s, rootPath, path: null, snapshotPath: rootPath };
};
