// VssSession's records of the snapshots it exposes for a process that must undo them (Invoke-VssBackup's mounts).
// VSS keeps an exposure until UnexposeSnapshot, across reboots for persistent snapshots; a runbook killed inside
// Invoke-VssBackup would leave its mount behind for ever. Each such exposure is recorded before ExposeSnapshot,
// with the process that owns it; the next command that touches snapshots finds the ones whose owner died and
// unexposes them. Exposures made without an owner (Mount-VssSnapshot on its own) are the user's, and stay.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Creator, creatorGone, processStartTime } from './records';
import { ensureHome } from './paths';
import { vssError } from './vss-error';
import * as os from 'node:os';

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
    ensureHome(this.home);
    if (!fs.existsSync(this.dir)) fs.mkdirSync(this.dir, { mode: 0o700 });
    if (process.platform !== 'win32') {
      const st = fs.lstatSync(this.dir);
      if (st.isSymbolicLink() || !st.isDirectory()) throw vssError('E_ACCESSDENIED', `the exposures folder ${this.dir} is not a plain directory; remove it (VssSession makes it again)`);
      if (st.uid !== process.getuid?.()) throw vssError('E_ACCESSDENIED', `the exposures folder ${this.dir} belongs to another user; remove it or set VSS_SESSION_HOME to a folder of your own`);
      if (st.mode & 0o077) throw vssError('E_ACCESSDENIED', `the exposures folder ${this.dir} is open to others (mode ${(st.mode & 0o777).toString(8)}); run 'chmod 700 ${this.dir}'`);
    }
    return this.dir;
  }

  private file(snapshotId: string): string {
    if (!GUID.test(snapshotId)) throw vssError('E_INVALIDARG', `a snapshot id must be a lower-case GUID, not ${JSON.stringify(snapshotId)}`);
    return path.join(this.ensureDir(), `${snapshotId}.json`);
  }

  write(record: ExposureRecord): void {
    const target = this.file(record.snapshotId);
    const temp = `${target}.${process.pid}.tmp`;
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(record, null, 2));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
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
