// The data commands of the executable (backup, writers, snapshots), over the same lifecycle the host uses.
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BackupTypeName, ContextName } from './defaults';
import type { FileSpec, Provider, ShadowStorage } from './generated/contract';
import { ExitCode, signalExitCode } from './exit-codes';
import { componentPath } from './requester/components';
import { endsWithThisProcess } from './child-lifetime';
import { OrphanedSnapshotSetInfo } from './records';
import { SnapshotSetInfo, toSnapshotSets } from './snapshot-sets';
import { sessionHome } from './paths';
import { ExposureStore, sweepAbandonedExposures } from './exposures';
import { deleteOrphan, findOrphans, LostSnapshotSetInfo, orphanInfo, RecordStore, SnapshotSetRecorder, takeLostSets, withRecords } from './records';
import { checkDocumentPath } from './requester/backup-document';
import { Interop } from './requester/interop';
import { ShadowStorageAdmin } from './requester/shadow-storage';
import { AdminComponent, BackupLifecycle, CloseResult, Snapshot, VolumeTarget, Writer } from './requester/lifecycle';
import { allowsLiveFallback, PolicyName } from './requester/policy';
import { resolveService, spaceDeletions } from './service';
import { withServices, writerServices } from './writer-services';
import { isPersistentContext, parseGuid, persistentContextList } from './vss';
import { VssError, vssError } from './vss-error';

export interface BackupReport {
  /** null when no snapshot was made (--policy best-effort; see `live`). */
  snapshotSetId: string | null;
  snapshots: Snapshot[];
  completed: boolean;
  exec: { command: string; exitCode: number } | null;
  /** null when the backup ended before a snapshot set existed (`live`). */
  close: CloseResult | null;
  /** Set when no snapshot could be made and --policy best-effort ran the command against the live volumes. */
  live?: { volumes: string[]; error: ReturnType<VssError['toJSON']> };
  /** A persistent set's expiry (--expires-after); null otherwise. */
  expiresAt: string | null;
}

export interface BackupCommandOptions {
  context: ContextName;
  backupType: BackupTypeName;
  /** A command for the platform shell, run while the snapshots exist. */
  exec?: string;
  /** With --json the command's stdout goes to our stderr, so that our stdout carries JSON only. */
  json: boolean;
  /** Required (the default): no snapshot, no command. BestEffort: see {@link allowsLiveFallback}. */
  policy?: PolicyName;
  /** Writers (names or ids) kept out of the backup. */
  excludeWriters?: string[];
  /** Writers (names or ids) that alone take part. */
  includeWriters?: string[];
  /** A persistent set's lifetime, after which it is listed as orphaned. */
  expiresAfterMs?: number;
  /** Where the Backup Components Document is saved once the backup completes (--document). */
  document?: string;
}

/**
 * One whole backup: begin, snapshot set, optionally a command run against the snapshots, then BackupComplete
 * (only when there is no command or it exited 0) and always Release. A failed or interrupted backup is aborted
 * before it is released, so writers see BackupShutdown without BackupComplete.
 * SIGINT and SIGTERM are caught for the whole cycle: forwarded to the command while it runs, and the backup is
 * closed before vss-session exits (128 + the signal's number). A second signal outside the command exits at once.
 */
