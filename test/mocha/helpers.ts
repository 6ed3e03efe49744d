import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { createMessageConnection, MessageConnection } from 'vscode-jsonrpc/node';
import { readJournal } from '../../src/emulator/control';
import { JournalEntry } from '../../src/emulator/model';
import { EmulatorService } from '../../src/emulator/service';
import { startHost } from '../../src/host/server';
import { emulatorPaths, EmulatorPaths, platformFolder, repoRoot } from '../../src/paths';
import { Interop } from '../../src/requester/interop';

/** A temporary VSS_SESSION_HOME and a volume (a directory holding one file) outside it. */
export function tempWorld(): { root: string; home: string; volume: string; paths: EmulatorPaths; cleanup(): void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vsst-'));
  const home = path.join(root, 'h');
  const volume = path.join(root, 'volume');
  fs.mkdirSync(volume);
  fs.writeFileSync(path.join(volume, 'ledger.txt'), 'balance: 100\n');
  return {
    root,
    home,
    volume,
    paths: emulatorPaths(home),
    cleanup: () => {
      fs.chmodSync(root, 0o700);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The emulated service running inside the test process. */
export async function startService(paths: EmulatorPaths): Promise<EmulatorService> {
  const service = new EmulatorService(paths);
  await service.listen();
  return service;
}

/**
 * A temporary world with the emulated service running in this process for the enclosing suite: started
 * before its tests, stopped and removed after them. `restart()` stops it and starts a new one on the same state.
 */
export function inProcessService() {
  const world = tempWorld();
  let service: EmulatorService | undefined;
  before(async () => {
    service = await startService(world.paths);
  });
  after(async () => {
    await service?.stop();
    world.cleanup();
  });
  return {
    world,
    async restart(): Promise<void> {
      await service?.stop();
      service = await startService(world.paths);
    },
  };
}

export function journalFor(paths: EmulatorPaths, snapshotSetId: string | null): JournalEntry[] {
  return readJournal(paths).filter((e) => e.snapshotSetId === snapshotSetId);
}

export const executable = path.join(repoRoot(), 'module', 'bin', platformFolder(), process.platform === 'win32' ? 'vss-session.exe' : 'vss-session');

/** Polls until the condition holds or the time runs out. */
export async function eventually<T>(probe: () => T | undefined | false, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls an asynchronous probe until it holds or the time runs out. */
export async function until(probe: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Skips a test that needs Linux itself (/proc, POSIX file modes, POSIX signals, a POSIX shell), printing why: the
 * Windows job (.github/workflows/windows.yml) runs every other test against the Windows package.
 */
export function linuxOnly(test: Mocha.Context, why: string): void {
  if (process.platform === 'linux') return;
  console.log(`      (skipped on ${process.platform}: ${why})`);
  test.skip();
}

/**
 * A host in this process, on in-memory streams, for the emulated service at `socket`: `client` speaks to it, and
 * `end()` closes its input as a PowerShell that exits would.
 */
export function hostInProcess(socket: string): { client: MessageConnection; end(): void } {
  const input = new PassThrough();
  const output = new PassThrough();
  startHost(input, output, { interop: new Interop(), service: async () => ({ kind: 'emulator', socket }) });
  const client = createMessageConnection(output, input);
  client.listen();
  return {
    client,
    end() {
      client.dispose();
      input.end();
    },
  };
}
