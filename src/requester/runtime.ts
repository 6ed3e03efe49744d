// Whether the .NET runtime the executable loads through edge-js is there and whole, checked before edge-js starts it:
// a missing or damaged runtime otherwise surfaces as edge-js's text about a missing ".NET Core SDK", or as a crash
// inside CoreCLR, and neither says what to do. Every refusal is a RUNTIME_UNAVAILABLE error (exit code 4).
//   Windows: the package carries its own runtime in its app root (edge-js's "standalone" mode), with a list of its
//            files and their sizes written at build time: a file missing or of another size is a damaged copy.
//   Linux:   the installed .NET 10 runtime, found as edge-js finds it: the first `dotnet` on PATH, then
//            shared/Microsoft.NETCore.App/10.* beside it; looked at when edge-js could not start .NET.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VssError } from '../vss-error';

/** The .NET host's FrameworkMissingFailure: no usable runtime. Not a VSS error: nothing was sent to VSS. */
export const RuntimeUnavailable = { name: 'RUNTIME_UNAVAILABLE', hresult: '0x80008096' } as const;

/** The file, in the app root, that lists the runtime's files as the build made them. */
export const RuntimeManifestName = 'runtime-files.json';

/** One file of the app root as the build wrote it. */
export interface RuntimeFile {
  name: string;
  size: number;
}

export function runtimeUnavailable(message: string, details: Record<string, unknown> = {}): VssError {
  return new VssError(RuntimeUnavailable.name, RuntimeUnavailable.hresult, message, { check: 'runtime', ...details });
}

const Reinstall = "copy the module's folder again from a good copy (or reinstall it), then retry; nothing was sent to VSS";

/**
 * The app root against the list the build wrote: every file there, each of its size. Returns the first problem,
 * or null when the folder is whole. Sizes only (a stat each): hashing the runtime would cost every host's start.
 */
export function appRootProblem(appRoot: string, files: RuntimeFile[]): string | null {
  for (const file of files) {
    let size: number;
    try {
      size = fs.statSync(path.join(appRoot, file.name)).size;
    } catch {
      return `${file.name} is missing from ${appRoot}`;
    }
    if (size !== file.size) return `${file.name} in ${appRoot} is ${size} bytes where the package's is ${file.size}: the copy is damaged or from another version`;
  }
  return null;
}

/** The Windows package's own runtime: refuses a missing or damaged one before edge-js loads it. */
export function checkBundledRuntime(appRoot: string): void {
  const manifest = path.join(appRoot, RuntimeManifestName);
  let files: RuntimeFile[];
  try {
    files = JSON.parse(fs.readFileSync(manifest, 'utf8')) as RuntimeFile[];
    if (!Array.isArray(files) || files.length === 0) throw new Error('not a list of files');
  } catch (e) {
    throw runtimeUnavailable(`the .NET runtime shipped with vss-session cannot be checked: ${manifest} is missing or unreadable (${(e as Error).message}); ${Reinstall}`, { path: manifest });
  }
  const problem = appRootProblem(appRoot, files);
  if (problem) throw runtimeUnavailable(`the .NET runtime shipped with vss-session is damaged: ${problem}; ${Reinstall}`, { path: appRoot });
}

/** The folder of the first `dotnet` on PATH, links resolved, as edge-js looks for it on Linux; null if none. */
export function dotnetOnPath(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'dotnet');
    try {
      if (fs.statSync(candidate).isFile()) return path.dirname(fs.realpathSync(candidate));
    } catch {
      // not here: the next folder
    }
  }
  return null;
}

const InstallHint = 'install the .NET 10 runtime (Microsoft\'s "Install .NET on Linux" page names the package for each distribution, e.g. dotnet-runtime-10.0) and make sure `dotnet` is on PATH, then retry; nothing was sent to VSS';

/** The installed runtime edge-js will use on Linux: refuses when there is no `dotnet` or no .NET 10 beside it. */
export function checkInstalledRuntime(env: NodeJS.ProcessEnv = process.env): void {
  const dotnetDir = dotnetOnPath(env);
  if (!dotnetDir) throw runtimeUnavailable(`vss-session needs the .NET 10 runtime and found no \`dotnet\` on PATH; ${InstallHint}`);
  const shared = path.join(dotnetDir, 'shared', 'Microsoft.NETCore.App');
  let versions: string[] = [];
  try {
    versions = fs.readdirSync(shared);
  } catch {
    // no shared runtimes at all: reported below
  }
  if (!versions.some((v) => /^10\.\d+\.\d+/.test(v))) {
    const found = versions.length ? `only ${versions.join(', ')}` : 'none';
    throw runtimeUnavailable(`vss-session needs the .NET 10 runtime; the \`dotnet\` on PATH (${dotnetDir}) has ${found} in ${shared}; ${InstallHint}`, { path: shared });
  }
}

/**
 * What edge-js or CoreCLR threw while starting, as the error to report: the cause, then the fix. On Linux the installed
 * runtime is looked at first, and a missing one named (looked at only now: a PATH scan costs every host's start).
 */
export function runtimeStartFailure(appRoot: string, error: unknown): VssError {
  if (process.platform !== 'win32') {
    try {
      checkInstalledRuntime();
    } catch (missing) {
      return missing as VssError;
    }
  }
  let cause = ((error as Error)?.message ?? String(error)).trim();
  // edge-js reports a CoreCLR that did not start only as its own missing function; the reason (an HRESULT) is the
  // line it printed to stderr.
  if (/initializeClrFunc is not a function/.test(cause)) cause = 'CoreCLR did not start; edge-js printed the HRESULT on stderr';
  const fix = process.platform === 'win32' ? Reinstall : InstallHint;
  return runtimeUnavailable(`the .NET runtime could not be started from ${appRoot} (${cause}); ${fix}`, { path: appRoot });
}
