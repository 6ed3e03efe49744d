import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { diesWithParent } from '../child-lifetime';

const run = promisify(execFile);
// The system's own resolution (GetFinalPathNameByHandle on Windows), which sees every kind of link; fs.realpath's
// JavaScript one sees only what lstat reports as a link.
const realpathNative = promisify(fs.realpath.native);

/** What a copy kept and left out, for the service's log. */
export interface CopyReport {
  /** Links (symbolic links, junctions, other reparse points) this system could not make again in the copy. */
  linksNotKept: string[];
}

/**
 * A point-in-time copy of a directory, then made read-only, as a shadow copy is: later changes to the original do not
 * reach it. The copy stays inside the volume, as a shadow copy does: a symbolic link, junction or other reparse point
 * is kept as a link, never followed (a link to the user's home must not copy the home). `signal` cancels it (AbortBackup,
 * the requester gone, the service stopping); a cancelled copy is removed whole and the promise rejects with an
 * AbortError. On Linux the copy is coreutils' `cp -a --reflink=auto` (links kept as links; where the filesystem can
 * clone files copy-on-write, btrfs and xfs, it does), killed when cancelled; it runs beside the service's event loop,
 * which keeps answering other clients meanwhile. Elsewhere the tree is walked here (see copyTreeWalking).
 */
export async function copyTreeReadOnly(source: string, target: string, signal: AbortSignal = new AbortController().signal): Promise<CopyReport> {
  if (fs.existsSync(target)) throw new Error(`${target} exists already`);
  try {
    if (process.platform === 'linux') {
      // cp dies with the service: a copy left running by a killed service would write into the folder the next
      // service sweeps.
      const cp = diesWithParent('cp', ['-a', '--reflink=auto', '--no-target-directory', '--', source, target]);
      await run(cp.file, cp.args, { maxBuffer: 1 << 20, signal });
      signal.throwIfAborted();
      // A small copy is made read-only here; past a few hundred entries chmod does the rest faster. A second process
      // for a small volume costs more than the copy itself.
      if (!setWritable(target, false, SmallTreeEntries)) {
        const chmod = diesWithParent('chmod', ['-R', 'a-w', '--', target]);
        await run(chmod.file, chmod.args, { signal });
      }
      return { linksNotKept: [] };
    }
    const report: CopyReport = { linksNotKept: [] };
    await copyTreeWalking(source, target, signal, report);
    setWritable(target, false);
    return report;
  } catch (e) {
    removeTree(target);
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('the copy was cancelled', 'AbortError');
    throw e;
  }
}

/** Files past this size are copied in chunks, so that a cancel is heard within a chunk, not after the whole file. */
const ChunkedCopyBytes = 64 << 20;
const ChunkBytes = 4 << 20;

const samePath = (a: string, b: string) => (process.platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b);

/**
 * The copy on Windows (and macOS): each entry checked before it is copied. Node reports symbolic links and junctions
 * as links (lstat); any other entry whose real path is not where it stands is a reparse point too, as Wine shows a
 * Unix link, so it is kept as a link to where it leads. A link this system cannot make (Wine makes none, Windows
 * makes file links only for the privileged) is left out and reported, never followed. Cancellation is checked at
 * every entry and every chunk of a large file.
 */
export async function copyTreeWalking(source: string, target: string, signal: AbortSignal, report: CopyReport): Promise<void> {
  const walk = async (from: string, to: string, realFrom: string): Promise<void> => {
    await fs.promises.mkdir(to);
    for (const entry of await fs.promises.readdir(from)) {
      signal.throwIfAborted();
      const src = path.join(from, entry);
      const dst = path.join(to, entry);
      const lstat = await fs.promises.lstat(src);
      let leadsTo: string | null = null;
      if (lstat.isSymbolicLink()) {
        leadsTo = path.resolve(from, await fs.promises.readlink(src));
      } else {
        const real = await realpathNative(src).catch(() => src);
        if (!samePath(real, path.join(realFrom, entry))) leadsTo = real;
      }
      if (leadsTo !== null) {
        if (!(await makeLink(leadsTo, dst))) report.linksNotKept.push(src);
        continue;
      }
      if (lstat.isDirectory()) await walk(src, dst, path.join(realFrom, entry));
      else if (lstat.isFile()) await copyFile(src, dst, lstat.size, signal);
      // Sockets, FIFOs and devices are not data: a shadow copy of them would hold nothing to read either. A folder's
      // times are set once its entries are written (writing them changes its times).
      if (lstat.isDirectory() || lstat.isFile()) await fs.promises.utimes(dst, lstat.atime, lstat.mtime);
    }
  };
  await walk(source, target, await realpathNative(source));
  const root = await fs.promises.stat(source);
  await fs.promises.utimes(target, root.atime, root.mtime);
}

/** A link at `at` to `leadsTo`: a junction for a folder (no privilege needed), else a file link. False if refused. */
async function makeLink(leadsTo: string, at: string): Promise<boolean> {
  const isDir = await fs.promises.stat(leadsTo).then((s) => s.isDirectory(), () => false);
  try {
    await fs.promises.symlink(leadsTo, at, isDir ? 'junction' : 'file');
    return true;
  } catch {
    return false;
  }
}

async function copyFile(src: string, dst: string, size: number, signal: AbortSignal): Promise<void> {
  if (size < ChunkedCopyBytes) return fs.promises.copyFile(src, dst, fs.constants.COPYFILE_EXCL);
  const input = await fs.promises.open(src, 'r');
  try {
    const output = await fs.promises.open(dst, 'wx');
    try {
      const buffer = Buffer.allocUnsafe(ChunkBytes);
      for (let at = 0; ; ) {
        signal.throwIfAborted();
        const { bytesRead } = await input.read(buffer, 0, ChunkBytes, at);
        if (bytesRead === 0) break;
        await output.write(buffer, 0, bytesRead, at);
        at += bytesRead;
      }
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

/** Deletes a snapshot's copy, making it writable first. A missing copy is not an error. */
export function removeTree(target: string): void {
  if (!fs.existsSync(target)) return;
  setWritable(target, true);
  // Retried: a copy whose cp was killed with the previous service may still be finishing its last write.
  fs.rmSync(target, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
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
