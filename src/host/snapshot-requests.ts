// The host's snapshot requests outside a backup: listing sets (and orphans), deleting them (DeleteSnapshots, no writer
// event), and exposing snapshots; all on the session's one admin component object.
import { MessageConnection, ResponseError } from 'vscode-jsonrpc/node';
import { ExposureRecord, ownerProcess } from '../exposures';
import { deleteOrphan, findOrphans, orphanInfo, takeLostSets, withRecords } from '../records';
import { spaceDeletions } from '../service';
import { toSnapshotSets } from '../snapshot-sets';
import { parseGuid } from '../vss';
import { vssError } from '../vss-error';
import { DeleteOutcome, DeleteParams, DeleteResult, Methods, MountParams, VssErrorData } from './protocol';
import { HostSession, Serial } from './session';
import { checkDeletes, deleteTarget, mountTarget } from './validation';

export function serveSnapshots(connection: MessageConnection, serial: Serial, session: HostSession, toResponseError: (e: unknown) => ResponseError<unknown>): void {
  const { admin, options } = session;

  connection.onRequest(Methods.listProviders, serial(async () => ({ providers: await admin.queryProviders() })));

  connection.onRequest(Methods.listSnapshotSets, serial(async (params) => {
    const wanted = params?.snapshotSetId === undefined ? undefined : parseGuid(params.snapshotSetId, 'snapshotSetId');
    await session.sweepExposures().catch(() => undefined);
    let sets = toSnapshotSets(await admin.querySnapshots());
    if (options.records) sets = withRecords(options.records, sets);
    return wanted ? sets.filter((s) => s.snapshotSetId === wanted) : sets;
  }));

  connection.onRequest(Methods.listOrphanedSnapshotSets, serial(async () => {
    const store = session.recordStore();
    return findOrphans(store, toSnapshotSets(await admin.querySnapshots())).map(orphanInfo);
  }));

  connection.onRequest(Methods.listLostSnapshotSets, serial(async () => {
    if (!options.records) return [];
    return takeLostSets(options.records, toSnapshotSets(await admin.querySnapshots()), spaceDeletions(await options.service()));
  }));

  connection.onRequest(Methods.deleteOrphanedSnapshotSet, serial(async (params) => {
    const store = session.recordStore();
    const id = parseGuid(params?.snapshotSetId, 'snapshotSetId');
    const { deleted } = await deleteOrphan(store, toSnapshotSets(await admin.querySnapshots()), admin, id, params?.force === true);
    return { deleted, nondeletedSnapshotId: null };
  }));

  /** One DeleteSnapshots: of a set (and its record) or of one snapshot. The caller sweeps abandoned exposures first. */
  const deleteOne = async (params: DeleteParams | undefined): Promise<DeleteResult> => {
    const p = params ?? {};
    const [id, type] = deleteTarget(p);
    const { deleted } = await admin.deleteSnapshots(id, type, p.force === true);
    if (type === 'SnapshotSet') options.records?.remove(id); // the set is gone: so is any record of it
    return { deleted, nondeletedSnapshotId: null };
  };

  connection.onRequest(Methods.deleteSnapshots, serial(async (params) => {
    await session.sweepExposures().catch(() => undefined);
    return deleteOne(params);
  }));

  connection.onRequest(Methods.deleteMany, serial(async (params) => {
    const deletes = params?.deletes;
    checkDeletes(deletes);
    await session.sweepExposures().catch(() => undefined);
    const outcomes: DeleteOutcome[] = [];
    for (const item of deletes) {
      try {
        outcomes.push({ result: await deleteOne(item && typeof item === 'object' && !Array.isArray(item) ? (item as DeleteParams) : ({} as DeleteParams)) });
      } catch (e) {
        const { code, message, data } = toResponseError(e);
        outcomes.push({ error: { code, message, data: data as VssErrorData } });
      }
    }
    return { outcomes };
  }));

  connection.onRequest(Methods.mountSnapshot, serial(async (params) => {
    const p = params ?? ({} as Partial<MountParams>);
    const { snapshotId, at } = mountTarget(p);
    const owner = p.ownerPid === undefined ? null : ownerProcess(p.ownerPid);
    if (owner && !options.exposures) throw vssError('VSS_E_BAD_STATE', 'this host keeps no records of exposures, so it cannot mount for an owner');
    await session.sweepExposures();
    // Recorded before ExposeSnapshot: if this host dies in between, the record still leads to the exposure.
    const record: ExposureRecord | null = owner ? { snapshotId, path: at, owner, createdAt: new Date().toISOString() } : null;
    if (record) options.exposures!.write(record);
    try {
      await admin.exposeSnapshot(snapshotId, at);
    } catch (e) {
      if (record) options.exposures!.remove(snapshotId);
      throw e;
    }
    return admin.snapshot(snapshotId);
  }));

  connection.onRequest(Methods.dismountSnapshot, serial(async (params) => {
    const snapshotId = parseGuid(params?.snapshotId, 'snapshotId');
    await session.sweepExposures();
    await admin.unexposeSnapshot(snapshotId);
    options.exposures?.remove(snapshotId);
    return admin.snapshot(snapshotId);
  }));
}
