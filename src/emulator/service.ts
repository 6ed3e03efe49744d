// The emulated VSS service process: its lock and socket, and what outlives a component object (writers, snapshots,
// the journal), with the operations that change that state: DoSnapshotSet's copy, DeleteSnapshots, exposure, import,
// break, a session's end. Over 400 lines because these share the durable state under one lock; a component
// object's requests are in requests.ts, its phases in session.ts, storage in state-store.ts, delivery to writers in
// writer-delivery.ts, volume checks in volume-rules.ts.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as setTimeoutPromise } from 'node:timers/promises';
import * as lockfile from 'proper-lockfile';
import { createMessageConnection, MessageConnection, ResponseError, SocketMessageWriter, StreamMessageReader } from 'vscode-jsonrpc/node';
import { defaults, VSS_ERROR_CODE } from '../defaults';
import { ensureHome, EmulatorPaths, isOutOfSpace } from '../paths';
import { Attr, ContextValue } from '../vss';
import { HResult, hresultValue, HResultName } from '../vss-error';
import { ComponentTypeValue, DefaultProvider, EmulatedProviderId, ProviderRecord, ProviderTypeValue, SnapshotRecord, TransportableAttr, WriterEvent } from './model';
import { readConfigFile } from './durable';
import { fault, partialDelete } from './fault';
import { FrameLimit } from './frame-limit';
import { DocumentComponent, enter, newSession, phaseOf, reached, requireInitialized, Session, WriterInstance, writersTakePart } from './session';
import { backupRequests, ServiceCore } from './requests';
import { DocumentedMinimumDiffSpace } from './diff-areas';
import { ShadowStorage } from './shadow-storage';
import { copyTreeReadOnly, removeTree, setTreeWritable } from './snapshot-store';
import { StateStore } from './state-store';
import { WriterDelivery } from './writer-delivery';
import { loadWriters } from './writers-config';


/** VSS_VOLSNAP_ATTR_* bits the emulated provider sets beside the context's. */
const ImportedAttr = 0x80000;
const ExposedLocallyAttr = 0x100000;
const ExposedRemotelyAttr = 0x200000;
/** VSS_BT_COPY: a backup that leaves the writers' own backup history (and their stamps) alone. */
const BackupTypeCopy = 5;

/** VSS_BACKUP_TYPE by value (vss.h), as the component metadata schema's backupType attribute writes it. */
const DocumentBackupTypes = ['undefined', 'full', 'incremental', 'differential', 'log', 'copy', 'other'];

export { readSavedSnapshots } from './durable';

/**
 * The emulated VSS service: one process per VSS_SESSION_HOME (held by a lock), shared by every client, holding
 * the writers, the snapshots and the event journal. A client connection is a component object; its end without
 * a release is a requester that died, which VSS answers by aborting and shutting the backup down.
 */
export class EmulatorService implements ServiceCore {
  private readonly server = net.createServer((socket) => this.accept(socket));
  private writers: WriterInstance[] = [];
  private writersStamp = '';
  readonly state: StateStore;
  readonly delivery: WriterDelivery;
  private readonly sessions = new Set<Session>();
  private readonly sockets = new Set<net.Socket>();
  creatingSet: { session: Session; snapshotSetId: string } | null = null;
  private nextSessionId = 1;
  private readonly startedAt = new Date();
  private releaseLock: (() => Promise<void>) | null = null;
  private stopping: Promise<void> | null = null;

  constructor(readonly paths: EmulatorPaths) {
    this.state = new StateStore(paths);
    this.delivery = new WriterDelivery(paths);
    this.shadowStorage = new ShadowStorage(paths.shadowStorage, () => this.minDiffSpace(), this.state, this.delivery, (snapshotId) => {
      this.deleteSnapshots({ sourceId: snapshotId, sourceType: 3, force: true });
    });
  }

  readonly shadowStorage: ShadowStorage;

