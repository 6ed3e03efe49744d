// Faults in the emulated service's environment: a full disk, damaged or copied state, edited paths. Nothing that was
// made durable is lost, no reply claims a change that was not saved, and no folder outside the service's own
// snapshots folder is ever deleted.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readJournalFile } from '../../src/emulator/journal';
import { EmulatorService, readSavedSnapshots } from '../../src/emulator/service';
import { emulatorPaths } from '../../src/paths';
import { diesWithParent } from '../../src/child-lifetime';
import { eventually, executable, linuxOnly, startService, tempWorld } from './helpers';
import { CTX_CLIENT_ACCESSIBLE, failure, RawComponent, SNAPSHOT_SET } from './raw-component';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

/** The executable run to its end without blocking this process (whose in-process service may be the one it calls). */
function runExecutable(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(executable, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stderr })));
}

/** Every line of a JSON-lines file parses: nothing torn, nothing glued. */
function assertLineWhole(file: string): unknown[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch (e) {
        assert.fail(`${path.basename(file)} line ${i + 1} is not whole JSON (${(e as Error).message}): ${l.slice(0, 120)}`);
      }
    });
}

async function persistentSet(socket: string, volume: string): Promise<string> {
  const c = await (await RawComponent.open(socket)).begin(CTX_CLIENT_ACCESSIBLE);
  const id = await c.snapshot([volume]);
  await c.release();
  return id;
}

async function query(socket: string): Promise<{ snapshotId: string; snapshotSetId: string; deviceObject: string; originalVolume: string }[]> {
  const admin = await (await RawComponent.open(socket)).begin(-1);
  try {
    return (await admin.call('query')).snapshots;
  } finally {
    await admin.release();
  }
}

async function deleteSet(socket: string, id: string): Promise<{ deleted: number }> {
  const admin = await (await RawComponent.open(socket)).begin(-1);
  try {
    return await admin.call('deleteSnapshots', { sourceId: id, sourceType: SNAPSHOT_SET });
  } finally {
    await admin.release();
  }
}

