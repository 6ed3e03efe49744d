// The requester's side of one backup: each VSS call in the order VSS documents it, checked against the transition
// table, and the abort before Release on every failure path. Longer than the other rooms on purpose: the calls
// share one component object's state, and splitting the class would pass that state between files. Its rules live
// beside it: transitions.ts (the order), shapes.ts (what it hands up), components.ts (writer selection), policy.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { BackupTypeName, ContextName, defaults, PhaseName, Phases } from '../defaults';
import { Attr, ContextValue, isGuid } from '../vss';
import { HResult, HResultName, VssError, vssError } from '../vss-error';
import { FacadeCaller, VssService } from './interop';
import { stageDocument } from './backup-document';
import { chooseComponents, ComponentFile, ComponentLeftOut, SelectedComponent, WriterMetadata } from './components';
import { checkRequesterProcess, creationRefused, RequesterToken, VolumeSupport, volumeNameRefusal, volumeNotFound, volumeRefusal, volumeRoot } from './preflight';
import { BackupComponent, BackupOptions, CloseResult, FacadeSnapshot, Snapshot, SnapshotSetHooks, VolumeTarget, withRootPath, Writer } from './shapes';
import { nextOperations, Operation, RetryableWriterErrors, State, transitionsFor, writersTakePart } from './transitions';

// The lifecycle's own module is where the front ends find the requester's names.
export * from './shapes';
export * from './transitions';
export { AdminComponent } from './admin-component';

/** Which writers take part, as the VSS ids DisableWriterClasses, DisableWriterInstances and EnableWriterClasses take. */
interface WriterSelection {
  disabledClasses: string[];
  disabledInstances: string[];
  enabledClasses: string[];
}

