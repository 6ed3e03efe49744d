import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vssError } from './vss-error';

/** The per-user folder that holds the emulated service's state: $VSS_SESSION_HOME, else a per-user default. */
export function sessionHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VSS_SESSION_HOME) return path.resolve(env.VSS_SESSION_HOME);
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'VssSession');
  return path.join(env.XDG_STATE_HOME ?? path.join(os.homedir(), '.local', 'state'), 'vss-session');
}

/** Unix socket paths hold at most 107 bytes; the service's socket lives in its state folder, nowhere else. */
const MaxSocketPathBytes = 100;

/**
 * Creates the state folder if needed (mode 0700, whatever the umask), then checks it as the service requires:
 * a real directory, owned by this user, writable by nobody else, short enough to hold the service's socket.
 * A folder that fails a check is refused, never repaired behind the user's back.
 */
export function ensureHome(home: string): string {
  checkSocketLength(home);
  if (!fs.existsSync(home)) {
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') fs.chmodSync(home, 0o700);
  }
  checkHome(home);
  return home;
}

export function checkHome(home: string): void {
  if (process.platform === 'win32') return; // the folder under %LOCALAPPDATA% inherits the user's own ACL
  const st = fs.lstatSync(home);
  const fix = 'or set VSS_SESSION_HOME to a folder of your own';
  if (st.isSymbolicLink()) throw vssError('E_ACCESSDENIED', `the state folder ${home} is a symbolic link; use the folder it points to, ${fix}`);
  if (!st.isDirectory()) throw vssError('E_ACCESSDENIED', `the state folder ${home} is not a directory; ${fix.replace(/^or /, '')}`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw vssError('E_ACCESSDENIED', `the state folder ${home} belongs to user ${st.uid}, not to you (user ${uid}); VssSession keeps its state only in a folder you own: ${fix.replace(/^or /, '')}`);
  if (st.mode & 0o022) throw vssError('E_ACCESSDENIED', `the state folder ${home} can be written by others (mode ${(st.mode & 0o777).toString(8)}); run 'chmod 700 ${home}' ${fix}`);
  checkSocketLength(home);
}

function checkSocketLength(home: string): void {
  const socket = emulatorPaths(home).socket;
  if (process.platform !== 'win32' && Buffer.byteLength(socket) > MaxSocketPathBytes) {
    throw vssError('E_INVALIDARG', `the state folder ${home} is too long to hold the service's socket (${Buffer.byteLength(socket)} bytes, at most ${MaxSocketPathBytes}); set VSS_SESSION_HOME to a shorter path`);
  }
}

/**
 * A folder of VssSession's own inside the session home (records, exposures): made 0700 if missing, and refused
 * when it is a link, belongs to another user or others may write to it, since a file planted there could make
 * VssSession act on something it never made. `what` names the folder in the error.
 */
export function ensurePrivateDir(home: string, dir: string, what: string): string {
  ensureHome(home);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { mode: 0o700 });
    if (process.platform !== 'win32') fs.chmodSync(dir, 0o700);
  }
  if (process.platform !== 'win32') {
    const st = fs.lstatSync(dir);
    const uid = process.getuid?.();
    if (st.isSymbolicLink() || !st.isDirectory()) throw vssError('E_ACCESSDENIED', `the ${what} folder ${dir} is not a plain directory; remove it (VssSession makes it again)`);
    if (uid !== undefined && st.uid !== uid) throw vssError('E_ACCESSDENIED', `the ${what} folder ${dir} belongs to user ${st.uid}, not to you (user ${uid}); remove it or set VSS_SESSION_HOME to a folder of your own`);
    if (st.mode & 0o077) throw vssError('E_ACCESSDENIED', `the ${what} folder ${dir} is open to others (mode ${(st.mode & 0o777).toString(8)}); run 'chmod 700 ${dir}'`);
  }
  return dir;
}

/** Writes a file (0600) through a temporary file, flushed and renamed over: a reader or a crash sees the old or the new. */
export function writeFileAtomically(target: string, text: string): void {
  const temp = `${target}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w', 0o600);
  try {
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (e) {
    // A full disk leaves no half-written temporary file behind; the target is as it was.
    fs.rmSync(temp, { force: true });
    throw e;
  }
}

/** Whether an error is the disk's being full (or the user's quota spent). */
export function isOutOfSpace(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** writeFileAtomically for VssSession's own records: a full disk is said as such, with the file and the fix. */
export function writeRecordFile(target: string, text: string, what: string): void {
  try {
    writeFileAtomically(target, text);
  } catch (e) {
    if (!isOutOfSpace(e)) throw e;
    throw vssError('VSS_E_INSUFFICIENT_STORAGE', `the disk under ${path.dirname(target)} is full, so ${what} could not be saved to ${target} (the file is as it was). Free space there and retry`);
  }
}

export function emulatorPaths(home: string) {
  return {
    home,
    socket: socketPath(home),
    pidFile: path.join(home, 'emulator.pid'),
    lockTarget: path.join(home, 'emulator'),
    serviceLock: path.join(home, 'service'),
    writers: path.join(home, 'writers.json'),
    provider: path.join(home, 'provider.json'),
    /** The emulated provider's shadow storage associations (diff areas). */
    shadowStorage: path.join(home, 'shadowstorage.json'),
    state: path.join(home, 'emulator-state.json'),
    /** Changes since the state file was last written whole, one JSON line each (see EmulatorService.persist). */
    stateLog: path.join(home, 'emulator-state.log'),
    journal: path.join(home, 'journal.jsonl'),
    log: path.join(home, 'emulator.log'),
    snapshots: path.join(home, 'snapshots'),
  };
}
export type EmulatorPaths = ReturnType<typeof emulatorPaths>;

function socketPath(home: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\vss-session-${hash(home)}`;
  return path.join(home, 'emulator.sock');
}

function hash(text: string): string {
  let h = 2166136261;
  for (const c of Buffer.from(text)) h = Math.imul(h ^ c, 16777619) >>> 0;
  return h.toString(16);
}

/** The module's folder for this platform's executable, as .NET names runtimes: linux-x64, win-x64. */
export function platformFolder(): string {
  return `${process.platform === 'win32' ? 'win' : process.platform === 'darwin' ? 'osx' : process.platform}-${process.arch}`;
}

/**
 * The folder that holds the executable and its runtime files (edge-js's addon, the C# assembly):
 * beside the executable when packaged, `module/bin/<platform>` of the repository otherwise.
 */
export function runtimeDir(): string {
  if (process.env.VSS_SESSION_RUNTIME_DIR) return path.resolve(process.env.VSS_SESSION_RUNTIME_DIR);
  if (isPackaged()) return path.dirname(process.execPath);
  return path.join(repoRoot(), 'module', 'bin', platformFolder());
}

/** The repository holding this file (marked by the module manifest; dist/ has a copy of package.json). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'module', 'VssSession.psd1'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no repository (module/VssSession.psd1) above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

export function isPackaged(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    return false;
  }
}

/** How to start this same program again with other arguments (packaged: the executable; else node + script). */
export function selfCommand(args: string[]): { file: string; args: string[] } {
  if (isPackaged()) return { file: process.execPath, args };
  return { file: process.execPath, args: [...process.execArgv, process.argv[1]!, ...args] };
}
