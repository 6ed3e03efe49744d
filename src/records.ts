// VssSession's records of the persistent snapshot sets it creates: who made each one, when, and until when it
// is wanted. VSS itself keeps no creator for a snapshot set, so a set whose requester was killed would be left
// for ever; with a record it can be found (an orphan) and deleted, and a set without a record (another tool's)
// is never touched. The records belong to the requester, not to the emulator: on Windows there is no emulator.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensurePrivateDir, writeRecordFile } from './paths';
import type { SnapshotSetHooks } from './requester/lifecycle';
import type { SnapshotSetInfo } from './snapshot-sets';
import { vssError } from './vss-error';

/** The process that created a snapshot set, as far as it can be told apart from a later one with its pid. */
export interface Creator {
  pid: number;
  /** Linux: the process's start time in clock ticks after boot (/proc/<pid>/stat field 22); null elsewhere. */
  startTime: string | null;
  hostname: string;
  user: string;
}

export interface SnapshotSetRecord {
  snapshotSetId: string;
  backupId: string;
  context: string;
  creator: Creator;
  createdAt: string;
  /** When the set is no longer wanted (-ExpiresAfter); null: kept until deleted. */
  expiresAt: string | null;
  /** When its backup was closed by its requester without an abort; null while open, or when it never was. */
  closedAt: string | null;
  volumes: string[];
  /** VSS no longer holds the set, though VssSession did not delete it: kept until a listing has told the user. */
  lost?: LostRecord;
}

/** A set's snapshots deleted for space in their volume's shadow storage, as the provider reported it. */
export interface SpaceDeletion {
  snapshotSetId: string;
  snapshotId: string;
  volume: string;
  /** When the provider deleted it. */
  time: string;
}

/** What became of a set VSS no longer holds: deleted for space (with when and which snapshots), or not known. */
export interface LostRecord {
  noticedAt: string;
  reason: 'DiffAreaFull' | 'Unknown';
  deletions: SpaceDeletion[];
}

/** A lost set as the front ends report it. */
export interface LostSnapshotSetInfo {
  snapshotSetId: string;
  context: string;
  createdAt: string;
  volumes: string[];
  lost: LostRecord;
}

/** Why a recorded set is an orphan: its time is up, or the process that made it died before closing its backup. */
export type OrphanReason = 'Expired' | 'CreatorGone';

/** An orphaned set as the front ends show it: the set, why it is an orphan, and who made it. */
export interface OrphanedSnapshotSetInfo extends SnapshotSetInfo {
  orphanReason: OrphanReason;
  backupId: string;
  creator: Creator;
}

export interface Orphan {
  set: SnapshotSetInfo;
  record: SnapshotSetRecord;
  reason: OrphanReason;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function recordsDir(home: string): string {
  return path.join(home, 'records');
}

/**
 * One JSON file per snapshot set under `<home>/records/` (folder 0700, files 0600). Each file has one writer,
 * the set's creator, while it lives; others only read it or, once it is an orphan or stale, remove it. Every
 * write goes to a temporary file, is flushed and renamed over, so a reader sees the old or the new record.
 */
export class RecordStore {
  readonly dir: string;
  private checked = false;

  constructor(readonly home: string) {
    this.dir = recordsDir(home);
  }

  /**
   * Creates the folder if needed and refuses one others could write to: a record planted there could make
   * `-Orphaned` delete a set VssSession never made.
   */
  private ensureDir(): string {
    if (!this.checked) ensurePrivateDir(this.home, this.dir, 'records');
    this.checked = true;
    return this.dir;
  }

  private file(snapshotSetId: string): string {
    if (!GUID.test(snapshotSetId)) throw vssError('E_INVALIDARG', `a snapshot set id must be a lower-case GUID, not ${JSON.stringify(snapshotSetId)}`);
    return path.join(this.ensureDir(), `${snapshotSetId}.json`);
  }

  write(record: SnapshotSetRecord): void {
    writeRecordFile(this.file(record.snapshotSetId), JSON.stringify(record, null, 2), 'the record of this snapshot set (what lets an orphaned set be found and deleted)');
  }

