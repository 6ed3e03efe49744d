// The retention operations behind `vss-session dsc get|set|test|export`: the DSC v3 command resource
// VssSession/SnapshotRetention calls them with the instance as compact JSON on stdin, and the module's class-based
// resource VssSnapshotRetention calls the same command, so both engines run this one path. The rules are in
// retention.ts; this file observes the volume's sets and carries a plan out through the executable's own commands
// (a set is made as `backup --context` makes it, deleted as `snapshots delete` deletes it: DeleteSnapshots).
import { backupOnce, deleteSets, listSets, listSetsWithOrphans, resolveVolumes } from '../commands';
import { planRetention, RetentionPlan, RetentionPolicy, retentionPolicy, setsOfVolume } from './retention';
import type { SnapshotSetInfo } from '../snapshot-sets';
import { PersistentContexts } from '../vss';
import { ExitCode } from '../exit-codes';
import { VssError, vssError } from '../vss-error';

/** An instance's state as DSC sees it: the desired properties, what is there (ensure), and the sets seen. */
export interface RetentionState {
  volume: string;
  ensure: 'Present' | 'Absent';
  keepLast?: number;
  olderThan?: string;
  maxAge?: string;
  context: string;
  orphaned: boolean;
  /** Read-only: the sets of the volume in the context, newest first. */
  snapshotSets: { snapshotSetId: string; createdAt: string; expiresAt: string | null }[];
  _inDesiredState?: boolean;
}

interface Observed {
  policy: RetentionPolicy;
  sets: SnapshotSetInfo[];
  plan: RetentionPlan;
}

/** The volume's sets as VSS lists them, and what Set would do about them. */
async function observe(instance: unknown): Promise<Observed> {
  const policy = retentionPolicy(instance);
  const [target] = await resolveVolumes([policy.volume]);
  const { sets: all, orphaned } = await listSetsWithOrphans();
  const sets = setsOfVolume(all, target!.vss, policy.context).sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  return { policy, sets, plan: planRetention(policy, sets, orphaned) };
}

function state(instance: Record<string, unknown>, o: Observed): RetentionState {
  const { policy } = o;
  return {
    volume: policy.volume,
    ensure: o.sets.length > 0 ? 'Present' : 'Absent',
    ...(policy.keepLast !== null ? { keepLast: policy.keepLast } : {}),
    ...(typeof instance.olderThan === 'string' ? { olderThan: instance.olderThan } : {}),
    ...(typeof instance.maxAge === 'string' ? { maxAge: instance.maxAge } : {}),
    context: policy.context,
    orphaned: policy.orphaned,
    snapshotSets: o.sets.map((s) => ({ snapshotSetId: s.snapshotSetId, createdAt: s.createdAt, expiresAt: s.expiresAt })),
  };
}

const asObject = (instance: unknown): Record<string, unknown> => (typeof instance === 'object' && instance !== null ? (instance as Record<string, unknown>) : {});

/** get: the actual state. */
export async function getRetention(instance: unknown): Promise<RetentionState> {
  return state(asObject(instance), await observe(instance));
}

/** test: the actual state with `_inDesiredState`, the properties out of state, and why (one line per rule). Changes nothing. */
export async function testRetention(instance: unknown): Promise<{ state: RetentionState; diff: string[]; reasons: string[] }> {
  const o = await observe(instance);
  return { state: { ...state(asObject(instance), o), _inDesiredState: !o.plan.create && o.plan.deletes.length === 0 }, diff: o.plan.outOfState, reasons: o.plan.reasons };
}

/**
 * set: carries out what test found out of state: makes a set (a persistent backup of the volume in the context,
 * writers included where the context has them), then deletes each set a rule wants gone, newest plan first,
 * stopping at the first failure. Returns the state after, the properties it changed and what it did.
 */
