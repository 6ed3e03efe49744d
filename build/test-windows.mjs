// `npm run test:windows`: the Windows package (module/bin/win-x64) run under Wine, in a prefix with no .NET, against
// the emulated service over its named pipe. Builds first as `npm test` does (`--no-build` skips it), sets Wine up
// (build/wine.mjs), runs the mocha suite test/windows and ends with one line "N passed, N failed". It fails if the
// suite fails or runs nothing. Wine cannot show real VSS (its vssapi.dll answers E_NOTIMPL): the suite says so.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { node22, root, windowsBin } from './config.mjs';
import { timed } from './run.mjs';
import { ensurePrefix, ensureWine, installedDotnet, stopWine, wineEnv, winePrefix } from './wine.mjs';

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
    const r = spawnSync(node22.bin, [path.join(root, 'build', 'setup.mjs'), '--build-only'], { stdio: 'inherit', cwd: root });
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

const report = path.join(results, 'windows.json');
fs.rmSync(report, { force: true });
const r = spawnSync(node22.bin, [
  path.join(root, 'node_modules/mocha/bin/mocha.js'),
  '--reporter', path.join(root, 'build', 'mocha-reporter.cjs'),
  '--reporter-option', `output=${report}`,
  '--timeout', '120000',
  '--exit',
  'dist/test/windows/**/*.test.js',
], { stdio: 'inherit', cwd: root, env: { ...wineEnv(), FORCE_COLOR: '0' } });
stopWine();
const counts = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : { passed: 0, failed: 0, skipped: 0 };
finish(counts.passed, counts.failed + (r.status !== 0 && counts.failed === 0 ? 1 : 0), counts.skipped ? `${counts.skipped} skipped` : '');
