// Wine for the Windows suite: Debian's wine64 (installed here when missing and the user is root), and a prefix of
// the repository's own under .tools/wine-prefix that reports Windows 10 (Node refuses Windows 7, a new prefix's
// default) and has no .NET: the package must run on a server without one. No X server is needed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tools } from './config.mjs';

export const winePrefix = path.join(tools, 'wine-prefix');
const InstallCommand = 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wine64 wine';

/** The environment every Wine process of the suite runs with. */
export function wineEnv(extra = {}) {
  return {
    ...process.env,
    WINEPREFIX: winePrefix,
    WINEDEBUG: '-all',
    ...extra,
  };
}

function found(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** `wine` on PATH: installs Debian's packages when root, else names the command and fails. */
export function ensureWine() {
  if (found('wine')) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Wine is not installed and this user cannot install it. As root, run:\n  ${InstallCommand}\nthen 'npm run test:windows' again.`);
  }
  console.log(`    Wine is missing: ${InstallCommand}`);
  const r = spawnSync('sh', ['-c', InstallCommand], { stdio: 'inherit' });
  if (r.status !== 0 || !found('wine')) throw new Error(`installing Wine failed (exit ${r.status}); run it by hand to see why:\n  ${InstallCommand}`);
}

function wine(args, options = {}) {
  return spawnSync('wine', args, { env: wineEnv(), encoding: 'utf8', timeout: 120_000, ...options });
}

/** The Windows version the prefix reports (`cmd /c ver`), read through a file: Wine's programs write no Unix pipe. */
export function windowsVersion() {
  const out = path.join(tools, 'wine-ver.txt');
  const fd = fs.openSync(out, 'w');
  try {
    wine(['cmd', '/c', 'ver'], { stdio: ['ignore', fd, 'ignore'] });
  } finally {
    fs.closeSync(fd);
  }
  return fs.readFileSync(out, 'utf8').match(/Version (\d+\.\d+\.\d+)|(\d+\.\d+\.\d+)/)?.slice(1).find(Boolean) ?? '';
}

/** Makes the prefix once (wineboot, then Windows 10), and checks it on every run. */
export function ensurePrefix() {
  fs.mkdirSync(tools, { recursive: true });
  if (!fs.existsSync(path.join(winePrefix, 'system.reg'))) {
    // No Wine Mono (.NET Framework) and no Gecko installed in the prefix, and no dialog offering them. Only here:
    // with mscoree disabled later, CoreCLR itself fails to start under Wine (ERROR_MOD_NOT_FOUND).
    const r = wine(['wineboot', '-i'], { stdio: 'inherit', env: wineEnv({ WINEDLLOVERRIDES: 'mscoree=;mshtml=' }) });
    if (r.status !== 0) throw new Error(`wineboot -i failed (exit ${r.status}) for ${winePrefix}`);
  }
  if (!windowsVersion().startsWith('10.')) {
    wine(['winecfg', '-v', 'win10'], { stdio: 'inherit' });
    spawnSync('wineserver', ['-w'], { env: wineEnv(), timeout: 60_000 });
  }
  const version = windowsVersion();
  if (!version.startsWith('10.')) throw new Error(`the prefix ${winePrefix} reports Windows ${version || '(nothing)'}, not 10; remove it and run again`);
  return version;
}

/** Where a .NET installation would be: the prefix must have none, so that the package's own runtime is the one used. */
export function installedDotnet() {
  const candidates = ['Program Files/dotnet', 'Program Files (x86)/dotnet'].map((p) => path.join(winePrefix, 'drive_c', p));
  return candidates.filter((p) => fs.existsSync(p));
}

/** Ends every Wine process of the prefix (the emulated service included) and its wineserver. */
export function stopWine() {
  spawnSync('wineserver', ['-k'], { env: wineEnv(), timeout: 30_000 });
}

/** The .NET runtime packs PowerShell for Windows needs (it is framework-dependent), and their version. */
const WindowsRuntimes = { version: '10.0.12', packs: ['Microsoft.NETCore.App', 'Microsoft.WindowsDesktop.App'] };

/**
 * PowerShell 7 for Windows runnable under Wine, for the module's Pester tests: the Windows files of the PowerShell
 * dotnet tool `npm install` put in .tools (tools/net10.0/any/win), and a dotnet-style folder with the win-x64
 * Microsoft.NETCore.App and Microsoft.WindowsDesktop.App runtime packs from NuGet, found through DOTNET_ROOT. This
 * runtime is PowerShell's, outside the prefix: vss-session.exe, started by it, still uses only its own.
 */
export function windowsPowerShell(powershellVersion) {
  const dir = path.join(tools, 'wine-pwsh');
  const ps = path.join(dir, 'ps');
  const dotnet = path.join(dir, 'dotnet');
  const stamp = path.join(dir, `ready-${powershellVersion}-${WindowsRuntimes.version}`);
  if (!fs.existsSync(stamp)) {
    fs.rmSync(dir, { recursive: true, force: true });
    const win = path.join(tools, '.store', 'powershell', powershellVersion, 'powershell', powershellVersion, 'tools', 'net10.0', 'any', 'win');
    if (!fs.existsSync(path.join(win, 'pwsh.exe'))) throw new Error(`PowerShell's Windows files are not at ${win}: run 'npm install' first`);
    fs.cpSync(win, ps, { recursive: true });
    const packages = path.join(tools, 'nuget');
    const project = path.join(dir, 'runtimes.proj');
    fs.writeFileSync(project, `<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup>${WindowsRuntimes.packs.map((p) => `<PackageDownload Include="${p}.Runtime.win-x64" Version="[${WindowsRuntimes.version}]" />`).join('')}</ItemGroup></Project>`);
    const r = spawnSync('dotnet', ['restore', project, '--packages', packages, '--nologo', '-v', 'q'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`restoring the win-x64 runtime packs ${WindowsRuntimes.version} failed (exit ${r.status})`);
    for (const pack of WindowsRuntimes.packs) {
      const from = path.join(packages, `${pack.toLowerCase()}.runtime.win-x64`, WindowsRuntimes.version, 'runtimes', 'win-x64');
      const to = path.join(dotnet, 'shared', pack, WindowsRuntimes.version);
      fs.cpSync(path.join(from, 'lib', 'net10.0'), to, { recursive: true });
      fs.cpSync(path.join(from, 'native'), to, { recursive: true });
    }
    // The host's resolver (hostfxr) lives under host/fxr, as in an installation.
    const fxr = path.join(dotnet, 'host', 'fxr', WindowsRuntimes.version);
    fs.mkdirSync(fxr, { recursive: true });
    fs.renameSync(path.join(dotnet, 'shared', 'Microsoft.NETCore.App', WindowsRuntimes.version, 'hostfxr.dll'), path.join(fxr, 'hostfxr.dll'));
    fs.writeFileSync(stamp, '');
  }
  return { pwsh: path.join(ps, 'pwsh.exe'), dotnetRoot: dotnet };
}

/**
 * Runs PowerShell for Windows under Wine with a script file. It needs a console, which Wine gives only to a program
 * on a terminal (without one, PowerShell's console host fails and it exits 0 having run nothing): `script` gives it a
 * pseudo-terminal, and its output goes to files. .NET's W^X mapping crashes CoreCLR under Wine while Pester loads
 * (Internal CLR error 0x80131506): DOTNET_EnableWriteXorExecute=0.
 */
export function runWindowsPowerShell(pwsh, dotnetRoot, scriptFile, args, { out, err, env = {}, timeoutMs = 1_800_000 }) {
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  // Its stdin stays the terminal: Wine gives the console to a program whose stdin is one.
  const command = ['wine', pwsh, '-NoProfile', '-NonInteractive', '-File', toWindows(scriptFile), ...args].map(q).join(' ') + ` > ${q(out)} 2> ${q(err)}`;
  return spawnSync('script', ['-qec', command, '/dev/null'], {
    stdio: ['ignore', 'ignore', 'ignore'],
    timeout: timeoutMs,
    env: wineEnv({ DOTNET_ROOT: toWindows(dotnetRoot), DOTNET_EnableWriteXorExecute: '0', ...env }),
  });
}

/** A Unix path as Windows programs under Wine see it: drive Z: is the Unix root. */
export function toWindows(unixPath) {
  return `Z:${path.resolve(unixPath).split('/').join('\\')}`;
}
