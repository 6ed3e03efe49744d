import { BackupTypeName, ContextName, defaults, PhaseName, Phases } from '../defaults';
import { HResult, HResultName, VssError, vssError } from '../vss-error';
import { FacadeCaller, FacadeMethod, VssService } from './interop';

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
export type Operation = Exclude<FacadeMethod, 'Ping' | 'Create' | 'GetSnapshotProperties' | 'QuerySnapshots' | 'DeleteSnapshots'>;

const ANY_LIVE: State[] = States.filter((s) => s !== 'released');
const AFTER_METADATA: State[] = ['metadataGathered', 'snapshotSetStarted', 'volumesAdded', 'prepared', 'snapshotsDone', 'completed', 'aborted'];

/** Every legal call: the states it may come from and the state it leaves (undefined: unchanged). */
export const Transitions: Record<Operation, { from: State[]; to?: State }> = {
  InitializeForBackup: { from: ['created'], to: 'initialized' },
  SetContext: { from: ['initialized'] },
  SetBackupState: { from: ['initialized'] },
  GatherWriterMetadata: { from: ['initialized'], to: 'metadataGathered' },
  GatherWriterStatus: { from: AFTER_METADATA },
  StartSnapshotSet: { from: ['metadataGathered'], to: 'snapshotSetStarted' },
  AddToSnapshotSet: { from: ['snapshotSetStarted', 'volumesAdded'], to: 'volumesAdded' },
  PrepareForBackup: { from: ['volumesAdded'], to: 'prepared' },
  DoSnapshotSet: { from: ['prepared'], to: 'snapshotsDone' },
  BackupComplete: { from: ['snapshotsDone'], to: 'completed' },
  AbortBackup: { from: ['snapshotSetStarted', 'volumesAdded', 'prepared', 'snapshotsDone'], to: 'aborted' },
  Release: { from: ANY_LIVE, to: 'released' },
};

/** What may follow a state, for error messages. */
export function nextOperations(state: State): Operation[] {
  return (Object.keys(Transitions) as Operation[]).filter((op) => Transitions[op].from.includes(state));
}

export interface Writer {
  name: string;
  writerId: string;
  instanceId: string;
  state: string;
  lastError: string | null;
}

export interface Snapshot {
  snapshotId: string;
  snapshotSetId: string;
  volume: string;
  devicePath: string;
  exposedName: string | null;
  exposedPath: string | null;
  originatingMachine: string;
  persistent: boolean;
  attributes: number;
  createdAt: string;
  status: string;
}

/**
 * Told of a snapshot set's start and of its being given up unmade, so that a record of it can be kept outside
 * VSS (persistent sets outlive their requester). Each call may be asynchronous.
 */
export interface SnapshotSetHooks {
  /** After StartSnapshotSet returned the set's id, before any volume is added or frozen; a failure aborts the backup. */
  started(snapshotSetId: string): void | Promise<void>;
  /** The set will never exist: the backup was aborted or released before DoSnapshotSet made it, or DoSnapshotSet failed. */
  notCreated(snapshotSetId: string): void | Promise<void>;
}

export interface BackupOptions {
  context?: ContextName;
  backupType?: BackupTypeName;
  /** One time limit for every phase; `timeouts` overrides it per phase. */
  phaseTimeoutMs?: number;
  timeouts?: Partial<Record<PhaseName, number>>;
  /** How long StartSnapshotSet retries VSS_E_SNAPSHOT_SET_IN_PROGRESS before giving up (0: no retry). */
  retryTimeoutMs?: number;
  /** Writers (names or ids) that must be present and stable, checked before anything is prepared or frozen. */
  requireWriters?: string[];
  /** Told of each retry: what failed, the attempt, and the wait before the next one. */
  onRetry?: (retry: { operation: Operation; error: string; attempt: number; delayMs: number }) => void;
  /** Told when the snapshot set starts and when it is given up unmade. */
  snapshotSetHooks?: SnapshotSetHooks;
}

export interface CloseResult {
  backupId: string;
  state: State;
  writers: { name: string; writerId: string; backupCompleteReceived: boolean }[];
  endedSnapshots: string[];
  keptSnapshots: string[];
}

/**
 * One backup: one component object, driven through VSS's requester sequence by the transition table above.
 * A failure between StartSnapshotSet and BackupComplete aborts the backup before it is reported, so writers
 * never wait for a BackupComplete that will not come.
 */
