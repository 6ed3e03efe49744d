// The packaged executable, run as a child process the way the PowerShell module and operators run it.
import { strict as assert } from 'node:assert';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { Methods } from '../../src/host/protocol';
import { repoRoot } from '../../src/paths';
import { eventually, executable, journalFor, tempWorld, linuxOnly } from './helpers';

const packageVersion = (JSON.parse(fs.readFileSync(`${repoRoot()}/package.json`, 'utf8')) as { version: string }).version;

function mapsCoreClr(pid: number): boolean {
  return fs.readFileSync(`/proc/${pid}/maps`, 'utf8').includes('libcoreclr');
}

describe('vss-session executable', function () {
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };
  const cli = (...args: string[]) => spawnSync(executable, args, { env, encoding: 'utf8', timeout: 30_000 });

  after(() => {
    cli('emulator', 'stop');
    world.cleanup();
  });

  it('prints its version and help', () => {
    const version = cli('--version');
    assert.equal(version.status, 0);
    assert.equal(version.stdout.trim(), packageVersion);
    const help = cli('--help');
    assert.equal(help.status, 0);
    for (const command of ['host', 'backup', 'snapshots', 'emulator']) assert.match(help.stdout, new RegExp(`vss-session ${command}`));
  });

  it('rejects a wrong command line with exit code 2 and one message line', () => {
    const result = cli('snapshots', 'explode');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^vss-session: .*explode/m);
    assert.equal(result.stdout, '');
  });

  it('starts the emulated service detached: the starter returns while the service keeps running', function () {
    linuxOnly(this, 'checks the state folder\'s POSIX mode');
    // spawnSync waits for the child's stdout and stderr to close: it returns only if the service let go of them.
    const start = cli('emulator', 'start', '--json');
    assert.equal(start.status, 0, start.stderr);
    const started = JSON.parse(start.stdout) as { pid: number; home: string };
    assert.equal(started.home, world.home);
    const status = JSON.parse(cli('emulator', 'status', '--json').stdout) as { pid: number };
    assert.equal(status.pid, started.pid);
    assert.equal(fs.statSync(world.home).mode & 0o777, 0o700, 'the state folder is private');
  });

  describe('host mode', () => {
    let host: ChildProcess;
    let client: MessageConnection;

    beforeEach(() => {
      host = spawn(executable, ['host'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
      client = createMessageConnection(new StreamMessageReader(host.stdout!), new StreamMessageWriter(host.stdin!));
      client.listen();
    });
    afterEach(() => {
      client.dispose();
      if (host.exitCode === null) host.kill('SIGKILL');
    });

    const exited = () => new Promise<number | null>((resolve) => (host.exitCode !== null ? resolve(host.exitCode) : host.once('exit', (code) => resolve(code))));

    it('loads .NET only when a request needs it', async function () {
      linuxOnly(this, 'reads the mapped libraries from /proc');
      await eventually(() => fs.existsSync(`/proc/${host.pid}/maps`) && fs.readFileSync(`/proc/${host.pid}/maps`, 'utf8').includes('vss-session'));
      assert.equal(mapsCoreClr(host.pid!), false, 'libcoreclr is mapped before any request');
      assert.deepEqual(await client.sendRequest(Methods.ping), { pong: true });
      assert.equal(mapsCoreClr(host.pid!), true, 'libcoreclr is not mapped after a request through .NET');
    });

    it('runs a whole backup and exits when its stdin closes', async () => {
      const backup = await client.sendRequest(Methods.createBackup, {});
      assert.equal(backup.hostProcessId, host.pid);
      const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      await client.sendRequest(Methods.completeBackup);
      const closed = await client.sendRequest(Methods.closeBackup);
      assert.ok(closed.writers.every((w) => w.backupCompleteReceived));
      host.stdin!.end();
      assert.equal(await exited(), 0);
      const shutdowns = journalFor(world.paths, set.snapshotSetId).filter((e) => e.event === 'BackupShutdown');
      assert.deepEqual(shutdowns.map((e) => e.backupCompleteReceived), [true, true]);
    });

    it('ends an open backup on SIGTERM: Abort and BackupShutdown reach the writers', async function () {
      linuxOnly(this, 'Windows has no SIGTERM: kill() ends a process there without a handler');
      await client.sendRequest(Methods.createBackup, {});
      const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      host.kill('SIGTERM');
      assert.equal(await exited(), 143);
      const events = journalFor(world.paths, set.snapshotSetId).map((e) => e.event);
      assert.deepEqual(events.slice(-4), ['Abort', 'Abort', 'BackupShutdown', 'BackupShutdown']);
    });
  });

  it('lists and deletes snapshot sets from the command line', () => {
    const made = cli('backup', '--volume', world.volume, '--context', 'ClientAccessible', '--json');
    assert.equal(made.status, 0, made.stderr);
    const { snapshotSetId } = JSON.parse(made.stdout) as { snapshotSetId: string };
    const listed = JSON.parse(cli('snapshots', 'list', '--json').stdout) as { snapshotSetId: string }[];
    assert.ok(listed.some((s) => s.snapshotSetId === snapshotSetId));
    const deleted = cli('snapshots', 'delete', '--snapshot-set-id', snapshotSetId, '--json');
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.deepEqual(JSON.parse(deleted.stdout), { deleted: 1 });
    const again = cli('snapshots', 'delete', '--snapshot-set-id', snapshotSetId, '--json');
    assert.equal(again.status, 1);
    assert.equal((JSON.parse(again.stdout) as { error: { name: string } }).error.name, 'VSS_E_OBJECT_NOT_FOUND');
    assert.match(again.stderr, /^vss-session: VSS_E_OBJECT_NOT_FOUND \(0x80042308\): /);
  });

  it('stops the emulated service', () => {
    const stop = cli('emulator', 'stop', '--json');
    assert.equal(stop.status, 0);
    assert.deepEqual(JSON.parse(stop.stdout), { stopped: true });
    assert.equal(cli('emulator', 'status').status, 3);
  });
});
