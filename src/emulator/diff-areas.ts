// The emulated provider's shadow storage ("diff areas"): per original volume, the volume its copies are kept on and
// how much they may take, as the Microsoft software provider keeps them and IVssDifferentialSoftwareSnapshotMgmt
// manages them (vssadmin list|add|resize|delete shadowstorage). Each snapshot holds the bytes of its copy. When a new
// snapshot would take its volume's storage past the maximum, the oldest snapshots of that volume are deleted first,
// as volsnap does ("The oldest shadow copy of volume C: was deleted to keep disk space usage below the user-defined
// limit"; MS-SCMP 3.1.4.4.3: the server "MAY automatically delete shadow copies ... that reclaims space for newer shadow
// copies"); lowering the maximum below what is used deletes the oldest at once ("Resizing the storage association may
// cause shadow copies to disappear", vssadmin resize shadowstorage). The rules of the IVssDifferentialSoftwareSnapshotMgmt
// pages: a maximum of at least 320 MB or -1 (no limit); 0 deletes the association; an association is added only to a
// volume without one and without shadow copies; the one VSS makes at a volume's first shadow copy is implicit and goes
// when its last shadow copy does, while ChangeDiffAreaMaximumSize makes it explicit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeRecordFile } from '../paths';
import { readConfigFile } from './durable';
import { fault } from './fault';
import { SnapshotRecord } from './model';

/** One association: the original volume and the volume its shadow storage is on. maxSpace -1: no limit. */
export interface DiffArea {
  volume: string;
  diffAreaVolume: string;
  maxSpace: number;
  /** Made by the provider at the volume's first shadow copy, not by a user: it goes with the last of them. */
  implicit?: boolean;
}

/** An association with what its snapshots take (VSS_DIFF_AREA_PROP). */
export interface DiffAreaUse extends DiffArea {
  usedSpace: number;
  allocatedSpace: number;
}

/** "This value must be at least 320 MB" (IVssDifferentialSoftwareSnapshotMgmt::AddDiffArea). */
export const DocumentedMinimumDiffSpace = 320 * 1024 * 1024;

/** The bytes a copy holds: every file's size, links not followed. */
export function treeBytes(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) total += fs.lstatSync(full).size;
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return total;
}

const same = (a: string, b: string) => path.resolve(a) === path.resolve(b);

/** The associations, kept in `$VSS_SESSION_HOME/shadowstorage.json`; written whole, through a renamed temporary file. */
export class DiffAreas {
  constructor(
    private readonly file: string,
    /** provider.json's minDiffSpace, else the documented 320 MB: the least maximum an association may have. */
    private readonly minimum: () => number,
  ) {}