export class BackupLifecycle {
  private stateValue: State = 'created';
  private handle = 0;
  private writersValue: Writer[] = [];
  private snapshotSetIdValue: string | null = null;
  private snapshotsValue: Snapshot[] = [];
  private readonly snapshotIds: string[] = [];
  /** Writers that were sent BackupComplete (the ones taking part when it succeeded). */
  private completedWriters = new Set<string>();
  private readonly context: ContextName;
  private readonly backupType: BackupTypeName;
  private readonly timeouts: Record<PhaseName, number>;
  private readonly retryTimeoutMs: number;
  private readonly onRetry: NonNullable<BackupOptions['onRetry']>;
  private readonly requireWriters: string[];
  private readonly snapshotSetHooks: SnapshotSetHooks | undefined;
  /** Whether DoSnapshotSet made the set: 'unknown' after a call cancelled or lost part-way, which may have made it. */
  private snapshotSetMade: 'no' | 'unknown' | 'yes' = 'no';
  private snapshotSetGivenUp = false;

  constructor(
    private readonly interop: FacadeCaller,
    private readonly service: VssService,
    readonly backupId: string,
    options: BackupOptions = {},
  ) {
    this.context = options.context ?? defaults.context;
    this.backupType = options.backupType ?? defaults.backupType;
    const every = options.phaseTimeoutMs ?? defaults.phaseTimeoutMs;
    this.timeouts = { metadata: every, prepare: every, snapshot: every, complete: every, ...options.timeouts };
    this.retryTimeoutMs = options.retryTimeoutMs ?? defaults.retryTimeoutMs;
    this.onRetry = options.onRetry ?? (() => undefined);
    this.requireWriters = options.requireWriters ?? [];
    this.snapshotSetHooks = options.snapshotSetHooks;
  }

  get state(): State {
    return this.stateValue;
  }
  get writers(): Writer[] {
    return this.writersValue;
  }
  get snapshotSetId(): string | null {
    return this.snapshotSetIdValue;
  }
  get snapshots(): Snapshot[] {
    return this.snapshotsValue;
  }

  describe() {
    return { backupId: this.backupId, context: this.context, backupType: this.backupType, state: this.stateValue, writers: this.writersValue };
  }

  private async step<T>(op: Operation, input: object = {}): Promise<T> {
    const rule = Transitions[op];
    if (!rule.from.includes(this.stateValue)) {
      const next = nextOperations(this.stateValue);
      throw vssError(
        'VSS_E_BAD_STATE',
        `${op} is not allowed now: the backup is ${this.stateValue}` +
          (next.length ? `; what may come next: ${next.join(', ')}` : '; it was released and is never reused: start a new backup'),
        { state: this.stateValue, operation: op },
      );
    }
    const phase = (Object.keys(Phases) as PhaseName[]).find((p) => (Phases[p] as readonly string[]).includes(op));
    const timeoutMs = phase ? this.timeouts[phase] : undefined;
    let result: T;
    try {
      result = await this.interop.call<T>(op, { handle: this.handle, timeoutMs, ...input });
    } catch (e) {
      if (e instanceof VssError && e.vssName === 'ERROR_TIMEOUT' && phase) {
        throw new VssError(e.vssName, e.hresult, `the ${phase} phase (${op}) did not finish within its time limit of ${timeoutMs! / 1000} s and was cancelled; raise the limit (-${phase[0]!.toUpperCase()}${phase.slice(1)}Timeout) or find the slow writer. ${e.message}`, { ...e.details, phase, limitMs: timeoutMs });
      }
      throw e;
    }
    if (rule.to) this.stateValue = rule.to;
    return result;
  }

