// -Policy / --policy: what to do when no snapshot can be made. Required fails; BestEffort goes on against the
// live volumes with a warning, for the failures listed here only.
import { VssError } from '../vss-error';

export { Policies } from '../generated/contract';
export type { PolicyName } from '../generated/contract';

/**
 * The failures that mean "VSS cannot make this snapshot, here and now" while the volume itself is there to read:
 * the process may not call VSS (not elevated, WOW64), VSS cannot snapshot the volume, a phase ran out of time,
 * a writer failed or did not answer, another set kept VSS busy past -RetryTimeout, the provider or its storage
 * gave out. Not among them: a path that does not exist (there is nothing live to read either), bad arguments or
 * states (a defect to fix, not an environment to live with), the emulated service or host not starting, and a
 * -RequireWriter refusal (the operator asked for that writer's consistency; the live files lack it).
 */
const LiveFallbackErrors: ReadonlySet<string> = new Set([
  'E_ACCESSDENIED',
  'E_NOTIMPL',
  'VSS_E_VOLUME_NOT_SUPPORTED',
  'VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER',
  'ERROR_TIMEOUT',
  'VSS_E_UNEXPECTED_WRITER_ERROR',
  'VSS_E_WRITER_NOT_RESPONDING',
  'VSS_E_WRITER_INFRASTRUCTURE',
  'VSS_E_SNAPSHOT_SET_IN_PROGRESS',
  'VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED',
  'VSS_E_INSUFFICIENT_STORAGE',
  'VSS_E_FLUSH_WRITES_TIMEOUT',
  'VSS_E_HOLD_WRITES_TIMEOUT',
  'VSS_E_PROVIDER_VETO',
  'VSS_E_UNEXPECTED_PROVIDER_ERROR',
]);

/** Whether a failure to make the snapshot set lets BestEffort go on against the live volumes. */
export function allowsLiveFallback(error: unknown): boolean {
  if (!(error instanceof VssError) || error.details.requirement !== undefined) return false;
  return LiveFallbackErrors.has(error.vssName) || error.vssName.startsWith('VSS_E_WRITERERROR_');
}

/**
 * Rethrows a failure to make the snapshot set, marked with `liveFallback` (whether BestEffort may go on without
 * the snapshot), so that every client decides the same way from the same rule.
 */
export function markLiveFallback(error: unknown): never {
  if (error instanceof VssError) error.details.liveFallback = allowsLiveFallback(error);
  throw error;
}
