// The data commands of the executable (backup, snapshots), over the same lifecycle the host uses.
import { randomUUID } from 'node:crypto';
import { BackupTypeName, ContextName } from './defaults';
import { SnapshotSetInfo } from './host/protocol';
import { toSnapshotSets } from './host/server';
import { Interop } from './requester/interop';
import { BackupLifecycle, deleteSnapshots, querySnapshots } from './requester/lifecycle';
import { resolveService } from './requester/service';
import { parseGuid } from './vss';
import { vssError } from './vss-error';

export async function backupOnce(volumes: string[], context: ContextName, backupType: BackupTypeName) {
  const backup = new BackupLifecycle(new Interop(), await resolveService(), randomUUID(), { context, backupType });
  await backup.begin();
  try {
    const set = await backup.createSnapshotSet(volumes);
    await backup.complete();
    const close = await backup.release();
    const text = [`snapshot set ${set.snapshotSetId}`, ...set.snapshots.map((s) => `  ${s.volume} -> ${s.devicePath}`), `closed: ${close.writers.length} writer(s) shut down`].join('\n');
    return { snapshotSetId: set.snapshotSetId, snapshots: set.snapshots, close, text };
  } finally {
    await backup.release().catch(() => undefined);
  }
}

export async function listSets(snapshotSetId?: string): Promise<SnapshotSetInfo[]> {
  const wanted = snapshotSetId === undefined ? undefined : parseGuid(snapshotSetId, '--snapshot-set-id');
  const sets = toSnapshotSets(await querySnapshots(new Interop(), await resolveService()));
  return wanted ? sets.filter((s) => s.snapshotSetId === wanted) : sets;
}

export function formatSets(sets: SnapshotSetInfo[]): string {
  if (sets.length === 0) return 'no snapshot sets';
  return sets.map((s) => [`${s.snapshotSetId}  ${s.context}  ${s.createdAt}`, ...s.snapshots.map((x) => `  ${x.snapshotId}  ${x.volume} -> ${x.devicePath}`)].join('\n')).join('\n');
}

export async function deleteSets(options: { snapshotSetId?: string; snapshotId?: string; force: boolean }) {
  if ((options.snapshotSetId === undefined) === (options.snapshotId === undefined)) throw vssError('E_INVALIDARG', 'give exactly one of --snapshot-set-id or --snapshot-id');
  const [id, type] = options.snapshotSetId !== undefined
    ? [parseGuid(options.snapshotSetId, '--snapshot-set-id'), 'SnapshotSet' as const]
    : [parseGuid(options.snapshotId, '--snapshot-id'), 'Snapshot' as const];
  return deleteSnapshots(new Interop(), await resolveService(), id, type, options.force);
}
