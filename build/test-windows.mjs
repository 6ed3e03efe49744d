// `npm run test:windows`: the Windows package (module/bin/win-x64) run under Wine, in a prefix with no .NET, against
// the emulated service over its named pipe. Builds first as `npm test` does (`--no-build` skips it), sets Wine up
// (build/wine.mjs), runs the mocha suite test/windows and ends with one line "N passed, N failed". It fails if the
// suite fails or runs nothing. Wine cannot show real VSS (its vssapi.dll answers E_NOTIMPL): the suite says so.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { node22, pester, powershell, root, windowsBin } from './config.mjs';
import { runMocha, timed } from './run.mjs';
import { ensurePrefix, ensureWine, installedDotnet, runWindowsPowerShell, stopWine, toWindows, wineEnv, winePrefix, windowsPowerShell } from './wine.mjs';

const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });
const started = Date.now();

function finish(passed, failed, message) {
  if (message) console.error(message);
  console.log(`\nWindows package under Wine: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

try {
  if (!process.argv.includes('--no-build')) {
    const r = spawnSync(node22.bin, [path.join(root, 'build', 'setup.mjs'), '--build-only', '--if-changed'], { stdio: 'inherit', cwd: root });
    if (r.status !== 0) finish(0, 1, 'build failed; no tests were run');
  }
  if (!fs.existsSync(path.join(windowsBin, 'vss-session.exe'))) finish(0, 1, `${windowsBin}/vss-session.exe is missing: run 'npm install' first`);
  await timed('Wine (Debian wine64)', ensureWine);
  const version = await timed(`Wine prefix ${winePrefix}`, ensurePrefix);
  const dotnet = installedDotnet();
  if (dotnet.length) finish(0, 1, `the prefix has .NET installed (${dotnet.join(', ')}): the suite needs one without; remove ${winePrefix}`);
  console.log(`    Windows ${version}, no .NET installed in the prefix`);
} catch (e) {
  finish(0, 1, `Wine set-up failed: ${e.message}`);
}

console.log('\nNot shown under Wine: real VSS (Wine\'s vssapi.dll answers E_NOTIMPL to every requester), NTFS junctions and');
console.log('mount points, UAC\'s filtered tokens; .github/workflows/windows.yml runs those on Windows.\n');

const mocha = runMocha('dist/test/windows/**/*.test.js', path.join(results, 'windows.json'), { timeoutMs: 120_000, env: wineEnv() });
stopWine();
const suites = [{ name: 'mocha (vss-session.exe)', ...mocha.counts, ok: mocha.status === 0 && mocha.counts.failed === 0 && mocha.counts.passed > 0 }];
suites.push(await pesterUnderWine());
stopWine();

console.log('\nsuite (under Wine)         passed  failed  skipped');
for (const s of suites) console.log(`${s.name.padEnd(26)} ${String(s.passed).padStart(6)}  ${String(s.failed).padStart(6)}  ${String(s.skipped).padStart(7)}  ${s.ok ? 'ok' : 'FAILED'}`);
const passed = suites.reduce((n, s) => n + s.passed, 0);
const failed = suites.reduce((n, s) => n + s.failed, 0) + suites.filter((s) => !s.ok && s.failed === 0).length;
finish(passed, failed);

/**
 * The module's Pester tests that run under PowerShell for Windows in Wine, against the Windows package: the module's
 * rules (manifest, exports, help, the package chosen by architecture), whole backups through the module, each
 * host being vss-session.exe started by the module over Windows pipes, and the class-based DSC resource, whose
 * methods run vss-session.exe's `dsc` operations.
 */
async function pesterUnderWine() {
  const files = ['Module.Tests.ps1', 'VssBackup.Tests.ps1', 'Dsc.Tests.ps1'];
  const name = 'Pester (PowerShell, win)';
  let ps;
  try {
    ps = await timed('PowerShell for Windows under Wine', () => windowsPowerShell(powershell.version));
  } catch (e) {
    console.error(`PowerShell for Windows could not be set up: ${e.message}`);
    return { name, passed: 0, failed: 1, skipped: 0, ok: false };
  }
  const counts = path.join(results, 'pester-wine.json');
  const runner = path.join(results, 'pester-wine.ps1');
  fs.rmSync(counts, { force: true });
  fs.writeFileSync(runner, `
    $ErrorActionPreference = 'Stop'
    Import-Module '${toWindows(pester.manifest)}' -MinimumVersion 5.0
    # Pester asks CIM for the OS of its test report; Wine's CIM throws in its type initializer and the run hangs.
    & (Get-Module Pester) { $SafeCommands['Get-CimInstance'] = $null; $SafeCommands['Get-WmiObject'] = $null }
    $config = New-PesterConfiguration
    $config.Run.Path = @(${files.map((f) => `'${toWindows(path.join(root, 'test', 'pester', f))}'`).join(', ')})
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $r = Invoke-Pester -Configuration $config
    @{ passed = $r.PassedCount; failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount; skipped = $r.SkippedCount } |
      ConvertTo-Json | Set-Content -LiteralPath '${toWindows(counts)}'
    exit ([int]($r.Result -ne 'Passed'))
  `);
  const out = path.join(results, 'pester-wine.out');
  const err = path.join(results, 'pester-wine.err');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vsswin-pester-'));
  console.log(`==> Pester under Wine: ${files.join(', ')} (output in ${path.relative(root, out)})`);
  const run = runWindowsPowerShell(ps.pwsh, ps.dotnetRoot, runner, [], { out, err, env: { VSS_SESSION_EMULATOR: '1', VSS_SESSION_HOME: toWindows(path.join(home, 'h')) } });
  const output = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  process.stdout.write(output.split('\n').filter((line) => /\[[-+!]\]|Describing|Tests Passed|Tests completed/.test(line)).join('\n') + '\n');
  const errors = fs.existsSync(err) ? fs.readFileSync(err, 'utf8').split('\n').filter((line) => line.trim() && !/FS volume label and serial are not available/.test(line)) : [];
  if (errors.length) process.stdout.write(errors.join('\n') + '\n');
  fs.rmSync(home, { recursive: true, force: true });
  const c = fs.existsSync(counts) ? JSON.parse(fs.readFileSync(counts, 'utf8')) : { passed: 0, failed: 0, skipped: 0 };
  return { name, ...c, ok: run.status === 0 && c.failed === 0 && c.passed > 0 };
}
