// What the host accepts of a client: each request's parameters checked before anything reaches VSS, every refusal
// E_INVALIDARG naming the parameter, what it must be and what came.
import { BackupTypes, Contexts, Phases } from '../defaults';
import { mountPoint, parseGuid } from '../vss';
import { vssError } from '../vss-error';
import { CreateBackupParams, DeleteParams, MountParams, WritersParams } from './protocol';

/** The longest expiry a snapshot set may be given: ten years. */
export const MaxExpiresAfterMs = 10 * 365 * 86_400_000;
/** A client batches the deletes it has queued; this bounds one request's work (and its answer's size). */
export const MaxDeletesPerRequest = 256;

/** backup/create's parameters. */
export function checkCreateBackup(p: CreateBackupParams): void {
  if (p.context !== undefined && !Contexts.includes(p.context)) throw vssError('E_INVALIDARG', `context must be one of ${Contexts.join(', ')}, not ${JSON.stringify(p.context)}`);
  if (p.backupType !== undefined && !BackupTypes.includes(p.backupType)) throw vssError('E_INVALIDARG', `backupType must be one of ${BackupTypes.join(', ')}, not ${JSON.stringify(p.backupType)}`);
  const milliseconds = (value: unknown, name: string, min: number) => {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= min && value <= 86_400_000)) {
      throw vssError('E_INVALIDARG', `${name} must be a number of milliseconds from ${min} to 86400000, not ${JSON.stringify(value)}`);
    }
  };
  milliseconds(p.phaseTimeoutMs, 'phaseTimeoutMs', 1);
  milliseconds(p.retryTimeoutMs, 'retryTimeoutMs', 0);
  if (p.timeouts !== undefined) {
    if (typeof p.timeouts !== 'object' || p.timeouts === null || Array.isArray(p.timeouts)) throw vssError('E_INVALIDARG', `timeouts must be an object keyed by ${Object.keys(Phases).join(', ')}`);
    for (const [phase, ms] of Object.entries(p.timeouts)) {
      if (!(phase in Phases)) throw vssError('E_INVALIDARG', `timeouts.${phase} is not a phase; the phases are ${Object.keys(Phases).join(', ')}`);
      milliseconds(ms, `timeouts.${phase}`, 1);
    }
  }
  if (p.requireWriters !== undefined && !(Array.isArray(p.requireWriters) && p.requireWriters.every((w) => typeof w === 'string' && w.length > 0 && w.length <= 256))) {
    throw vssError('E_INVALIDARG', 'requireWriters must be an array of writer names or ids');
  }
  if (p.volumes !== undefined && !(Array.isArray(p.volumes) && p.volumes.every((v) => typeof v === 'string' && v.length > 0))) {
    throw vssError('E_INVALIDARG', 'volumes must be an array of volume paths');
  }
  for (const field of ['excludeWriters', 'includeWriters'] as const) {
    const value = p[field];
    if (value !== undefined && !(Array.isArray(value) && value.every((w) => typeof w === 'string' && w.trim().length > 0 && w.length <= 256))) {
      throw vssError('E_INVALIDARG', `${field} must be an array of writer names or ids (non-empty strings of at most 256 characters)`);
    }
  }
}

/** snapshotSet/create's volumes. */
export function checkVolumes(volumes: unknown): asserts volumes is string[] {
  if (!Array.isArray(volumes) || volumes.length === 0 || !volumes.every((v) => typeof v === 'string' && v.length > 0)) {
    throw vssError('E_INVALIDARG', 'volumes must be a non-empty array of volume paths');
  }
}

/** snapshotSet/create's expiresAfterMs, where given. */
export function checkExpiry(expiresAfterMs: unknown): asserts expiresAfterMs is number {
  if (!(typeof expiresAfterMs === 'number' && Number.isFinite(expiresAfterMs) && expiresAfterMs >= 1 && expiresAfterMs <= MaxExpiresAfterMs)) {
    throw vssError('E_INVALIDARG', `expiresAfterMs must be a number of milliseconds from 1 to ${MaxExpiresAfterMs} (10 years), not ${JSON.stringify(expiresAfterMs)}`);
  }
}

/** One delete's target: a set or a snapshot, exactly one of them. */
export function deleteTarget(p: DeleteParams): [string, 'SnapshotSet' | 'Snapshot'] {
  if ((p.snapshotSetId === undefined) === (p.snapshotId === undefined)) throw vssError('E_INVALIDARG', 'give exactly one of snapshotSetId or snapshotId');
  return p.snapshotSetId !== undefined ? [parseGuid(p.snapshotSetId, 'snapshotSetId'), 'SnapshotSet'] : [parseGuid(p.snapshotId, 'snapshotId'), 'Snapshot'];
}

/** snapshots/deleteMany's list. */
export function checkDeletes(deletes: unknown): asserts deletes is unknown[] {
  if (!Array.isArray(deletes) || deletes.length === 0 || deletes.length > MaxDeletesPerRequest) {
    throw vssError('E_INVALIDARG', `deletes must be an array of 1 to ${MaxDeletesPerRequest} deletes, each { snapshotSetId } or { snapshotId }`);
  }
}

/** snapshot/mount's snapshot and where to mount it (absolute, as ExposeSnapshot takes it). */
export function mountTarget(p: Partial<MountParams>): { snapshotId: string; at: string } {
  const snapshotId = parseGuid(p.snapshotId, 'snapshotId');
  if (typeof p.path !== 'string' || p.path.length === 0 || p.path.length > 4096 || p.path.includes('\0')) {
    throw vssError('E_INVALIDARG', 'path must be the folder (or drive letter) to mount the snapshot at');
  }
  return { snapshotId, at: mountPoint(p.path) };
}

/** writers/list and backup/writers: params left out, or { detailed: true | false }. */
export function checkDetailed(p: WritersParams | undefined | null): boolean {
  if (p === undefined || p === null) return false;
  if (typeof p !== 'object' || (p.detailed !== undefined && typeof p.detailed !== 'boolean')) throw vssError('E_INVALIDARG', 'detailed must be true or false');
  return p.detailed === true;
}

/** A string parameter: a non-empty string, or left out where it is not required. */
export function checkText(value: unknown, name: string, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw vssError('E_INVALIDARG', `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value === '') throw vssError('E_INVALIDARG', `${name} must be a non-empty string`);
  return value;
}
