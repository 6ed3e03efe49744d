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
