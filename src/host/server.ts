// The host's JSON-RPC session over any pair of streams: requests run one at a time, each VSS call is told to the
// client as it returns, and the session ends a backup its client left open. The request families are served by
// backup-requests.ts and snapshot-requests.ts, on the state session.ts holds.
import { randomUUID } from 'node:crypto';
import { createMessageConnection, MessageConnection, NotificationType, ResponseError, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { VSS_ERROR_CODE, Phases } from '../defaults';
import { CallRecord, observed } from '../requester/interop';
import { readBackupDocument } from '../requester/backup-document';
import { BackupLifecycle } from '../requester/lifecycle';
import { VssError, vssError } from '../vss-error';
import { serveBackups } from './backup-requests';
import { Methods } from './protocol';
import { HostOptions, HostSession, Serial } from './session';
import { serveSnapshots } from './snapshot-requests';
import { serveShadowStorage } from './storage-requests';
import { strictReader } from './strict-reader';
import { checkDetailed, checkText } from './validation';

export type { HostOptions } from './session';

/** The VSS calls that can take seconds (writers at work): each shows on the client's progress bar as it starts. */
const LongCalls = new Set<string>(Object.values(Phases).flat());

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
  const options: HostOptions = {
    ...hostOptions,
    interop: observed(
      hostOptions.interop,
      (record: CallRecord) => tell(Methods.vssCall, record),
      (method) => {
        if (LongCalls.has(method)) tell(Methods.vssProgress, { method });
      },
    ),
  };
  const session = new HostSession(options, tell);
  let ended = false;
  let pending: Promise<unknown> = Promise.resolve();

  // Requests run one at a time, in order: a backup is a sequence, and VSS calls on one object do not overlap.
  const serial: Serial = <P, R>(handler: (params: P) => Promise<R>) => (params: P) => {
    const run = pending.then(() => handler(params));
    pending = run.catch(() => undefined);
    return run.catch((e) => {
      throw toResponseError(e);
    });
  };

  serveBackups(connection, serial, session);
  serveSnapshots(connection, serial, session, toResponseError);
  serveShadowStorage(connection, serial, session);

  connection.onRequest(Methods.notifications, serial(async (params) => {
    if (typeof params?.enabled !== 'boolean') throw vssError('E_INVALIDARG', 'enabled must be true or false');
    notifying = params.enabled;
    return { enabled: notifying };
  }));

  connection.onRequest(Methods.ping, serial(() => options.interop.call<{ pong: boolean }>('Ping')));

  // The writers outside any backup: a component object that gathers metadata and status, then is released.
  connection.onRequest(Methods.readDocument, serial(async (params) => {
    return readBackupDocument(options.interop, await options.service(), checkText(params?.path, 'path', true)!);
  }));

  connection.onRequest(Methods.listWriters, serial(async (params) => {
    const detailed = checkDetailed(params);
    const probe = new BackupLifecycle(options.interop, await options.service(), randomUUID(), {});
    await probe.begin();
    try {
      return { writers: await session.decorated(detailed ? await probe.detailedWriters() : probe.writers) };
    } finally {
      await probe.release();
    }
  }));

  const end = () => {
    if (ended) return;
    ended = true;
    options.onEnd?.();
  };

  let shuttingDown: Promise<void> | null = null;
  const shutdown = () =>
    (shuttingDown ??= (async () => {
      await pending;
      await session.admin.release();
      const b = session.backup;
      // Release aborts a backup that did not reach BackupComplete before it ends it.
      if (b && b.state !== 'released') await b.release().catch(() => undefined);
      end();
    })());

  // The client went away: end the backup as VSS would for a requester that vanished.
  connection.onClose(() => void shutdown());

  connection.listen();
  return { connection, shutdown };
}
