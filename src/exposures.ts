// VssSession's records of the snapshots it exposes for a process that must undo them (Invoke-VssBackup's mounts).
// VSS keeps an exposure until UnexposeSnapshot, across reboots for persistent snapshots; a runbook killed inside
// Invoke-VssBackup would leave its mount behind for ever. Each such exposure is recorded before ExposeSnapshot,
// with the process that owns it; the next command that touches snapshots finds the ones whose owner died and
// unexposes them. Exposures made without an owner (Mount-VssSnapshot on its own) are the user's, and stay.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensurePrivateDir, writeRecordFile } from './paths';
import { Creator, creatorGone, processStartTime } from './records';
import { VssError, vssError } from './vss-error';

export interface ExposureRecord {
  snapshotId: string;
  path: string;
  owner: Creator;
  createdAt: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The process a caller names as an exposure's owner (the PowerShell running Invoke-VssBackup). */
export function ownerProcess(pid: number): Creator {
  if (!Number.isInteger(pid) || pid <= 0) throw vssError('E_INVALIDARG', `ownerPid must be a process id, not ${JSON.stringify(pid)}`);
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry: the user does not decide whether the owner is alive
  }
  return { pid, startTime: processStartTime(pid), hostname: os.hostname(), user };
}

/** One JSON file per exposed snapshot under `<home>/exposures/` (0700 / 0600), written temp + fsync + rename. */
export class ExposureStore {
  readonly dir: string;

  constructor(readonly home: string) {
    this.dir = path.join(home, 'exposures');
  }

  private ensureDir(): string {
    return ensurePrivateDir(this.home, this.dir, 'exposures');
  }

  private file(snapshotId: string): string {
    if (!GUID.test(snapshotId)) throw vssError('E_INVALIDARG', `a snapshot id must be a lower-case GUID, not ${JSON.stringify(snapshotId)}`);
    return path.join(this.ensureDir(), `${snapshotId}.json`);
  }

  write(record: ExposureRecord): void {
    writeRecordFile(this.file(record.snapshotId), JSON.stringify(record, null, 2), 'the record of this exposure (what undoes it if its owner dies)');
  }

  remove(snapshotId: string): void {
    fs.rmSync(this.file(snapshotId), { force: true });
  }

  /** Every readable record; anything else in the folder is left alone and never acted on. */
  list(): ExposureRecord[] {
    if (!fs.existsSync(this.dir)) return [];
    const dir = this.ensureDir();
    const records: ExposureRecord[] = [];
    for (const name of fs.readdirSync(dir)) {
      const id = name.endsWith('.json') ? name.slice(0, -5) : '';
      if (!GUID.test(id)) continue;
      try {
        const r = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as ExposureRecord;
        if (r.snapshotId === id && typeof r.path === 'string' && r.owner && Number.isInteger(r.owner.pid)) records.push(r);
      } catch {
        // removed meanwhile, or unreadable
      }
    }
    return records;
  }

  /** The recorded exposures whose owning process is gone: to be unexposed. */
  abandoned(): ExposureRecord[] {
    return this.list().filter((r) => creatorGone(r.owner));
  }
}

/**
 * Exposures whose owning process died (a runbook killed inside Invoke-VssBackup) are undone by the next command
 * that touches snapshots, from the host or from the executable: UnexposeSnapshot, then the record goes. One already
 * undone is only forgotten; one that cannot be undone now is tried again next time. Costs nothing when none is left.
 */
export async function sweepAbandonedExposures(store: ExposureStore | undefined, unexpose: (snapshotId: string) => Promise<void>): Promise<void> {
  for (const record of store?.abandoned() ?? []) {
    try {
      await unexpose(record.snapshotId);
    } catch (e) {
      if (!(e instanceof VssError && e.vssName === 'VSS_E_OBJECT_NOT_FOUND')) continue;
    }
    store!.remove(record.snapshotId);
  }
}
