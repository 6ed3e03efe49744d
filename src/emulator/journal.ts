import * as fs from 'node:fs';
import { JournalEntry } from './model';

/**
 * The journal's entries, oldest first. Each line is written whole by one append, but a line cut short by a
 * crash in the middle of a write must not hide the others: it is skipped.
 */
export function readJournalFile(file: string): JournalEntry[] {
  if (!fs.existsSync(file)) return [];
  const entries: JournalEntry[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // a partial last line
    }
  }
  return entries;
}

/** The snapshots the emulated provider deleted for space (its DiffAreaFull lines), oldest first. */
export function readSpaceDeletions(file: string): { snapshotSetId: string; snapshotId: string; volume: string; time: string }[] {
  return (readJournalFile(file) as unknown as Record<string, unknown>[])
    .filter((e) => e.event === 'DiffAreaFull' && typeof e.snapshotSetId === 'string' && typeof e.snapshotId === 'string')
    .map((e) => ({ snapshotSetId: e.snapshotSetId as string, snapshotId: e.snapshotId as string, volume: String(e.volume ?? ''), time: String(e.time ?? '') }));
}
