// `npm run pwsh -- <pwsh arguments>`: the repo's PowerShell 7 with VssSession (and Pester) importable by name.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pester, powershell, root, tools } from './config.mjs';

/** .tools/modules holds links named as PowerShell expects (VssSession -> module/, Pester -> its NuGet folder). */
export function modulesDir() {
  const dir = path.join(tools, 'modules');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, target] of [['VssSession', path.join(root, 'module')], ['Pester', path.dirname(pester.manifest)]]) {
    const link = path.join(dir, name);
    if (!fs.existsSync(link)) {
      fs.rmSync(link, { force: true });
      fs.symlinkSync(target, link, 'dir');
    }
  }
  return dir;
}

export function pwshEnv(extra = {}) {
  const sep = path.delimiter;
  return { ...process.env, PSModulePath: [modulesDir(), process.env.PSModulePath].filter(Boolean).join(sep), POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off', ...extra };
}

export function pwsh(args, options = {}) {
  if (!fs.existsSync(powershell.exe)) {
    console.error(`PowerShell is not installed at ${powershell.exe}; run 'npm install' first.`);
    process.exit(1);
  }
  return spawnSync(powershell.exe, args, { stdio: 'inherit', cwd: root, env: pwshEnv(), ...options });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = pwsh(process.argv.slice(2));
  process.exit(result.status ?? 1);
}
