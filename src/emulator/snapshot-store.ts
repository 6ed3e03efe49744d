import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A point-in-time copy of a directory, then made read-only, as a shadow copy is: later changes to the
 * original do not reach it. Symbolic links are copied as links (never followed out of the volume).
 * On Linux the copy is coreutils' `cp -a --reflink=auto`: as fast as a copy gets, and where the filesystem
 * can clone files copy-on-write (btrfs, xfs) it does, so the cost no longer grows with the data. It runs
 * beside the service's event loop, which keeps answering other clients meanwhile.
 */
export async function copyTreeReadOnly(source: string, target: string): Promise<void> {
  if (fs.existsSync(target)) throw new Error(`${target} exists already`);
  if (process.platform === 'linux') {
    await run('cp', ['-a', '--reflink=auto', '--no-target-directory', '--', source, target], { maxBuffer: 1 << 20 });
    // A small copy is made read-only here; past a few hundred entries chmod does the rest faster. A second process
    // cost every snapshot of a small volume ~2 ms, more than the copy itself.
    if (!setWritable(target, false, SmallTreeEntries)) await run('chmod', ['-R', 'a-w', '--', target]);
    return;
  }
  await fs.promises.cp(source, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, errorOnExist: true, force: false });
  setWritable(target, false);
}

/** Deletes a snapshot's copy, making it writable first. A missing copy is not an error. */
export function removeTree(target: string): void {
  if (!fs.existsSync(target)) return;
  setWritable(target, true);
  fs.rmSync(target, { recursive: true, force: true });
}

/** Makes a copy writable again (a broken snapshot set's data is the user's to change). */
export function setTreeWritable(target: string): void {
  setWritable(target, true);
}

/** Entries a copy may have for its read-only pass to be done here rather than by chmod -R. */
const SmallTreeEntries = 256;

/**
 * Adds or removes the write bits of a tree (symbolic links left as they are). With a budget, stops after that many
 * entries and returns false, the rest undone (chmod -R then goes over the whole tree, which is idempotent).
 */
function setWritable(root: string, writable: boolean, budget = Infinity): boolean {
  let left = budget;
  const visit = (p: string): boolean => {
    if (left-- <= 0) return false;
    const stat = fs.lstatSync(p);
    if (stat.isSymbolicLink()) return true;
    if (stat.isDirectory()) {
      if (writable) fs.chmodSync(p, stat.mode | 0o700);
      for (const entry of fs.readdirSync(p)) if (!visit(path.join(p, entry))) return false;
      if (!writable) fs.chmodSync(p, stat.mode & ~0o222);
    } else if (!writable) {
      fs.chmodSync(p, stat.mode & ~0o222);
    } else {
      fs.chmodSync(p, stat.mode | 0o200);
    }
    return true;
  };
  return visit(root);
}