  read(snapshotSetId: string): SnapshotSetRecord | null {
    try {
      return parseRecord(fs.readFileSync(this.file(snapshotSetId), 'utf8'), snapshotSetId);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  update(snapshotSetId: string, change: Partial<Omit<SnapshotSetRecord, 'snapshotSetId'>>): SnapshotSetRecord | null {
    const record = this.read(snapshotSetId);
    if (!record) return null;
    const updated = { ...record, ...change };
    this.write(updated);
    return updated;
  }

  remove(snapshotSetId: string): void {
    fs.rmSync(this.file(snapshotSetId), { force: true });
  }

  /** Every readable record. A file that is not a record is skipped: nothing is ever deleted on its word. */
  list(): SnapshotSetRecord[] {
    const dir = this.ensureDir();
    const records: SnapshotSetRecord[] = [];
    for (const name of fs.readdirSync(dir)) {
      const id = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
      if (!GUID.test(id)) continue;
      try {
        const record = parseRecord(fs.readFileSync(path.join(dir, name), 'utf8'), id);
        if (record) records.push(record);
      } catch {
        // removed meanwhile, or unreadable
      }
    }
    return records;
  }
}

function parseRecord(text: string, snapshotSetId: string): SnapshotSetRecord | null {
  let r: SnapshotSetRecord;
  try {
    r = JSON.parse(text) as SnapshotSetRecord;
  } catch {
    return null;
  }
  const valid =
    typeof r === 'object' && r !== null && r.snapshotSetId === snapshotSetId && typeof r.backupId === 'string' &&
    typeof r.creator === 'object' && r.creator !== null && Number.isInteger(r.creator.pid) && typeof r.creator.hostname === 'string' &&
    (r.expiresAt === null || !Number.isNaN(Date.parse(r.expiresAt))) && (r.closedAt === null || typeof r.closedAt === 'string') && Array.isArray(r.volumes);
  return valid ? r : null;
}

/** Linux: the start time of a process (/proc/<pid>/stat field 22), null when it cannot be read or has died. */
export function processStartTime(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command name, is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null; // field 3: a zombie has died already
    return fields[22 - 3] ?? null;
  } catch {
    return null;
  }
}

export function currentCreator(): Creator {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? String(process.getuid?.() ?? 'unknown');
  }
  return { pid: process.pid, startTime: processStartTime(process.pid), hostname: os.hostname(), user };
}

/**
 * Whether the creating process is known to be gone: no process with its pid, a dead one, or (where start times
 * can be read) a later process that got the same pid. A creator on another machine cannot be checked, so it is
 * never taken for gone.
 */
export function creatorGone(creator: Creator): boolean {
  if (creator.hostname !== os.hostname()) return false;
  try {
    process.kill(creator.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
    // EPERM: the pid is someone's we may not signal (on Windows, also our own elevated process): not known gone.
  }
  if (process.platform === 'linux') {
    const now = processStartTime(creator.pid);
    if (now === null) return true;
    if (creator.startTime !== null && now !== creator.startTime) return true;
  }
  return false;
}

export function isExpired(record: SnapshotSetRecord, now: Date): boolean {
  return record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime();
}

/** Each set VSS holds, with its record's expiry where VssSession recorded it. */
export function withRecords(store: RecordStore, sets: SnapshotSetInfo[]): SnapshotSetInfo[] {
  const records = new Map(store.list().map((r) => [r.snapshotSetId, r]));
  return sets.map((s) => ({ ...s, expiresAt: records.get(s.snapshotSetId)?.expiresAt ?? s.expiresAt }));
}

/**
 * The orphans among the sets VSS holds: a set VssSession recorded that still exists and whose time is up, or
 * whose creating process is gone without having closed its backup. Records of sets that no longer exist are
 * removed on the way, unless their creator may still be making the set. A set without a record is never one.
 */
export function findOrphans(store: RecordStore, sets: SnapshotSetInfo[], now = new Date(), deletions: SpaceDeletion[] = []): Orphan[] {
  const existing = new Map(sets.map((s) => [s.snapshotSetId, s]));
  const orphans: Orphan[] = [];
  for (const record of store.list()) {
    const set = existing.get(record.snapshotSetId);
    const gone = creatorGone(record.creator);
    if (!set) {
      // Between StartSnapshotSet and DoSnapshotSet a live creator's set is not there yet: its record stays. A set
      // VssSession deletes loses its record with it, so one missing otherwise went outside VssSession: the record is
      // kept, saying so, until a listing has told the user (takeLostSets).
      if ((record.closedAt !== null || gone) && !record.lost) markLost(store, record, deletions, now);
      continue;
    }
    const reason: OrphanReason | null = isExpired(record, now) ? 'Expired' : gone && record.closedAt === null ? 'CreatorGone' : null;
    if (reason) orphans.push({ set: { ...set, expiresAt: record.expiresAt }, record, reason });
  }
  return orphans;
}

function markLost(store: RecordStore, record: SnapshotSetRecord, deletions: SpaceDeletion[], now: Date): void {
  const mine = deletions.filter((d) => d.snapshotSetId === record.snapshotSetId);
  store.update(record.snapshotSetId, { lost: { noticedAt: now.toISOString(), reason: mine.length > 0 ? 'DiffAreaFull' : 'Unknown', deletions: mine } });
}

/**
 * The sets VssSession made that VSS no longer holds though VssSession did not delete them (VSS deletes the oldest
 * shadow copies of a volume whose shadow storage is full), each reported once: their records go as they are returned.
 */
export function takeLostSets(store: RecordStore, sets: SnapshotSetInfo[], deletions: SpaceDeletion[], now = new Date()): LostSnapshotSetInfo[] {
  findOrphans(store, sets, now, deletions);
  const lost: LostSnapshotSetInfo[] = [];
  for (const record of store.list()) {
    if (!record.lost) continue;
    // A deletion the provider reported after the set was first missed still says why.
    const mine = deletions.filter((d) => d.snapshotSetId === record.snapshotSetId);
    const known = record.lost.reason === 'Unknown' && mine.length > 0 ? { ...record.lost, reason: 'DiffAreaFull' as const, deletions: mine } : record.lost;
    lost.push({ snapshotSetId: record.snapshotSetId, context: record.context, createdAt: record.createdAt, volumes: record.volumes, lost: known });
    store.remove(record.snapshotSetId);
  }
  return lost;
}

/** An orphan as the host and the CLI report it: the set, why it is an orphan, and who made it. */
export function orphanInfo(orphan: Orphan): OrphanedSnapshotSetInfo {
  return { ...orphan.set, orphanReason: orphan.reason, backupId: orphan.record.backupId, creator: orphan.record.creator };
}

/** What deletes a snapshot set: the AdminComponent (DeleteSnapshots in context All, so no writer event). */
export interface SnapshotSetDeleter {
  deleteSnapshots(sourceId: string, sourceType: 'SnapshotSet', force: boolean): Promise<{ deleted: number }>;
}

/**
 * Deletes one orphan (DeleteSnapshots), after checking again that it is one: a set VssSession did not record,
 * or one that is not an orphan, is refused with VSS_E_OBJECT_NOT_FOUND. Its record goes with it.
 */
export async function deleteOrphan(store: RecordStore, sets: SnapshotSetInfo[], admin: SnapshotSetDeleter, snapshotSetId: string, force: boolean): Promise<{ deleted: number; orphan: Orphan }> {
  const orphan = findOrphans(store, sets).find((o) => o.set.snapshotSetId === snapshotSetId);
  if (!orphan) {
    throw vssError('VSS_E_OBJECT_NOT_FOUND', `snapshot set ${snapshotSetId} is not an orphan VssSession recorded (its creator is alive or closed it and it has not expired, or VssSession did not create it); list the orphans with Get-VssSnapshotSet -Orphaned`, { snapshotSetId });
  }
  const { deleted } = await admin.deleteSnapshots(snapshotSetId, 'SnapshotSet', force);
  store.remove(snapshotSetId);
  return { deleted, orphan };
}

/**
 * A volume as a record keeps it: absolute, links resolved where it exists (a record outlives the working folder and
 * the links it was named through, and is matched against the volumes VSS reports), a bare drive as its root.
 */
export function recordedVolume(volume: string): string {
  const named = process.platform === 'win32' && /^[A-Za-z]:$/.test(volume) ? `${volume}\\` : volume;
  const absolute = path.resolve(named);
  try {
    return fs.realpathSync.native(absolute);
  } catch {
    return absolute;
  }
}

/**
 * Keeps the record of one backup's persistent snapshot set: written as soon as StartSnapshotSet returns its id,
 * before anything is frozen, so that even a requester killed inside DoSnapshotSet leaves its set findable;
 * removed when the set is given up unmade; marked closed when the backup is closed without an abort.
 */
export class SnapshotSetRecorder {
  private snapshotSetId: string | null = null;
  private next: { volumes: string[]; expiresAfterMs: number | null } = { volumes: [], expiresAfterMs: null };

  constructor(
    private readonly store: RecordStore,
    private readonly backupId: string,
    private readonly context: string,
  ) {}

  /** What the next snapshot set is recorded with: the volumes about to be added and its lifetime. */
  expect(volumes: string[], expiresAfterMs: number | null): void {
    this.next = { volumes: volumes.map(recordedVolume), expiresAfterMs };
  }

  readonly hooks: SnapshotSetHooks = {
    started: (snapshotSetId) => {
      const createdAt = new Date();
      this.store.write({
        snapshotSetId,
        backupId: this.backupId,
        context: this.context,
        creator: currentCreator(),
        createdAt: createdAt.toISOString(),
        expiresAt: this.next.expiresAfterMs === null ? null : new Date(createdAt.getTime() + this.next.expiresAfterMs).toISOString(),
        closedAt: null,
        volumes: this.next.volumes,
      });
      this.snapshotSetId = snapshotSetId;
    },
    notCreated: (snapshotSetId) => {
      this.store.remove(snapshotSetId);
      if (this.snapshotSetId === snapshotSetId) this.snapshotSetId = null;
    },
    // A lifetime counts from the set's creation, as the user sees it (CreatedAt), not from StartSnapshotSet: the
    // writers' freeze in between may take seconds.
    created: (snapshotSetId, createdAt) => {
      const created = Date.parse(createdAt);
      if (this.snapshotSetId !== snapshotSetId || Number.isNaN(created)) return;
      const { expiresAfterMs } = this.next;
      this.store.update(snapshotSetId, { createdAt: new Date(created).toISOString(), expiresAt: expiresAfterMs === null ? null : new Date(created + expiresAfterMs).toISOString() });
    },
  };

  /** A volume added one call at a time (snapshotSet/add), kept in the record. */
  volumeAdded(volume: string): void {
    if (!this.snapshotSetId) return;
    const record = this.store.read(this.snapshotSetId);
    const recorded = recordedVolume(volume);
    if (record && !record.volumes.includes(recorded)) this.store.update(this.snapshotSetId, { volumes: [...record.volumes, recorded] });
  }

  get expiresAt(): string | null {
    return this.snapshotSetId ? (this.store.read(this.snapshotSetId)?.expiresAt ?? null) : null;
  }

  /** The backup was closed by its requester and not aborted: its set is kept on purpose, not left behind. */
  closed(): void {
    if (this.snapshotSetId) this.store.update(this.snapshotSetId, { closedAt: new Date().toISOString() });
  }

  /** closed(), as a backup ends: a record that cannot be marked is said on stderr and never fails the close. */
  closedAsItEnds(): void {
    try {
      this.closed();
    } catch (e) {
      process.stderr.write(`vss-session: the backup was closed, but its snapshot set's record could not be marked closed (${(e as Error).message}); the set will be listed as orphaned\n`);
    }
  }
}
