// What the emulated service keeps on disk, written so that a full disk, a crash or a hand edit never costs more than
// the one change it interrupted: lines appended whole or not at all, and a reader that recovers every record it can
// and names what it dropped instead of refusing to start.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmulatorPaths } from '../paths';
import { SnapshotRecord } from './model';

/**
 * A file of lines, each appended whole or not at all. A write that fails (ENOSPC, EIO) or comes up short is cut
 * back off at once, so the next line never lands on a torn one; should even that fail (the descriptor is then
 * dropped), the next append starts on a fresh line, so at most the torn line itself is unreadable.
 */
export class AppendLog {
  private fd: number | null = null;

  constructor(
    private readonly file: string,
    /** fsync after each line: for records a reply depends on. */
    private readonly durable: boolean,
  ) {}

  append(line: string): void {
    this.fd ??= fs.openSync(this.file, 'a+', 0o600);
    const fd = this.fd;
    const size = fs.fstatSync(fd).size;
    const data = Buffer.from(`${size > 0 && !endsWithNewline(fd, size) ? '\n' : ''}${line}\n`);
    try {
      // Opened for appending: every write goes to the end, whatever position is given.
      for (let written = 0; written < data.length; ) written += fs.writeSync(fd, data, written, data.length - written);
      if (this.durable) fs.fsyncSync(fd);
    } catch (e) {
      try {
        fs.ftruncateSync(fd, size);
      } catch {
        this.close();
      }
      throw e;
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // nothing left to flush: every append was written (and synced) or cut back
    }
    this.fd = null;
  }
}

function endsWithNewline(fd: number, size: number): boolean {
  const last = Buffer.alloc(1);
  return fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
}


/** The snapshots a saved state holds, and what could not be read of it, each named with where it was. */
export interface SavedState {
  snapshots: SnapshotRecord[];
  /** Damage found: an unreadable state file, a change log line that is not JSON or not a change, a record without
   * its id, set or folder. A torn last line of the change log is not damage: it is the change a crash interrupted,
   * which was never answered. */
  damage: string[];
}

function isRecord(x: unknown): x is SnapshotRecord {
  const r = x as Partial<SnapshotRecord> | null;
  return !!r && typeof r === 'object' && typeof r.snapshotId === 'string' && typeof r.snapshotSetId === 'string' && typeof r.deviceObject === 'string' && typeof r.attributes === 'number';
}

/**
 * The snapshots the emulated service has made durable: its state file, then the changes logged since. Every
 * readable record is kept; an unreadable part is skipped and named, never a reason to give up the rest.
 */
export function readSavedSnapshots(paths: EmulatorPaths): SavedState {
  const damage: string[] = [];
  const byId = new Map<string, SnapshotRecord>();
  const take = (records: unknown, where: string) => {
    if (!Array.isArray(records)) return void damage.push(`${where}: not a list of snapshots`);
    records.forEach((r, i) => (isRecord(r) ? byId.set(r.snapshotId, r) : damage.push(`${where}: snapshot ${i + 1} lacks its id, set, folder or attributes`)));
  };
  if (fs.existsSync(paths.state)) {
    try {
      const saved = JSON.parse(fs.readFileSync(paths.state, 'utf8')) as { snapshots?: unknown };
      take(saved.snapshots, path.basename(paths.state));
    } catch (e) {
      damage.push(`${path.basename(paths.state)}: ${(e as Error).message}`);
    }
  }
  if (fs.existsSync(paths.stateLog)) {
    const lines = fs.readFileSync(paths.stateLog, 'utf8').split('\n');
    const last = lines.length - 1 - [...lines].reverse().findIndex((l) => l.trim() !== '');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${path.basename(paths.stateLog)} line ${i + 1}`;
      let change: { put?: unknown; remove?: unknown };
      try {
        change = JSON.parse(line) as typeof change;
      } catch (e) {
        if (i !== last) damage.push(`${where}: ${(e as Error).message}`);
        return;
      }
      if (!change || typeof change !== 'object' || Array.isArray(change)) return void damage.push(`${where}: not a change (put and remove)`);
      take(change.put ?? [], where);
      if (!Array.isArray(change.remove ?? [])) return void damage.push(`${where}: "remove" is not a list of ids`);
      for (const id of (change.remove as unknown[] | undefined) ?? []) if (typeof id === 'string') byId.delete(id);
    });
  }
  return { snapshots: [...byId.values()], damage };
}

/** A configuration file (writers.json, provider.json) is at most this large: it describes a handful of writers. */
export const MaxConfigBytes = 1 << 20;

/**
 * A configuration file's text, read without ever blocking the service: it is opened without waiting (a FIFO named
 * like the file would otherwise hold every client until something wrote to it) and must be a regular file of at most
 * MaxConfigBytes. Throws an Error saying what is wrong with it.
 */
export function readConfigFile(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file} is not a regular file (a FIFO, device or folder); it must be a JSON file`);
    if (stat.size > MaxConfigBytes) throw new Error(`${file} is ${stat.size} bytes; a configuration file holds at most ${MaxConfigBytes}`);
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}
