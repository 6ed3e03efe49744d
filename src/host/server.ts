import { randomUUID } from 'node:crypto';
import {
  createMessageConnection,
  MessageConnection,
  MessageReader,
  NotificationType,
  ResponseError,
  ResponseMessage,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { VSS_ERROR_CODE, BackupTypes, Contexts, Phases } from '../defaults';
import { CallRecord, FacadeCaller, observed, VssService } from '../requester/interop';
import { AdminComponent, BackupLifecycle, Snapshot, Writer } from '../requester/lifecycle';
import { markLiveFallback } from '../requester/policy';
import { ExposureStore, ExposureRecord, ownerProcess, sweepAbandonedExposures } from '../exposures';
import { deleteOrphan, findOrphans, orphanInfo, RecordStore, SnapshotSetRecorder, withRecords } from '../records';
import { isPersistentContext, mountPoint, parseGuid } from '../vss';
import { toSnapshotSets } from '../snapshot-sets';
import { VssError, vssError } from '../vss-error';
import { BackupInfo, DeleteOutcome, DeleteParams, DeleteResult, Methods, MountParams, SnapshotSetInfo, VssErrorData } from './protocol';
import { withServices, writerServices } from '../writer-services';

/** The VSS calls that can take seconds (writers at work): each shows on the client's progress bar as it starts. */
const LongCalls = new Set<string>(Object.values(Phases).flat());

export interface HostOptions {
  interop: FacadeCaller;
  /** Resolves the VSS service on first use (starting the emulated one if needed). */
  service: () => Promise<VssService>;
  /** Called once the session has ended (closed, or its client went away). */
  onEnd?: () => void;
  /** Where the persistent snapshot sets this host creates are recorded (for -Orphaned); none: not recorded. */
  records?: RecordStore;
  /** Where exposures that belong to a process are recorded, to be undone once it is gone; none: not recorded. */
  exposures?: ExposureStore;
}

/** Groups snapshots into snapshot sets, in the order VSS listed them. */
/** The longest expiry a snapshot set may be given: ten years. */
const MaxExpiresAfterMs = 10 * 365 * 86_400_000;
/** A client batches the deletes it has queued; this bounds one request's work (and its answer's size). */
const MaxDeletesPerRequest = 256;

function toResponseError(e: unknown): ResponseError<unknown> {
  if (e instanceof ResponseError) return e;
  const error = e instanceof VssError ? e : new VssError('VSS_E_UNEXPECTED', '0x80042302', `internal error: ${(e as Error)?.message ?? String(e)}`);
  return new ResponseError(VSS_ERROR_CODE, error.message, error.toJSON());
}

/**
 * The host's JSON-RPC session over any pair of streams: at most one backup, plus queries and deletes that
 * use their own short-lived component objects. When the client goes away (the stream ends) an open backup
 * is ended as Close-VssBackup would end it, after AbortBackup if it was between PrepareForBackup and BackupComplete.
 */
export interface Host {
  connection: MessageConnection;
  /** Ends the session now (a signal, the client gone): AbortBackup if needed, then Release. */
  shutdown(): Promise<void>;
}

/** JSON-RPC's reserved codes for a frame that is not JSON, and for JSON that is not a request. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/**
 * A reader that answers what vscode-jsonrpc would only log: a broken frame or body gets a Parse error, a
 * message that is not a JSON-RPC 2.0 request, response or notification gets an Invalid Request error
 * (both with id null, as JSON-RPC 2.0 says), so a client always learns why nothing happened.
 */
function strictReader(input: NodeJS.ReadableStream, writer: StreamMessageWriter): MessageReader {
  const reader = new StreamMessageReader(input);
  const refuse = (code: number, message: string) => void writer.write({ jsonrpc: '2.0', id: null, error: { code, message } } as ResponseMessage).catch(() => undefined);
  reader.onError((e) => refuse(PARSE_ERROR, `Parse error: ${e.message.split('\n')[0]}. Send Content-Length framed JSON-RPC 2.0 messages.`));
  return {
    onError: reader.onError,
    onClose: reader.onClose,
    onPartialMessage: reader.onPartialMessage,
    dispose: () => reader.dispose(),
    listen: (callback) =>
      reader.listen((message) => {
        const m = message as unknown as Record<string, unknown>;
        const valid =
          typeof m === 'object' && m !== null && !Array.isArray(m) && m.jsonrpc === '2.0' &&
          (typeof m.method === 'string' || 'result' in m || 'error' in m) &&
          (m.id === undefined || m.id === null || typeof m.id === 'string' || typeof m.id === 'number');
        if (valid) return callback(message);
        const id = typeof m === 'object' && m !== null && (typeof m.id === 'string' || typeof m.id === 'number') ? m.id : null;
        void writer.write({ jsonrpc: '2.0', id, error: { code: INVALID_REQUEST, message: 'Invalid Request: expected a JSON-RPC 2.0 object with "jsonrpc": "2.0", a "method" string and an optional numeric or string "id".' } } as ResponseMessage).catch(() => undefined);
      }),
  };
}

export function startHost(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, hostOptions: HostOptions): Host {
  const writer = new StreamMessageWriter(output);
  const connection = createMessageConnection(strictReader(input, writer), writer);
  // Every VSS call is reported to the client as it returns (its -Verbose stream), within the request that made it.
  // Best effort: once the client is gone (the very case where the backup must still be ended) nothing can be
  // told, and a report must never stop the VSS call it reports.
  let notifying = true;
  const tell = <P>(type: NotificationType<P>, params: P) => {
    if (!notifying) return;
    try {
      connection.sendNotification(type, params).catch(() => undefined);
    } catch {
      // the connection is closed
    }
  };
  const options = {
    ...hostOptions,
    interop: observed(
      hostOptions.interop,
      (record: CallRecord) => tell(Methods.vssCall, record),
      (method) => {
        if (LongCalls.has(method)) tell(Methods.vssProgress, { method });
      },
    ),
  };
  // Queries and deletes share one component object for the host's life (one per PowerShell pipeline).
  const admin = new AdminComponent(options.interop, () => options.service());
  let backup: BackupLifecycle | null = null;
  // The record of the backup's persistent snapshot set; null in auto-release contexts and without a store.
  let recorder: SnapshotSetRecorder | null = null;
  let ended = false;
  let pending: Promise<unknown> = Promise.resolve();

  // Requests run one at a time, in order: a backup is a sequence, and VSS calls on one object do not overlap.
  const serial = <P, R>(handler: (params: P) => Promise<R>) => (params: P) => {
    const run = pending.then(() => handler(params));
    pending = run.catch(() => undefined);
    return run.catch((e) => {
      throw toResponseError(e);
    });
  };

  // The writers' hosting services, learned once per host (a table on Windows, writers.json on the emulator).
  let services: Promise<Map<string, string>> | null = null;
  const servicesOf = async (): Promise<Map<string, string>> => {
    services ??= options.service().then(writerServices);
    services.catch(() => (services = null));
    return services.catch(() => new Map<string, string>());
  };
  const decorated = async (writers: Writer[]) => withServices(writers, await servicesOf());
  const info = async (b: BackupLifecycle): Promise<BackupInfo> => {
    const described = b.describe();
    return { ...described, writers: await decorated(described.writers), hostProcessId: process.pid };
  };
  const current = (): BackupLifecycle => {
    if (!backup) throw vssError('VSS_E_BAD_STATE', 'no backup is open in this host: send backup/create first');
    return backup;
  };

  const end = () => {
    if (ended) return;
    ended = true;
    options.onEnd?.();
  };

  connection.onRequest(Methods.createBackup, serial(async (params) => {
    if (backup) throw vssError('VSS_E_BAD_STATE', `this host already holds backup ${backup.backupId}; a host process serves one backup`);
    const p = params ?? {};
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
    const backupId = randomUUID();
    const candidateRecorder = options.records && isPersistentContext(p.context ?? 'Backup') ? new SnapshotSetRecorder(options.records, backupId, p.context!) : null;
    const candidate = new BackupLifecycle(options.interop, await options.service(), backupId, {
      snapshotSetHooks: candidateRecorder?.hooks,
      requireWriters: p.requireWriters,
      volumes: p.volumes,
      excludeWriters: p.excludeWriters,
      includeWriters: p.includeWriters,
      context: p.context,
      backupType: p.backupType,
      phaseTimeoutMs: p.phaseTimeoutMs,
      timeouts: p.timeouts,
      retryTimeoutMs: p.retryTimeoutMs,
      onRetry: (retry) => tell(Methods.vssRetry, retry),
    });
    await candidate.begin().catch(markLiveFallback);
    backup = candidate;
    recorder = candidateRecorder;
    return info(backup);
  }));

  const setInfo = (b: BackupLifecycle, snapshots: Snapshot[]): SnapshotSetInfo => ({
    snapshotSetId: b.snapshotSetId!,
    context: b.describe().context,
    persistent: snapshots.some((s) => s.persistent),
    createdAt: snapshots[0]?.createdAt ?? new Date().toISOString(),
    expiresAt: recorder?.expiresAt ?? null,
    snapshots,
  });

  connection.onRequest(Methods.createSnapshotSet, serial(async (params) => {
    const volumes = params?.volumes;
    if (!Array.isArray(volumes) || volumes.length === 0 || !volumes.every((v) => typeof v === 'string' && v.length > 0)) {
      throw vssError('E_INVALIDARG', 'volumes must be a non-empty array of volume paths');
    }
    const b = current();
    const expiresAfterMs = params?.expiresAfterMs;
    if (expiresAfterMs !== undefined) {
      if (!(typeof expiresAfterMs === 'number' && Number.isFinite(expiresAfterMs) && expiresAfterMs >= 1 && expiresAfterMs <= MaxExpiresAfterMs)) {
        throw vssError('E_INVALIDARG', `expiresAfterMs must be a number of milliseconds from 1 to ${MaxExpiresAfterMs} (10 years), not ${JSON.stringify(expiresAfterMs)}`);
      }
      if (!isPersistentContext(b.describe().context)) {
        throw vssError('E_INVALIDARG', `an expiry applies to persistent snapshot sets only (contexts ClientAccessible, ClientAccessibleWriters, AppRollback); a ${b.describe().context} set ends with its backup anyway. Drop -ExpiresAfter, or start the backup in a persistent context`);
      }
      if (!recorder) throw vssError('VSS_E_BAD_STATE', 'this host keeps no records of snapshot sets, so it cannot give one an expiry');
    }
    recorder?.expect(volumes, expiresAfterMs ?? null);
    await sweepExposures().catch(() => undefined);
    return setInfo(b, (await b.createSnapshotSet(volumes).catch(markLiveFallback)).snapshots);
  }));

  connection.onRequest(Methods.startSnapshotSet, serial(async () => ({ snapshotSetId: await current().startSnapshotSet() })));

  connection.onRequest(Methods.addVolume, serial(async (params) => {
    if (typeof params?.volume !== 'string' || params.volume.length === 0) throw vssError('E_INVALIDARG', 'volume must be a non-empty volume path');
    const snapshotId = await current().addVolume(params.volume);
    recorder?.volumeAdded(params.volume);
    return { snapshotId };
  }));

  connection.onRequest(Methods.prepareBackup, serial(async () => {
    const b = current();
    await b.prepare();
    return info(b);
  }));

  connection.onRequest(Methods.doSnapshotSet, serial(async () => {
    const b = current();
    return setInfo(b, await b.doSnapshotSet());
  }));

  connection.onRequest(Methods.completeBackup, serial(async () => {
    const b = current();
    await b.complete();
    return info(b);
  }));

  connection.onRequest(Methods.abortBackup, serial(async () => {
    const b = current();
    await b.abort();
    return info(b);
  }));

  // The host stays up after Release until its client closes stdin, so the answer is never cut off by exit.
  connection.onRequest(Methods.closeBackup, serial(async () => {
    const b = current();
    const before = b.state;
    try {
      return await b.release();
    } finally {
      // Closed by its requester without an abort: a persistent set is kept on purpose, not an orphan, even when the
      // Release itself reports a fault (the set was made and its backup ended as asked).
      if (before === 'snapshotsDone' || before === 'completed') recorder?.closedAsItEnds();
    }
  }));

  connection.onRequest(Methods.listSnapshotSets, serial(async (params) => {
    const wanted = params?.snapshotSetId === undefined ? undefined : parseGuid(params.snapshotSetId, 'snapshotSetId');
    await sweepExposures().catch(() => undefined);
    let sets = toSnapshotSets(await admin.querySnapshots());
    if (options.records) sets = withRecords(options.records, sets);
    return wanted ? sets.filter((s) => s.snapshotSetId === wanted) : sets;
  }));

  const recordStore = (): RecordStore => {
    if (!options.records) throw vssError('VSS_E_BAD_STATE', 'this host keeps no records of snapshot sets, so it knows no orphans');
    return options.records;
  };

  connection.onRequest(Methods.listOrphanedSnapshotSets, serial(async () => {
    const store = recordStore();
    return findOrphans(store, toSnapshotSets(await admin.querySnapshots())).map(orphanInfo);
  }));

  connection.onRequest(Methods.deleteOrphanedSnapshotSet, serial(async (params) => {
    const store = recordStore();
    const id = parseGuid(params?.snapshotSetId, 'snapshotSetId');
    try {
      const { deleted } = await deleteOrphan(store, toSnapshotSets(await admin.querySnapshots()), admin, id, params?.force === true);
      return { deleted, nondeletedSnapshotId: null };
    } catch (e) {
      if (e instanceof VssError && e.details.nondeleted) e.details.nondeletedSnapshotId = e.details.nondeleted;
      throw e;
    }
  }));

  /** One DeleteSnapshots: of a set (and its record) or of one snapshot. The caller sweeps abandoned exposures first. */
  const deleteOne = async (params: DeleteParams | undefined): Promise<DeleteResult> => {
    const p = params ?? {};
    if ((p.snapshotSetId === undefined) === (p.snapshotId === undefined)) throw vssError('E_INVALIDARG', 'give exactly one of snapshotSetId or snapshotId');
    const [id, type] = p.snapshotSetId !== undefined ? [parseGuid(p.snapshotSetId, 'snapshotSetId'), 'SnapshotSet' as const] : [parseGuid(p.snapshotId, 'snapshotId'), 'Snapshot' as const];
    try {
      const { deleted } = await admin.deleteSnapshots(id, type, p.force === true);
      if (type === 'SnapshotSet') options.records?.remove(id); // the set is gone: so is any record of it
      return { deleted, nondeletedSnapshotId: null };
    } catch (e) {
      if (e instanceof VssError && e.details.nondeleted) {
        e.details.nondeletedSnapshotId = e.details.nondeleted;
      }
      throw e;
    }
  };

  connection.onRequest(Methods.deleteSnapshots, serial(async (params) => {
    await sweepExposures().catch(() => undefined);
    return deleteOne(params);
  }));

  connection.onRequest(Methods.deleteMany, serial(async (params) => {
    const deletes = params?.deletes;
    if (!Array.isArray(deletes) || deletes.length === 0 || deletes.length > MaxDeletesPerRequest) {
      throw vssError('E_INVALIDARG', `deletes must be an array of 1 to ${MaxDeletesPerRequest} deletes, each { snapshotSetId } or { snapshotId }`);
    }
    await sweepExposures().catch(() => undefined);
    const outcomes: DeleteOutcome[] = [];
    for (const item of deletes) {
      try {
        outcomes.push({ result: await deleteOne(item && typeof item === 'object' && !Array.isArray(item) ? item : ({} as DeleteParams)) });
      } catch (e) {
        const { code, message, data } = toResponseError(e);
        outcomes.push({ error: { code, message, data: data as VssErrorData } });
      }
    }
    return { outcomes };
  }));

  const sweepExposures = () => sweepAbandonedExposures(options.exposures, (id) => admin.unexposeSnapshot(id));

  connection.onRequest(Methods.mountSnapshot, serial(async (params) => {
    const p = params ?? ({} as Partial<MountParams>);
    const snapshotId = parseGuid(p.snapshotId, 'snapshotId');
    if (typeof p.path !== 'string' || p.path.length === 0 || p.path.length > 4096 || p.path.includes('\0')) {
      throw vssError('E_INVALIDARG', 'path must be the folder (or drive letter) to mount the snapshot at');
    }
    const at = mountPoint(p.path);
    const owner = p.ownerPid === undefined ? null : ownerProcess(p.ownerPid);
    if (owner && !options.exposures) throw vssError('VSS_E_BAD_STATE', 'this host keeps no records of exposures, so it cannot mount for an owner');
    await sweepExposures();
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
    await sweepExposures();
    await admin.unexposeSnapshot(snapshotId);
    options.exposures?.remove(snapshotId);
    return admin.snapshot(snapshotId);
  }));

  connection.onRequest(Methods.notifications, serial(async (params) => {
    if (typeof params?.enabled !== 'boolean') throw vssError('E_INVALIDARG', 'enabled must be true or false');
    notifying = params.enabled;
    return { enabled: notifying };
  }));

  connection.onRequest(Methods.ping, serial(() => options.interop.call<{ pong: boolean }>('Ping')));

  connection.onRequest(Methods.backupWriters, serial(async () => ({ writers: await decorated(await current().refreshWriters()) })));

  // The writers outside any backup: a component object that gathers metadata and status, then is released.
  connection.onRequest(Methods.listWriters, serial(async () => {
    const probe = new BackupLifecycle(options.interop, await options.service(), randomUUID(), {});
    await probe.begin();
    try {
      return { writers: await decorated(probe.writers) };
    } finally {
      await probe.release();
    }
  }));

  let shuttingDown: Promise<void> | null = null;
  const shutdown = () =>
    (shuttingDown ??= (async () => {
      await pending;
      await admin.release();
      const b = backup;
      // Release aborts a backup that did not reach BackupComplete before it ends it.
      if (b && b.state !== 'released') await b.release().catch(() => undefined);
      end();
    })());

  // The client went away: end the backup as VSS would for a requester that vanished.
  connection.onClose(() => void shutdown());

  connection.listen();
  return { connection, shutdown };
}
