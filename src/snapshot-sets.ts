// Snapshot sets as VssSession shows them: VSS answers Query with snapshots, each naming its set; every front end
// (the host, the executable) and the stores group them the same way.
import type { Snapshot, SnapshotSet } from './generated/contract';
import { contextOfAttributes } from './vss';

/** A snapshot set as every front end lists it (contract.json's SnapshotSet). */
export type SnapshotSetInfo = SnapshotSet;

/** The snapshots grouped by set, in the order Query gave their first snapshot. */
export function toSnapshotSets(snapshots: Snapshot[]): SnapshotSetInfo[] {
  const sets = new Map<string, SnapshotSetInfo>();
  for (const s of snapshots) {
    let set = sets.get(s.snapshotSetId);
    if (!set) {
      set = { snapshotSetId: s.snapshotSetId, context: contextOfAttributes(s.attributes), persistent: s.persistent, createdAt: s.createdAt, expiresAt: null, snapshots: [] };
      sets.set(s.snapshotSetId, set);
    }
    set.snapshots.push(s);
  }
  return [...sets.values()];
}