export async function backupOnce(volumes: string[], options: BackupCommandOptions): Promise<{ report: BackupReport | null; exitCode: number }> {
  const env = { ...process.env }; // before edge-js adds its own variables
  // Changed by the signal handler, so kept in an object (control flow analysis does not see closures).
  const interrupt: { signal: NodeJS.Signals | null; forward: ((s: NodeJS.Signals) => void) | null } = { signal: null, forward: null };
  const onSignal = (s: NodeJS.Signals) => {
    if (interrupt.forward) {
      interrupt.signal ??= s;
      return interrupt.forward(s);
    }
    if (interrupt.signal) process.exit(signalExitCode(s));
    interrupt.signal = s;
    process.stderr.write(`vss-session: ${s}: closing the backup (send it again to exit at once)\n`);
  };
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const s of signals) process.on(s, onSignal);
  try {
    if (options.document !== undefined) checkDocumentPath(options.document);
    if (options.expiresAfterMs !== undefined && !isPersistentContext(options.context)) {
      throw vssError('E_INVALIDARG', `--expires-after applies to persistent snapshot sets only (--context ${persistentContextList}); a ${options.context} set ends with its backup anyway`);
    }
    const backupId = randomUUID();
    // A persistent set is recorded before it is made, so that it can be found if this process dies.
    const recorder = isPersistentContext(options.context) ? new SnapshotSetRecorder(new RecordStore(sessionHome()), backupId, options.context) : null;
    recorder?.expect(volumes, options.expiresAfterMs ?? null);
    const interop = new Interop();
    const backup = new BackupLifecycle(interop, await resolveService(), backupId, {
      context: options.context,
      backupType: options.backupType,
      volumes,
      excludeWriters: options.excludeWriters,
      includeWriters: options.includeWriters,
      snapshotSetHooks: recorder?.hooks,
      onRetry: (r) => process.stderr.write(`vss-session: ${r.operation} got ${r.error}${r.writer ? ` from writer '${r.writer}'; the snapshot set is made again on a new component object` : ''}; retry ${r.attempt} in ${r.delayMs} ms\n`),
    });
    const live = (e: unknown) => runLive(volumes, e as VssError, options, env, interrupt);
    const admin = new AdminComponent(interop, resolveService);
    await sweepExposures(admin).finally(() => admin.release());
    try {
      await backup.begin();
    } catch (e) {
      if (options.policy !== 'BestEffort' || !allowsLiveFallback(e)) throw e;
      return await live(e); // begin() has released the component object
    }
    let ok = false;
    try {
      if (interrupt.signal) return { report: null, exitCode: signalExitCode(interrupt.signal) };
      let set: { snapshotSetId: string; snapshots: Snapshot[] };
      try {
        set = await backup.createSnapshotSet(volumes);
      } catch (e) {
        if (options.policy !== 'BestEffort' || !allowsLiveFallback(e)) throw e;
        // The set was aborted; writers get BackupShutdown now, not after the command has read the live volumes.
        await backup.release();
        ok = true;
        return await live(e);
      }
      let exec: BackupReport['exec'] = null;
      let exitCode: number = ExitCode.ok;
      if (options.exec !== undefined && !interrupt.signal) {
        const tied = await tieChildren(interop);
        exitCode = await runCommand(options.exec, set.snapshots, env, options.json, (f) => (interrupt.forward = f));
        if (tied) await interop.call('UntieChildren').catch(() => undefined);
        interrupt.forward = null;
        exec = { command: options.exec, exitCode };
      }
      if (interrupt.signal && exitCode === ExitCode.ok) exitCode = signalExitCode(interrupt.signal);
      const completed = exitCode === ExitCode.ok;
      if (completed) {
        await backup.complete({ documentPath: options.document });
        for (const c of backup.describe().componentsLeftOut) {
          process.stderr.write(`vss-session: warning: component '${componentPath(c)}' of writer '${c.writer}' was left out of this ${options.backupType} backup and not marked backed up: ${c.reason}\n`);
        }
      }
      ok = true;
      let close: CloseResult;
      try {
        close = completed ? await backup.release() : await backup.abandon();
      } finally {
        // A completed backup's set is kept on purpose, even when its Release reports a fault.
        if (completed) recorder?.closedAsItEnds();
      }
      return { report: { snapshotSetId: set.snapshotSetId, snapshots: set.snapshots, completed, exec, close, expiresAt: recorder?.expiresAt ?? null }, exitCode };
    } finally {
      // Release aborts a backup that did not reach BackupComplete before it ends it.
      if (!ok) await backup.release().catch(() => undefined);
    }
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

/**
 * --policy best-effort, when no snapshot could be made: says why on stderr, then runs the command against the live
 * volumes, with VSS_SNAPSHOT_PATH(S) naming the volumes themselves, VSS_SNAPSHOT_SET_ID empty and VSS_SNAPSHOT_LIVE=1.
 * Without --exec there is nothing to run: the report says no snapshot was made. No BackupComplete is ever sent.
 */
async function runLive(
  volumes: string[],
  error: VssError,
  options: BackupCommandOptions,
  env: NodeJS.ProcessEnv,
  interrupt: { signal: NodeJS.Signals | null; forward: ((s: NodeJS.Signals) => void) | null },
): Promise<{ report: BackupReport; exitCode: number }> {
  process.stderr.write(`vss-session: warning: no snapshot was made, so ${options.exec !== undefined ? 'the command runs' : 'nothing runs'} against the live volumes (--policy best-effort): ${error.vssName}: ${error.message}\n`);
  const liveVolumes = volumes.map((v) => path.resolve(v));
  let exec: BackupReport['exec'] = null;
  let exitCode: number = ExitCode.ok;
  if (options.exec !== undefined && !interrupt.signal) {
    const asSnapshots = liveVolumes.map((v) => ({ snapshotSetId: '', devicePath: v, snapshotPath: v }) as Snapshot);
    exitCode = await runCommand(options.exec, asSnapshots, { ...env, VSS_SNAPSHOT_LIVE: '1' }, options.json, (f) => (interrupt.forward = f));
    interrupt.forward = null;
    exec = { command: options.exec, exitCode };
  }
  if (interrupt.signal && exitCode === ExitCode.ok) exitCode = signalExitCode(interrupt.signal);
  return { report: { snapshotSetId: null, snapshots: [], completed: false, exec, close: null, expiresAt: null, live: { volumes: liveVolumes, error: error.toJSON() } }, exitCode };
}

/**
 * On Windows, the --exec command and everything it starts die with this process, even by TerminateProcess (taskkill
 * /F): a job object this process joins (Facade TieChildren). Node's own job ends only the direct child, the shell,
 * and lets the shell's children break away. Untied once the command has ended on its own, so anything it left running
 * on purpose outlives the backup, as on Linux. Elsewhere the command's process group is tied (endsWithThisProcess).
 */
async function tieChildren(interop: Interop): Promise<boolean> {
  if (process.platform !== 'win32') return false;
  const { fault } = await interop.call<{ fault: string | null }>('TieChildren').catch((e: Error) => ({ fault: e.message }));
  if (fault) process.stderr.write(`vss-session: warning: the command would outlive vss-session if it were killed (${fault})\n`);
  return !fault;
}

/**
 * Runs the command through the platform shell with the snapshots in its environment and resolves with its exit
 * code (128+n when signal n ended it, {@link ExitCode.execNotStarted} when it could not start); never rejects.
 * Where no terminal controls us, the command gets its own process group and signals reach all of it (the shell
 * and what it started); under a terminal it stays in the foreground group, which the terminal signals itself.
 */
function runCommand(command: string, snapshots: Snapshot[], baseEnv: NodeJS.ProcessEnv, json: boolean, setForward: (f: (s: NodeJS.Signals) => void) => void): Promise<number> {
  const ownGroup = process.platform !== 'win32' && !hasControllingTerminal();
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number) => {
      if (!done) resolve(code);
      done = true;
    };
    let child: ChildProcess;
    try {
      child = spawn(command, {
        shell: true,
        stdio: [0, json ? 2 : 1, 2],
        detached: ownGroup,
        env: {
          ...baseEnv,
          VSS_SNAPSHOT_SET_ID: snapshots[0]?.snapshotSetId ?? '',
          // The folder each volume argument named, inside its snapshot (on Windows below the shadow copy's root).
          VSS_SNAPSHOT_PATH: snapshots[0]?.snapshotPath ?? '',
          VSS_SNAPSHOT_PATHS: snapshots.map((s) => s.snapshotPath).join(path.delimiter),
        },
      });
    } catch (e) {
      process.stderr.write(`vss-session: --exec could not start: ${(e as Error).message}\n`);
      return finish(ExitCode.execNotStarted);
    }
    // The command (its whole process group) ends with this process, even when it is killed with -9: the snapshot it
    // reads ends with the backup.
    const guard = ownGroup && child.pid !== undefined ? endsWithThisProcess(child.pid) : null;
    child.once('exit', () => guard?.dismiss());
    setForward((s) => {
      try {
        if (ownGroup && child.pid !== undefined) process.kill(-child.pid, s);
        else child.kill(s);
      } catch {
        // it has ended already
      }
    });
    child.once('error', (e) => {
      process.stderr.write(`vss-session: --exec could not start: ${e.message}\n`);
      finish(ExitCode.execNotStarted);
    });
    child.once('exit', (code, s) => finish(code ?? (s ? signalExitCode(s) : ExitCode.internal)));
  });
}

