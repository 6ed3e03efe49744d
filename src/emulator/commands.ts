import * as fs from 'node:fs';
import { ExitCode } from '../exit-codes';
import { emulatorPaths, sessionHome } from '../paths';
import { ensureRunning, readJournal, ServiceRefused, status, stop } from './control';
import type { JournalEntry } from './model';
import { EmulatorService } from './service';

export async function emulatorCommand(action: 'start' | 'stop' | 'status' | 'journal' | 'serve', json: boolean): Promise<void> {
  const paths = emulatorPaths(sessionHome());
  const out = (value: unknown, text: string): void => void process.stdout.write((json ? JSON.stringify(value) : text) + "\n");
  switch (action) {
    case 'serve': {
      logWithoutFailing();
      const service = new EmulatorService(paths);
      try {
        await service.listen();
      } catch (e) {
        // The starter reads this line from the log and shows it.
        process.stderr.write(`emulated VSS service not started: ${(e as Error).message}\n`);
        process.exit(ExitCode.emulatorUnavailable);
      }
      const quit = () => void service.stop().then(() => process.exit(0));
      process.on('SIGTERM', quit);
      process.on('SIGINT', quit);
      return;
    }
    case 'start': {
      const s = await ensureRunning(paths);
      return out(s, `emulated VSS service running (pid ${s.pid}, home ${s.home})`);
    }
    case 'stop': {
      const stopped = await stop(paths);
      return out({ stopped }, stopped ? 'emulated VSS service stopped' : 'emulated VSS service was not running');
    }
    case 'status': {
      let s;
      try {
        s = await status(paths);
      } catch (e) {
        if (!(e instanceof ServiceRefused)) throw e;
        if (json) out({ running: true, refused: e.message, home: paths.home }, '');
        process.stderr.write(`vss-session: ${e.message}\n`);
        process.exitCode = ExitCode.emulatorUnavailable;
        return;
      }
      if (s) return out(s, `running (pid ${s.pid}, ${s.clients} client(s), ${s.snapshots} snapshot(s), home ${s.home})`);
      // Not running is an answer, and also exit code 3 with its one line on stderr, like every failure.
      if (json) out({ running: false, home: paths.home }, '');
      process.stderr.write(`vss-session: the emulated VSS service is not running (home ${paths.home}); 'vss-session emulator start' starts it\n`);
      process.exitCode = ExitCode.emulatorUnavailable;
      return;
    }
    case 'journal': {
      const entries = readJournal(paths);
      if (json) {
        for (const e of entries) process.stdout.write(JSON.stringify(e) + '\n');
      } else {
        for (const e of entries as (JournalEntry & { snapshotId?: string; volume?: string })[]) {
          if ((e.event as string) === 'DiffAreaFull') {
            process.stdout.write(`${e.time}  ${'DiffAreaFull'.padEnd(18)} snapshot ${e.snapshotId} of ${e.volume} deleted for space  set=${e.snapshotSetId}\n`);
            continue;
          }
          const extra = e.backupCompleteReceived === undefined ? '' : ` backupCompleteReceived=${e.backupCompleteReceived}`;
          process.stdout.write(`${e.time}  ${e.event.padEnd(18)} ${e.writer}  set=${e.snapshotSetId ?? '-'}  state=${e.state}${extra}\n`);
        }
      }
      return;
    }
  }
}

/**
 * The service's stderr is emulator.log in its home. Node's stream for a file ends the process when a write fails
 * (an 'error' event nobody can handle in time), so a full disk would kill the service through its own log. Lines
 * are written straight to the file instead, and one that cannot be written is lost: a full disk costs log lines,
 * never the service and its writers' sessions.
 */
function logWithoutFailing(): void {
  process.stderr.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((e?: Error | null) => void), done?: (e?: Error | null) => void): boolean => {
    try {
      fs.writeSync(2, typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : chunk);
    } catch {
      // lost: the disk is full
    }
    (typeof encoding === 'function' ? encoding : done)?.(null);
    return true;
  }) as typeof process.stderr.write;
}
