import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createMessageConnection,
  MessageConnection,
  ResponseError,
  SocketMessageReader,
  SocketMessageWriter,
} from 'vscode-jsonrpc/node';
import { defaults, VSS_ERROR_CODE } from '../defaults';
import { ensureHome, EmulatorPaths } from '../paths';
import { HResult, hresultValue, HResultName } from '../vss-error';
import { Attr, ContextKey, contextName, ContextValue } from '../vss';
import {
  DefaultWriters,
  EmulatedProviderId,
  JournalEntry,
  SnapshotRecord,
  StateAfter,
  WriterDefinition,
  WriterEvent,
  WriterState,
  WriterStateName,
} from './model';
import { copyTreeReadOnly, removeTree } from './snapshot-store';

/** A VSS failure as the emulated service returns it to the component object (error.data.hresult). */
function fault(name: HResultName, message: string, extra: Record<string, unknown> = {}): ResponseError<unknown> {
  return new ResponseError(VSS_ERROR_CODE, message, { name, hresult: hresultValue(HResult[name]), ...extra });
}

interface WriterInstance extends WriterDefinition {
  instanceId: string;
  state: WriterStateName;
  lastError: string | null;
}

/** What one component object (one client connection) has done, as VSS tracks it for a requester. */
interface Session {
  id: number;
  pid: number | null;
  initialized: boolean;
  context: ContextKey;
  backupType: number;
  metadataGathered: boolean;
  snapshotSetId: string | null;
  volumes: Map<string, string>; // volume -> snapshot id
  prepared: boolean;
  snapshotsDone: boolean;
  completed: boolean;
  aborted: boolean;
  /** Writers that received BackupComplete in this session. */
  completedWriters: Set<string>;
  ended: boolean;
}

/**
 * The emulated VSS service: one process per VSS_SESSION_HOME, shared by every client, holding the writers,
 * the snapshots and the event journal. A client connection is a component object; its end without a
 * release is a requester that died, which VSS answers by aborting and shutting the backup down.
 */
export class EmulatorService {
  private readonly server = net.createServer((socket) => this.accept(socket));
  private readonly writers: WriterInstance[];
  private snapshots: SnapshotRecord[] = [];
  private readonly sessions = new Set<Session>();
  private readonly sockets = new Set<net.Socket>();
  private creatingSet: { session: Session; snapshotSetId: string } | null = null;
  private nextSessionId = 1;
  private readonly startedAt = new Date();

  constructor(private readonly paths: EmulatorPaths) {
    this.writers = DefaultWriters.map((w) => ({ ...w, instanceId: randomUUID(), state: 'Stable', lastError: null }));
  }

