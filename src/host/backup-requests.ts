// The host's backup requests: one backup per host, driven whole (snapshotSet/create) or one VSS call at a time.
import { randomUUID } from 'node:crypto';
import { MessageConnection } from 'vscode-jsonrpc/node';
import { SnapshotSetRecorder } from '../records';
import { BackupLifecycle } from '../requester/lifecycle';
import { markLiveFallback } from '../requester/policy';
import { isPersistentContext, persistentContextList } from '../vss';
import { vssError } from '../vss-error';
import { Methods } from './protocol';
import { HostSession, Serial } from './session';
import { checkCreateBackup, checkDetailed, checkExpiry, checkText, checkVolumes } from './validation';

export function serveBackups(connection: MessageConnection, serial: Serial, session: HostSession): void {
  const { options } = session;

  connection.onRequest(Methods.createBackup, serial(async (params) => {
    if (session.backup) throw vssError('VSS_E_BAD_STATE', `this host already holds backup ${session.backup.backupId}; a host process serves one backup`);
    const p = params ?? {};
    checkCreateBackup(p);
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
      onRetry: (retry) => session.tell(Methods.vssRetry, retry),
    });
    await candidate.begin().catch(markLiveFallback);
    session.backup = candidate;
    session.recorder = candidateRecorder;
    return session.info(candidate);
  }));

  connection.onRequest(Methods.createSnapshotSet, serial(async (params) => {
    const volumes = params?.volumes;
    checkVolumes(volumes);
    const b = session.current();
    const expiresAfterMs = params?.expiresAfterMs;
    if (expiresAfterMs !== undefined) {
      checkExpiry(expiresAfterMs);
      if (!isPersistentContext(b.describe().context)) {
        throw vssError('E_INVALIDARG', `an expiry applies to persistent snapshot sets only (contexts ${persistentContextList}); a ${b.describe().context} set ends with its backup anyway. Drop -ExpiresAfter, or start the backup in a persistent context`);
      }
      if (!session.recorder) throw vssError('VSS_E_BAD_STATE', 'this host keeps no records of snapshot sets, so it cannot give one an expiry');
    }
    session.recorder?.expect(volumes, expiresAfterMs ?? null);
    await session.sweepExposures().catch(() => undefined);
    return session.setInfo(b, (await b.createSnapshotSet(volumes).catch(markLiveFallback)).snapshots);
  }));

  connection.onRequest(Methods.startSnapshotSet, serial(async () => ({ snapshotSetId: await session.current().startSnapshotSet() })));

  connection.onRequest(Methods.addVolume, serial(async (params) => {
    if (typeof params?.volume !== 'string' || params.volume.length === 0) throw vssError('E_INVALIDARG', 'volume must be a non-empty volume path');
    const snapshotId = await session.current().addVolume(params.volume);
    session.recorder?.volumeAdded(params.volume);
    return { snapshotId };
  }));

  connection.onRequest(Methods.prepareBackup, serial(async () => {
    const b = session.current();
    await b.prepare();
    return session.info(b);
  }));

  connection.onRequest(Methods.doSnapshotSet, serial(async () => {
    const b = session.current();
    return session.setInfo(b, await b.doSnapshotSet());
  }));

  connection.onRequest(Methods.completeBackup, serial(async (params) => {
    const b = session.current();
    await b.complete({ documentPath: checkText(params?.documentPath, 'documentPath', false) });
    return session.info(b);
  }));

  connection.onRequest(Methods.abortBackup, serial(async () => {
    const b = session.current();
    await b.abort();
    return session.info(b);
  }));

  // The host stays up after Release until its client closes stdin, so the answer is never cut off by exit.
  connection.onRequest(Methods.closeBackup, serial(async () => {
    const b = session.current();
    const before = b.state;
    try {
      return await b.release();
    } finally {
      // Closed by its requester without an abort: a persistent set is kept on purpose, not an orphan, even when the
      // Release itself reports a fault (the set was made and its backup ended as asked).
      if (before === 'snapshotsDone' || before === 'completed') session.recorder?.closedAsItEnds();
    }
  }));

  // Invoke-VssBackup's end when its script block failed or was stopped: never marked closed, so the set it leaves is
  // found as an orphan once its creator is gone.
  connection.onRequest(Methods.abandonBackup, serial(async () => session.current().abandon()));

  connection.onRequest(Methods.backupWriters, serial(async (params) => {
    const detailed = checkDetailed(params);
    const b = session.current();
    await b.refreshWriters();
    return { writers: await session.decorated(detailed ? await b.detailedWriters() : b.writers) };
  }));
}
