// The emulated provider's shadow storage at work: each new snapshot is counted against its volume's storage, the
// oldest snapshots of that volume make room when it is full, and every such deletion is journaled (DiffAreaFull)
// so that the requester can tell its user which snapshots went, and when.
import * as path from 'node:path';
import { fault } from './fault';
import { DiffArea, DiffAreas, DiffAreaUse, treeBytes } from './diff-areas';
import { SnapshotRecord } from './model';
import { StateStore } from './state-store';
import { WriterDelivery } from './writer-delivery';

/** A DiffAreaFull journal line: one snapshot the provider deleted to make room in its volume's shadow storage. */
export interface DiffAreaFullEntry {
  event: 'DiffAreaFull';
  writer: null;
  writerId: null;
  snapshotSetId: string;
  snapshotId: string;
  volume: string;
  diffAreaVolume: string;
  maxSpace: number;
  /** The storage's use before this deletion. */
  usedSpace: number;
  /** What the snapshot being made (or the new maximum) needed. */
  neededSpace: number;
  state: null;
  error: null;
}

export class ShadowStorage {
  readonly areas: DiffAreas;

  constructor(
    file: string,
    minimum: () => number,
    private readonly state: StateStore,
    private readonly delivery: WriterDelivery,
    private readonly deleteSnapshot: (snapshotId: string) => void,
  ) {
    this.areas = new DiffAreas(file, minimum);
  }

  /** QueryDiffAreasForVolume (one volume) or every association with what it holds. */
  query(volume?: string): DiffAreaUse[] {
    this.areas.prune((v) => this.state.snapshots.some((x) => path.resolve(x.originalVolume) === path.resolve(v)));
    const areas = this.areas.list().filter((a) => volume === undefined || path.resolve(a.volume) === path.resolve(volume));
    return areas.map((a) => {
      const { implicit: _, ...use } = DiffAreas.use(a, this.state.snapshots).use;
      return use;
    });
  }

  private used(volume: string): number {
    return DiffAreas.use({ volume, diffAreaVolume: volume, maxSpace: -1 }, this.state.snapshots).use.usedSpace;
  }

  add(p: { volume?: unknown; diffAreaVolume?: unknown; maxSpace?: unknown }): null {
    const { volume, diffAreaVolume, maxSpace } = args(p, 'AddDiffArea');
    this.areas.add(volume, diffAreaVolume, maxSpace, this.used(volume));
    return null;
  }

  /** ChangeDiffAreaMaximumSize; a maximum below what is used deletes the oldest snapshots at once. */
  change(p: { volume?: unknown; diffAreaVolume?: unknown; maxSpace?: unknown }): null {
    const { volume, diffAreaVolume, maxSpace } = args(p, 'ChangeDiffAreaMaximumSize');
    this.areas.change(volume, diffAreaVolume, maxSpace, this.used(volume));
    const area = this.areas.find(volume);
    if (area && area.maxSpace !== -1) this.makeRoom(area, 0, new Set());
    return null;
  }

  /**
   * Counts each new snapshot of a set against its volume's storage, before the set is saved. A volume without an
   * association gets one on itself with no limit (a folder has no size of its own to take a share of), kept as VSS
   * keeps the one it makes at a volume's first shadow copy. A snapshot larger than its storage's maximum fails the
   * set with VSS_E_INSUFFICIENT_STORAGE; otherwise the oldest snapshots of its volume are deleted until it fits.
   */
  admit(created: SnapshotRecord[]): void {
    const mine = new Set(created.map((x) => x.snapshotId));
    for (const x of created) {
      x.size = treeBytes(x.deviceObject);
      const area = this.areas.find(x.originalVolume);
      if (!area) {
        this.areas.adopt({ volume: path.resolve(x.originalVolume), diffAreaVolume: path.resolve(x.originalVolume), maxSpace: -1 });
        continue;
      }
      if (area.maxSpace === -1) continue;
      if (x.size > area.maxSpace) {
        throw fault('VSS_E_INSUFFICIENT_STORAGE', `the snapshot of ${x.originalVolume} needs ${x.size} bytes, more than its whole shadow storage on ${area.diffAreaVolume} (${area.maxSpace} bytes); raise it (Set-VssShadowStorage -MaxSize) and retry`);
      }
      this.makeRoom(area, x.size, mine);
    }
  }

  /** Deletes the oldest snapshots of the area's volume until `needed` more bytes fit, each journaled. */
  private makeRoom(area: DiffArea, needed: number, spare: Set<string>): void {
    const { use, oldestFirst } = DiffAreas.use(area, this.state.snapshots.filter((x) => !spare.has(x.snapshotId)));
    let used = use.usedSpace;
    for (const victim of oldestFirst) {
      if (used + needed <= area.maxSpace) break;
      this.deleteSnapshot(victim.snapshotId);
      const line: DiffAreaFullEntry = {
        event: 'DiffAreaFull',
        writer: null,
        writerId: null,
        snapshotSetId: victim.snapshotSetId,
        snapshotId: victim.snapshotId,
        volume: area.volume,
        diffAreaVolume: area.diffAreaVolume,
        maxSpace: area.maxSpace,
        usedSpace: used,
        neededSpace: needed,
        state: null,
        error: null,
      };
      this.delivery.journalLine(line);
      used -= victim.size ?? 0;
    }
  }
}

function args(p: { volume?: unknown; diffAreaVolume?: unknown; maxSpace?: unknown }, method: string): { volume: string; diffAreaVolume: string; maxSpace: number } {
  if (typeof p.volume !== 'string' || p.volume === '' || typeof p.diffAreaVolume !== 'string' || p.diffAreaVolume === '') throw fault('E_INVALIDARG', `${method} takes a volume and a shadow storage volume`);
  if (typeof p.maxSpace !== 'number' || !Number.isSafeInteger(p.maxSpace)) throw fault('E_INVALIDARG', `${method} takes the maximum as a whole number of bytes (-1: no limit)`);
  return { volume: p.volume, diffAreaVolume: p.diffAreaVolume, maxSpace: p.maxSpace };
}