  async listen(): Promise<void> {
    ensureHome(this.paths.home);
    fs.mkdirSync(this.paths.snapshots, { recursive: true, mode: 0o700 });
    this.loadState();
    if (process.platform !== 'win32' && fs.existsSync(this.paths.socket)) fs.unlinkSync(this.paths.socket);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.paths.socket, () => resolve());
    });
    if (process.platform !== 'win32') fs.chmodSync(this.paths.socket, 0o600);
    fs.writeFileSync(this.paths.pidFile, String(process.pid), { mode: 0o600 });
  }

  private stopping: Promise<void> | null = null;

  /** Ends every client's session as a vanished requester's, closes the socket and removes the pid file; once. */
  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    for (const session of this.sessions) this.terminate(session, 'disconnect');
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.paths.pidFile, { force: true });
  }

  /** Auto-release snapshots never outlive their component object; none survives a restart of the service. */
  private loadState(): void {
    if (!fs.existsSync(this.paths.state)) return;
    const saved = JSON.parse(fs.readFileSync(this.paths.state, 'utf8')) as { snapshots: SnapshotRecord[] };
    this.snapshots = [];
    for (const snapshot of saved.snapshots) {
      if (snapshot.attributes & Attr.Persistent) this.snapshots.push(snapshot);
      else removeTree(snapshot.deviceObject);
    }
    this.saveState();
  }

  private saveState(): void {
    const temp = `${this.paths.state}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify({ snapshots: this.snapshots }, null, 2), { mode: 0o600 });
    fs.renameSync(temp, this.paths.state);
  }

  private journal(entry: Omit<JournalEntry, 'time'>): void {
    const line = JSON.stringify({ time: new Date().toISOString(), ...entry });
    fs.appendFileSync(this.paths.journal, line + '\n', { mode: 0o600 });
  }

  /** Delivers one event to every writer, in order, and journals each when its handler returns. */
  private deliver(session: Session, event: WriterEvent, extra: (w: WriterInstance) => Partial<JournalEntry> = () => ({})): void {
    for (const writer of this.writers) {
      writer.state = StateAfter[event];
      this.journal({
        event,
        writer: writer.name,
        writerId: writer.writerId,
        instanceId: writer.instanceId,
        snapshotSetId: session.snapshotSetId,
        state: writer.state,
        error: writer.lastError,
        requesterPid: session.pid,
        ...extra(writer),
      });
    }
  }

  private writersInvolved(session: Session): boolean {
    return (ContextValue[session.context] & Attr.NoWriters) === 0;
  }

  private accept(socket: net.Socket): void {
    const session: Session = {
      id: this.nextSessionId++,
      pid: null,
      initialized: false,
      context: 'Backup',
      backupType: 0,
      metadataGathered: false,
      snapshotSetId: null,
      volumes: new Map(),
      prepared: false,
      snapshotsDone: false,
      completed: false,
      aborted: false,
      completedWriters: new Set(),
      ended: false,
    };
    this.sessions.add(session);
    this.sockets.add(socket);
    const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    this.register(connection, session, socket);
    // The connection is the component object's lifeline: when it ends without a release, the requester died.
    socket.on('close', () => {
      this.terminate(session, 'disconnect');
      this.sessions.delete(session);
      this.sockets.delete(socket);
      connection.dispose();
    });
    socket.on('error', () => socket.destroy());
    connection.listen();
  }

  private register(connection: MessageConnection, s: Session, socket: net.Socket): void {
    const on = (method: string, handler: (params: any) => unknown) =>
      connection.onRequest(method, (params: unknown) => {
        if (s.ended && method !== 'service.status') throw fault('VSS_E_BAD_STATE', 'the component object was released and is never reused');
        return handler(params ?? {});
      });

    on('service.status', () => this.status());
    on('service.stop', () => {
      // Stop once the answer has reached the client: when it hangs up, or after a second at most.
      const finish = () => void this.stop().then(() => process.exit(0));
      socket.once('close', finish);
      setTimeout(finish, 1000).unref();
      return { stopping: true };
    });
    on('open', (p: { pid?: number }) => {
      s.pid = typeof p.pid === 'number' ? p.pid : null;
      return { sessionId: s.id };
    });
    on('initializeForBackup', () => {
      if (s.initialized) throw fault('VSS_E_BAD_STATE', 'InitializeForBackup was already called on this component object');
      s.initialized = true;
      return null;
    });
    on('setContext', (p: { context: number }) => {
      this.requireInitialized(s, 'SetContext');
      const name = contextName(p.context);
      if (!name || name === 'NasRollback') throw fault('VSS_E_UNSUPPORTED_CONTEXT', `context ${p.context} is not supported by the emulated provider`);
      if (s.snapshotSetId) throw fault('VSS_E_BAD_STATE', 'SetContext must come before StartSnapshotSet');
      s.context = name;
      return null;
    });
    on('setBackupState', (p: { backupType: number }) => {
      this.requireInitialized(s, 'SetBackupState');
      s.backupType = p.backupType;
      return null;
    });
    on('gatherWriterMetadata', () => {
      this.requireInitialized(s, 'GatherWriterMetadata');
      s.metadataGathered = true;
      if (this.writersInvolved(s)) this.deliver(s, 'Identify');
      return { writers: this.writersInvolved(s) ? this.writers.map((w) => ({ name: w.name, writerId: w.writerId, instanceId: w.instanceId })) : [] };
    });
    on('gatherWriterStatus', () => {
      this.requireInitialized(s, 'GatherWriterStatus');
      if (!s.metadataGathered) throw fault('VSS_E_BAD_STATE', 'GatherWriterStatus needs GatherWriterMetadata first');
      const involved = this.writersInvolved(s) ? this.writers : [];
      return {
        writers: involved.map((w) => ({
          instanceId: w.instanceId,
          writerId: w.writerId,
          name: w.name,
          state: WriterState[w.state],
          failure: w.lastError ? hresultValue(HResult[w.lastError as HResultName] ?? HResult.VSS_E_UNEXPECTED) : 0,
        })),
      };
    });
    on('startSnapshotSet', () => {
      this.requireInitialized(s, 'StartSnapshotSet');
      if (s.snapshotSetId) throw fault('VSS_E_BAD_STATE', `snapshot set ${s.snapshotSetId} was already started by this component object`);
      if (this.creatingSet) {
        throw fault('VSS_E_SNAPSHOT_SET_IN_PROGRESS', `snapshot set ${this.creatingSet.snapshotSetId} is being created by process ${this.creatingSet.session.pid ?? 'unknown'}`);
      }
      s.snapshotSetId = randomUUID();
      this.creatingSet = { session: s, snapshotSetId: s.snapshotSetId };
      return { snapshotSetId: s.snapshotSetId };
    });
    on('addToSnapshotSet', (p: { volume?: unknown }) => {
      if (!s.snapshotSetId || s.snapshotsDone) throw fault('VSS_E_BAD_STATE', 'AddToSnapshotSet needs StartSnapshotSet first, and comes before DoSnapshotSet');
      const volume = this.checkVolume(p.volume);
      if (s.volumes.has(volume)) throw fault('VSS_E_OBJECT_ALREADY_EXISTS', `volume ${volume} is already in snapshot set ${s.snapshotSetId}`);
      if (s.volumes.size >= defaults.maxVolumesPerSet) throw fault('VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED', `a snapshot set holds at most ${defaults.maxVolumesPerSet} volumes`);
      const snapshotId = randomUUID();
      s.volumes.set(volume, snapshotId);
      return { snapshotId };
    });
    on('isVolumeSupported', (p: { volume?: unknown }) => {
      try {
        this.checkVolume(p.volume);
        return { supported: true };
      } catch (e) {
        if (e instanceof ResponseError && (e.data as { name: string }).name === 'VSS_E_VOLUME_NOT_SUPPORTED') return { supported: false };
        throw e;
      }
    });
    on('prepareForBackup', () => {
      if (!s.snapshotSetId || s.volumes.size === 0) throw fault('VSS_E_BAD_STATE', 'PrepareForBackup needs a snapshot set with at least one volume');
      if (s.prepared) throw fault('VSS_E_BAD_STATE', 'PrepareForBackup was already called');
      s.prepared = true;
      if (this.writersInvolved(s)) this.deliver(s, 'PrepareForBackup');
      return null;
    });
    on('doSnapshotSet', () => this.doSnapshotSet(s));
    on('backupComplete', () => {
      if (!s.snapshotsDone) throw fault('VSS_E_BAD_STATE', 'BackupComplete needs a finished DoSnapshotSet');
      if (s.completed) throw fault('VSS_E_BAD_STATE', 'BackupComplete was already called');
      if (s.aborted) throw fault('VSS_E_BAD_STATE', 'the backup was aborted');
      s.completed = true;
      if (this.writersInvolved(s)) {
        this.deliver(s, 'BackupComplete');
        for (const w of this.writers) s.completedWriters.add(w.writerId);
      }
      return null;
    });
    on('abortBackup', () => {
      this.requireInitialized(s, 'AbortBackup');
      this.abort(s);
      return null;
    });
    on('getSnapshotProperties', (p: { snapshotId: string }) => {
      const snapshot = this.snapshots.find((x) => x.snapshotId === p.snapshotId);
      if (!snapshot) throw fault('VSS_E_OBJECT_NOT_FOUND', `no snapshot ${p.snapshotId}`);
      return snapshot;
    });
    on('query', () => ({ snapshots: this.snapshots }));
    on('deleteSnapshots', (p: { sourceId: string; sourceType: number; force?: boolean }) => this.deleteSnapshots(p));
    on('addComponent', () => null);
    on('setBackupSucceeded', () => null);
    on('setBackupOptions', () => null);
    on('setPreviousBackupStamp', () => null);
    on('disableWriterClasses', () => null);
    on('enableWriterClasses', () => null);
    on('disableWriterInstances', () => null);
    on('saveAsXml', () => ({ xml: `<BackupComponents snapshotSetId="${s.snapshotSetId ?? ''}" context="${s.context}"/>` }));
    on('release', () => {
      this.terminate(s, 'release');
      return null;
    });
  }

  private requireInitialized(s: Session, call: string): void {
    if (!s.initialized) throw fault('VSS_E_BAD_STATE', `${call} needs InitializeForBackup first`);
  }

  /** A volume is an existing directory, named by an absolute path; anything else is refused as VSS would. */
  private checkVolume(volume: unknown): string {
    if (typeof volume !== 'string' || volume.length === 0 || volume.includes('\0')) {
      throw fault('VSS_E_OBJECT_NOT_FOUND', 'the volume name must be a non-empty path');
    }
    const resolved = path.resolve(volume);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch {
      throw fault('VSS_E_OBJECT_NOT_FOUND', `volume ${resolved} does not exist`);
    }
    if (!stat.isDirectory()) throw fault('VSS_E_VOLUME_NOT_SUPPORTED', `volume ${resolved} is not a directory`);
    if (resolved === this.paths.home || resolved.startsWith(this.paths.home + path.sep)) {
      throw fault('VSS_E_VOLUME_NOT_SUPPORTED', `volume ${resolved} is inside the emulator's own state folder`);
    }
    return resolved;
  }

  private doSnapshotSet(s: Session): null {
    if (!s.prepared || s.snapshotsDone || !s.snapshotSetId) throw fault('VSS_E_BAD_STATE', 'DoSnapshotSet needs PrepareForBackup first, once');
    if (s.aborted) throw fault('VSS_E_BAD_STATE', 'the backup was aborted');
    const writers = this.writersInvolved(s);
    if (writers) {
      this.deliver(s, 'PrepareForSnapshot');
      this.deliver(s, 'Freeze');
    }
    const created: SnapshotRecord[] = [];
    try {
      const createdAt = new Date().toISOString();
      for (const [volume, snapshotId] of s.volumes) {
        const deviceObject = path.join(this.paths.snapshots, snapshotId);
        copyTreeReadOnly(volume, deviceObject);
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
          attributes: ContextValue[s.context],
          createdAt,
          status: 12,
          context: s.context,
        });
      }
    } catch (e) {
      for (const snapshot of created) removeTree(snapshot.deviceObject);
      this.creatingSet = null;
      throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `the emulated provider could not copy the volume: ${(e as Error).message}`);
    } finally {
      if (writers) {
        this.deliver(s, 'Thaw');
        this.deliver(s, 'PostSnapshot');
      }
    }
    this.snapshots.push(...created);
    this.saveState();
    s.snapshotsDone = true;
    this.creatingSet = null;
    return null;
  }

  private abort(s: Session): void {
    if (s.aborted || s.completed) return;
    s.aborted = true;
    if (s.prepared && this.writersInvolved(s)) this.deliver(s, 'Abort');
    if (this.creatingSet?.session === s) this.creatingSet = null;
  }

  private deleteSnapshots(p: { sourceId: string; sourceType: number; force?: boolean }) {
    const bySet = p.sourceType === 2;
    if (!bySet && p.sourceType !== 3) throw fault('E_INVALIDARG', `DeleteSnapshots takes a snapshot set (2) or a snapshot (3), not object type ${p.sourceType}`);
    const doomed = this.snapshots.filter((x) => (bySet ? x.snapshotSetId === p.sourceId : x.snapshotId === p.sourceId));
    if (doomed.length === 0) throw fault('VSS_E_OBJECT_NOT_FOUND', `no ${bySet ? 'snapshot set' : 'snapshot'} ${p.sourceId}`);
    let deleted = 0;
    for (const snapshot of doomed) {
      try {
        removeTree(snapshot.deviceObject);
      } catch (e) {
        this.saveState();
        throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `could not delete snapshot ${snapshot.snapshotId}: ${(e as Error).message}`, {
          deleted,
          nondeleted: snapshot.snapshotId,
        });
      }
      this.snapshots = this.snapshots.filter((x) => x !== snapshot);
      deleted++;
    }
    this.saveState();
    return { deleted };
  }

  /** The end of a component object: Release, or the requester's process going away. */
  private terminate(s: Session, cause: 'release' | 'disconnect'): void {
    if (s.ended) return;
    if (cause === 'disconnect' && s.prepared && !s.completed) this.abort(s);
    s.ended = true;
    if (this.creatingSet?.session === s) this.creatingSet = null;
    if (s.metadataGathered && this.writersInvolved(s)) {
      this.deliver(s, 'BackupShutdown', (w) => ({ backupCompleteReceived: s.completedWriters.has(w.writerId) }));
    }
    const autoRelease = this.snapshots.filter((x) => x.snapshotSetId === s.snapshotSetId && !(x.attributes & Attr.Persistent));
    for (const snapshot of autoRelease) removeTree(snapshot.deviceObject);
    if (autoRelease.length > 0) {
      this.snapshots = this.snapshots.filter((x) => !autoRelease.includes(x));
      this.saveState();
    }
  }

  status() {
    return {
      pid: process.pid,
      home: this.paths.home,
      socket: this.paths.socket,
      startedAt: this.startedAt.toISOString(),
      clients: [...this.sessions].filter((x) => x.pid !== null && !x.ended).length,
      snapshots: this.snapshots.length,
      writers: this.writers.map((w) => ({ name: w.name, writerId: w.writerId, instanceId: w.instanceId, state: w.state })),
    };
  }
}
