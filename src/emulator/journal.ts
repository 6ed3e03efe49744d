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