function hasControllingTerminal(): boolean {
  try {
    fs.closeSync(fs.openSync('/dev/tty', 'r'));
    return true;
  } catch {
    return false;
  }
}

export function formatBackup(r: BackupReport): string {
  if (r.live) {
    return [
      `no snapshot (${r.live.error.name}): live volumes ${r.live.volumes.join(', ')}`,
      ...(r.exec ? [`command exited with ${r.exec.exitCode}: ${r.exec.command}`] : []),
      'not completed: no snapshot set was made',
    ].join('\n');
  }
  return [
    `snapshot set ${r.snapshotSetId}`,
    ...r.snapshots.map((s) => `  ${s.volume} -> ${s.devicePath}`),
    ...(r.exec ? [`command exited with ${r.exec.exitCode}: ${r.exec.command}`] : []),
    r.completed ? 'completed: BackupComplete sent' : 'not completed: the backup was aborted',
    ...(r.expiresAt ? [`expires: ${r.expiresAt} (then listed by 'snapshots list --orphaned')`] : []),
    `closed: ${r.close?.writers.length ?? 0} writer(s) shut down`,
  ].join('\n');
}

export type WriterRow = Pick<Writer, 'name' | 'writerId' | 'instanceId' | 'state' | 'lastError' | 'service' | 'components' | 'excludedFiles' | 'restoreMethod'>;

