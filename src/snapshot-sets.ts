// Snapshot sets as VssSession shows them: VSS answers Query with snapshots, each naming its set; every front end
// (the host, the executable) and the stores group them the same way.
import type { Snapshot } from './requester/lifecycle';
import { contextOfAttributes } from './vss';

export interface SnapshotSetInfo {
  snapshotSetId: string;
  context: string;
  persistent: boolean;
  createdAt: string;
  expiresAt: string | null;
  snapshots: Snapshot[];
}

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