  async listen(): Promise<void> {
    ensureHome(this.paths.home);
    try {
      // A service killed with -9 leaves its lock behind; it goes stale after `stale` ms, so a new service waits
      // that long at most. A live service refreshes it every `update` ms and keeps it.
      this.releaseLock = await lockfile.lock(this.paths.serviceLock, {
        realpath: false,
        stale: 5_000,
        update: 1_000,
        retries: { retries: 12, minTimeout: 500, maxTimeout: 500 },
        onCompromised: (e) => {
          process.stderr.write(`the emulated VSS service lost its lock on ${this.paths.home}: ${e.message}\n`);
          process.exit(1);
        },
      });
    } catch (e) {
      throw new Error(`another emulated VSS service already serves ${this.paths.home} (${(e as Error).message}); stop it with 'vss-session emulator stop'`);
    }
    // proper-lockfile makes its folder with the process's umask; everything in the state folder is private.
    if (process.platform !== 'win32') fs.chmodSync(`${this.paths.serviceLock}.lock`, 0o700);
    try {
      this.reloadWriters();
      fs.mkdirSync(this.paths.snapshots, { recursive: true, mode: 0o700 });
      this.state.load();
      this.delivery.finishInterruptedSessions();
      this.state.sweepOrphans();
      if (process.platform !== 'win32' && fs.existsSync(this.paths.socket)) fs.unlinkSync(this.paths.socket);
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.paths.socket, () => resolve());
      });
      if (process.platform !== 'win32') fs.chmodSync(this.paths.socket, 0o600);
      try {
        fs.writeFileSync(this.paths.pidFile, String(process.pid), { mode: 0o600 });
      } catch (e) {
        // For people who look; nothing reads it, so a full disk does not keep the service from serving.
        if (!isOutOfSpace(e)) throw e;
      }
    } catch (e) {
      await this.releaseLock();
      throw e;
    }
  }

  /** Ends every client's session as a vanished requester's, closes the socket and removes the pid file; once. */
  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    for (const s of this.sessions) s.copying?.abort(new Error('the emulated service is stopping'));
    await Promise.all([...this.sessions].map((s) => this.enqueue(s, () => this.terminate(s, 'RequesterGone'))));
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.delivery.flushJournal();
    if (this.delivery.held > 0) process.stderr.write(`the emulated VSS service stops with ${this.delivery.held} journal line(s) it could not write\n`);
    this.state.close();
    this.delivery.close();
    fs.rmSync(this.paths.pidFile, { force: true });
    await this.releaseLock?.();
  }

  /** Reads writers.json again when it changed; keeps each writer's instance and state across reloads. */
  reloadWriters(): void {
    const stamp = fs.existsSync(this.paths.writers) ? String(fs.statSync(this.paths.writers).mtimeMs) : 'defaults';
    if (stamp === this.writersStamp) return;
    const definitions = loadWriters(this.paths.writers);
    this.writers = definitions.map((definition) => {
      const previous = this.writers.find((w) => w.definition.writerId === definition.writerId);
      // A changed file starts its failTimes counts afresh.
      return previous ? { ...previous, definition, deliveries: {} } : { definition, instanceId: randomUUID(), state: 'Stable', lastError: null, deliveries: {} };
    });
    this.writersStamp = stamp;
  }

  /** The writers this session's requester lets take part: a disabled class or instance gets no event, Identify included. */
  selectedWriters(s: Session): WriterInstance[] {
    if (!writersTakePart(s)) return [];
    return this.writers.filter(
      (w) =>
        !s.disabledClasses.has(w.definition.writerId) &&
        !s.disabledInstances.has(w.instanceId) &&
        (s.enabledClasses === null || s.enabledClasses.has(w.definition.writerId)),
    );
  }

  private enqueue<T>(s: Session, work: () => T | Promise<T>): Promise<T> {
    const run = s.queue.then(work);
    s.queue = run.catch(() => undefined);
    return run;
  }

  /** Clients served at once; see defaults.emulatorMaxClients. */
  private readonly maxClients = (() => {
    const wanted = Number(process.env.VSS_SESSION_EMULATOR_MAX_CLIENTS ?? defaults.emulatorMaxClients);
    return Number.isInteger(wanted) && wanted >= 1 ? wanted : defaults.emulatorMaxClients;
  })();

  private accept(socket: net.Socket): void {
    socket.on('error', () => socket.destroy());
    if (this.sockets.size >= this.maxClients) {
      // Said in JSON-RPC (an error answer with no id, as for a request that could not be read), then closed: the
      // client names the cause instead of meeting a broken pipe.
      const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: VSS_ERROR_CODE, message: `the emulated VSS service at ${this.paths.home} serves ${this.maxClients} clients at once and has that many; try again when some have ended (VSS_SESSION_EMULATOR_MAX_CLIENTS raises the limit)`, data: { name: 'VSS_E_UNEXPECTED', hresult: hresultValue(HResult.VSS_E_UNEXPECTED) } } });
      socket.end(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    // A connection that never says anything holds a descriptor for nothing.
    const silent = setTimeout(() => socket.destroy(), defaults.emulatorSilentConnectionMs);
    socket.once('data', () => clearTimeout(silent));
    socket.once('close', () => clearTimeout(silent));
    const session = newSession(this.nextSessionId++, randomUUID());
    this.sessions.add(session);
    this.sockets.add(socket);
    // Frames past MaxFrameBytes end the connection before they are held (a requester that sends one is not ours).
    const frames = socket.pipe(new FrameLimit());
    frames.on('error', (e) => {
      process.stderr.write(`the emulated VSS service closed a client connection: ${e.message}\n`);
      socket.destroy();
    });
    const connection = createMessageConnection(new StreamMessageReader(frames), new SocketMessageWriter(socket));
    this.register(connection, session, socket);
    // The connection is the component object's lifeline: when it ends without a release, the requester died.
    socket.on('close', () => {
      session.copying?.abort(new Error('the requester is gone'));
      void this.enqueue(session, () => this.terminate(session, 'RequesterGone')).finally(() => {
        this.sessions.delete(session);
        this.sockets.delete(socket);
        connection.dispose();
      });
    });
    connection.listen();
  }

  private register(connection: MessageConnection, s: Session, socket: net.Socket): void {
    const on = (method: string, handler: (params: any) => unknown) =>
      connection.onRequest(method, (params: unknown) =>
        this.enqueue(s, () => {
          if (phaseOf(s) === 'Ended') throw fault('VSS_E_BAD_STATE', 'the component object was released and is never reused');
          return handler(params ?? {});
        }),
      );

    connection.onRequest('service.status', () => this.status());
    // IVssAsync::Cancel, sent on a connection of its own by a component object whose connection waits for the
    // operation: stops that session's copy of the volumes (DoSnapshotSet's only long part).
    connection.onRequest('service.cancel', (p: { sessionId?: unknown }) => {
      const target = [...this.sessions].find((x) => x.id === p?.sessionId);
      const cancelled = Boolean(target?.copying && !target.copying.signal.aborted);
      target?.copying?.abort(new Error('IVssAsync::Cancel'));
      return { cancelled };
    });
    // AbortBackup cancels a DoSnapshotSet's copy at once: queued behind it, it would wait for the whole copy.
    connection.onRequest('abortBackup', () => {
      s.copying?.abort(new Error('AbortBackup'));
      return this.enqueue(s, () => {
        if (phaseOf(s) === 'Ended') throw fault('VSS_E_BAD_STATE', 'the component object was released and is never reused');
        requireInitialized(s, 'AbortBackup');
        return this.abort(s).then(() => null);
      });
    });
    connection.onRequest('service.stop', () => {
      // Stop once the answer has reached the client: when it hangs up, or after a second at most.
      const finish = () => void this.stop().then(() => process.exit(0));
      socket.once('close', finish);
      setTimeout(finish, 1000).unref();
      return { stopping: true };
    });
    for (const [method, handler] of backupRequests(this, s)) on(method, handler);
  }

  /**
   * The Backup Components Document (SaveAsXML), in the element and attribute names of VSS's component metadata schema
   * (x-schema:#VssComponentMetadata): BACKUP_COMPONENTS with the backup type, WRITER_COMPONENTS per writer with each
   * added COMPONENT and what the backup recorded for it, and SNAPSHOT_SET_DESCRIPTION with its snapshots. A requester
   * reads it back through InitializeForRestore, as one from a real server.
   */
  document(s: Session): string {
    const attr = (v: unknown) => String(v ?? '').replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const attrs = (pairs: Record<string, unknown>) => Object.entries(pairs).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => ` ${k}="${attr(v)}"`).join('');
    const yesNo = (b: boolean) => (b ? 'yes' : 'no');
    const snapshots = this.state.snapshots.filter((x) => s.snapshotSetId && x.snapshotSetId === s.snapshotSetId);
    const writers = new Map<string, DocumentComponent[]>();
    for (const c of s.components.values()) writers.set(c.instanceId, [...(writers.get(c.instanceId) ?? []), c]);
    return [
      `<BACKUP_COMPONENTS xmlns="x-schema:#VssComponentMetadata"${attrs({ version: '1.2', bootableSystemStateBackup: 'no', selectComponents: yesNo(s.components.size > 0), backupType: DocumentBackupTypes[s.backupType] ?? 'undefined', partialFileSupport: 'no' })}>`,
      ...[...writers.values()].flatMap((components) => [
        `  <WRITER_COMPONENTS${attrs({ instanceId: components[0]!.instanceId, writerId: components[0]!.writerId })}>`,
        ...components.map(
          (c) =>
            `    <COMPONENT${attrs({
              logicalPath: c.logicalPath,
              componentName: c.name,
              componentType: c.componentType === ComponentTypeValue.filegroup ? 'filegroup' : 'database',
              backupSucceeded: c.backupSucceeded === null ? null : yesNo(c.backupSucceeded),
              backupOptions: c.backupOptions,
              backupStamp: c.backupStamp,
              previousBackupStamp: c.previousBackupStamp,
            })}/>`,
        ),
        '  </WRITER_COMPONENTS>',
      ]),
      ...(s.snapshotSetId
        ? [
            `  <SNAPSHOT_SET_DESCRIPTION${attrs({ snapshotSetId: s.snapshotSetId, context: ContextValue[s.context] | (s.transportable ? TransportableAttr : 0) })}>`,
            ...snapshots.map((x) => `    <SNAPSHOT_DESCRIPTION${attrs({ snapshotId: x.snapshotId, providerId: EmulatedProviderId, snapshotAttributes: x.attributes, originalVolumeName: x.originalVolume })}/>`),
            '  </SNAPSHOT_SET_DESCRIPTION>',
          ]
        : []),
      '</BACKUP_COMPONENTS>',
    ].join('\n');
  }

  /**
   * ExposeSnapshot. Locally (VSS_VOLSNAP_ATTR_EXPOSED_LOCALLY) the emulated provider mounts the snapshot at a folder
   * path as a symbolic link to its copy; VSS allows that only for AppRollback and NasRollback snapshots ("Exposing and
   * Surfacing Shadow Copied Volumes"). Remotely it makes the share a folder under the state folder's shares/.
   */
  expose(p: { snapshotId?: string; pathFromRoot?: string | null; attributes?: number; expose?: string | null }) {
    const snapshot = this.state.snapshots.find((x) => x.snapshotId === String(p.snapshotId ?? '').toLowerCase());
    if (!snapshot) throw fault('VSS_E_OBJECT_NOT_FOUND', `no snapshot ${p.snapshotId}`);
    if (snapshot.attributes & (ExposedLocallyAttr | ExposedRemotelyAttr)) {
      throw fault('VSS_E_OBJECT_ALREADY_EXISTS', `snapshot ${snapshot.snapshotId} is already exposed at ${snapshot.exposedName}; unexpose it first`);
    }
    const locally = p.attributes === ExposedLocallyAttr;
    if (!locally && p.attributes !== ExposedRemotelyAttr) {
      throw fault('E_INVALIDARG', `ExposeSnapshot takes VSS_VOLSNAP_ATTR_EXPOSED_LOCALLY (0x100000) or VSS_VOLSNAP_ATTR_EXPOSED_REMOTELY (0x200000), not 0x${(p.attributes ?? 0).toString(16)}`);
    }
    if (!(snapshot.attributes & Attr.Persistent)) {
      throw fault('E_INVALIDARG', `snapshot ${snapshot.snapshotId} is auto-release (context ${snapshot.context}); only persistent snapshots can be exposed: read it through its device path instead`);
    }
    let target: string;
    let exposedName: string;
    if (locally) {
      if (p.pathFromRoot) throw fault('E_INVALIDARG', 'a path from the root is given only when exposing as a share; expose the whole snapshot locally');
      if (snapshot.context !== 'AppRollback' && snapshot.context !== 'NasRollback') {
        throw fault('E_INVALIDARG', `snapshot ${snapshot.snapshotId} was made in context ${snapshot.context}; only AppRollback and NasRollback snapshots can be exposed locally (VSS rule, "Exposing and Surfacing Shadow Copied Volumes"); read it through its device path, or make it with -Context AppRollback or NasRollback`);
      }
      const at = p.expose ?? '';
      if (/^[A-Za-z]:\\?$/.test(at)) throw fault('E_INVALIDARG', `the emulated service exposes snapshots at folder paths, not at drive letters like ${at}`);
      if (!path.isAbsolute(at) || at.includes('\0')) throw fault('E_INVALIDARG', `the folder to expose at must be an absolute path, not ${JSON.stringify(at)}`);
      target = path.resolve(at);
      exposedName = target;
    } else {
      const share = p.expose ?? `shadow-${snapshot.snapshotId}`;
      if (!/^[A-Za-z0-9_.$-]{1,80}$/.test(share)) throw fault('E_INVALIDARG', `share name ${JSON.stringify(share)} is not a valid share name (letters, digits, _ . $ -)`);
      fs.mkdirSync(path.join(this.paths.home, 'shares'), { recursive: true, mode: 0o700 });
      target = path.join(this.paths.home, 'shares', share);
      exposedName = share;
    }
    let source = snapshot.deviceObject;
    if (!locally && p.pathFromRoot) {
      source = path.resolve(snapshot.deviceObject, p.pathFromRoot.replace(/^[\\/]+/, ''));
      if (source !== snapshot.deviceObject && !source.startsWith(snapshot.deviceObject + path.sep)) throw fault('E_INVALIDARG', `${p.pathFromRoot} leads out of the snapshot`);
      if (!fs.existsSync(source)) throw fault('VSS_E_OBJECT_NOT_FOUND', `${p.pathFromRoot} does not exist in snapshot ${snapshot.snapshotId}`);
    }
    // A mounted folder must be an empty directory (as on NTFS) or not exist yet; its parent must exist.
    let replacedEmptyFolder = false;
    const existing = fs.lstatSync(target, { throwIfNoEntry: false });
    if (existing) {
      if (!existing.isDirectory() || fs.readdirSync(target).length > 0) throw fault('E_INVALIDARG', `${target} must be an empty folder (or not exist yet) to expose a snapshot there`);
      fs.rmdirSync(target);
      replacedEmptyFolder = true;
    } else if (!fs.existsSync(path.dirname(target))) {
      throw fault('VSS_E_OBJECT_NOT_FOUND', `the folder ${path.dirname(target)} does not exist; create it, or expose the snapshot elsewhere`);
    }
    fs.symlinkSync(source, target, 'dir');
    const exposed: SnapshotRecord = {
      ...snapshot,
      attributes: snapshot.attributes | (locally ? ExposedLocallyAttr : ExposedRemotelyAttr),
      exposedName,
      exposedPath: locally ? null : (p.pathFromRoot ?? null),
      exposure: { target, replacedEmptyFolder },
    };
    try {
      this.state.persist([exposed]);
    } catch (e) {
      // Not saved, so not exposed: the link goes again, and the folder it replaced comes back.
      fs.unlinkSync(target);
      if (replacedEmptyFolder) fs.mkdirSync(target);
      throw e;
    }
    Object.assign(snapshot, exposed);
    return { exposed: exposedName };
  }

  /** UnexposeSnapshot: the link goes (and the empty folder it replaced comes back); the snapshot stays. */
  unexpose(snapshotId: string) {
    const snapshot = this.state.snapshots.find((x) => x.snapshotId === snapshotId);
    if (!snapshot || !snapshot.exposure) throw fault('VSS_E_OBJECT_NOT_FOUND', snapshot ? `snapshot ${snapshotId} is not exposed` : `no snapshot ${snapshotId}`);
    // Saved first: if it cannot be, the snapshot stays exposed as its record says.
    const { exposure: _, ...plain } = snapshot;
    this.state.persist([{ ...plain, attributes: snapshot.attributes & ~(ExposedLocallyAttr | ExposedRemotelyAttr), exposedName: null, exposedPath: null }]);
    this.removeExposure(snapshot);
    return null;
  }

  private removeExposure(snapshot: SnapshotRecord): void {
    const exposure = snapshot.exposure;
    if (!exposure) return;
    const link = fs.lstatSync(exposure.target, { throwIfNoEntry: false });
    if (link?.isSymbolicLink()) {
      fs.unlinkSync(exposure.target);
      if (exposure.replacedEmptyFolder) fs.mkdirSync(exposure.target, { recursive: true });
    }
    snapshot.attributes &= ~(ExposedLocallyAttr | ExposedRemotelyAttr);
    snapshot.exposedName = null;
    snapshot.exposedPath = null;
    delete snapshot.exposure;
  }

  /** ImportSnapshots: the transportable set named by the document given to InitializeForBackup becomes this machine's. */
  importSnapshots(s: Session) {
    if (!s.document) throw fault('VSS_E_BAD_STATE', 'ImportSnapshots needs InitializeForBackup with the Backup Components Document (SaveAsXML) of the snapshot set to import');
    const setId = /snapshotSetId="([^"]*)"/.exec(s.document)?.[1]?.toLowerCase() ?? '';
    const members = this.state.snapshots.filter((x) => x.snapshotSetId === setId);
    if (members.length === 0) throw fault('VSS_E_NO_SNAPSHOTS_IMPORTED', `the document names snapshot set ${setId || '(none)'}, which the provider does not hold`);
    const notTransportable = members.filter((x) => !(x.attributes & TransportableAttr));
    if (notTransportable.length) throw fault('VSS_E_NO_SNAPSHOTS_IMPORTED', `snapshot set ${setId} is not transportable; only sets made with VSS_VOLSNAP_ATTR_TRANSPORTABLE can be imported`);
    this.state.persist(members.map((x) => ({ ...x, attributes: x.attributes | ImportedAttr })));
    for (const x of members) x.attributes |= ImportedAttr;
    return null;
  }

  /**
   * BreakSnapshotSet: VSS forgets the set; its snapshots are no longer shadow copies but plain, writable data. The
   * emulated provider moves each copy to broken/<snapshot id> under the state folder and lets go of it.
   */
  breakSnapshotSet(snapshotSetId: string) {
    const members = this.state.snapshots.filter((x) => x.snapshotSetId === snapshotSetId);
    if (members.length === 0) throw fault('VSS_E_OBJECT_NOT_FOUND', `no snapshot set ${snapshotSetId}`);
    if (members.some((x) => !(x.attributes & Attr.Persistent))) throw fault('VSS_E_BAD_STATE', `snapshot set ${snapshotSetId} is auto-release; it ends with its backup and cannot be broken`);
    const broken = path.join(this.paths.home, 'broken');
    fs.mkdirSync(broken, { recursive: true, mode: 0o700 });
    for (const x of members) {
      const folder = this.state.ownFolder(x, 'break');
      this.removeExposure(x);
      const to = path.join(broken, x.snapshotId);
      fs.renameSync(folder, to);
      try {
        this.state.persist([], [x.snapshotId]);
      } catch (e) {
        fs.renameSync(to, folder); // still a snapshot, as its record says
        throw e;
      }
      setTreeWritable(to);
      this.state.snapshots = this.state.snapshots.filter((y) => y !== x);
    }
    return { broken: members.map((x) => ({ snapshotId: x.snapshotId, path: path.join(broken, x.snapshotId) })) };
  }

  /**
   * PrepareForSnapshot, Freeze, the provider's commit (a copy of each volume), Thaw, PostSnapshot. A writer that
   * fails before Thaw, or whose freeze outlasts its timeout, fails the set: every writer gets Abort and no
   * snapshot is kept, as VSS does.
   */
  async doSnapshotSet(s: Session): Promise<null> {
    if (writersTakePart(s)) {
      if (!reached(s, 'Prepared') || reached(s, 'SnapshotsDone') || !s.snapshotSetId) throw fault('VSS_E_BAD_STATE', 'DoSnapshotSet needs PrepareForBackup first, once');
    } else if (reached(s, 'SnapshotsDone') || !s.snapshotSetId || s.volumes.size === 0) {
      throw fault('VSS_E_BAD_STATE', 'DoSnapshotSet needs StartSnapshotSet and at least one volume first, once');
    }
    if (reached(s, 'Aborted')) throw fault('VSS_E_BAD_STATE', 'the backup was aborted');
    const writers = (s.participants ?? []).filter((w) => !w.state.startsWith('Failed'));
    const created: SnapshotRecord[] = [];
    const failSet = async (name: HResultName, message: string): Promise<never> => {
      // Every copy of the set goes, a half-made one included.
      for (const snapshotId of s.volumes.values()) removeTree(path.join(this.paths.snapshots, snapshotId));
      await this.abort(s);
      throw fault(name, message);
    };
    const writerFailure = (failed: WriterInstance[], event: WriterEvent) =>
      failSet(failed[0]!.lastError as HResultName, `writer '${failed[0]!.definition.name}' failed at ${event} with ${failed[0]!.lastError}; the snapshot set was not created`);

    let failed = await this.delivery.deliver(s, 'PrepareForSnapshot', writers);
    if (failed.length) await writerFailure(failed, 'PrepareForSnapshot');
    const frozenAt = Date.now();
    failed = await this.delivery.deliver(s, 'Freeze', writers);
    if (failed.length) await writerFailure(failed, 'Freeze');
    const copying = (s.copying = new AbortController());
    try {
      const createdAt = new Date().toISOString();
      for (const [volume, snapshotId] of s.volumes) {
        const deviceObject = path.join(this.paths.snapshots, snapshotId);
        const attributes = ContextValue[s.context] | (s.transportable ? TransportableAttr : 0);
        const { linksNotKept } = await copyTreeReadOnly(volume, deviceObject, copying.signal);
        if (linksNotKept.length) {
          process.stderr.write(`snapshot ${snapshotId} of ${volume}: ${linksNotKept.length} link(s) could not be made again in the copy and were left out, not followed: ${linksNotKept.slice(0, 10).join(', ')}\n`);
        }
        created.push({
          snapshotId,
          snapshotSetId: s.snapshotSetId,
          snapshotsCount: s.volumes.size,
          deviceObject,
          originalVolume: volume,
          originatingMachine: os.hostname(),
          serviceMachine: os.hostname(),
          exposedName: null,
          exposedPath: null,
          providerId: EmulatedProviderId,
          attributes,
          createdAt,
          status: 12, // VSS_SS_CREATED
          context: s.context,
        });
      }
      await this.slowProvider(copying.signal);
    } catch (e) {
      if (copying.signal.aborted) await failSet('VSS_E_UNEXPECTED_PROVIDER_ERROR', `the snapshot set was cancelled while its volumes were copied (${(copying.signal.reason as Error).message}); no copy was kept`);
      if (isOutOfSpace(e) || /No space left on device|Disk quota exceeded/.test((e as Error).message)) {
        await failSet('VSS_E_INSUFFICIENT_STORAGE', `the emulated provider's disk under ${this.paths.snapshots} is full, so the volume could not be copied; no copy was kept. Free space there and retry`);
      }
      await failSet('VSS_E_UNEXPECTED_PROVIDER_ERROR', `the emulated provider could not copy the volume: ${(e as Error).message}`);
    } finally {
      s.copying = undefined;
    }
    try {
      this.shadowStorage.admit(created);
    } catch (e) {
      const data = (e as ResponseError<{ name: HResultName }>).data;
      await failSet(data?.name ?? 'VSS_E_UNEXPECTED_PROVIDER_ERROR', `${(e as Error).message}; the snapshot set was not created`);
    }
    // Each writer holds its freeze at most its freeze-to-thaw timeout; past it, it gives up with VSS_E_WRITERERROR_TIMEOUT.
    const frozenFor = Date.now() - frozenAt;
    const timedOut = writers.filter((w) => frozenFor > w.definition.freezeTimeoutMs);
    for (const w of timedOut) {
      w.state = 'FailedAtFreeze';
      w.lastError = 'VSS_E_WRITERERROR_TIMEOUT';
    }
    if (timedOut.length) {
      await failSet('VSS_E_WRITERERROR_TIMEOUT', `writer '${timedOut[0]!.definition.name}' stayed frozen ${frozenFor} ms, past its freeze-to-thaw timeout of ${timedOut[0]!.definition.freezeTimeoutMs} ms; the snapshot set was not created`);
    }
    failed = await this.delivery.deliver(s, 'Thaw', writers);
    if (failed.length) await writerFailure(failed, 'Thaw');
    try {
      this.state.persist(created);
    } catch (e) {
      const data = (e as ResponseError<{ name: HResultName }>).data;
      await failSet(data?.name ?? 'VSS_E_UNEXPECTED_PROVIDER_ERROR', `${(e as Error).message}; the snapshot set was not created`);
    }
    this.state.snapshots.push(...created);
    enter(s, 'SnapshotsDone');
    this.creatingSet = null;
    // Writers stamp their selected components for the next incremental or differential backup, except in a Copy
    // backup, which leaves the writers' own backup history alone.
    if (s.backupType !== BackupTypeCopy) {
      for (const c of s.components.values()) {
        const writer = writers.find((w) => w.instanceId === c.instanceId);
        if (writer) c.backupStamp = `${writer.definition.name}/${c.name}@${new Date().toISOString()}#${s.snapshotSetId}`;
      }
    }
    // A writer failing at PostSnapshot leaves the set created; its status tells the requester.
    await this.delivery.deliver(s, 'PostSnapshot', writers);
    return null;
  }

  private async abort(s: Session): Promise<void> {
    if (reached(s, 'Aborted') || reached(s, 'Completed')) return;
    enter(s, 'Aborted');
    if (this.creatingSet?.session === s) this.creatingSet = null;
    if (reached(s, 'Prepared')) await this.delivery.deliver(s, 'Abort', s.participants ?? []);
  }

  /**
   * DeleteSnapshots, one snapshot at a time, stopping at the first failure. Each snapshot leaves the saved state
   * before its copy is removed, so a crash in between leaves only an orphaned folder, swept at the next start.
   */
  deleteSnapshots(p: { sourceId: string; sourceType: number; force?: boolean }) {
    const bySet = p.sourceType === 2;
    if (!bySet && p.sourceType !== 3) throw fault('E_INVALIDARG', `DeleteSnapshots takes a snapshot set (2) or a snapshot (3), not object type ${p.sourceType}`);
    const doomed = this.state.snapshots.filter((x) => (bySet ? x.snapshotSetId === p.sourceId : x.snapshotId === p.sourceId));
    if (doomed.length === 0) throw fault('VSS_E_OBJECT_NOT_FOUND', `no ${bySet ? 'snapshot set' : 'snapshot'} ${p.sourceId}`);
    let deleted = 0;
    const refused = this.providerFaults().failDelete;
    for (const snapshot of doomed) {
      const trash = path.join(this.paths.snapshots, `.deleting-${snapshot.snapshotId}`);
      let folder: string;
      try {
        if (refused.includes(snapshot.snapshotId)) throw new Error('the provider refused (provider.json failDelete)');
        const problem = this.state.ownFolderProblem(snapshot);
        if (problem) throw new Error(problem);
        folder = path.resolve(snapshot.deviceObject);
        this.removeExposure(snapshot);
        if (fs.existsSync(folder)) fs.renameSync(folder, trash);
      } catch (e) {
        throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `could not delete snapshot ${snapshot.snapshotId}: ${(e as Error).message}`, partialDelete(deleted, snapshot.snapshotId));
      }
      try {
        this.state.persist([], [snapshot.snapshotId]);
      } catch (e) {
        // Not saved, so not deleted: its data goes back where its record says it is.
        if (fs.existsSync(trash)) fs.renameSync(trash, folder);
        const data = (e as ResponseError<{ name: HResultName }>).data!;
        throw fault(data.name, `could not delete snapshot ${snapshot.snapshotId}: ${(e as Error).message}`, partialDelete(deleted, snapshot.snapshotId));
      }
      this.state.snapshots = this.state.snapshots.filter((x) => x !== snapshot);
      removeTree(trash);
      deleted++;
    }
    return { deleted };
  }

  /**
   * Fault injection for the emulated provider, from `$VSS_SESSION_HOME/provider.json`:
   * `{ "failDelete": ["<snapshot id>", …] }` makes DeleteSnapshots fail on those snapshots.
   */
  /** provider.json, parsed; {} when there is none. */
  private providerFile(): Record<string, unknown> {
    if (!fs.existsSync(this.paths.provider)) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(readConfigFile(this.paths.provider));
    } catch (e) {
      throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `${this.paths.provider}: ${e instanceof SyntaxError ? `not valid JSON (${e.message})` : (e as Error).message}; fix it or delete it`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `${this.paths.provider}: must be a JSON object; fix it or delete it`);
    return parsed as Record<string, unknown>;
  }

  /** The emulated provider: one software provider, which provider.json's `name`, `version` and `type` may change. */
  provider(): ProviderRecord {
    const file = this.providerFile();
    const text = (field: 'name' | 'version') => {
      const value = file[field] ?? DefaultProvider[field];
      if (typeof value !== 'string' || value.trim() === '' || value.length > 256) throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `${this.paths.provider}: field "${field}" must be a non-empty string of at most 256 characters`);
      return value;
    };
    const type = file.type ?? 'Software';
    if (typeof type !== 'string' || !(type in ProviderTypeValue)) throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `${this.paths.provider}: field "type" must be one of ${Object.keys(ProviderTypeValue).join(', ')}`);
    return { ...DefaultProvider, name: text('name'), version: text('version'), type: ProviderTypeValue[type as keyof typeof ProviderTypeValue] };
  }

  /**
   * The least maximum a shadow storage may be given: the documented 320 MB, or provider.json's `minDiffSpace` (bytes,
   * at least 1), so that runbooks can see storage fill up without copying hundreds of megabytes.
   */
  private minDiffSpace(): number {
    const value = this.providerFile().minDiffSpace ?? DocumentedMinimumDiffSpace;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `${this.paths.provider}: field "minDiffSpace" must be a whole number of bytes, at least 1`);
    return value;
  }

  private providerFaults(): { failDelete: string[]; copyDelayMs: number } {
    const parsed = this.providerFile();
    const failDelete = (parsed as { failDelete?: unknown }).failDelete ?? [];
    if (!Array.isArray(failDelete) || !failDelete.every((id) => typeof id === 'string')) {
      throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `${this.paths.provider}: field "failDelete" must be an array of snapshot ids`);
    }
    const copyDelayMs = (parsed as { copyDelayMs?: unknown }).copyDelayMs ?? 0;
    if (typeof copyDelayMs !== 'number' || !(copyDelayMs >= 0 && copyDelayMs <= 3_600_000)) {
      throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `${this.paths.provider}: field "copyDelayMs" must be a number of milliseconds from 0 to 3600000`);
    }
    return { failDelete: failDelete.map((id: string) => id.toLowerCase()), copyDelayMs };
  }

  /**
   * provider.json's `copyDelayMs`: the provider's commit takes that much longer, after the copies are made, as a slow
   * disk's would; cancelled like the copy itself. Lets a runbook see a phase time limit or AbortBackup mid-snapshot.
   */
  private async slowProvider(signal: AbortSignal): Promise<void> {
    const { copyDelayMs } = this.providerFaults();
    if (copyDelayMs > 0) await setTimeoutPromise(copyDelayMs, undefined, { signal });
  }

  /**
   * The end of a component object: its Release, or its requester going away. A backup between PrepareForBackup
   * and BackupComplete is aborted first; then every writer that took part gets BackupShutdown, once, saying
   * whether it got BackupComplete; auto-release snapshots end.
   */
  async terminate(s: Session, endedBy: 'Release' | 'RequesterGone'): Promise<null> {
    if (phaseOf(s) === 'Ended') return null;
    if (endedBy === 'RequesterGone' && reached(s, 'Prepared') && !reached(s, 'Completed')) await this.abort(s);
    enter(s, 'Ended');
    if (this.creatingSet?.session === s) this.creatingSet = null;
    await this.delivery.deliver(s, 'BackupShutdown', s.participants ?? [], (w) => ({ backupCompleteReceived: s.completedWriters.has(w.definition.writerId), endedBy }));
    const autoRelease = this.state.snapshots.filter((x) => x.snapshotSetId === s.snapshotSetId && !(x.attributes & Attr.Persistent));
    if (autoRelease.length > 0) {
      this.state.snapshots = this.state.snapshots.filter((x) => !autoRelease.includes(x));
      try {
        this.state.persist([], autoRelease.map((x) => x.snapshotId));
      } catch (e) {
        // Harmless: no auto-release record outlives a restart (loadState).
        process.stderr.write(`auto-release snapshots of set ${s.snapshotSetId} end, but their end could not be saved: ${(e as Error).message}\n`);
      }
      for (const snapshot of autoRelease) if (!this.state.ownFolderProblem(snapshot)) removeTree(snapshot.deviceObject);
    }
    return null;
  }

  status() {
    return {
      pid: process.pid,
      home: this.paths.home,
      socket: this.paths.socket,
      startedAt: this.startedAt.toISOString(),
      clients: [...this.sessions].filter((x) => x.pid !== null && phaseOf(x) !== 'Ended').length,
      snapshots: this.state.snapshots.length,
      writers: this.writers.map((w) => ({ name: w.definition.name, writerId: w.definition.writerId, instanceId: w.instanceId, state: w.state, lastError: w.lastError, service: w.definition.service })),
    };
  }
}
