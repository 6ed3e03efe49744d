// Running the Windows package under Wine from the tests. Wine's Node cannot write into a Unix pipe, so every
// program's output goes to files, read once it has exited. WINEPREFIX and WINEDEBUG come from build/test-windows.mjs.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../src/paths';
import { tempWorld as sharedWorld } from '../mocha/helpers';

export const packageDir = path.join(repoRoot(), 'module', 'bin', 'win-x64');
export const exe = path.join(packageDir, 'vss-session.exe');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A Unix path as Windows programs under Wine see it: drive Z: is the Unix root. */
export function winPath(unixPath: string): string {
  return `Z:${path.resolve(unixPath).split('/').join('\\')}`;
}

function outputFiles(): { dir: string; out: string; err: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vsswin-out-'));
  return { dir, out: path.join(dir, 'stdout'), err: path.join(dir, 'stderr') };
}

function collect(files: { dir: string; out: string; err: string }, status: number | null, started: number): Run {
  const run = { status, stdout: fs.readFileSync(files.out, 'utf8'), stderr: fs.readFileSync(files.err, 'utf8'), ms: Date.now() - started };
  fs.rmSync(files.dir, { recursive: true, force: true });
  return run;
}

/** Runs a Windows program (a Unix path to an .exe, or a program of the prefix such as `taskkill`) and waits.
 * `input`, if given, is its whole stdin, from a file (as with its output, Wine's programs and Unix pipes disagree). */
export function wine(program: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000, input?: string): Run {
  const files = outputFiles();
  const out = fs.openSync(files.out, 'w');
  const err = fs.openSync(files.err, 'w');
  let stdin: number | 'ignore' = 'ignore';
  if (input !== undefined) {
    fs.writeFileSync(path.join(files.dir, 'stdin'), input);
    stdin = fs.openSync(path.join(files.dir, 'stdin'), 'r');
  }
  const started = Date.now();
  try {
    const r = spawnSync('wine', [program, ...args], { stdio: [stdin, out, err], env: { ...process.env, ...env }, timeout: timeoutMs });
    if (r.error) throw r.error;
    return collect(files, r.status, started);
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
    if (typeof stdin === 'number') fs.closeSync(stdin);
  }
}

/** vss-session.exe with these arguments. */
export function vss(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs?: number): Run {
  return wine(exe, args, env, timeoutMs);
}

/** vss-session.exe started in the background; `result()` waits for it and reads its output. */
export function vssInBackground(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; result(): Promise<Run> } {
  const files = outputFiles();
  const out = fs.openSync(files.out, 'w');
  const err = fs.openSync(files.err, 'w');
  const started = Date.now();
  const child = spawn('wine', [exe, ...args], { stdio: ['ignore', out, err], env: { ...process.env, ...env } });
  fs.closeSync(out);
  fs.closeSync(err);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, result: async () => collect(files, await exited, started) };
}

/** A message a user may see: one line naming the error, never a JavaScript or .NET stack trace. */
export function assertNoStackTrace(text: string): void {
  if (/^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m.test(text) || /^\s+at [\w.<>`]+\(.*\) in /m.test(text) || /Error: .*\n\s+at /.test(text)) {
    throw new Error(`a stack trace reached the user:\n${text}`);
  }
}

/** The mocha suite's temporary world (a state folder and a volume), with what the Windows package needs of it. */
export function tempWorld() {
  const world = sharedWorld();
  return {
    ...world,
    /** The environment for the emulator under Wine, with this world's state folder. */
    env: { VSS_SESSION_EMULATOR: '1', VSS_SESSION_HOME: winPath(world.home) } as NodeJS.ProcessEnv,
    journal(): Array<Record<string, any>> {
      const file = path.join(world.home, 'journal.jsonl');
      if (!fs.existsSync(file)) return [];
      return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as Record<string, any>);
    },
  };
}

/** Polls until the probe gives a value or the time runs out. */
export async function eventually<T>(probe: () => T | undefined | false | null, ms = 20_000, every = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}