  list(): DiffArea[] {
    if (!fs.existsSync(this.file)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(readConfigFile(this.file));
    } catch (e) {
      throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `${this.file}: ${(e as Error).message}; fix it or delete it (every volume then gets its default shadow storage)`);
    }
    const ok = (a: unknown): a is DiffArea => {
      const x = a as Partial<DiffArea> | null;
      return !!x && typeof x.volume === 'string' && typeof x.diffAreaVolume === 'string' && typeof x.maxSpace === 'number' && Number.isSafeInteger(x.maxSpace) && x.maxSpace >= -1 && (x.implicit === undefined || typeof x.implicit === 'boolean');
    };
    if (!Array.isArray(parsed) || !parsed.every(ok)) throw fault('VSS_E_UNEXPECTED_PROVIDER_ERROR', `${this.file}: must be a list of { "volume", "diffAreaVolume", "maxSpace" }; fix it or delete it`);
    return parsed;
  }

  private save(areas: DiffArea[]): void {
    writeRecordFile(this.file, `${JSON.stringify(areas, null, 2)}\n`, 'the shadow storage settings');
  }

  private checkSize(maxSpace: number, method: string): void {
    if (!Number.isSafeInteger(maxSpace) || (maxSpace !== -1 && maxSpace < this.minimum())) {
      throw fault('E_INVALIDARG', `${method}: the maximum is ${maxSpace} bytes; it must be at least ${this.minimum()} bytes, or -1 for no limit`);
    }
  }

  private checkVolume(volume: string, what: string, method: string): void {
    if (!fs.existsSync(volume) || !fs.statSync(volume).isDirectory()) throw fault('VSS_E_OBJECT_NOT_FOUND', `${method}: the ${what} ${volume} does not exist (on the emulator a volume is a folder)`);
  }

  /** The association of a volume, if one was made. */
  find(volume: string): DiffArea | undefined {
    return this.list().find((a) => same(a.volume, volume));
  }

  /** The association VSS makes at a volume's first shadow copy, when the volume has none. */
  adopt(area: DiffArea): void {
    this.save([...this.list(), { ...area, implicit: true }]);
  }

  /** AddDiffArea: only for a volume without an association and without shadow copies. */
  add(volume: string, diffAreaVolume: string, maxSpace: number, used: number): void {
    const method = 'AddDiffArea';
    this.checkVolume(volume, 'volume', method);
    this.checkVolume(diffAreaVolume, 'shadow storage volume', method);
    this.checkSize(maxSpace, method);
    const areas = this.list();
    const existing = areas.find((a) => same(a.volume, volume));
    if (existing) throw fault('VSS_E_OBJECT_ALREADY_EXISTS', `${method}: ${volume} already has its shadow storage on ${existing.diffAreaVolume}; change its size (Set-VssShadowStorage), or delete it first`);
    if (used > 0) throw fault('VSS_E_OBJECT_ALREADY_EXISTS', `${method}: ${volume} has shadow copies (${used} bytes); an association is added only to a volume without any: delete them first`);
    this.save([...areas, { volume: path.resolve(volume), diffAreaVolume: path.resolve(diffAreaVolume), maxSpace }]);
  }

  /**
   * ChangeDiffAreaMaximumSize: makes the association explicit, or makes it where the volume has none ("If the shadow
   * copy storage area does not exist, this method creates it"). 0 deletes it, refused while shadow copies use it.
   */
  change(volume: string, diffAreaVolume: string, maxSpace: number, used: number): void {
    const method = 'ChangeDiffAreaMaximumSize';
    const areas = this.list();
    const existing = areas.find((a) => same(a.volume, volume) && same(a.diffAreaVolume, diffAreaVolume));
    if (maxSpace === 0) {
      if (!existing) throw fault('VSS_E_OBJECT_NOT_FOUND', `${method}: ${volume} has no shadow storage on ${diffAreaVolume} (list them with Get-VssShadowStorage)`);
      if (used > 0) throw fault('VSS_E_VOLUME_IN_USE', `${method}: shadow copies of ${volume} use its shadow storage (${used} bytes); delete them first`);
      this.save(areas.filter((a) => a !== existing));
      return;
    }
    this.checkSize(maxSpace, method);
    if (!existing) {
      const other = areas.find((a) => same(a.volume, volume));
      if (other) throw fault('VSS_E_OBJECT_NOT_FOUND', `${method}: ${volume} has its shadow storage on ${other.diffAreaVolume}, not ${diffAreaVolume}`);
      this.add(volume, diffAreaVolume, maxSpace, used);
      return;
    }
    existing.maxSpace = maxSpace;
    delete existing.implicit;
    this.save(areas);
  }

  /** Implicit associations whose volume has no shadow copy left go, as VSS's do. */
  prune(inUse: (volume: string) => boolean): void {
    const areas = this.list();
    const kept = areas.filter((a) => !a.implicit || inUse(a.volume));
    if (kept.length !== areas.length) this.save(kept);
  }

  /** What each snapshot of a volume holds and the association that limits it, oldest snapshot first. */
  static use(area: DiffArea, snapshots: SnapshotRecord[]): { use: DiffAreaUse; oldestFirst: SnapshotRecord[] } {
    const held = snapshots.filter((x) => same(x.originalVolume, area.volume)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const used = held.reduce((sum, x) => sum + (x.size ?? 0), 0);
    return { use: { ...area, usedSpace: used, allocatedSpace: used }, oldestFirst: held };
  }
}