  /** CreateVssBackupComponents, InitializeForBackup, SetContext, SetBackupState, GatherWriterMetadata, GatherWriterStatus. */
  async begin(): Promise<void> {
    if (this.stateValue !== 'created' || this.handle !== 0) throw vssError('VSS_E_BAD_STATE', 'this backup was already begun');
    this.handle = (await this.interop.call<{ handle: number }>('Create', { service: this.service })).handle;
    try {
      await this.step('InitializeForBackup');
      await this.step('SetContext', { context: this.context });
      await this.step('SetBackupState', { backupType: this.backupType, selectComponents: false, bootableSystemState: false, partialFileSupport: false });
      await this.step('GatherWriterMetadata');
      await this.refreshWriters();
      this.checkRequiredWriters();
    } catch (e) {
      await this.release().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Each required writer must be there and stable before anything is prepared or frozen. A writer left failed by
   * an earlier backup is reported as failed, with its state and last error, not as "operation completed successfully".
   */
  private checkRequiredWriters(): void {
    for (const wanted of this.requireWriters) {
      const key = wanted.toLowerCase();
      const writer = this.writersValue.find((w) => w.name.toLowerCase() === key || w.writerId.toLowerCase() === key || w.instanceId.toLowerCase() === key);
      if (!writer) {
        const present = this.writersValue.map((w) => `'${w.name}'`).join(', ') || 'none';
        throw vssError('VSS_E_WRITER_NOT_RESPONDING', `the required writer '${wanted}' did not answer GatherWriterMetadata (writers present: ${present}); start its service, or drop it from -RequireWriter`, { writer: wanted });
      }
      if (writer.state !== 'Stable' || writer.lastError) {
        const name = (writer.lastError ?? 'VSS_E_WRITER_NOT_RESPONDING') as HResultName;
        throw new VssError(name, HResult[name] ?? HResult.VSS_E_WRITER_NOT_RESPONDING, `the required writer '${writer.name}' is ${writer.state}${writer.lastError ? ` with ${writer.lastError}` : ''}, not Stable; nothing was frozen. Check the writer's service (Get-VssWriter) and retry`, { writer: writer.name, state: writer.state });
      }
    }
  }

  async refreshWriters(): Promise<Writer[]> {
    this.writersValue = (await this.step<{ writers: Writer[] }>('GatherWriterStatus')).writers;
    return this.writersValue;
  }

  /** StartSnapshotSet. From here until BackupComplete, any failure aborts the backup before it is reported. */
  async startSnapshotSet(): Promise<string> {
    // Another requester, or Windows' own scheduled shadow copies, may be creating a set: retry with backoff
    // until the retry deadline, each retry reported; any other error fails at once.
    const deadline = Date.now() + this.retryTimeoutMs;
    for (let attempt = 1, delayMs = defaults.retryFirstDelayMs; ; attempt++, delayMs = Math.min(delayMs * 2, defaults.retryMaxDelayMs)) {
      try {
        this.snapshotSetIdValue = (await this.step<{ snapshotSetId: string }>('StartSnapshotSet')).snapshotSetId;
        return await this.snapshotSetStarted(this.snapshotSetIdValue);
      } catch (e) {
        const wait = Math.min(delayMs, deadline - Date.now());
        if (!(e instanceof VssError && e.vssName === 'VSS_E_SNAPSHOT_SET_IN_PROGRESS') || wait <= 0) throw e;
        this.onRetry({ operation: 'StartSnapshotSet', error: e.vssName, attempt, delayMs: wait });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** The hook's `started`, under the same rule as every step after StartSnapshotSet: a failure aborts the backup. */
  private async snapshotSetStarted(snapshotSetId: string): Promise<string> {
    const hooks = this.snapshotSetHooks;
    if (hooks) await this.abortOnFailure(async () => hooks.started(snapshotSetId));
    return snapshotSetId;
  }

  /** The hook's `notCreated`, once, when the set was started and is certainly never made. Best effort. */
  private async giveUpSnapshotSet(): Promise<void> {
    const id = this.snapshotSetIdValue;
    if (!id || this.snapshotSetMade !== 'no' || this.snapshotSetGivenUp || !this.snapshotSetHooks) return;
    this.snapshotSetGivenUp = true;
    try {
      await this.snapshotSetHooks.notCreated(id);
    } catch {
      // a record left behind is removed later, when its set is seen not to exist
    }
  }

  /** AddToSnapshotSet for one volume; returns the new snapshot's id. */
  addVolume(volume: string): Promise<string> {
    return this.abortOnFailure(async () => {
      const { snapshotId } = await this.step<{ snapshotId: string }>('AddToSnapshotSet', { volume });
      this.snapshotIds.push(snapshotId);
      return snapshotId;
    });
  }

  /** PrepareForBackup, then GatherWriterStatus: a writer that failed fails the backup. */
  prepare(): Promise<void> {
    return this.abortOnFailure(async () => {
      await this.step('PrepareForBackup');
      await this.checkWriters('PrepareForBackup');
    });
  }

  /** DoSnapshotSet, then GatherWriterStatus, then each snapshot's properties. */
  doSnapshotSet(): Promise<Snapshot[]> {
    return this.abortOnFailure(async () => {
      try {
        await this.step('DoSnapshotSet');
        this.snapshotSetMade = 'yes';
      } catch (e) {
        // A VSS error means no set was made; a cancelled call (ERROR_TIMEOUT) or a lost one may have made it.
        if (!(e instanceof VssError) || e.vssName === 'ERROR_TIMEOUT') this.snapshotSetMade = 'unknown';
        throw e;
      }
      await this.checkWriters('DoSnapshotSet');
      this.snapshotsValue = [];
      for (const snapshotId of this.snapshotIds) {
        this.snapshotsValue.push(await this.interop.call<Snapshot>('GetSnapshotProperties', { handle: this.handle, snapshotId }));
      }
      return this.snapshotsValue;
    });
  }

  /** The whole snapshot phase: StartSnapshotSet, AddToSnapshotSet per volume, PrepareForBackup, DoSnapshotSet. */
  async createSnapshotSet(volumes: string[]): Promise<{ snapshotSetId: string; snapshots: Snapshot[] }> {
    if (volumes.length === 0) throw vssError('E_INVALIDARG', 'name at least one volume to snapshot');
    const snapshotSetId = await this.startSnapshotSet();
    for (const volume of volumes) await this.addVolume(volume);
    await this.prepare();
    return { snapshotSetId, snapshots: await this.doSnapshotSet() };
  }

  /** A failure between StartSnapshotSet and BackupComplete: AbortBackup (writers get Abort), then report it. */
  private async abortOnFailure<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      await this.abort().catch(() => undefined);
      throw e;
    }
  }

  /** GatherWriterStatus after a phase; writers that took part and failed fail the backup, named with their reasons. */
  private async checkWriters(phase: Operation): Promise<void> {
    const failed = (await this.refreshWriters()).filter((w) => w.state.startsWith('Failed') && w.state !== 'FailedAtIdentify');
    if (failed.length === 0) return;
    const reasons = failed.map((w) => `'${w.name}' is ${w.state} with ${w.lastError ?? 'no error code'}`).join('; ');
    const name = (failed[0]!.lastError ?? 'VSS_E_UNEXPECTED_WRITER_ERROR') as HResultName;
    throw new VssError(name, HResult[name] ?? HResult.VSS_E_UNEXPECTED, `${phase}: writer ${reasons}. The backup was aborted; check the writer's service and retry`, {
      writers: failed,
      phase,
    });
  }

  /** BackupComplete, then GatherWriterStatus (writers clean up their session state only then). */
  async complete(): Promise<void> {
    await this.step('BackupComplete');
    this.completedWriters = new Set(this.writersValue.filter((w) => w.state !== 'FailedAtIdentify').map((w) => w.writerId));
    await this.refreshWriters();
  }

  /** AbortBackup where VSS allows it; the object stays ready for Release. */
  async abort(): Promise<void> {
    if (Transitions.AbortBackup.from.includes(this.stateValue)) {
      await this.step('AbortBackup');
      await this.giveUpSnapshotSet();
    }
  }

  /** Release: writers get BackupShutdown, auto-release snapshots end. Safe to call twice. */
  async release(): Promise<CloseResult> {
    const before = this.stateValue;
    if (before !== 'released' && this.handle !== 0) await this.step('Release');
    this.stateValue = 'released';
    await this.giveUpSnapshotSet();
    const persistent = this.snapshotsValue.filter((s) => s.persistent).map((s) => s.snapshotId);
    return {
      backupId: this.backupId,
      state: before,
      writers: this.writersValue.map((w) => ({ name: w.name, writerId: w.writerId, backupCompleteReceived: this.completedWriters.has(w.writerId) })),
      endedSnapshots: this.snapshotsValue.filter((s) => !s.persistent).map((s) => s.snapshotId),
      keptSnapshots: persistent,
    };
  }
}

/**
 * A component object for work outside a backup (Query, DeleteSnapshots) in context VSS_CTX_ALL, made on first
 * use and kept for the caller's lifetime, so a pipeline of deletes costs one object, not one per item.
 * No writer takes part, so its Release sends writers nothing.
 */
export class AdminComponent {
  private handle: Promise<number> | null = null;

  constructor(
    private readonly interop: FacadeCaller,
    private readonly service: () => Promise<VssService>,
  ) {}

  private open(): Promise<number> {
    this.handle ??= (async () => {
      const { handle } = await this.interop.call<{ handle: number }>('Create', { service: await this.service() });
      try {
        await this.interop.call('InitializeForBackup', { handle });
        await this.interop.call('SetContext', { handle, context: 'All' });
      } catch (e) {
        await this.interop.call('Release', { handle }).catch(() => undefined);
        throw e;
      }
      return handle;
    })();
    // A failed start is not kept: the next call tries again.
    this.handle.catch(() => (this.handle = null));
    return this.handle;
  }

  async querySnapshots(): Promise<Snapshot[]> {
    return (await this.interop.call<{ snapshots: Snapshot[] }>('QuerySnapshots', { handle: await this.open() })).snapshots;
  }

  async deleteSnapshots(sourceId: string, sourceType: 'SnapshotSet' | 'Snapshot', force: boolean): Promise<{ deleted: number }> {
    return this.interop.call<{ deleted: number }>('DeleteSnapshots', { handle: await this.open(), sourceId, sourceType, force });
  }

  async release(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle) await this.interop.call('Release', { handle: await handle }).catch(() => undefined);
  }
}
