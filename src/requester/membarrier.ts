import * as path from 'node:path';
import { runtimeDir } from '../paths';

/**
 * Linux: starts the membarrier registration CoreCLR's start makes anyway, on a thread of its own and as early as
 * possible (see src/native/membarrier.c: in a process that already has threads, the registration waits for an RCU
 * grace period, which the host's start would otherwise wait for). For commands that load
 * .NET only. The addon is an optimization: where it is missing or cannot be loaded, nothing is lost but that time.
 */
export function registerMembarrierEarly(): void {
  if (process.platform !== 'linux') return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(path.join(runtimeDir(), 'membarrier.node')) as { start(): boolean }).start();
  } catch {
    // no addon (a build without a C compiler, an unusual libc): CoreCLR registers on its own, later
  }
}
