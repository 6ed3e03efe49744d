// Runs a child process with inherited output and fails loudly, naming the step and its exit code.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { node22, root } from './config.mjs';

export function run(step, file, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(file, args, { stdio: 'inherit', ...options });
  if (result.error) throw new Error(`${step}: could not start ${file}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${step}: ${file} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return Date.now() - started;
}

/** Runs a named step, synchronous or asynchronous, and prints how long it took. */
export async function timed(step, work) {
  const started = Date.now();
  process.stdout.write(`==> ${step}\n`);
  const value = await work();
  process.stdout.write(`    ${step}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return value;
}

/**
 * mocha on the Node the executables embed (the in-process tests load edge-js, built for it), with the spec reporter on
 * the console and the counts written to `report`; returns the counts and mocha's exit status.
 */
export function runMocha(spec, report, { timeoutMs = 60_000, env = process.env } = {}) {
  fs.rmSync(report, { force: true });
  const r = spawnSync(node22.bin, [
    path.join(root, 'node_modules/mocha/bin/mocha.js'),
    '--reporter', path.join(root, 'build', 'mocha-reporter.cjs'),
    '--reporter-option', `output=${report}`,
    '--timeout', String(timeoutMs),
    // Once edge-js has run C# in this process it can keep the event loop referenced after the last test
    // (seen now and then, with no JavaScript handle open); --exit ends the run when the tests are done.
    '--exit',
    spec,
  ], { stdio: 'inherit', cwd: root, env: { ...env, FORCE_COLOR: '0' } });
  const counts = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : { passed: 0, failed: 0, skipped: 0 };
  return { counts, status: r.status };
}
