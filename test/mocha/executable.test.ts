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

    it('readies .NET as it starts, before any request (every request of a host needs it); one-shot commands that need none never load it', async function () {
      linuxOnly(this, 'reads the mapped libraries from /proc');
      await eventually(() => fs.existsSync(`/proc/${host.pid}/maps`) && mapsCoreClr(host.pid!));
      assert.deepEqual(await client.sendRequest(Methods.ping), { pong: true });
      // The dynamic loader names every library it loads (LD_DEBUG=files): a one-shot command loads no libcoreclr.
      for (const args of [['--version'], ['emulator', 'status']]) {
        const loaded = spawnSync(executable, args, { env: { ...env, LD_DEBUG: 'files' }, encoding: 'utf8' }).stderr;
        assert.match(loaded, /libc\.so/, 'LD_DEBUG=files lists the libraries loaded');
        assert.doesNotMatch(loaded, /libcoreclr/, `'${args.join(' ')}' loaded .NET`);
      }
    });

    it('starts the emulated service anew when its socket is left but nothing listens there (a service killed with -9)', async function () {
      linuxOnly(this, 'kills the service with SIGKILL');
      const killed = (JSON.parse(cli('emulator', 'start', '--json').stdout) as { pid: number }).pid;
      process.kill(killed, 'SIGKILL');
      await eventually(() => {
        try {
          process.kill(killed, 0);
          return false;
        } catch {
          return true;
        }
      });
      assert.ok(fs.existsSync(world.paths.socket), 'the killed service left its socket behind');
      // A host started now finds the socket refusing connections and starts a service, as a request needs one.
      const fresh = spawn(executable, ['host'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
      const freshClient = createMessageConnection(new StreamMessageReader(fresh.stdout!), new StreamMessageWriter(fresh.stdin!));
      freshClient.listen();
      try {
        const backup = await freshClient.sendRequest(Methods.createBackup, {});
        assert.equal(backup.hostProcessId, fresh.pid);
        await freshClient.sendRequest(Methods.closeBackup);
      } finally {
        freshClient.dispose();
        fresh.kill('SIGKILL');
      }
      const now = (JSON.parse(cli('emulator', 'status', '--json').stdout) as { pid: number }).pid;
      assert.notEqual(now, killed);
    });

    it('runs a whole backup and exits when its stdin closes', async () => {
      const backup = await client.sendRequest(Methods.createBackup, {});
      assert.equal(backup.hostProcessId, host.pid);
      const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      await client.sendRequest(Methods.completeBackup, {});
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

describe('what the module ships', () => {
  it('carries no path of the build machine (assemblies, PDB paths, bundles, SEA blobs, code cache)', () => {
    const root = Buffer.from(repoRoot());
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile() && fs.readFileSync(full).includes(root)) found.push(full.slice(root.length + 1));
      }
    };
    walk(`${repoRoot()}/module`);
    assert.deepEqual(found, [], `files naming ${repoRoot()}`);
  });
});