/** Begins a backup (context Backup) only for the writers' metadata and status, and releases it. With detailed, each
 * writer's metadata in full (GetWriterMetadata), as vshadow -wm and diskshadow's `list writers detailed` show it. */
export async function listWriters(options: { detailed?: boolean } = {}): Promise<WriterRow[]> {
  const service = await resolveService();
  const backup = new BackupLifecycle(new Interop(), service, randomUUID(), { context: 'Backup' });
  await backup.begin();
  try {
    const services = await writerServices(service);
    const writers = options.detailed ? await backup.detailedWriters() : backup.writers;
    return withServices(writers, services).map(({ name, writerId, instanceId, state, lastError, service, components, excludedFiles, restoreMethod }) =>
      options.detailed ? { name, writerId, instanceId, state, lastError, service, components, excludedFiles, restoreMethod } : { name, writerId, instanceId, state, lastError, service });
  } finally {
    await backup.release();
  }
}

/** vssadmin list|add|resize|delete shadowstorage: the associations after the change (list: all, or the volume's). */
export async function shadowStorage(action: 'list' | 'set' | 'add' | 'delete', o: { volume?: string; diffAreaVolume?: string; maxSize?: string }): Promise<ShadowStorage[]> {
  const admin = new ShadowStorageAdmin(new Interop(), resolveService);
  switch (action) {
    case 'list':
      return admin.list(o.volume);
    case 'add':
      return [await admin.add(o.volume!, o.diffAreaVolume!, o.maxSize ?? 'UNBOUNDED')];
    case 'set':
      return [await admin.resize(o.volume!, o.maxSize!, o.diffAreaVolume)];
    case 'delete':
      await admin.remove(o.volume!, o.diffAreaVolume);
      return admin.list();
  }
}

export function formatShadowStorage(areas: ShadowStorage[]): string {
  if (areas.length === 0) return 'no shadow storage';
  const size = (n: number) => (n === -1 ? 'UNBOUNDED' : `${n} bytes`);
  return areas.map((a) => `shadow storage for ${a.volume}\n  on: ${a.diffAreaVolume}\n  used: ${size(a.usedSpace)}\n  allocated: ${size(a.allocatedSpace)}\n  maximum: ${size(a.maxSpace)}`).join('\n');
}

/** The providers installed (Query with VSS_OBJECT_PROVIDER), as vssadmin list providers shows them. */
export async function listProviders(): Promise<Provider[]> {
  const admin = new AdminComponent(new Interop(), resolveService);
  try {
    return await admin.queryProviders();
  } finally {
    await admin.release();
  }
}

export function formatProviders(providers: Provider[]): string {
  if (providers.length === 0) return 'no providers';
  return providers.map((p) => `${p.name}\n  type: ${p.type}\n  id: ${p.providerId}\n  version: ${p.version}`).join('\n');
}