describe('faults in the emulated service\'s environment', function () {
  describe('a full disk under its state folder (a small tmpfs)', function () {
    const world = tempWorld();
    const mount = path.join(world.root, 'small-disk');
    const paths = emulatorPaths(path.join(mount, 'home'));
    const filler = path.join(mount, 'filler');
    let service: EmulatorService | undefined;
    let mounted = false;

    before(function () {
      fs.mkdirSync(mount);
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mount], { encoding: 'utf8' });
      if (r.status !== 0) {
        console.log(`      (skipped: a small filesystem could not be mounted for the full-disk tests: ${(r.stderr || r.error?.message || '').trim()}; they need root)`);
        this.skip();
      }
      mounted = true;
    });
    after(async () => {
      await service?.stop().catch(() => undefined);
      if (mounted) spawnSync('umount', [mount]);
      world.cleanup();
    });

    /** Fills the disk to its last byte. */
    function fill(): void {
      const chunk = Buffer.alloc(4096, 1);
      const fd = fs.openSync(filler, 'a');
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      }
      for (let size = 2048; size >= 1; size = Math.floor(size / 2)) {
        try {
          for (;;) fs.writeSync(fd, Buffer.alloc(size, 1));
        } catch {
          // the next, smaller size fills what is left
        }
      }
      fs.closeSync(fd);
    }

    /** Pads a file to the end of its last page with a blank line (which readers skip): tmpfs gives a file whole pages,
     * so without it an append fits in the page's slack and needs no space the full disk does not have. */
    function padToPage(file: string): void {
      const size = fs.statSync(file).size;
      if (size % 4096 !== 0) fs.appendFileSync(file, `${' '.repeat(4096 - (size % 4096) - 1)}\n`);
    }

    it('refuses a delete it cannot save with VSS_E_INSUFFICIENT_STORAGE, keeps the set whole, and deletes it once there is room', async () => {
      service = await startService(paths);
      const kept = await persistentSet(paths.socket, world.volume);
      const device = (await query(paths.socket)).find((x) => x.snapshotSetId === kept)!.deviceObject;
      padToPage(paths.stateLog);
      fill();
      const refused = await failure(deleteSet(paths.socket, kept));
      assert.equal(refused.name, 'VSS_E_INSUFFICIENT_STORAGE');
      assert.match(refused.message, /disk is full: it could not save the change .*nothing was changed\. Free space there and retry/);
      // Nothing changed: listed, its data where it was, the change log whole.
      assert.ok((await query(paths.socket)).some((x) => x.snapshotSetId === kept));
      assert.equal(fs.readFileSync(path.join(device, 'ledger.txt'), 'utf8'), 'balance: 100\n');
      assertLineWhole(paths.stateLog);

      fs.rmSync(filler);
      assert.equal((await deleteSet(paths.socket, kept)).deleted, 1);
      assert.ok(!fs.existsSync(device));
      assertLineWhole(paths.stateLog);
    });

    it('keeps its journal line-whole while full, holds the lines it cannot write, and writes them once there is room', async () => {
      // A first backup, journaled while there is room.
      await (await (await RawComponent.open(paths.socket)).begin()).release();
      const before = assertLineWhole(paths.journal).length;
      padToPage(paths.journal);
      fill();
      // A backup that ends while the disk is full: its writers' events cannot be journaled yet, and its Release says so.
      const c = await (await RawComponent.open(paths.socket)).begin();
      const unjournaled = await failure(c.release());
      assert.equal(unjournaled.name, 'VSS_E_INSUFFICIENT_STORAGE');
      assert.match(unjournaled.message, /released and every writer got its BackupShutdown, but the disk under .* is full, so \d+ journal line\(s\) could not be written yet/);
      assert.equal(assertLineWhole(paths.journal).length, before, 'nothing written, and nothing torn');
      fs.rmSync(filler);
      const next = await (await RawComponent.open(paths.socket)).begin();
      await next.release();
      const lines = assertLineWhole(paths.journal).slice(before) as { event: string; sessionId: number }[];
      const shutdowns = lines.filter((l) => l.event === 'BackupShutdown');
      assert.equal(new Set(shutdowns.map((l) => l.sessionId)).size, 2, 'both backups\' BackupShutdown are in the journal, in order');
      assert.ok(lines.findIndex((l) => l.event === 'BackupShutdown') < lines.map((l) => l.event).lastIndexOf('Identify'), 'the held lines come first');
    });

    it('backup: a command that fills the disk makes Release fail, so the backup never exits 0 with its writers\' events unjournaled', async () => {
      padToPage(paths.journal);
      const ready = path.join(world.root, 'exec-ready');
      const go = path.join(world.root, 'exec-go');
      // The command waits (its flags live outside the small disk) while the test fills the disk, then exits 0.
      const command = `sh -c 'touch ${ready}; while [ ! -e ${go} ]; do sleep 0.05; done'`;
      const backup = spawn(executable, ['backup', '--volume', world.volume, '--exec', command], { env: { ...process.env, VSS_SESSION_HOME: paths.home }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      backup.stderr.on('data', (d) => (stderr += String(d)));
      const exited = new Promise<number | null>((resolve) => backup.once('exit', (code) => resolve(code)));
      await eventually(() => fs.existsSync(ready), 30_000);
      const before = assertLineWhole(paths.journal).length;
      padToPage(paths.journal);
      fill();
      fs.writeFileSync(go, '');
      assert.equal(await exited, 1, stderr);
      assert.match(stderr, /IVssBackupComponents::Release failed with VSS_E_INSUFFICIENT_STORAGE .*every writer got its BackupShutdown, but the disk under .* is full/);
      fs.rmSync(filler);
      // Once there is room, the held lines come first: this backup's BackupComplete and BackupShutdown.
      await (await (await RawComponent.open(paths.socket)).begin()).release();
      const events = (assertLineWhole(paths.journal).slice(before) as { event: string }[]).map((l) => l.event);
      assert.deepEqual(events.slice(0, 4), ['BackupComplete', 'BackupComplete', 'BackupShutdown', 'BackupShutdown']);
    });

    it('starts on a full disk and serves what needs no space; a backup that cannot save its own record says so (exit 1) and leaves no temporary file', async () => {
      await service!.stop();
      fill();
      service = await startService(paths);
      assert.ok(Array.isArray(await query(paths.socket)), 'a list needs no space');
      // Spawned, not spawnSync: the service answering it runs in this process.
      const r = await runExecutable(['backup', '--context', 'ClientAccessible', '--volume', world.volume], { ...process.env, VSS_SESSION_HOME: paths.home });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /VSS_E_INSUFFICIENT_STORAGE .*the disk under .*records is full, so the record of this snapshot set \(what lets an orphaned set be found and deleted\) could not be saved to .* Free space there and retry/);
      assert.deepEqual(fs.readdirSync(path.join(paths.home, 'records')).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
      fs.rmSync(filler);
    });

    it('a service whose own log is on the full disk keeps serving: a log line that cannot be written is lost, not the service', async () => {
      const home = path.join(mount, 'home-logged');
      const env = { ...process.env, VSS_SESSION_HOME: home };
      const other = emulatorPaths(home);
      assert.equal((await runExecutable(['emulator', 'start'], env)).status, 0);
      try {
        padToPage(other.log);
        fill();
        // Its journal cannot be written, which the service says in its log, which cannot be written either.
        const c = await (await RawComponent.open(other.socket)).begin();
        assert.equal((await failure(c.release())).name, 'VSS_E_INSUFFICIENT_STORAGE');
        const next = await (await RawComponent.open(other.socket)).begin();
        assert.equal((await failure(next.release())).name, 'VSS_E_INSUFFICIENT_STORAGE', 'the same service still answers');
        fs.rmSync(filler);
      } finally {
        fs.rmSync(filler, { force: true });
        await runExecutable(['emulator', 'stop'], env);
      }
    });

    it('makes no set it cannot save: the copies go, the backup is aborted, and a restart finds the state whole', async () => {
      fill();
      const c = await (await RawComponent.open(paths.socket)).begin(CTX_CLIENT_ACCESSIBLE);
      const failed = await failure(c.snapshot([world.volume]));
      assert.equal(failed.name, 'VSS_E_INSUFFICIENT_STORAGE', failed.message);
      assert.match(failed.message, /disk under .* is full, so the volume could not be copied; no copy was kept/);
      await c.release();
      fs.rmSync(filler);
      assert.deepEqual(fs.readdirSync(paths.snapshots), [], 'no copy left behind');
      await service!.stop();
      service = await startService(paths);
      assert.deepEqual(await query(paths.socket), []);
      assert.deepEqual(fs.readdirSync(paths.home).filter((f) => f.includes('.damaged-')), [], 'nothing damaged');
    });
  });

  describe('damaged, copied and edited state', function () {
    const world = tempWorld();
    after(() => world.cleanup());

    /** A service whose stderr (what emulator.log receives) is captured. */
    async function withStderr<T>(work: () => Promise<T>): Promise<{ result: T; stderr: string }> {
      const write = process.stderr.write.bind(process.stderr);
      let stderr = '';
      process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
      try {
        return { result: await work(), stderr };
      } finally {
        process.stderr.write = write;
      }
    }

    it('a damaged change log never stops a start: every readable set is kept, a set whose record was lost is moved aside, never deleted', async () => {
      const paths = emulatorPaths(path.join(world.root, 'damaged'));
      let service = await startService(paths);
      const first = await persistentSet(paths.socket, world.volume);
      const second = await persistentSet(paths.socket, world.volume);
      const third = await persistentSet(paths.socket, world.volume);
      await service.stop();
      // The state is compacted at each start; a second start with these three in the log:
      const records = readSavedSnapshots(paths).snapshots;
      fs.writeFileSync(paths.state, JSON.stringify({ snapshots: [] }));
      const lines = [first, second, third].map((id) => JSON.stringify({ put: records.filter((r) => r.snapshotSetId === id), remove: [] }));
      lines[1] = lines[1]!.slice(0, 40); // cut short in the middle, then appended after: what a full disk once did
      fs.writeFileSync(paths.stateLog, lines.join('\n') + '\n');
      const lost = records.find((r) => r.snapshotSetId === second)!.snapshotId;

      const started = await withStderr(() => startService(paths));
      service = started.result;
      const sets = new Set((await query(paths.socket)).map((x) => x.snapshotSetId));
      assert.ok(sets.has(first) && sets.has(third), 'the sets before and after the damage are kept');
      assert.ok(!sets.has(second));
      assert.match(started.stderr, /saved state is damaged; it keeps every snapshot it could read \(2\) and drops only these parts:\n {2}emulator-state\.log line 2: /);
      assert.ok(fs.existsSync(path.join(paths.home, 'recovered', lost, 'ledger.txt')), 'the lost record\'s data is kept in recovered/');
      assert.match(started.stderr, new RegExp(`moved to .*recovered/${lost}; delete it once you no longer need it`));
      assert.equal(fs.readdirSync(paths.home).filter((f) => f.includes('.damaged-')).length, 2, 'the damaged files are kept for inspection');
      await service.stop();
      // The next start finds nothing damaged, and keeps what it kept.
      const again = await withStderr(() => startService(paths));
      assert.doesNotMatch(again.stderr, /damaged/);
      assert.ok(fs.existsSync(path.join(paths.home, 'recovered', lost)));
      await again.result.stop();
    });

    it('a restart owes each writer of an interrupted session its own Abort and BackupShutdown, decided per writer', async () => {
      const paths = emulatorPaths(path.join(world.root, 'interrupted'));
      fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
      const line = (sessionId: string, writer: 'A' | 'B', event: string) =>
        JSON.stringify({ time: new Date().toISOString(), event, writer: `Writer ${writer}`, writerId: writer === 'A' ? 'aaaaaaaa-0000-0000-0000-000000000001' : 'bbbbbbbb-0000-0000-0000-000000000002', instanceId: `i-${writer}`, snapshotSetId: `set-${sessionId}`, state: 'Stable', error: null, sessionId, requesterPid: 1 });
      // s1: killed between writer A's BackupShutdown and writer B's Abort. s2: killed between A's and B's BackupComplete.
      fs.writeFileSync(
        paths.journal,
        [
          line('s1', 'A', 'PrepareForBackup'), line('s1', 'B', 'PrepareForBackup'), line('s1', 'A', 'Abort'), line('s1', 'A', 'BackupShutdown'),
          line('s2', 'A', 'PrepareForBackup'), line('s2', 'B', 'PrepareForBackup'), line('s2', 'A', 'BackupComplete'),
        ].join('\n') + '\n',
      );
      const service = await startService(paths);
      await service.stop();
      const owed = readJournalFile(paths.journal).slice(7).map((e) => `${e.sessionId} ${e.writer} ${e.event}${e.event === 'BackupShutdown' ? ` ${e.backupCompleteReceived} ${e.endedBy}` : ''}`);
      assert.deepEqual(owed, [
        's1 Writer B Abort',
        's1 Writer B BackupShutdown false ServiceRestart',
        's2 Writer A BackupShutdown true ServiceRestart',
        's2 Writer B Abort',
        's2 Writer B BackupShutdown false ServiceRestart',
      ]);
    });

    it('a volume named through a symbolic link is snapshotted as the folder it names, and recorded so; a link into the state folder is refused', async function () {
      linuxOnly(this, 'symbolic links without privileges');
      const paths = emulatorPaths(path.join(world.root, 'linked'));
      const service = await startService(paths);
      try {
        const link = path.join(world.root, 'volume-link');
        fs.symlinkSync(world.volume, link);
        const c = await (await RawComponent.open(paths.socket)).begin(CTX_CLIENT_ACCESSIBLE);
        const id = await c.snapshot([link]);
        await c.release();
        const snapshot = (await query(paths.socket)).find((x) => x.snapshotSetId === id)!;
        assert.equal(snapshot.originalVolume, fs.realpathSync(world.volume), 'the real folder is recorded, not the link');
        assert.ok(!fs.lstatSync(snapshot.deviceObject).isSymbolicLink(), 'a copy, not the link');
        fs.writeFileSync(path.join(world.volume, 'ledger.txt'), 'balance: 0\n');
        assert.equal(fs.readFileSync(path.join(snapshot.deviceObject, 'ledger.txt'), 'utf8'), 'balance: 100\n', 'the snapshot does not follow the live data');
        fs.writeFileSync(path.join(world.volume, 'ledger.txt'), 'balance: 100\n');
        assert.equal((await deleteSet(paths.socket, id)).deleted, 1);

        const intoState = path.join(world.root, 'state-link');
        fs.symlinkSync(paths.home, intoState);
        const d = await (await RawComponent.open(paths.socket)).begin();
        await d.call('startSnapshotSet');
        const refused = await failure(d.call('addToSnapshotSet', { volume: intoState }));
        assert.equal(refused.name, 'VSS_E_VOLUME_NOT_SUPPORTED');
        assert.match(refused.message, /holds or is inside the emulator's own state folder/);
        await d.call('abortBackup');
        await d.release();
      } finally {
        await service.stop();
      }
    });

    it('a copied state folder uses its own copies, and deleting there never touches the original\'s', async () => {
      const original = emulatorPaths(path.join(world.root, 'original'));
      let service = await startService(original);
      const id = await persistentSet(original.socket, world.volume);
      await service.stop();
      const copy = emulatorPaths(path.join(world.root, 'copy'));
      fs.cpSync(original.home, copy.home, { recursive: true });
      service = await startService(copy);
      const listed = (await query(copy.socket)).filter((x) => x.snapshotSetId === id);
      assert.equal(listed.length, 1);
      assert.equal(path.dirname(listed[0]!.deviceObject), copy.snapshots, 'the record moved onto the copy\'s own folder');
      assert.equal((await deleteSet(copy.socket, id)).deleted, 1);
      await service.stop();
      assert.ok(fs.existsSync(path.join(original.snapshots, listed[0]!.snapshotId, 'ledger.txt')), 'the original\'s data is untouched');
    });

    it('a hand-edited folder path is never deleted: the delete is refused, naming the folder and the fix', async () => {
      const paths = emulatorPaths(path.join(world.root, 'edited'));
      let service = await startService(paths);
      const id = await persistentSet(paths.socket, world.volume);
      await service.stop();
      const precious = fs.mkdtempSync(path.join(os.tmpdir(), 'vsst-precious-'));
      fs.writeFileSync(path.join(precious, 'keep.txt'), 'mine');
      try {
        const state = { snapshots: readSavedSnapshots(paths).snapshots };
        const record = state.snapshots.find((r) => r.snapshotSetId === id)!;
        fs.rmSync(record.deviceObject, { recursive: true, force: true });
        record.deviceObject = precious;
        fs.writeFileSync(paths.state, JSON.stringify(state));
        fs.rmSync(paths.stateLog, { force: true });
        service = await startService(paths);
        const refused = await failure(deleteSet(paths.socket, id));
        assert.equal(refused.name, 'VSS_E_UNEXPECTED_PROVIDER_ERROR');
        assert.match(refused.message, new RegExp(`its saved folder ${precious} is not this service's own .*nothing was deleted or moved`));
        assert.equal(fs.readFileSync(path.join(precious, 'keep.txt'), 'utf8'), 'mine');
        assert.ok((await query(paths.socket)).some((x) => x.snapshotSetId === id), 'the record stays');
        await service.stop();
      } finally {
        fs.rmSync(precious, { recursive: true, force: true });
      }
    });
  });

  describe('children die with their parent, even by kill -9', function () {
    const world = tempWorld();
    after(() => {
      spawnSync(executable, ['emulator', 'stop'], { env: { ...process.env, VSS_SESSION_HOME: world.home } });
      world.cleanup();
    });
    /** The pids of the processes whose command line is exactly this. */
    const running = (commandLine: string) =>
      fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim() === commandLine;
        } catch {
          return false;
        }
      });

    it('a child started through diesWithParent (the service\'s cp and chmod) is killed with its parent', async function () {
      linuxOnly(this, 'PR_SET_PDEATHSIG is Linux\'s');
      const marker = `${30 + Math.random()}`.slice(0, 8);
      const child = diesWithParent('sleep', [marker]);
      const parent = spawn(process.execPath, ['-e', `require('node:child_process').spawn(${JSON.stringify(child.file)}, ${JSON.stringify(child.args)}, { stdio: 'ignore' }); setInterval(() => {}, 1000);`], { stdio: 'ignore' });
      await eventually(() => running(`sleep ${marker}`).length === 1, 10_000);
      parent.kill('SIGKILL');
      await eventually(() => running(`sleep ${marker}`).length === 0, 5_000);
    });

    it('backup --exec: kill -9 of vss-session ends the command, which must not read a snapshot that is gone', async function () {
      linuxOnly(this, 'PR_SET_PDEATHSIG is Linux\'s');
      const marker = `${40 + Math.random()}`.slice(0, 8);
      const env = { ...process.env, VSS_SESSION_HOME: world.home };
      const backup = spawn(executable, ['backup', '--volume', world.volume, '--exec', `sleep ${marker}`], { env, stdio: 'ignore' });
      await eventually(() => running(`sleep ${marker}`).length === 1, 20_000);
      backup.kill('SIGKILL');
      await eventually(() => running(`sleep ${marker}`).length === 0, 5_000);
    });
  });

  describe('a service killed under its clients', function () {
    const world = tempWorld();
    const env = { ...process.env, VSS_SESSION_HOME: world.home };
    after(() => {
      spawnSync(executable, ['emulator', 'stop'], { env });
      world.cleanup();
    });
    const servicePid = () => (JSON.parse(spawnSync(executable, ['emulator', 'status', '--json'], { env, encoding: 'utf8' }).stdout) as { pid: number }).pid;

    it('backup: a service killed during Release fails the backup, and its restart gives each writer its BackupShutdown', async function () {
      linuxOnly(this, 'kill -9 of the service');
      // The first writer's BackupShutdown takes 3 s: the service is killed while it delivers it.
      fs.mkdirSync(world.home, { recursive: true, mode: 0o700 });
      fs.writeFileSync(world.paths.writers, JSON.stringify([
        { name: 'Slow Writer', id: 'aaaaaaaa-1111-2222-3333-444444444444', components: ['Slow'], delayMs: { BackupShutdown: 3000 } },
        { name: 'Other Writer', id: 'bbbbbbbb-1111-2222-3333-444444444444', components: ['Other'] },
      ]));
      assert.equal(spawnSync(executable, ['emulator', 'start'], { env }).status, 0);
      const killed = servicePid();
      const backup = spawn(executable, ['backup', '--volume', world.volume], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      backup.stderr.on('data', (d) => (stderr += String(d)));
      const exited = new Promise<number | null>((resolve) => backup.once('exit', (code) => resolve(code)));
      const completes = () => readJournalFile(world.paths.journal).filter((e) => e.event === 'BackupComplete');
      const sessionId = (await eventually(() => completes().length === 2 && completes(), 30_000))[0]!.sessionId;
      await new Promise((r) => setTimeout(r, 500));
      process.kill(killed, 'SIGKILL');
      assert.equal(await exited, 1, stderr);
      assert.match(stderr, /IVssBackupComponents::Release failed with VSS_E_UNEXPECTED .*closed the connection during release.*gets it \(with the Abort it is owed\) when the service starts again, marked endedBy ServiceRestart/s);
      assert.equal(spawnSync(executable, ['emulator', 'start'], { env }).status, 0);
      const shutdowns = readJournalFile(world.paths.journal).filter((e) => e.sessionId === sessionId && e.event === 'BackupShutdown');
      assert.deepEqual(shutdowns.map((e) => `${e.writer} ${e.backupCompleteReceived} ${e.endedBy}`).sort(), ['Other Writer true ServiceRestart', 'Slow Writer true ServiceRestart']);
      fs.rmSync(world.paths.writers);
    });

    it('a host whose service was killed starts it again for its next command, as on first use', async function () {
      linuxOnly(this, 'kill -9 of the service');
      assert.equal(spawnSync(executable, ['emulator', 'start'], { env }).status, 0);
      const before = servicePid();
      const host = spawn(executable, ['host'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
      const client = createMessageConnection(new StreamMessageReader(host.stdout!), new StreamMessageWriter(host.stdin!));
      client.listen();
      try {
        await client.sendRequest('snapshotSets/list', {});
        process.kill(before, 'SIGKILL');
        await eventually(() => !fs.existsSync(`/proc/${before}`), 5_000);
        // The same host, a second list: its component object's connection is gone, and so is the service.
        assert.deepEqual(await client.sendRequest('snapshotSets/list', {}), []);
        assert.notEqual(servicePid(), before, 'a new service answers');
      } finally {
        client.dispose();
        host.stdin!.end();
      }
    });
  });

  describe('limits on what a client can make the service hold', function () {
    const world = tempWorld();
    after(() => world.cleanup());

    it('a frame announcing a gigabyte ends its connection before the service holds it; other clients go on', async () => {
      const paths = emulatorPaths(path.join(world.root, 'frames'));
      const service = await startService(paths);
      try {
        const socket = net.connect(paths.socket);
        await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.on('error', () => undefined);
        socket.write(`Content-Length: ${1 << 30}\r\n\r\n`);
        const chunk = Buffer.alloc(1 << 20, 0x20);
        let sent = 0;
        const sending = (async () => {
          while (!socket.destroyed && sent < 64 << 20) {
            if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r).once('close', r));
            sent += chunk.length;
          }
        })();
        await closed;
        await sending;
        assert.ok(sent < 64 << 20, `the service read ${sent} bytes of the frame before closing`);
        const other = await (await RawComponent.open(paths.socket)).begin();
        await other.release();
      } finally {
        await service.stop();
      }
    });

    it('a writers.json that is a FIFO is refused at once, not read for ever', async function () {
      linuxOnly(this, 'mkfifo');
      const paths = emulatorPaths(path.join(world.root, 'fifo'));
      fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
      assert.equal(spawnSync('mkfifo', [paths.writers]).status, 0);
      await assert.rejects(startService(paths), /writers\.json is not a regular file \(a FIFO, device or folder\); it must be a JSON file; fix it or delete it/);
    });
  });
});
