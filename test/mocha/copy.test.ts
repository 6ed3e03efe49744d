// The emulated provider's copy of a volume stays inside the volume (links kept as links, never followed) and can be
// cancelled: AbortBackup, a phase time limit, the requester's death and the service's stop each end it at once,
// leaving no half copy behind. The provider is made to take 30 s; each bound below is far under it, and far over what
// a cancelled copy takes on a busy machine (a fraction of a second), so that only a copy that was not cancelled fails.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import { readJournal } from '../../src/emulator/control';
import { EmulatorService } from '../../src/emulator/service';
import { copyTreeReadOnly, copyTreeWalking } from '../../src/emulator/snapshot-store';
import { Methods } from '../../src/host/protocol';
import { eventually, executable, hostInProcess, startService, tempWorld } from './helpers';

/** A volume holding a file, a folder, and links to a folder and a file outside it. */
function volumeWithLinks(root: string): { volume: string; outside: string } {
  const volume = path.join(root, 'linked-volume');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(path.join(volume, 'data'), { recursive: true });
  fs.mkdirSync(path.join(outside, 'deep'), { recursive: true });
  fs.writeFileSync(path.join(volume, 'data', 'ledger.txt'), 'balance: 100\n');
  fs.writeFileSync(path.join(outside, 'deep', 'secret.txt'), 'not on this volume\n');
  fs.symlinkSync(outside, path.join(volume, 'home-link'));
  fs.symlinkSync(path.join(outside, 'deep', 'secret.txt'), path.join(volume, 'file-link'));
  return { volume, outside };
}

describe('the emulated provider\'s copy of a volume', function () {
  const world = tempWorld();
  after(() => world.cleanup());

  for (const [name, copy] of [
    ['cp -a (Linux)', (from: string, to: string, signal?: AbortSignal) => copyTreeReadOnly(from, to, signal)],
    ['the walking copy (Windows, macOS)', async (from: string, to: string, signal = new AbortController().signal) => {
      const report = { linksNotKept: [] as string[] };
      await copyTreeWalking(from, to, signal, report);
      return report;
    }],
  ] as const) {
    describe(name, () => {
      it('keeps links as links, pointing where they pointed, and never copies what they lead to', async () => {
        const { volume, outside } = volumeWithLinks(path.join(world.root, name.replace(/\W+/g, '-')));
        const target = `${volume}.copy`;
        const report = await copy(volume, target);
        assert.deepEqual(report.linksNotKept, []);
        assert.equal(fs.readFileSync(path.join(target, 'data', 'ledger.txt'), 'utf8'), 'balance: 100\n');
        for (const link of ['home-link', 'file-link']) assert.ok(fs.lstatSync(path.join(target, link)).isSymbolicLink(), `${link} is a link in the copy`);
        assert.equal(fs.readlinkSync(path.join(target, 'home-link')), outside);
        const copied: string[] = [];
        const walk = (dir: string) => {
          for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            copied.push(path.relative(target, path.join(dir, e.name)));
            if (e.isDirectory()) walk(path.join(dir, e.name));
          }
        };
        walk(target);
        assert.deepEqual(copied.sort(), ['data', 'data/ledger.txt', 'file-link', 'home-link']);
      });

      it('stops when cancelled and leaves nothing of the copy', async () => {
        const { volume } = volumeWithLinks(path.join(world.root, `${name.replace(/\W+/g, '-')}-cancel`));
        const target = `${volume}.copy`;
        const cancel = new AbortController();
        cancel.abort(new Error('AbortBackup'));
        await assert.rejects(copy(volume, target, cancel.signal), /AbortBackup|aborted/i);
        if (name.startsWith('cp')) assert.ok(!fs.existsSync(target), 'the half copy is removed');
      });
    });
  }
});

describe('cancelling DoSnapshotSet while the provider copies', function () {
  const world = tempWorld();
  let service: EmulatorService | undefined;
  // The provider takes 30 s after its copies: every way of ending the backup must cut it short.
  beforeEach(async () => {
    fs.mkdirSync(world.home, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(world.home, 'provider.json'), JSON.stringify({ copyDelayMs: 30_000 }));
    service = await startService(world.paths);
  });
  afterEach(async () => service?.stop());
  after(() => world.cleanup());

  const setFolders = () => (fs.existsSync(world.paths.snapshots) ? fs.readdirSync(world.paths.snapshots) : []);
  const journalSince = (count: number) => readJournal(world.paths).slice(count);

  /** A backup by the executable, left running once its writers are frozen and the copy made. */
  async function backupFrozen() {
    const before = readJournal(world.paths).length;
    const child = spawn(executable, ['backup', '--volume', world.volume], { env: { ...process.env, VSS_SESSION_HOME: world.home }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const freeze = await eventually(() => journalSince(before).find((e) => e.event === 'Freeze'), 30_000);
    await eventually(() => setFolders().length > 0, 10_000);
    return { child, exited, snapshotSetId: freeze.snapshotSetId!, before };
  }

  it('a phase time limit: AbortBackup ends the copy at once, not after it', async () => {
    const { client, end } = hostInProcess(world.paths.socket);
    try {
      await client.sendRequest(Methods.createBackup, { phaseTimeoutMs: 500 });
      const started = Date.now();
      await assert.rejects(client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] }), (e: ResponseError<{ name: string }>) => e.data?.name === 'ERROR_TIMEOUT');
      assert.equal((await client.sendRequest(Methods.abortBackup)).state, 'aborted');
      const took = Date.now() - started;
      assert.ok(took < 5000, `the time limit and the abort took ${took} ms (the provider would have taken 30 s)`);
      assert.deepEqual(setFolders(), [], 'no copy is left');
      await client.sendRequest(Methods.closeBackup);
    } finally {
      end();
    }
  });

  it('the requester killed: writers get Abort and BackupShutdown at once, and no copy is left', async () => {
    const { child, exited, snapshotSetId } = await backupFrozen();
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await exited;
    const shutdowns = await eventually(() => {
      const lines = readJournal(world.paths).filter((e) => e.snapshotSetId === snapshotSetId && e.event === 'BackupShutdown');
      return lines.length === 2 && lines;
    }, 10_000, );
    const waited = Date.now() - killedAt;
    assert.ok(waited < 5000, `BackupShutdown came ${waited} ms after the kill (the provider would have taken 30 s)`);
    for (const line of shutdowns) assert.equal(line.endedBy, 'RequesterGone');
    assert.ok(readJournal(world.paths).some((e) => e.snapshotSetId === snapshotSetId && e.event === 'Abort'));
    await eventually(() => setFolders().length === 0, 5000);
  });

  it('the service stopped: it ends at once, the backup aborted and no copy left', async () => {
    const { exited, snapshotSetId } = await backupFrozen();
    const started = Date.now();
    await service!.stop();
    const took = Date.now() - started;
    assert.ok(took < 5000, `stopping took ${took} ms (the provider would have taken 30 s)`);
    assert.notEqual(await exited, 0, 'the backup failed');
    const ends = readJournal(world.paths).filter((e) => e.snapshotSetId === snapshotSetId).map((e) => e.event);
    assert.ok(ends.includes('Abort') && ends.includes('BackupShutdown'), ends.join(', '));
    assert.deepEqual(setFolders(), []);
  });
});
