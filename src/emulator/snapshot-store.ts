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
    await run('chmod', ['-R', 'a-w', '--', target]);
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

function setWritable(root: string, writable: boolean): void {
  const visit = (p: string) => {
    const stat = fs.lstatSync(p);
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      if (writable) fs.chmodSync(p, stat.mode | 0o700);
      for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
      if (!writable) fs.chmodSync(p, stat.mode & ~0o222);
    } else if (!writable) {
      fs.chmodSync(p, stat.mode & ~0o222);
    } else {
      fs.chmodSync(p, stat.mode | 0o200);
    }
  };
  visit(root);
}
