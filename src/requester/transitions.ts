// The requester's states and the calls VSS allows from each, per context: the rules the lifecycle applies before any
// call reaches VSS, kept apart so they can be read, and tested, as one table.
import type { ContextName } from '../defaults';
import type { StatelessFacadeMethod } from '../generated/contract';
import { Attr, ContextValue } from '../vss';
import type { FacadeMethod } from './interop';

/**
 * Writer errors after which the snapshot creation is restarted on a new component object. Microsoft's guidance
 * (CVssWriterEx2::SetWriterFailureEx) for both: the error would likely not occur if the whole shadow copy creation
 * were restarted; wait and repeat. VSS_E_WRITERERROR_TIMEOUT is a freeze that outlasted the writer's
 * freeze-to-thaw timeout, which depends on the load of the moment. VSS_E_WRITERERROR_OUTOFRESOURCES is left out on
 * purpose: repeating a freeze of every writer on a machine short of memory adds to the shortage; it fails at once,
 * as NONRETRYABLE and every other error do.
 */
export const RetryableWriterErrors = ['VSS_E_WRITERERROR_RETRYABLE', 'VSS_E_WRITERERROR_TIMEOUT'] as const;

/** The requester's states, in the order a backup goes through them. */
export const States = [
  'created',
  'initialized',
  'metadataGathered',
  'snapshotSetStarted',
  'volumesAdded',
  'prepared',
  'snapshotsDone',
  'completed',
  'aborted',
  'released',
] as const;
export type State = (typeof States)[number];

/** The VSS calls whose order the lifecycle governs (every facade entry point but the stateless ones). */
export type Operation = Exclude<FacadeMethod, StatelessFacadeMethod>;

const ANY_LIVE: State[] = States.filter((s) => s !== 'released');
const AFTER_METADATA: State[] = ['metadataGathered', 'snapshotSetStarted', 'volumesAdded', 'prepared', 'snapshotsDone', 'completed', 'aborted'];

/**
 * Every legal call in a context with writers: the states it may come from and the state it leaves (undefined:
 * unchanged). The order is VSS's discovery phase ("Overview of Backup Initialization"; restic's vss_windows.go):
 * GatherWriterMetadata, then IsVolumeSupported for each volume, then the snapshot set.
 */
export const Transitions: Record<Operation, { from: State[]; to?: State }> = {
  InitializeForBackup: { from: ['created'], to: 'initialized' },
  SetContext: { from: ['initialized'] },
  SetBackupState: { from: ['initialized'] },
  // Which writers take part is settled before they are asked for their metadata (IVssBackupComponents::DisableWriterClasses).
  DisableWriterClasses: { from: ['initialized'] },
  EnableWriterClasses: { from: ['initialized'] },
  DisableWriterInstances: { from: ['initialized'] },
  GatherWriterMetadata: { from: ['initialized'], to: 'metadataGathered' },
  GetWriterMetadata: { from: AFTER_METADATA },
  AddComponent: { from: ['metadataGathered', 'snapshotSetStarted', 'volumesAdded'] },
  GatherWriterStatus: { from: AFTER_METADATA },
  StartSnapshotSet: { from: ['metadataGathered'], to: 'snapshotSetStarted' },
  AddToSnapshotSet: { from: ['snapshotSetStarted', 'volumesAdded'], to: 'volumesAdded' },
  IsVolumeSupported: { from: ['metadataGathered'] },
  PrepareForBackup: { from: ['volumesAdded'], to: 'prepared' },
  DoSnapshotSet: { from: ['prepared'], to: 'snapshotsDone' },
  SetBackupSucceeded: { from: ['snapshotsDone'] },
  BackupComplete: { from: ['snapshotsDone'], to: 'completed' },
  GetWriterComponents: { from: AFTER_METADATA },
  AbortBackup: { from: ['snapshotSetStarted', 'volumesAdded', 'prepared', 'snapshotsDone'], to: 'aborted' },
  Release: { from: ANY_LIVE, to: 'released' },
};

/**
 * The same in a context without writers (VSS_VOLSNAP_ATTR_NO_WRITERS: FileShareBackup, ClientAccessible,
 * NasRollback). "Shadow Copy Creation Details": a requester may call GatherWriterMetadata but need not, and
 * AddComponent, PrepareForBackup and BackupComplete return an error. vshadow (create.cpp, select.cpp, shadow.cpp)
 * skips GatherWriterMetadata, component selection, PrepareForBackup, GatherWriterStatus and BackupComplete there,
 * and so does the lifecycle: the set goes from its volumes straight to DoSnapshotSet, and completing the backup
 * sends VSS nothing.
 */
export const WriterlessTransitions: Record<Operation, { from: State[]; to?: State }> = {
  ...Transitions,
  DisableWriterClasses: { from: [] },
  EnableWriterClasses: { from: [] },
  DisableWriterInstances: { from: [] },
  GatherWriterMetadata: { from: [] },
  GetWriterMetadata: { from: [] },
  AddComponent: { from: [] },
  GatherWriterStatus: { from: [] },
  StartSnapshotSet: { from: ['initialized'], to: 'snapshotSetStarted' },
  IsVolumeSupported: { from: ['initialized'] },
  PrepareForBackup: { from: [] },
  DoSnapshotSet: { from: ['volumesAdded'], to: 'snapshotsDone' },
  SetBackupSucceeded: { from: [] },
  BackupComplete: { from: [] },
  GetWriterComponents: { from: [] },
};

/** Whether writers take part in a context: not where it carries VSS_VOLSNAP_ATTR_NO_WRITERS. */
export function writersTakePart(context: ContextName): boolean {
  return (ContextValue[context] & Attr.NoWriters) === 0;
}

/** The call table for a context. */
export function transitionsFor(context: ContextName): Record<Operation, { from: State[]; to?: State }> {
  return writersTakePart(context) ? Transitions : WriterlessTransitions;
}

/** What may follow a state, for error messages. */
export function nextOperations(state: State, table: Record<Operation, { from: State[]; to?: State }> = Transitions): Operation[] {
  return (Object.keys(table) as Operation[]).filter((op) => table[op].from.includes(state));
}
