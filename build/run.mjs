// Runs a child process with inherited output and fails loudly, naming the step and its exit code.
import { spawnSync } from 'node:child_process';

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
