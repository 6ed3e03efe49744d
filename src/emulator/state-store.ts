// The emulated provider's saved state: the snapshots it holds, each change made durable before it is answered, read
// back whole (or as whole as a damaged disk allows) at start, and the only folders it may ever delete, proven its own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmulatorPaths, isOutOfSpace, writeFileAtomically } from '../paths';
import { Attr } from '../vss';
import { AppendLog, readSavedSnapshots } from './durable';
import { fault } from './fault';
import { SnapshotRecord } from './model';
import { removeTree } from './snapshot-store';

export class StateStore {
  /** Every snapshot the provider holds, persistent and auto-release, as its saved state has them. */
  snapshots: SnapshotRecord[] = [];

  constructor(private readonly paths: EmulatorPaths) {
    this.stateLog = new AppendLog(paths.stateLog, true);
  }

  /**
   * What was made durable (readSavedSnapshots). Auto-release snapshots never outlive their component object; none
   * survives a restart of the service. The result is written whole again and the log starts afresh. Damage never
   * stops a start: every readable record is kept, the damaged files are kept beside the state for inspection, each
   * damaged part is named in emulator.log, and no snapshot folder is deleted on that start (sweepOrphans).
   */
  load(): void {
    const { snapshots, damage } = readSavedSnapshots(this.paths);
    this.damage = damage;
    if (damage.length > 0) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      for (const file of [this.paths.state, this.paths.stateLog]) {
        if (fs.existsSync(file)) fs.copyFileSync(file, `${file}.damaged-${stamp}`);
      }
      process.stderr.write(
        `the emulated VSS service's saved state is damaged; it keeps every snapshot it could read (${snapshots.length}) and drops only these parts:\n` +
          damage.map((d) => `  ${d}\n`).join('') +
          `  the damaged files are kept as ${path.basename(this.paths.state)}.damaged-${stamp} and ${path.basename(this.paths.stateLog)}.damaged-${stamp}; no snapshot folder is deleted\n`,
      );
    }
    // Folders of the dropped auto-release snapshots are swept with the other orphans.
    this.snapshots = snapshots.filter((snapshot) => snapshot.attributes & Attr.Persistent).map((snapshot) => this.adopt(snapshot));
    try {
      this.compactState();
    } catch (e) {
      // The state file and its change log are whole as they are (the new state replaces them only once written),
      // and what is dropped above is dropped again at the next start. A full disk must not keep the service
      // from serving what needs no space: lists, and the writers' events, which are journaled once there is room.
      if (!isOutOfSpace(e)) throw e;
      process.stderr.write(`the disk under ${this.paths.home} is full: the saved state is read, and is compacted at a later start\n`);
    }
  }

  /** What readSavedSnapshots could not read, on this start. */
  damage: string[] = [];

  /**
   * A saved record whose folder is not in this service's snapshots folder: the state was copied from another
   * VSS_SESSION_HOME (with its snapshots folder), or edited. Where this home holds the snapshot's own folder, the
   * record is moved onto it; otherwise it keeps the path it names, which the service never deletes (ownFolder).
   */
  private adopt(snapshot: SnapshotRecord): SnapshotRecord {
    const own = path.join(this.paths.snapshots, snapshot.snapshotId);
    if (path.resolve(snapshot.deviceObject) === own || !fs.existsSync(own)) return snapshot;
    process.stderr.write(`snapshot ${snapshot.snapshotId} was saved at ${snapshot.deviceObject}; this service holds it at ${own} and uses that\n`);
    return { ...snapshot, deviceObject: own };
  }

  /**
   * The snapshot's folder, proven to lie in this service's own snapshots folder, named after the snapshot and not a
   * link: the only folders the service ever deletes, moves or makes writable. Anything else is refused.
   */
  ownFolder(snapshot: SnapshotRecord, doing: string): string {
    const problem = this.ownFolderProblem(snapshot);
    if (problem) throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `could not ${doing} snapshot ${snapshot.snapshotId}: ${problem}`, { nondeleted: snapshot.snapshotId });
    return path.resolve(snapshot.deviceObject);
  }

  ownFolderProblem(snapshot: SnapshotRecord): string | null {
    const folder = path.resolve(snapshot.deviceObject);
    let inside = path.dirname(folder) === path.resolve(this.paths.snapshots) && path.basename(folder) === snapshot.snapshotId;
    try {
      inside &&= fs.realpathSync(path.dirname(folder)) === fs.realpathSync(this.paths.snapshots) && !fs.lstatSync(folder).isSymbolicLink();
    } catch (e) {
      inside &&= (e as NodeJS.ErrnoException).code === 'ENOENT'; // a folder already gone is nothing to remove
    }
    if (inside) return null;
    return `its saved folder ${snapshot.deviceObject} is not this service's own (${path.join(this.paths.snapshots, snapshot.snapshotId)}), as after copying or editing the state folder; nothing was deleted or moved. Put the snapshot's data at that path and retry`;
  }

  private readonly stateLog: AppendLog;

  private stateLogLines = 0;

  /**
   * Makes a change durable before it is answered or acted on: one line appended to the state log and flushed to
   * disk, so a change costs the same with ten snapshots or ten thousand (writing the whole state each time made
   * deleting n sets cost n²). The snapshots a change puts go in one line, so a set is logged whole or not at all.
   * A line that cannot be written whole (a full disk) is cut back off and the change refused: the caller gets
   * VSS_E_INSUFFICIENT_STORAGE and undoes what it did. When the log outgrows the state, the state is written whole
   * again (compactState), which may fail and be tried again later: the log already holds the change.
   */
  persist(put: SnapshotRecord[], remove: string[] = []): void {
    try {
      this.stateLog.append(JSON.stringify({ put, remove }));
    } catch (e) {
      throw isOutOfSpace(e)
        ? fault('VSS_E_INSUFFICIENT_STORAGE', `the emulated provider's disk is full: it could not save the change to its state in ${this.paths.home} (${(e as Error).message}); nothing was changed. Free space there and retry`)
        : fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `the emulated provider could not save the change to its state in ${this.paths.home} (${(e as Error).message}); nothing was changed`);
    }
    if (++this.stateLogLines > Math.max(1000, 2 * this.snapshots.length)) {
      try {
        this.compactState();
      } catch (e) {
        process.stderr.write(`the emulated VSS service could not compact its state (${(e as Error).message}); the change log keeps growing until it can\n`);
      }
    }
  }

  /**
   * The state written whole (temporary file, flushed, renamed over), then the log emptied. A crash in between
   * replays the old log over the new state at the next start, which changes nothing: each line sets or removes
   * snapshots by id, and ids are never reused.
   */
  private compactState(): void {
    writeFileAtomically(this.paths.state, JSON.stringify({ snapshots: this.snapshots }));
    this.stateLog.close();
    fs.rmSync(this.paths.stateLog, { force: true });
    this.stateLogLines = 0;
  }

  /**
   * Removes snapshot folders the saved state does not list: left by a crash between a copy and its save, or by a
   * delete between its save and the folder's removal. After a start that found the state damaged, an unlisted
   * folder may be a snapshot whose record was lost: it is moved to recovered/ instead, and named, never deleted.
   */
  sweepOrphans(): void {
    const kept = new Set(this.snapshots.map((x) => path.basename(x.deviceObject)));
    const recovered = path.join(this.paths.home, 'recovered');
    for (const entry of fs.readdirSync(this.paths.snapshots)) {
      if (kept.has(entry)) continue;
      const folder = path.join(this.paths.snapshots, entry);
      if (this.damage.length === 0 || entry.startsWith('.')) {
        removeTree(folder);
        continue;
      }
      fs.mkdirSync(recovered, { recursive: true, mode: 0o700 });
      fs.renameSync(folder, path.join(recovered, entry));
      process.stderr.write(`  ${folder} is listed by no snapshot the state could read: moved to ${path.join(recovered, entry)}; delete it once you no longer need it\n`);
    }
  }

  close(): void {
    this.stateLog.close();
  }
}