export function formatWriters(writers: WriterRow[]): string {
  if (writers.length === 0) return 'no writers';
  if (writers.some((w) => w.components !== undefined)) return writers.map(formatWriterDetail).join('\n\n');
  const header = ['NAME', 'WRITER ID', 'INSTANCE ID', 'STATE', 'SERVICE', 'LAST ERROR'];
  const rows = writers.map((w) => [w.name, w.writerId, w.instanceId, w.state, w.service ?? '-', w.lastError ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

function formatWriterDetail(w: WriterRow): string {
  // A Windows path joins with a backslash, the emulator's with a slash.
  const spec = (f: FileSpec) => `${f.path.replace(/[\\/]$/, '')}${f.path.includes('\\') ? '\\' : '/'}${f.filespec}${f.recursive ? ' (recursive)' : ''}`;
  const lines = [w.name, `  writer id: ${w.writerId}`, `  instance id: ${w.instanceId}`, `  state: ${w.state}${w.lastError ? ` (${w.lastError})` : ''}`];
  if (w.service) lines.push(`  service: ${w.service}`);
  if (w.components === null) return [...lines, '  no metadata: the writer failed Identify'].join('\n');
  const r = w.restoreMethod;
  lines.push(r
    ? `  restore method: ${r.method}${r.service ? ` (service ${r.service})` : ''}; writer restore: ${r.writerRestore}; reboot required: ${r.rebootRequired ? 'yes' : 'no'}${r.userProcedure ? `; procedure: ${r.userProcedure}` : ''}`
    : '  restore method: none declared');
  for (const f of w.excludedFiles ?? []) lines.push(`  excluded: ${spec(f)}`);
  for (const c of w.components ?? []) {
    lines.push(`  component ${componentPath(c)}${c.caption ? ` "${c.caption}"` : ''} (${c.type}, ${c.selectable ? 'selectable' : 'not selectable'} for backup)`);
    for (const f of c.files) lines.push(`    file: ${spec(f)}`);
    for (const f of c.databases) lines.push(`    database: ${spec(f)}`);
    for (const f of c.logs) lines.push(`    log: ${spec(f)}`);
  }
  return lines.join('\n');
}

/** What each path names for VSS, as a backup would look it up (no component object is made, nothing is sent to VSS). */
export async function resolveVolumes(paths: string[]): Promise<VolumeTarget[]> {
  const backup = new BackupLifecycle(new Interop(), await resolveService(), randomUUID());
  const targets: VolumeTarget[] = [];
  for (const p of paths) targets.push(await backup.resolveVolume(p));
  return targets;
}

export function formatVolumes(targets: VolumeTarget[]): string {
  return targets.map((t) => `${t.named}\n  volume: ${t.volume}\n  given to VSS: ${t.vss}\n  inside the snapshot: ${t.relative || '(its root)'}`).join('\n');
}

/** README's promise of every command that touches snapshots: exposures a killed PowerShell left are undone first. */
async function sweepExposures(admin: AdminComponent): Promise<void> {
  await sweepAbandonedExposures(new ExposureStore(sessionHome()), (id) => admin.unexposeSnapshot(id)).catch(() => undefined);
}

async function querySwept(admin: AdminComponent): Promise<Snapshot[]> {
  await sweepExposures(admin);
  return admin.querySnapshots();
}

/** The snapshot sets VSS holds; on stderr, once each, the sets vss-session made that VSS deleted on its own. */
export async function listSets(snapshotSetId?: string): Promise<SnapshotSetInfo[]> {
  const wanted = snapshotSetId === undefined ? undefined : parseGuid(snapshotSetId, '--snapshot-set-id');
  const admin = new AdminComponent(new Interop(), resolveService);
  const store = new RecordStore(sessionHome());
  const found = toSnapshotSets(await querySwept(admin).finally(() => admin.release()));
  for (const lost of takeLostSets(store, found, spaceDeletions(await resolveService()))) process.stderr.write(`vss-session: warning: ${describeLost(lost)}\n`);
  const sets = withRecords(store, found);
  return wanted ? sets.filter((s) => s.snapshotSetId === wanted) : sets;
}

/** One lost set in words: which, made when, deleted when and why. */
export function describeLost(lost: LostSnapshotSetInfo): string {
  const made = `snapshot set ${lost.snapshotSetId} (${lost.context}, made ${lost.createdAt}, of ${lost.volumes.join(', ')})`;
  if (lost.lost.reason === 'DiffAreaFull') {
    const each = lost.lost.deletions.map((d) => `snapshot ${d.snapshotId} of ${d.volume} at ${d.time}`).join('; ');
    return `${made} was deleted by VSS to make room in the full shadow storage of its volume: ${each}. Raise the shadow storage's maximum (Set-VssShadowStorage) to keep more`;
  }
  return `${made} is gone, and vss-session did not delete it (noticed ${lost.lost.noticedAt}): VSS deletes the oldest shadow copies of a volume whose shadow storage is full, and another tool may have deleted it; on Windows the System event log (source volsnap) says which`;
}

/** The snapshot sets (with their records) and the ids of the orphans among them, from one Query on one component
 * object: what the retention rules look at. */
export async function listSetsWithOrphans(): Promise<{ sets: SnapshotSetInfo[]; orphaned: Set<string> }> {
  const admin = new AdminComponent(new Interop(), resolveService);
  const store = new RecordStore(sessionHome());
  const sets = toSnapshotSets(await querySwept(admin).finally(() => admin.release()));
  return { sets: withRecords(store, sets), orphaned: new Set(findOrphans(store, sets).map((o) => o.set.snapshotSetId)) };
}

/** The persistent sets VssSession recorded that are expired, or whose creator died without closing its backup. */
export async function listOrphans(): Promise<OrphanedSnapshotSetInfo[]> {
  const admin = new AdminComponent(new Interop(), resolveService);
  const sets = toSnapshotSets(await querySwept(admin).finally(() => admin.release()));
  return findOrphans(new RecordStore(sessionHome()), sets).map(orphanInfo);
}

export function formatOrphans(orphans: OrphanedSnapshotSetInfo[]): string {
  if (orphans.length === 0) return 'no orphaned snapshot sets';
  return orphans
    .map((o) => `${formatSets([o])}\n  orphaned: ${o.orphanReason === 'Expired' ? `expired at ${o.expiresAt}` : `its creator (pid ${o.creator.pid} on ${o.creator.hostname}) is gone`}`)
    .join('\n');
}

/**
 * DeleteSnapshots of every orphan in turn (no writer event), through one component object, stopping at the first
 * failure, which reports how many snapshots were deleted before it. Sets VssSession did not record are never touched.
 */
export async function deleteOrphans(force: boolean): Promise<{ deleted: number; snapshotSets: { snapshotSetId: string; orphanReason: string; deleted: number }[] }> {
  const store = new RecordStore(sessionHome());
  const admin = new AdminComponent(new Interop(), resolveService);
  let deleted = 0;
  const snapshotSets: { snapshotSetId: string; orphanReason: string; deleted: number }[] = [];
  try {
    const sets = toSnapshotSets(await querySwept(admin));
    for (const orphan of findOrphans(store, sets)) {
      try {
        const result = await deleteOrphan(store, sets, admin, orphan.set.snapshotSetId, force);
        deleted += result.deleted;
        snapshotSets.push({ snapshotSetId: orphan.set.snapshotSetId, orphanReason: orphan.reason, deleted: result.deleted });
      } catch (e) {
        if (e instanceof VssError) e.details.deletedBefore = deleted;
        throw e;
      }
    }
    return { deleted, snapshotSets };
  } finally {
    await admin.release();
  }
}

export function formatSets(sets: SnapshotSetInfo[]): string {
  if (sets.length === 0) return 'no snapshot sets';
  return sets.map((s) => [`${s.snapshotSetId}  ${s.context}  ${s.createdAt}`, ...s.snapshots.map((x) => `  ${x.snapshotId}  ${x.volume} -> ${x.devicePath}`)].join('\n')).join('\n');
}

/**
 * DeleteSnapshots of each set (or snapshot) in turn through one component object, stopping at the first
 * failure, which reports how many were deleted before it.
 */
export async function deleteSets(options: { snapshotSetId?: string[]; snapshotId?: string[]; force: boolean }) {
  const sets = options.snapshotSetId ?? [];
  const snapshots = options.snapshotId ?? [];
  if ((sets.length === 0) === (snapshots.length === 0)) throw vssError('E_INVALIDARG', 'give --snapshot-set-id or --snapshot-id (each may be repeated), not both; or --orphaned for the orphaned sets');
  const targets = sets.length
    ? sets.map((id) => [parseGuid(id, '--snapshot-set-id'), 'SnapshotSet'] as const)
    : snapshots.map((id) => [parseGuid(id, '--snapshot-id'), 'Snapshot'] as const);
  const admin = new AdminComponent(new Interop(), resolveService);
  const records = new RecordStore(sessionHome());
  let deleted = 0;
  try {
    await sweepExposures(admin);
    for (const [id, type] of targets) {
      try {
        deleted += (await admin.deleteSnapshots(id, type, options.force)).deleted;
        if (type === 'SnapshotSet') records.remove(id); // the set is gone: so is any record of it
      } catch (e) {
        if (e instanceof VssError) e.details.deletedBefore = deleted;
        throw e;
      }
    }
    return { deleted };
  } finally {
    await admin.release();
  }
}
