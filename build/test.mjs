// `npm test`: builds what changed, runs every suite (mocha, Pester, xunit) and ends with one line
// "N passed, N failed". It fails if any suite fails or if any suite ran no tests.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { node22, pester, root } from './config.mjs';
import { pwsh } from './pwsh.mjs';
import { runMocha } from './run.mjs';
import { ensureSshd } from './sshd.mjs';

const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });
const suites = [];

function record(name, counts, exitStatus) {
  const ran = counts.passed + counts.failed;
  const ok = exitStatus === 0 && counts.failed === 0 && ran > 0;
  suites.push({ name, ...counts, ok, note: ran === 0 ? 'ran no tests' : exitStatus !== 0 && counts.failed === 0 ? `exited with ${exitStatus}` : '' });
}

function build() {
  const r = spawnSync(node22.bin, [path.join(root, 'build', 'setup.mjs'), '--build-only', '--if-changed'], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error('build failed; no tests were run');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

function mocha() {
  const { counts, status } = runMocha('dist/test/mocha/**/*.test.js', path.join(results, 'mocha.json'));
  record('mocha', counts, status);
}

function pesterSuite() {
  // The remoting tests (test/pester/Remoting.Tests.ps1) start sshd processes of their own.
  try {
    ensureSshd();
  } catch (e) {
    console.error(e.message);
    record('Pester', { passed: 0, failed: 1, skipped: 0 }, 1);
    return;
  }
  const report = path.join(results, 'pester.json');
  fs.rmSync(report, { force: true });
  const script = `
    $ErrorActionPreference = 'Stop'
    Import-Module '${pester.manifest}' -MinimumVersion 5.0
    $config = New-PesterConfiguration
    $config.Run.Path = '${path.join(root, 'test', 'pester')}'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = '${path.join(results, 'pester.xml')}'
    $r = Invoke-Pester -Configuration $config
    @{ passed = $r.PassedCount; failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount; skipped = $r.SkippedCount } |
      ConvertTo-Json | Set-Content -LiteralPath '${report}'
    exit ([int]($r.Result -ne 'Passed'))`;
  const r = pwsh(['-NoProfile', '-NonInteractive', '-Command', script]);
  const counts = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : { passed: 0, failed: 0, skipped: 0 };
  record('Pester', counts, r.status);
}

function xunit() {
  const trx = path.join(results, 'xunit.trx');
  fs.rmSync(trx, { force: true });
  const r = spawnSync('dotnet', [
    'test', path.join(root, 'test', 'dotnet', 'VssSession.Interop.Tests', 'VssSession.Interop.Tests.csproj'),
    '-c', 'Release', '--nologo',
    '--logger', `trx;LogFileName=${trx}`,
    '--logger', 'console;verbosity=normal',
  ], { stdio: 'inherit', cwd: root });
  const counts = { passed: 0, failed: 0, skipped: 0 };
  if (fs.existsSync(trx)) {
    const summary = fs.readFileSync(trx, 'utf8').match(/<Counters [^>]*>/)?.[0] ?? '';
    const attr = (name) => Number(summary.match(new RegExp(`${name}="(\\d+)"`))?.[1] ?? 0);
    counts.passed = attr('passed');
    counts.failed = attr('failed') + attr('error') + attr('timeout') + attr('aborted');
    counts.skipped = attr('total') - attr('executed');
  }
  record('xunit', counts, r.status);
}

build();
mocha();
pesterSuite();
xunit();

console.log('\nsuite    passed  failed  skipped');
for (const s of suites) console.log(`${s.name.padEnd(8)} ${String(s.passed).padStart(6)}  ${String(s.failed).padStart(6)}  ${String(s.skipped).padStart(7)}  ${s.ok ? 'ok' : 'FAILED'} ${s.note}`);
const passed = suites.reduce((n, s) => n + s.passed, 0);
const failed = suites.reduce((n, s) => n + s.failed, 0) + suites.filter((s) => !s.ok && s.failed === 0).length;
console.log(`${passed} passed, ${failed} failed`);
process.exit(suites.every((s) => s.ok) ? 0 : 1);
