// Which writer components a Full, Incremental, Differential or Log backup adds (AddComponent) and so later marks
// backed up (SetBackupSucceeded), decided from the writers' metadata and the snapshot set's volumes. SQL Server and
// Exchange truncate their logs for what is marked backed up, so a component whose data was not in the snapshot set is
// never added: it is reported instead. The rules are VSS's ("Working with Selectability for Backup", the
// IVssBackupComponents::AddComponent page) as vshadow applies them (select.cpp, writer.cpp):
//   - a component may be added explicitly if it is selectable for backup, or if it is non-selectable and top level
//     (no other component's set holds it); members of a set are backed up with the set, never added on their own
//     while the set is;
//   - a set's data is its own files and those of every member; a component with any file on a volume outside the
//     snapshot set is left out, its set with it (a selectable member whose own files are all in the set may still be
//     added on its own).
import * as path from 'node:path';
import type { RestoreMethod } from '../generated/contract';

/** One file specification of a component (IVssWMFiledesc). */
export interface ComponentFile {
  path: string;
  filespec: string;
  recursive: boolean;
}

/** One component of a writer's metadata (GetWriterMetadata). */
export interface MetadataComponent {
  name: string;
  logicalPath: string | null;
  type: string;
  selectable: boolean;
  caption?: string | null;
  files?: ComponentFile[];
  databases?: ComponentFile[];
  logs?: ComponentFile[];
}

/** One writer's metadata as GetWriterMetadata reads it; the contract's WriterComponent, FileSpec and RestoreMethod
 * shapes are what it carries up to the front ends. */
export interface WriterMetadata {
  name: string;
  writerId: string;
  instanceId: string;
  components: MetadataComponent[];
  excludedFiles?: ComponentFile[];
  restoreMethod?: RestoreMethod | null;
}

/** A component to add to the backup. */
export interface SelectedComponent {
  writer: string;
  writerId: string;
  instanceId: string;
  component: MetadataComponent;
}

/** A component the backup leaves out, with why: its data is not backed up and it is never marked so. */
export interface ComponentLeftOut {
  writer: string;
  writerId: string;
  name: string;
  logicalPath: string | null;
  reason: string;
}

/** A component's full path in its writer: `logicalPath\name`, or the name where it has no logical path. */
export function componentPath(c: { logicalPath: string | null; name: string }): string {
  return c.logicalPath ? `${c.logicalPath}\\${c.name}` : c.name;
}

/** Whether `member` belongs to the set `set` heads: its logical path is the set's full path, or below it. */
function inSet(member: MetadataComponent, set: MetadataComponent, win: boolean): boolean {
  if (member === set || !member.logicalPath) return false;
  const head = fold(componentPath(set), win);
  const at = fold(member.logicalPath, win);
  return at === head || at.startsWith(`${head}\\`);
}

const fold = (text: string, win: boolean) => (win ? text.toLowerCase() : text);

/** The snapshot set's volume that holds a file path, or null: the longest volume folder the path lies in. */
export function volumeOf(file: string, volumes: string[], win = process.platform === 'win32'): string | null {
  const p = win ? path.win32 : path.posix;
  const target = fold(p.resolve(file), win);
  let best: string | null = null;
  for (const volume of volumes) {
    const root = fold(p.resolve(volume), win);
    const inside = target === root || target.startsWith(root.endsWith(p.sep) ? root : root + p.sep);
    if (inside && (best === null || root.length > fold(p.resolve(best), win).length)) best = volume;
  }
  return best;
}

/** Every file specification of a component, files, databases and logs alike. */
function filesOf(c: MetadataComponent): ComponentFile[] {
  return [...(c.files ?? []), ...(c.databases ?? []), ...(c.logs ?? [])];
}

/**
 * The components to add and the ones left out, for writers taking part and the snapshot set's volumes. Every
 * component of those writers is in exactly one of three places: added, held by an added set, or left out.
 */
export function chooseComponents(writers: WriterMetadata[], volumes: string[], win = process.platform === 'win32'): { selected: SelectedComponent[]; leftOut: ComponentLeftOut[] } {
  const selected: SelectedComponent[] = [];
  const leftOut: ComponentLeftOut[] = [];
  for (const w of writers) {
    const all = w.components;
    const setsHolding = (c: MetadataComponent) => all.filter((s) => inSet(c, s, win));
    const members = (c: MetadataComponent) => all.filter((m) => inSet(m, c, win));
    // Where the component's own files, or any member's, lie outside the snapshot set: the first such file.
    const outside = (c: MetadataComponent): ComponentFile | undefined => [c, ...members(c)].flatMap(filesOf).find((f) => volumeOf(f.path, volumes, win) === null);
    const added: MetadataComponent[] = [];
    const addable = all.filter((c) => (c.selectable || setsHolding(c).length === 0) && !outside(c));
    // Outermost first, so that a set is added before (and instead of) its members.
    for (const c of [...addable].sort((a, b) => setsHolding(a).length - setsHolding(b).length)) {
      if (setsHolding(c).some((s) => added.includes(s))) continue;
      added.push(c);
      selected.push({ writer: w.name, writerId: w.writerId, instanceId: w.instanceId, component: c });
    }
    for (const c of all) {
      if (added.includes(c) || setsHolding(c).some((s) => added.includes(s))) continue;
      const file = outside(c);
      const reason = file
        ? `its data at ${file.path}${file.path.endsWith(path.sep) ? '' : path.sep}${file.filespec} is on no volume of the snapshot set (${volumes.join(', ')})`
        : 'it is part of a set that was left out, and not selectable for backup on its own';
      leftOut.push({ writer: w.name, writerId: w.writerId, name: c.name, logicalPath: c.logicalPath, reason });
    }
  }
  return { selected, leftOut };
}
