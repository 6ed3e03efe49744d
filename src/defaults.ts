// Every default of the executable, in one place.

import { BackupTypeName, ContextName } from './generated/contract';

// The contexts and backup types users may choose come from contract/contract.json, as every layer's do.
export { BackupTypes, Contexts } from './generated/contract';
export type { BackupTypeName, ContextName } from './generated/contract';

export const defaults = {
  context: 'Backup' as ContextName,
  /** Copy: a Full backup marks databases as backed up and breaks SQL Server's and Exchange's own backup chains. */
  backupType: 'Copy' as BackupTypeName,
  /** Time limit for each asynchronous VSS phase (GatherWriterMetadata, PrepareForBackup, DoSnapshotSet, BackupComplete). */
  phaseTimeoutMs: 10 * 60 * 1000,
  /** How long StartSnapshotSet keeps retrying while another snapshot set is being created (VSS_E_SNAPSHOT_SET_IN_PROGRESS). */
  retryTimeoutMs: 10 * 60 * 1000,
  /** The first wait between those retries; each next one doubles, up to retryMaxDelayMs. */
  retryFirstDelayMs: 250,
  retryMaxDelayMs: 10_000,
  /** Waits between restarts of the whole snapshot creation after a retryable writer error (each one freezes every
   * writer again, so they back off further): the first, doubling up to the last. */
  writerRetryFirstDelayMs: 1_000,
  writerRetryMaxDelayMs: 60_000,
  /** How long a client waits for a freshly started emulated service to listen. */
  emulatorStartTimeoutMs: 10_000,
  /** Clients the emulated service serves at once (VSS_SESSION_EMULATOR_MAX_CLIENTS overrides it): past it, a new
   * connection is answered with an error and closed, so idle connections cannot take every descriptor it has. */
  emulatorMaxClients: 256,
  /** A connection that sends nothing this long is closed (a client sends its first request at once). */
  emulatorSilentConnectionMs: 10_000,
  /** VSS allows at most 64 volumes in one snapshot set. */
  maxVolumesPerSet: 64,
};

/** The phases that have their own time limit, and the VSS calls each one covers. */
export const Phases = { metadata: ['GatherWriterMetadata', 'GatherWriterStatus'], prepare: ['PrepareForBackup'], snapshot: ['DoSnapshotSet'], complete: ['BackupComplete'] } as const;
export type PhaseName = keyof typeof Phases;

/** The JSON-RPC error code for VSS failures: outside JSON-RPC's reserved -32768..-32000 range. */
export const VSS_ERROR_CODE = 1;
