import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The per-user folder that holds the emulated service's state: $VSS_SESSION_HOME, else a per-user default. */
export function sessionHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VSS_SESSION_HOME) return path.resolve(env.VSS_SESSION_HOME);
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'VssSession');
  return path.join(env.XDG_STATE_HOME ?? path.join(os.homedir(), '.local', 'state'), 'vss-session');
}

/** Creates the home folder if needed, readable by its owner only (mode 0700). */
export function ensureHome(home: string): string {
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') fs.chmodSync(home, 0o700);
  return home;
}

export function emulatorPaths(home: string) {
  return {
    home,
    // Unix socket paths are limited to about 100 bytes; a long home falls back to a hashed name in the temp folder.
    socket: socketPath(home),
    pidFile: path.join(home, 'emulator.pid'),
    lockTarget: path.join(home, 'emulator'),
    serviceLock: path.join(home, 'service'),
    writers: path.join(home, 'writers.json'),
    provider: path.join(home, 'provider.json'),
    state: path.join(home, 'emulator-state.json'),
    journal: path.join(home, 'journal.jsonl'),
    log: path.join(home, 'emulator.log'),
    snapshots: path.join(home, 'snapshots'),
  };
}
export type EmulatorPaths = ReturnType<typeof emulatorPaths>;

function socketPath(home: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\vss-session-${hash(home)}`;
  const inHome = path.join(home, 'emulator.sock');
  return Buffer.byteLength(inHome) < 100 ? inHome : path.join(os.tmpdir(), `vss-session-${hash(home)}.sock`);
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