export async function setRetention(instance: unknown, say: (line: string) => void = () => undefined): Promise<{ state: RetentionState; diff: string[]; done: string[] }> {
  const o = await observe(instance);
  const done: string[] = [];
  if (o.plan.create) {
    const { report, exitCode } = await backupOnce([o.policy.volume], { context: o.policy.context as (typeof PersistentContexts)[number], backupType: 'Copy', json: true, policy: 'Required' });
    if (exitCode !== 0 || !report?.snapshotSetId) throw vssError('VSS_E_UNEXPECTED', `the snapshot set of ${o.policy.volume} could not be made (exit ${exitCode}); see the error above`);
    done.push(`made snapshot set ${report.snapshotSetId} of ${o.policy.volume} (${o.policy.context})`);
    say(done.at(-1)!);
  }
  for (const d of o.plan.deletes) {
    await deleteSets({ snapshotSetId: [d.snapshotSetId], force: false });
    done.push(`deleted snapshot set ${d.snapshotSetId} (${d.rule}): it ${d.why}`);
    say(done.at(-1)!);
  }
  const after = await observe(instance);
  return { state: state(asObject(instance), after), diff: o.plan.outOfState, done };
}

/** export: one instance per volume that has persistent sets, per context, as DSC's export lists them. */
export async function exportRetention(): Promise<RetentionState[]> {
  const sets = (await listSets()).filter((s) => (PersistentContexts as readonly string[]).includes(s.context) && s.snapshots.length > 0);
  const seen = new Map<string, RetentionState>();
  for (const set of sets.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))) {
    const volumes = [...new Set(set.snapshots.map((x) => x.volume))];
    if (volumes.length !== 1) continue; // a set of several volumes belongs to none of them alone
    const key = `${volumes[0]}|${set.context}`;
    const entry = seen.get(key) ?? { volume: volumes[0]!, ensure: 'Present', context: set.context, orphaned: false, snapshotSets: [] };
    entry.snapshotSets.push({ snapshotSetId: set.snapshotSetId, createdAt: set.createdAt, expiresAt: set.expiresAt });
    seen.set(key, entry);
  }
  return [...seen.values()];
}

/** The instance DSC writes to stdin (compact JSON); an empty stdin is an instance with no properties. */
async function readInstance(): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw vssError('E_INVALIDARG', `stdin is not a JSON instance of VssSession/SnapshotRetention (${(e as Error).message}); DSC sends one such as {"volume":"D:\\\\","keepLast":7}`);
  }
}

/**
 * `vss-session dsc <operation>`, as the manifest's commands are called: stdout carries JSON Lines only (get: the
 * state; test and set: the state, then the array of properties out of state or changed, as `return: stateAndDiff`
 * has it; export: one instance a line), stderr carries DSC's trace lines ({"info": ...}, {"error": ...}).
 * Exit codes are the executable's (0 success, 1 a VSS failure, 2 a bad instance, 3 no emulated service), each
 * described in the manifest's exitCodes.
 */
export async function runDsc(operation: 'get' | 'set' | 'test' | 'export'): Promise<void> {
  try {
    await dscOperation(operation);
  } catch (e) {
    if (!(e instanceof VssError)) throw e;
    trace('error', `${e.vssName} (${e.hresult}): ${e.message}`);
    process.exit(e.vssName === 'E_INVALIDARG' ? ExitCode.usage : ExitCode.vssError);
  }
}

const line = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const trace = (level: 'info' | 'error', message: string): void => void process.stderr.write(`${JSON.stringify({ [level]: message })}\n`);

async function dscOperation(operation: 'get' | 'set' | 'test' | 'export'): Promise<void> {
  if (operation === 'export') {
    for (const instance of await exportRetention()) line(instance);
    return;
  }
  const instance = await readInstance();
  if (operation === 'get') return line(await getRetention(instance));
  if (operation === 'test') {
    const { state: actual, diff, reasons } = await testRetention(instance);
    for (const r of reasons) trace('info', r);
    line(actual);
    return line(diff);
  }
  const { state: after, diff } = await setRetention(instance, (done) => trace('info', done));
  line(after);
  line(diff);
}
