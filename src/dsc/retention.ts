// Snapshot retention, the rules behind both DSC front doors: the class-based resource VssSnapshotRetention (the
// module) and the DSC v3 command resource VssSession/SnapshotRetention (`vss-session dsc`). One volume, one
// persistent context; a set is "of the volume" when every snapshot in it is of that volume (a set that spans other
// volumes too is never deleted on this volume's account). The rules are a pure plan over the sets VSS lists, so
// that Test never changes anything and Set does exactly what Test found out of state.
import type { SnapshotSetInfo } from '../snapshot-sets';
import { PersistentContexts } from '../vss';
import { vssError } from '../vss-error';

/** A retention instance as DSC v3 writes it (camelCase JSON); the class-based resource sends the same. */
export interface RetentionInstance {
  volume: string;
  ensure?: 'Present' | 'Absent';
  keepLast?: number | null;
  olderThan?: string | null;
  maxAge?: string | null;
  context?: string;
  orphaned?: boolean;
}

/** The instance checked, with its defaults and its durations in milliseconds. */
export interface RetentionPolicy {
  volume: string;
  ensure: 'Present' | 'Absent';
  keepLast: number | null;
  olderThanMs: number | null;
  maxAgeMs: number | null;
  context: string;
  orphaned: boolean;
}

export type RetentionRule = 'ensure' | 'maxAge' | 'keepLast' | 'olderThan' | 'orphaned';

export interface RetentionPlan {
  /** Ensure Present and no set of the volume young enough (maxAge): Set makes one. */
  create: boolean;
  /** The sets Set deletes (DeleteSnapshots, as Remove-VssSnapshotSet does), each with the rule that wants it gone. */
  deletes: { snapshotSetId: string; createdAt: string; rule: RetentionRule; why: string }[];
  /** The instance's properties out of state, for DSC v3's diff and the class resource's verbose Test. */
  outOfState: RetentionRule[];
  /** One line per rule out of state, saying what Set would do. */
  reasons: string[];
}

