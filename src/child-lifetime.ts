// Children that die with their parent. A copy left running by a killed service writes into a state folder the next
// service is sweeping; a command left running by a killed `backup --exec` reads a snapshot that no longer exists.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

/** util-linux's setpriv (Essential in Debian and Ubuntu; part of util-linux everywhere else), looked up once. */
let setpriv: string | null | undefined;
const findSetpriv = () => (setpriv ??= ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p)) ?? null);

/**
 * The command line that runs `file args` as a child the kernel signals when this process dies, even by kill -9:
 * on Linux through setpriv --pdeathsig (prctl PR_SET_PDEATHSIG, set in the child before it runs `file`, and kept
 * across exec). The signal is tied to the thread that spawned the child, which for Node is the main thread: the
 * process's own lifetime. Elsewhere, or where setpriv is missing, the command as given.
 */
export function diesWithParent(file: string, args: string[], signal: 'KILL' | 'TERM' = 'KILL'): { file: string; args: string[] } {
  const wrapper = process.platform === 'linux' ? findSetpriv() : null;
  return wrapper ? { file: wrapper, args: ['--pdeathsig', signal, '--', file, ...args] } : { file, args };
}

/**
 * Ends a process group when this process ends, however it ends: a small shell, in a group of its own, waits on a pipe
 * only this process writes to; when this process dies (kill -9 included) the pipe closes and the shell sends the group
 * SIGTERM. `dismiss()` stops it once the group has ended on its own. Unix only; the group's leader is `pgid`.
 */
export function endsWithThisProcess(pgid: number): { dismiss(): void } {
  const guard = spawn('/bin/sh', ['-c', 'read _ || kill -s TERM -- "-$0" 2>/dev/null', String(pgid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  guard.on('error', () => undefined);
  guard.unref();
  (guard.stdin as unknown as { unref?(): void } | null)?.unref?.();
  return {
    dismiss: () => {
      try {
        guard.kill('SIGKILL');
      } catch {
        // gone already
      }
    },
  };
}