/**
 * One backup: one component object, driven through VSS's requester sequence by the transition table (transitions.ts).
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
  /** The volumes of the snapshot set being made (AddToSnapshotSet), for the choice of components. */
  private setVolumes: string[] = [];
  /** Each named volume, resolved once (resolveVolume). */
  private readonly targets = new Map<string, VolumeTarget>();
  /** Each snapshot's target, by snapshot id. */
  private readonly snapshotTargets = new Map<string, VolumeTarget>();
  /** Writers that were sent BackupComplete (the ones taking part when it succeeded). */
  private completedWriters = new Set<string>();
  /** Components added to the backup (AddComponent) in component mode, chosen by chooseComponents. */
  private selected: SelectedComponent[] = [];
  /** Components of writers taking part that the backup leaves out, with why (their data is not in the snapshot set). */
  private componentsLeftOut: ComponentLeftOut[] = [];
  private componentsValue: BackupComponent[] = [];
  private readonly context: ContextName;
  private readonly backupType: BackupTypeName;
  private readonly timeouts: Record<PhaseName, number>;
  private readonly retryTimeoutMs: number;
  private readonly onRetry: NonNullable<BackupOptions['onRetry']>;
  private readonly requireWriters: string[];
  private readonly volumes: string[];
  private readonly excludeWriters: string[];
  private readonly includeWriters: string[];
  /** The writer selection as VSS ids, resolved once and applied to each component object before GatherWriterMetadata. */
  private selection: WriterSelection | null = null;
  /** While createSnapshotSet retries, the one deadline every retry of the snapshot phase shares. */
  private retryDeadline: number | null = null;
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
    this.volumes = options.volumes ?? [];
    this.excludeWriters = options.excludeWriters ?? [];
    this.includeWriters = options.includeWriters ?? [];
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
    return { backupId: this.backupId, context: this.context, backupType: this.backupType, state: this.stateValue, writers: this.writersValue, components: this.componentsValue, componentsLeftOut: this.componentsLeftOut };
  }

  /** Component mode: every backup type but Copy tells writers which components were backed up. */
  private get componentMode(): boolean {
    return this.backupType !== 'Copy';
  }

  /** Whether writers take part in this backup's context. */
  private get withWriters(): boolean {
    return writersTakePart(this.context);
  }

  /** Refuses a call the transition table does not allow from the current state, saying what may come next. */
  private requireAllowed(op: Operation): void {
    const table = transitionsFor(this.context);
    if (table[op].from.includes(this.stateValue)) return;
    const next = nextOperations(this.stateValue, table);
    throw vssError(
      'VSS_E_BAD_STATE',
      `${op} is not allowed now: the backup is ${this.stateValue}` +
        (next.length ? `; what may come next: ${next.join(', ')}` : '; it was released and is never reused: start a new backup'),
      { state: this.stateValue, operation: op },
    );
  }

  private async step<T>(op: Operation, input: object = {}): Promise<T> {
    const table = transitionsFor(this.context);
    const rule = table[op];
    this.requireAllowed(op);
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

  /**
   * CreateVssBackupComponents, InitializeForBackup, SetContext, SetBackupState, then, where writers take part,
   * GatherWriterMetadata; IsVolumeSupported for each named volume; GatherWriterStatus where writers take part.
   */
  async begin(): Promise<void> {
    if (this.stateValue !== 'created' || this.handle !== 0) throw vssError('VSS_E_BAD_STATE', 'this backup was already begun');
    await checkRequesterProcess(this.service, () => this.interop.call<RequesterToken>('RequesterToken'));
    await this.resolveVolumes(this.volumes);
    this.handle = (await this.interop.call<{ handle: number }>('Create', { service: this.service }).catch((e) => Promise.reject(creationRefused(e)))).handle;
    try {
      await this.step('InitializeForBackup');
      await this.step('SetContext', { context: this.context });
      await this.step('SetBackupState', { backupType: this.backupType, selectComponents: this.componentMode, bootableSystemState: false, partialFileSupport: false });
      if (this.withWriters) {
        await this.selectWriters();
        await this.step('GatherWriterMetadata');
      } else if (this.excludeWriters.length || this.includeWriters.length) {
        await this.resolveSelection(); // refuses: no writer takes part in this context
      }
      await this.checkVolumes();
      if (this.withWriters) await this.refreshWriters();
      this.checkIncludedWriters();
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
        throw vssError('VSS_E_WRITER_NOT_RESPONDING', `the required writer '${wanted}' did not answer GatherWriterMetadata (writers present: ${present}); start its service, or drop it from -RequireWriter`, { writer: wanted, requirement: 'RequireWriter' });
      }
      if (writer.state !== 'Stable' || writer.lastError) {
        const name = (writer.lastError ?? 'VSS_E_WRITER_NOT_RESPONDING') as HResultName;
        throw new VssError(name, HResult[name] ?? HResult.VSS_E_WRITER_NOT_RESPONDING, `the required writer '${writer.name}' is ${writer.state}${writer.lastError ? ` with ${writer.lastError}` : ''}, not Stable; nothing was frozen. Check the writer's service (Get-VssWriter) and retry`, { writer: writer.name, state: writer.state, requirement: 'RequireWriter' });
      }
    }
  }

  /**
   * A Full (or Incremental, Differential, Log) backup adds the components of the writers taking part whose data is in
   * the snapshot set (chooseComponents), once its volumes are known and before PrepareForBackup, so that
   * SetBackupSucceeded can tell each writer, per component, that its data was backed up: that is what moves SQL
   * Server's and Exchange's own backup history on. A component whose data is not in the set is left out and
   * reported, never marked backed up. A Copy backup selects nothing and changes no history.
   */
  private async selectComponents(volumes: string[]): Promise<void> {
    const { writers } = await this.step<{ writers: WriterMetadata[] }>('GetWriterMetadata');
    const taking = new Set(this.writersValue.filter((w) => !w.state.startsWith('Failed')).map((w) => w.instanceId.toLowerCase()));
    // A volume named through a link holds the files under the folder it names, too.
    const roots = [...new Set(volumes.flatMap((v) => [v, realPath(v)]))];
    const choice = chooseComponents(writers.filter((x) => taking.has(x.instanceId.toLowerCase())), roots);
    this.selected = [];
    this.componentsLeftOut = choice.leftOut;
    for (const s of choice.selected) {
      await this.step('AddComponent', { instanceId: s.instanceId, writerId: s.writerId, type: s.component.type, logicalPath: s.component.logicalPath, name: s.component.name });
      this.selected.push(s);
    }
  }

  /**
   * Pre-flight of the named volumes: IsVolumeSupported for each, after SetContext (support depends on the context)
   * and GatherWriterMetadata, as VSS's discovery phase has it, and before any snapshot set is started: a volume VSS
   * cannot snapshot is refused before anything is prepared or frozen.
   */
  private async checkVolumes(): Promise<void> {
    for (const volume of this.volumes) {
      const target = await this.resolveVolume(volume);
      let answer: VolumeSupport;
      try {
        answer = await this.step<VolumeSupport>('IsVolumeSupported', { volume: target.vss });
      } catch (e) {
        if (e instanceof VssError && e.vssName === 'VSS_E_OBJECT_NOT_FOUND') throw volumeNotFound(volume, e, this.service.kind, 'IsVolumeSupported');
        throw e;
      }
      const refusal = volumeRefusal(volume, answer);
      if (refusal) throw refusal;
    }
  }

  /**
   * -ExcludeWriter / -IncludeWriter: DisableWriterClasses, DisableWriterInstances and EnableWriterClasses on this
   * component object, before GatherWriterMetadata, so that a writer kept out gets no event at all.
   */
  private async selectWriters(): Promise<void> {
    if (this.excludeWriters.length === 0 && this.includeWriters.length === 0) return;
    this.selection ??= await this.resolveSelection();
    const { disabledClasses, disabledInstances, enabledClasses } = this.selection;
    if (disabledClasses.length) await this.step('DisableWriterClasses', { ids: disabledClasses });
    if (disabledInstances.length) await this.step('DisableWriterInstances', { ids: disabledInstances });
    if (enabledClasses.length) await this.step('EnableWriterClasses', { ids: enabledClasses });
  }

  /**
   * VSS takes writer ids; users give names too. A name is looked up, case-insensitively, among the writers
   * present, found through a component object of its own (GatherWriterMetadata, then Release), as `vss-session
   * writers` does: a name that matches no writer fails the backup before anything starts, for -ExcludeWriter as
   * for -IncludeWriter, since a mistyped exclusion would let the very writer it meant to keep out take part.
   * An id (a class id, or an instance id) needs no lookup when every writer is named by id: that way a writer that
   * must not even be asked for its metadata is never reached, and one that is not running can be excluded.
   */
  private async resolveSelection(): Promise<WriterSelection> {
    if ((ContextValue[this.context] & Attr.NoWriters) !== 0) {
      throw vssError('E_INVALIDARG', `writers take no part in context ${this.context}, so there is nothing to include or exclude; drop -IncludeWriter/-ExcludeWriter or use a context with writers (Backup, ClientAccessibleWriters, AppRollback)`);
    }
    const present = [...this.excludeWriters, ...this.includeWriters, ...this.requireWriters].some((w) => !isGuid(w)) ? await this.lookUpWriters() : null;
    // An id is a class id or an instance id. Known writers tell which; an id met without a lookup is, for
    // -ExcludeWriter, disabled both ways (ids are unique, so the other call touches no writer).
    const resolve = (wanted: string, flag: string): { classes: string[]; instance: string | null } => {
      const key = wanted.toLowerCase();
      if (isGuid(wanted)) {
        const instance = present?.find((w) => w.instanceId.toLowerCase() === key && w.writerId.toLowerCase() !== key);
        if (instance) return { classes: [instance.writerId.toLowerCase()], instance: key };
        return { classes: [key], instance: present ? null : key };
      }
      const matches = present!.filter((w) => w.name.toLowerCase() === key);
      if (matches.length === 0) {
        const names = present!.map((w) => `'${w.name}'`).join(', ') || 'none';
        const next = flag === '-ExcludeWriter' ? "correct the name, or give the writer's class id to exclude a writer that is not running now" : 'correct the name, or start the writer';
        throw vssError('VSS_E_OBJECT_NOT_FOUND', `${flag}: no writer is named '${wanted}' (writers present: ${names}); no snapshot set was started. ${next[0]!.toUpperCase()}${next.slice(1)}`, { writer: wanted });
      }
      return { classes: [...new Set(matches.map((w) => w.writerId.toLowerCase()))], instance: null };
    };
    const disabledClasses = new Set<string>();
    const disabledInstances = new Set<string>();
    const enabledClasses = new Set<string>();
    const namedBy = new Map<string, string>(); // class id -> how the user named it, for messages
    for (const wanted of this.excludeWriters) {
      const { classes, instance } = resolve(wanted, '-ExcludeWriter');
      if (instance) disabledInstances.add(instance);
      if (!instance || instance === classes[0]) for (const id of classes) (disabledClasses.add(id), namedBy.set(id, wanted));
    }
    for (const wanted of this.includeWriters) {
      for (const id of resolve(wanted, '-IncludeWriter').classes) {
        if (disabledClasses.has(id)) {
          throw vssError('E_INVALIDARG', `-IncludeWriter '${wanted}' and -ExcludeWriter '${namedBy.get(id)}' name the same writer (${id}); name it in one of them only`, { writer: wanted });
        }
        enabledClasses.add(id);
      }
    }
    for (const wanted of this.requireWriters) {
      const key = wanted.toLowerCase();
      const writer = present?.find((w) => w.name.toLowerCase() === key || w.writerId.toLowerCase() === key || w.instanceId.toLowerCase() === key);
      if (!writer && !isGuid(wanted)) continue; // missing: checkRequiredWriters says so after GatherWriterMetadata
      const classId = writer?.writerId.toLowerCase() ?? key;
      const kept = disabledClasses.has(classId) || (writer !== undefined && disabledInstances.has(writer.instanceId.toLowerCase())) || (enabledClasses.size > 0 && !enabledClasses.has(classId));
      if (kept) throw vssError('E_INVALIDARG', `-RequireWriter '${wanted}' names a writer that -ExcludeWriter or -IncludeWriter keeps out of the backup; a writer cannot be both required and left out`, { writer: wanted });
    }
    return { disabledClasses: [...disabledClasses], disabledInstances: [...disabledInstances], enabledClasses: [...enabledClasses] };
  }

  /** The writers present now, from a component object made for the purpose and released at once. */
  private async lookUpWriters(): Promise<Writer[]> {
    const probe = new BackupLifecycle(this.interop, this.service, randomUUID(), { context: 'Backup', timeouts: this.timeouts });
    await probe.begin();
    try {
      return probe.writers;
    } finally {
      await probe.release().catch(() => undefined);
    }
  }

  /** Each writer class of -IncludeWriter must have answered GatherWriterMetadata: a backup without it is not the one asked for. */
  private checkIncludedWriters(): void {
    const missing = (this.selection?.enabledClasses ?? []).filter((id) => !this.writersValue.some((w) => w.writerId.toLowerCase() === id));
    if (missing.length === 0) return;
    throw vssError('VSS_E_OBJECT_NOT_FOUND', `-IncludeWriter: no writer of class ${missing.join(', ')} answered GatherWriterMetadata, so the backup would leave it out; check the id (a writer class id, or a name; Get-VssWriter lists the writers present) or start the writer's service`, { writers: missing });
  }

  async refreshWriters(): Promise<Writer[]> {
    this.writersValue = (await this.step<{ writers: Writer[] }>('GatherWriterStatus')).writers;
    return this.writersValue;
  }

  /**
   * The writers with their metadata in full (vshadow -wm, diskshadow's `list writers detailed`): each writer's status
   * with its components, their files, databases and logs, the files it excludes and its restore method, read through
   * GetWriterMetadata. A writer that failed Identify has no metadata: its detail is null.
   */
  async detailedWriters(): Promise<Writer[]> {
    if (this.writersValue.length === 0) return [];
    const { writers: metadata } = await this.step<{ writers: WriterMetadata[] }>('GetWriterMetadata');
    const byInstance = new Map(metadata.map((m) => [m.instanceId.toLowerCase(), m]));
    return this.writersValue.map((w) => {
      const m = byInstance.get(w.instanceId.toLowerCase());
      if (!m) return { ...w, components: null, excludedFiles: null, restoreMethod: null };
      const files = (list?: ComponentFile[]) => (list ?? []).map(({ path, filespec, recursive }) => ({ path, filespec, recursive }));
      return {
        ...w,
        components: m.components.map((c) => ({ logicalPath: c.logicalPath, name: c.name, type: c.type, selectable: c.selectable, caption: c.caption ?? null, files: files(c.files), databases: files(c.databases), logs: files(c.logs) })),
        excludedFiles: files(m.excludedFiles),
        restoreMethod: m.restoreMethod ?? null,
      };
    });
  }

  /** StartSnapshotSet. From here until BackupComplete, any failure aborts the backup before it is reported. */
  async startSnapshotSet(): Promise<string> {
    // Another requester, or Windows' own scheduled shadow copies, may be creating a set: retry with backoff
    // until the retry deadline, each retry reported; any other error fails at once.
    const deadline = this.retryDeadline ?? Date.now() + this.retryTimeoutMs;
    for (let attempt = 1, delayMs = defaults.retryFirstDelayMs; ; attempt++, delayMs = Math.min(delayMs * 2, defaults.retryMaxDelayMs)) {
      try {
        this.snapshotSetIdValue = (await this.step<{ snapshotSetId: string }>('StartSnapshotSet')).snapshotSetId;
        this.setVolumes = [];
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

  /**
   * Each named volume's target, refusing a name Windows would read relative to the process, a path that does not
   * exist (on Windows, where it is looked up here: before any VSS call), and two names on one volume (a snapshot set
   * holds each volume once, and AddToSnapshotSet would refuse the second).
   */
  private async resolveVolumes(volumes: string[]): Promise<VolumeTarget[]> {
    const targets: VolumeTarget[] = [];
    for (const volume of volumes) {
      const target = await this.resolveVolume(volume);
      // Windows names volumes without regard to case; the emulated service's directories are as case-sensitive as their filesystem.
      const key = (t: VolumeTarget) => (this.service.kind === 'windows' ? t.vss.toLowerCase() : t.vss);
      const same = targets.find((t) => key(t) === key(target));
      if (same) {
        throw vssError('E_INVALIDARG', `${same.named} and ${volume} are on the same volume ${target.volume}, and a snapshot set holds each volume once; name it once (the snapshot holds the whole volume: both folders are in it)`, { check: 'volume', volume });
      }
      targets.push(target);
    }
    return targets;
  }

  /** One named volume's target, looked up once. */
  async resolveVolume(named: string): Promise<VolumeTarget> {
    const known = this.targets.get(named);
    if (known) return known;
    const badName = volumeNameRefusal(named);
    if (badName) throw badName;
    let target: VolumeTarget;
    if (this.service.kind === 'windows') {
      try {
        target = { named, ...(await this.interop.call<Omit<VolumeTarget, 'named'>>('ResolveVolume', { path: volumeRoot(named) })) };
      } catch (e) {
        if (e instanceof VssError && e.vssName === 'VSS_E_OBJECT_NOT_FOUND') throw volumeNotFound(named, e, 'windows', 'GetVolumePathName');
        throw e;
      }
    } else {
      // Absolute here: the emulated service would read a relative name against its own working folder, not the caller's.
      const volume = path.resolve(volumeRoot(named));
      target = { named, volume, vss: volume, relative: '' };
    }
    this.targets.set(named, target);
    return target;
  }

  /** AddToSnapshotSet for one volume (as the user named it); returns the new snapshot's id. */
  addVolume(volume: string): Promise<string> {
    return this.abortOnFailure(async () => {
      const target = await this.resolveVolume(volume);
      const { snapshotId } = await this.step<{ snapshotId: string }>('AddToSnapshotSet', { volume: target.vss });
      this.snapshotIds.push(snapshotId);
      this.setVolumes.push(target.volume);
      this.snapshotTargets.set(snapshotId, target);
      return snapshotId;
    });
  }

  /** In component mode the components first, now that the set's volumes are known; PrepareForBackup, then
   * GatherWriterStatus: a writer that failed fails the backup. */
  prepare(): Promise<void> {
    if (!this.withWriters) return Promise.resolve(); // no writer to prepare: DoSnapshotSet follows the volumes
    return this.abortOnFailure(async () => {
      if (this.componentMode) await this.selectComponents(this.setVolumes);
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
        const snapshot = withRootPath(await this.interop.call<FacadeSnapshot>('GetSnapshotProperties', { handle: this.handle, snapshotId }));
        const target = this.snapshotTargets.get(snapshotId);
        if (target) {
          snapshot.path = target.named;
          snapshot.snapshotPath = target.relative ? `${snapshot.rootPath}${snapshot.rootPath.endsWith('\\') ? '' : '\\'}${target.relative}` : snapshot.rootPath;
        }
        this.snapshotsValue.push(snapshot);
      }
      const createdAt = this.snapshotsValue[0]?.createdAt;
      if (this.snapshotSetHooks && createdAt) {
        try {
          await this.snapshotSetHooks.created(this.snapshotSetIdValue!, createdAt);
        } catch {
          // the record keeps the times it was written with at StartSnapshotSet: an expiry counted from before the set
        }
      }
      return this.snapshotsValue;
    });
  }

  /**
   * The whole snapshot phase: StartSnapshotSet, AddToSnapshotSet per volume, PrepareForBackup, DoSnapshotSet.
   * When it fails because writers report an error that a restart of the whole shadow copy creation would likely
   * not meet again (see {@link RetryableWriterErrors}), the backup is aborted as for any failure, its component
   * object released (writers get BackupShutdown), and the creation restarted on a new one, with backoff until
   * the retry deadline, each retry reported. Every other error fails at once.
   */
  async createSnapshotSet(volumes: string[]): Promise<{ snapshotSetId: string; snapshots: Snapshot[] }> {
    if (volumes.length === 0) throw vssError('E_INVALIDARG', 'name at least one volume to snapshot');
    await this.resolveVolumes(volumes);
    const started = Date.now();
    this.retryDeadline = started + this.retryTimeoutMs;
    try {
      for (let attempt = 1, delayMs = defaults.writerRetryFirstDelayMs; ; attempt++, delayMs = Math.min(delayMs * 2, defaults.writerRetryMaxDelayMs)) {
        try {
          const snapshotSetId = await this.startSnapshotSet();
          for (const volume of volumes) await this.addVolume(volume);
          await this.prepare();
          return { snapshotSetId, snapshots: await this.doSnapshotSet() };
        } catch (e) {
          const writer = await this.retryableWriterFailure(e);
          if (!writer) throw e;
          const error = e as VssError;
          const wait = Math.min(delayMs, this.retryDeadline - Date.now());
          if (wait <= 0) {
            if (attempt === 1) throw error;
            const seconds = ((Date.now() - started) / 1000).toFixed(1);
            throw new VssError(error.vssName, error.hresult, `${error.message} (gave up after ${attempt} attempts in ${seconds} s: the retry time limit of ${this.retryTimeoutMs / 1000} s ran out; raise -RetryTimeout, or restart the writer's service)`, { ...error.details, attempts: attempt, retriedMs: Date.now() - started });
          }
          this.onRetry({ operation: writer.state === 'FailedAtPrepareBackup' ? 'PrepareForBackup' : 'DoSnapshotSet', error: writer.lastError ?? error.vssName, attempt, delayMs: wait, writer: writer.name });
          await new Promise((r) => setTimeout(r, wait));
          await this.renew();
        }
      }
    } finally {
      this.retryDeadline = null;
    }
  }

  /**
   * The writer whose retryable error failed the snapshot phase, or null when the failure is not one to retry.
   * The writers' status decides (a writer's veto may reach the requester as a generic writer error), and every
   * writer that failed must have failed retryably.
   */
  private async retryableWriterFailure(e: unknown): Promise<Writer | null> {
    if (!(e instanceof VssError) || !(e.vssName.startsWith('VSS_E_WRITERERROR_') || e.vssName === 'VSS_E_UNEXPECTED_WRITER_ERROR')) return null;
    let writers: Writer[];
    try {
      writers = Array.isArray(e.details.writers) ? (e.details.writers as Writer[]) : await this.refreshWriters();
    } catch {
      return null;
    }
    const failed = writers.filter((w) => w.state.startsWith('Failed') && w.state !== 'FailedAtIdentify');
    if (failed.length === 0 || !failed.every((w) => (RetryableWriterErrors as readonly string[]).includes(w.lastError ?? ''))) return null;
    return failed[0]!;
  }

  /**
   * The same backup on a new component object: VSS allows one snapshot set per object, and after AbortBackup
   * only Release. The old one is released (its writers get BackupShutdown) and the new one begun as the first was.
   */
  private async renew(): Promise<void> {
    await this.release().catch(() => undefined);
    this.stateValue = 'created';
    this.handle = 0;
    this.snapshotSetIdValue = null;
    this.snapshotsValue = [];
    this.snapshotIds.length = 0;
    this.snapshotTargets.clear();
    this.completedWriters = new Set();
    await this.begin();
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
    if (!this.withWriters) return;
    const failed = (await this.refreshWriters()).filter((w) => w.state.startsWith('Failed') && w.state !== 'FailedAtIdentify');
    if (failed.length === 0) return;
    const reasons = failed.map((w) => `'${w.name}' is ${w.state} with ${w.lastError ?? 'no error code'}`).join('; ');
    const name = (failed[0]!.lastError ?? 'VSS_E_UNEXPECTED_WRITER_ERROR') as HResultName;
    throw new VssError(name, HResult[name] ?? HResult.VSS_E_UNEXPECTED, `${phase}: writer ${reasons}. The backup was aborted; check the writer's service and retry`, {
      writers: failed,
      phase,
    });
  }

  /**
   * BackupComplete, then GatherWriterStatus (writers clean up their session state only then). Where no writer takes
   * part there is no BackupComplete to send: the backup is complete once its set is made. With documentPath, the
   * Backup Components Document (SaveAsXML, after SetBackupSucceeded) is staged beside that path before BackupComplete
   * and put in place after it: a document that cannot be saved fails the backup before BackupComplete, never after.
   */
  async complete(options: { documentPath?: string } = {}): Promise<void> {
    if (this.withWriters) this.requireAllowed('BackupComplete');
    else if (this.stateValue !== 'snapshotsDone') {
      throw vssError('VSS_E_BAD_STATE', `the backup cannot be completed now: it is ${this.stateValue}, and only a backup whose snapshot set was made (DoSnapshotSet) can be`, { state: this.stateValue, operation: 'BackupComplete' });
    }
    // The caller completing the backup says its data was saved: each selected component is marked backed up first.
    for (const s of this.selected) {
      await this.step('SetBackupSucceeded', { instanceId: s.instanceId, writerId: s.writerId, type: s.component.type, logicalPath: s.component.logicalPath, name: s.component.name, succeeded: true });
    }
    const staged = options.documentPath === undefined ? null : stageDocument(options.documentPath, (await this.interop.call<{ xml: string }>('SaveAsXml', { handle: this.handle })).xml);
    if (!this.withWriters) {
      this.stateValue = 'completed';
      staged?.commit();
      return;
    }
    try {
      await this.step('BackupComplete');
    } catch (e) {
      staged?.discard();
      throw e;
    }
    this.completedWriters = new Set(this.writersValue.filter((w) => w.state !== 'FailedAtIdentify').map((w) => w.writerId));
    staged?.commit();
    await this.refreshWriters();
    if (this.selected.length > 0) await this.readComponents();
  }

  /** What the Backup Components Document says of each selected component now (GetWriterComponents). */
  private async readComponents(): Promise<void> {
    const { writers } = await this.step<{ writers: { instanceId: string; writerId: string; components: Omit<BackupComponent, 'writer' | 'writerId' | 'instanceId'>[] }[] }>('GetWriterComponents');
    const names = new Map(this.writersValue.map((w) => [w.instanceId.toLowerCase(), w.name]));
    this.componentsValue = writers.flatMap((w) =>
      w.components.map((c) => ({
        writer: names.get(w.instanceId.toLowerCase()) ?? w.writerId,
        writerId: w.writerId,
        instanceId: w.instanceId,
        name: c.name,
        logicalPath: c.logicalPath,
        backupSucceeded: c.backupSucceeded,
        backupStamp: c.backupStamp,
        previousBackupStamp: c.previousBackupStamp,
      })),
    );
  }

  /** AbortBackup where VSS allows it; the object stays ready for Release. */
  async abort(): Promise<void> {
    if (transitionsFor(this.context).AbortBackup.from.includes(this.stateValue)) {
      await this.step('AbortBackup');
      await this.giveUpSnapshotSet();
    }
  }

  /**
   * Ends a backup whose work on its snapshots failed (a command or script that did not succeed): AbortBackup, so
   * writers get Abort, then Release. Its result's state is 'aborted'. Front ends choose between this and
   * complete() then release(); whether and when to abort is decided here, never by them.
   */
  async abandon(): Promise<CloseResult> {
    await this.abort().catch((e: Error) => process.stderr.write(`vss-session: AbortBackup failed: ${e.message}\n`));
    return this.release();
  }

  /**
   * Release: writers get BackupShutdown, auto-release snapshots end. Safe to call twice. A backup that started a
   * snapshot set and did not reach BackupComplete is aborted first (writers get Abort), however it is being ended:
   * Close-VssBackup without Complete-VssBackup, a failure, the client gone. An AbortBackup that fails does not
   * stop the Release: Release is what ends the backup for the writers. A Release whose service says it could not
   * finish (the emulated service went away, or could not journal) still ends the object, and then fails with why.
   */
  async release(): Promise<CloseResult> {
    const before = this.stateValue;
    await this.abort().catch((e: Error) => process.stderr.write(`vss-session: AbortBackup before Release failed: ${e.message}\n`));
    let failure: unknown = null;
    if (before !== 'released' && this.handle !== 0) await this.step('Release').catch((e: unknown) => (failure = e));
    this.stateValue = 'released';
    await this.giveUpSnapshotSet();
    if (failure) throw failure;
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

function realPath(volume: string): string {
  try {
    return fs.realpathSync.native(volume);
  } catch {
    return volume;
  }
}