const Properties = ['volume', 'ensure', 'keepLast', 'olderThan', 'maxAge', 'context', 'orphaned'];
const DurationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration as the CLI takes it (`3600` seconds, `30m`, `2h`, `7d`) or as .NET writes a TimeSpan
 * (`[-][d.]hh:mm:ss[.fffffff]`, what PowerShell's [TimeSpan] becomes in the class resource); in milliseconds.
 */
export function parseRetentionDuration(text: string, property: string): number {
  const trimmed = text.trim();
  let ms = NaN;
  const short = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(trimmed);
  const span = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(trimmed);
  if (short) ms = Number(short[1]) * DurationUnits[short[2] ?? 's']!;
  else if (span) {
    const [, days, hours, minutes, seconds, fraction] = span;
    ms = Number(days ?? 0) * DurationUnits.d! + Number(hours) * DurationUnits.h! + Number(minutes) * DurationUnits.m! + Number(seconds) * 1000 + Number(`0.${fraction ?? 0}`) * 1000;
  }
  if (!(ms > 0)) throw vssError('E_INVALIDARG', `${property} takes a duration such as 7d, 12h, 30m, 3600 (seconds) or 7.00:00:00 (a TimeSpan), more than zero, not ${JSON.stringify(text)}`);
  return Math.round(ms);
}

/** Checks an instance and fills in its defaults; what is wrong is said with the property's name and the fix. */
export function retentionPolicy(input: unknown): RetentionPolicy {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw vssError('E_INVALIDARG', 'a snapshot retention instance is a JSON object such as {"volume":"D:\\\\","keepLast":7}');
  const i = input as Record<string, unknown>;
  const unknown = Object.keys(i).filter((k) => !Properties.includes(k) && !k.startsWith('_'));
  if (unknown.length > 0) throw vssError('E_INVALIDARG', `unknown propert${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((k) => JSON.stringify(k)).join(', ')}; a snapshot retention instance has ${Properties.join(', ')}`);
  if (typeof i.volume !== 'string' || i.volume.trim() === '') throw vssError('E_INVALIDARG', 'volume is required: the volume (or, on the emulator, the directory) whose snapshot sets are kept');
  const ensure = i.ensure ?? 'Present';
  if (ensure !== 'Present' && ensure !== 'Absent') throw vssError('E_INVALIDARG', `ensure is Present or Absent, not ${JSON.stringify(i.ensure)}`);
  const context = i.context ?? 'ClientAccessible';
  if (typeof context !== 'string' || !(PersistentContexts as readonly string[]).includes(context)) {
    throw vssError('E_INVALIDARG', `context ${JSON.stringify(context)} does not keep snapshot sets: retention manages persistent sets, made in ${PersistentContexts.join(', ')} (a Backup or FileShareBackup set ends with its backup)`);
  }
  let keepLast: number | null = null;
  if (i.keepLast !== undefined && i.keepLast !== null) {
    if (typeof i.keepLast !== 'number' || !Number.isInteger(i.keepLast) || i.keepLast < 0) throw vssError('E_INVALIDARG', `keepLast is a whole number of snapshot sets, 0 or more, not ${JSON.stringify(i.keepLast)}`);
    if (i.keepLast === 0 && ensure === 'Present') throw vssError('E_INVALIDARG', 'keepLast 0 keeps no set, and ensure Present wants one: use ensure Absent to have none');
    keepLast = i.keepLast;
  }
  const duration = (name: 'olderThan' | 'maxAge'): number | null => {
    const value = i[name];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') throw vssError('E_INVALIDARG', `${name} is a duration written as text, such as "7d" or "7.00:00:00", not ${JSON.stringify(value)}`);
    return parseRetentionDuration(value, name);
  };
  if (i.orphaned !== undefined && typeof i.orphaned !== 'boolean') throw vssError('E_INVALIDARG', `orphaned is true or false, not ${JSON.stringify(i.orphaned)}`);
  return { volume: i.volume, ensure, keepLast, olderThanMs: duration('olderThan'), maxAgeMs: duration('maxAge'), context, orphaned: i.orphaned === true };
}

const age = (set: SnapshotSetInfo, now: Date) => now.getTime() - Date.parse(set.createdAt);
const hours = (ms: number) => (ms >= DurationUnits.d! ? `${+(ms / DurationUnits.d!).toFixed(2)} d` : ms >= DurationUnits.h! ? `${+(ms / DurationUnits.h!).toFixed(2)} h` : `${Math.round(ms / 1000)} s`);

/**
 * What Set would do. `sets` are the sets of the policy's volume in its context; `orphaned` the ids among them that
 * VssSession's records call orphaned. A set Set makes counts as the newest for keepLast, so a second Set is idle.
 */
export function planRetention(policy: RetentionPolicy, sets: SnapshotSetInfo[], orphaned: ReadonlySet<string>, now = new Date()): RetentionPlan {
  const newestFirst = [...sets].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const deletes = new Map<string, RetentionPlan['deletes'][number]>();
  const reasons: string[] = [];
  const outOfState = new Set<RetentionRule>();
  const drop = (set: SnapshotSetInfo, rule: RetentionRule, why: string) => {
    if (deletes.has(set.snapshotSetId)) return;
    deletes.set(set.snapshotSetId, { snapshotSetId: set.snapshotSetId, createdAt: set.createdAt, rule, why });
    outOfState.add(rule);
    reasons.push(`${rule}: snapshot set ${set.snapshotSetId} (made ${set.createdAt}) ${why}`);
  };
  if (policy.orphaned) {
    for (const set of newestFirst) if (orphaned.has(set.snapshotSetId)) drop(set, 'orphaned', 'is orphaned (expired, or its creator died without closing its backup)');
  }
  let create = false;
  if (policy.ensure === 'Absent') {
    for (const set of newestFirst) drop(set, 'ensure', 'is deleted: ensure Absent wants no set of this volume');
  } else {
    if (policy.olderThanMs !== null) {
      for (const set of newestFirst) if (age(set, now) > policy.olderThanMs) drop(set, 'olderThan', `is ${hours(age(set, now))} old, more than olderThan ${hours(policy.olderThanMs)}`);
    }
    // What the other rules keep decides whether a set must be made, and a set made counts as the newest.
    const remaining = newestFirst.filter((s) => !deletes.has(s.snapshotSetId));
    const fresh = remaining.filter((s) => policy.maxAgeMs === null || age(s, now) <= policy.maxAgeMs);
    if (fresh.length === 0) {
      create = true;
      const rule: RetentionRule = policy.maxAgeMs !== null && remaining.length > 0 ? 'maxAge' : 'ensure';
      outOfState.add(rule);
      reasons.push(
        rule === 'ensure'
          ? `ensure: no ${policy.context} snapshot set of ${policy.volume} would be left; Set makes one`
          : `maxAge: the newest snapshot set of ${policy.volume} is ${hours(age(remaining[0]!, now))} old, more than maxAge ${hours(policy.maxAgeMs!)}; Set makes a new one`,
      );
    }
    if (policy.keepLast !== null) {
      for (const set of remaining.slice(Math.max(policy.keepLast - (create ? 1 : 0), 0))) drop(set, 'keepLast', `is beyond the newest ${policy.keepLast} (keepLast)`);
    }
  }
  return { create, deletes: [...deletes.values()], outOfState: [...outOfState], reasons };
}

/** The sets of one volume (every snapshot in them is of it) made in one context. */
export function setsOfVolume(sets: SnapshotSetInfo[], volume: string, context: string): SnapshotSetInfo[] {
  const same = (a: string, b: string) => (process.platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b);
  return sets.filter((s) => s.context === context && s.snapshots.length > 0 && s.snapshots.every((x) => same(x.volume, volume)));
}
