// Records of persistent snapshot sets and their orphans, as a user meets them: the packaged host (killed with -9
// where the test needs a creator that died), `vss-session snapshots list|delete --orphaned`, and the emulated
// service running as a separate process. A set made by another component object has no record and is never touched.
import { strict as assert } from 'node:assert';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection, MessageConnection, ResponseError, SocketMessageReader, SocketMessageWriter, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { readJournal } from '../../src/emulator/control';
import { OrphanedSnapshotSetInfo, Methods, SnapshotSetInfo } from '../../src/host/protocol';
import { recordsDir, SnapshotSetRecord } from '../../src/records';
import { eventually, executable, tempWorld } from './helpers';

interface Host {
  process: ChildProcess;
  client: MessageConnection;
  exited: Promise<number | null>;
}

const CTX_CLIENT_ACCESSIBLE = 29;
const SNAPSHOT_SET = 2;

describe('orphaned persistent snapshot sets', function () {
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };
  const records = recordsDir(world.home);

  const cli = (...args: string[]) => spawnSync(executable, args, { env, encoding: 'utf8', timeout: 30_000 });
  const json = <T>(...args: string[]): T => {
    const result = cli(...args, '--json');
    assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };
  const orphans = () => json<OrphanedSnapshotSetInfo[]>('snapshots', 'list', '--orphaned');
  const orphanIds = () => orphans().map((o) => o.snapshotSetId);
  const setIds = () => json<SnapshotSetInfo[]>('snapshots', 'list').map((s) => s.snapshotSetId);
  const recordFiles = () => (fs.existsSync(records) ? fs.readdirSync(records).sort() : []);
  const readRecord = (id: string) => JSON.parse(fs.readFileSync(path.join(records, `${id}.json`), 'utf8')) as SnapshotSetRecord;

  function startHost(): Host {
    const child = spawn(executable, ['host'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    const client = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    client.listen();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    return { process: child, client, exited };
  }

  async function closeHost(host: Host): Promise<void> {
    host.process.stdin!.end();
    assert.equal(await host.exited, 0);
    host.client.dispose();
  }

  async function kill9(host: Host): Promise<void> {
    host.process.kill('SIGKILL');
    await host.exited;
    host.client.dispose();
  }

  /** A persistent set made by a host that closes its backup as asked, then exits. */
  async function persistentSet(options: { context?: 'ClientAccessible' | 'AppRollback'; expiresAfterMs?: number; end: 'complete' | 'close' | 'abort' }): Promise<string> {
    const host = startHost();
    await host.client.sendRequest(Methods.createBackup, { context: options.context ?? 'ClientAccessible' });
    const set = await host.client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume], expiresAfterMs: options.expiresAfterMs });
    if (options.end === 'complete') await host.client.sendRequest(Methods.completeBackup, {});
    if (options.end === 'abort') await host.client.sendRequest(Methods.abortBackup);
    await host.client.sendRequest(Methods.closeBackup);
    await closeHost(host);
    return set.snapshotSetId;
  }

  /** A snapshot set made by another requester: a component object of its own on the service's socket, no VssSession. */
  async function foreignSet(): Promise<string> {
    const socket = net.connect(world.paths.socket);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    c.listen();
    await c.sendRequest('open', { pid: process.pid });
    await c.sendRequest('initializeForBackup', {});
    await c.sendRequest('setContext', { context: CTX_CLIENT_ACCESSIBLE });
    // No writer takes part in ClientAccessible: the volumes go straight to DoSnapshotSet, as vshadow does.
    const { snapshotSetId } = (await c.sendRequest('startSnapshotSet', {})) as { snapshotSetId: string };
    await c.sendRequest('addToSnapshotSet', { volume: world.volume });
    await c.sendRequest('doSnapshotSet', {});
    // Its requester goes away without a release, as a killed tool's would.
    c.dispose();
    socket.destroy();
    return snapshotSetId;
  }

  async function foreignDelete(snapshotSetId: string): Promise<void> {
    const socket = net.connect(world.paths.socket);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    c.listen();
    await c.sendRequest('open', { pid: process.pid });
    await c.sendRequest('initializeForBackup', {});
    await c.sendRequest('setContext', { context: -1 });
    await c.sendRequest('deleteSnapshots', { sourceId: snapshotSetId, sourceType: SNAPSHOT_SET, force: true });
    await c.sendRequest('release', {});
    c.dispose();
    socket.destroy();
  }

  const writeWriters = (writers: object[]) => fs.writeFileSync(world.paths.writers, JSON.stringify(writers));

  before(() => {
    const started = cli('emulator', 'start');
    assert.equal(started.status, 0, started.stderr);
  });

  afterEach(() => fs.rmSync(world.paths.writers, { force: true }));

  after(() => {
    cli('emulator', 'stop');
    world.cleanup();
  });

  it('records a persistent set right after StartSnapshotSet, before DoSnapshotSet freezes anything, with its creator', async () => {
    writeWriters([{ name: 'Slow Writer', id: '0d7a6c52-9b7e-4c55-8a0e-2f1f7e0c0a01', delayMs: { Freeze: 3000 } }]);
    const before = readJournal(world.paths).length;
    const earlier = recordFiles();
    const host = startHost();
    try {
      await host.client.sendRequest(Methods.createBackup, { context: 'AppRollback' });
      const making = host.client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume], expiresAfterMs: 3_600_000 });
      await eventually(() => readJournal(world.paths).slice(before).some((e) => e.event === 'PrepareForSnapshot'));
      const added = recordFiles().filter((f) => !earlier.includes(f));
      assert.equal(added.length, 1, `one new record: ${added}`);
      const id = added[0]!.replace(/\.json$/, '');
      const record = readRecord(id);
      // The writer is still frozen (its Freeze handler has not returned): nothing was copied yet.
      assert.deepEqual(readJournal(world.paths).slice(before).filter((e) => e.event === 'Freeze'), [], 'the record exists before the freeze ends');
      assert.ok(!setIds().includes(id), 'the set does not exist yet');

      // Linux tells a process apart from a later one with its pid by its start time (/proc/<pid>/stat field 22).
      const stat = process.platform === 'linux' ? fs.readFileSync(`/proc/${host.process.pid}/stat`, 'utf8') : null;
      assert.deepEqual(record.creator, {
        pid: host.process.pid,
        startTime: stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] : null,
        hostname: os.hostname(),
        user: os.userInfo().username,
      });
      assert.equal(record.context, 'AppRollback');
      assert.deepEqual(record.volumes, [world.volume]);
      assert.equal(record.closedAt, null);
      assert.equal(Date.parse(record.expiresAt!) - Date.parse(record.createdAt), 3_600_000);
      if (process.platform !== 'win32') {
        assert.equal(fs.statSync(records).mode & 0o777, 0o700, 'the records folder is private');
        assert.equal(fs.statSync(path.join(records, `${id}.json`)).mode & 0o777, 0o600, 'the record is private');
      }

      const set = await making;
      assert.equal(set.snapshotSetId, id);
      // Once made, the lifetime counts from the set's creation, not from StartSnapshotSet 3 s of freeze earlier.
      assert.equal(Date.parse(set.expiresAt!) - Date.parse(set.createdAt), 3_600_000, 'ExpiresAt is CreatedAt + -ExpiresAfter');
      assert.ok(Date.parse(set.expiresAt!) - Date.parse(record.expiresAt!) >= 2900, `the expiry moved past the freeze: ${record.expiresAt} -> ${set.expiresAt}`);
      assert.equal(readRecord(id).expiresAt, set.expiresAt);
      assert.equal(readRecord(id).createdAt, new Date(set.createdAt).toISOString());
      await host.client.sendRequest(Methods.completeBackup, {});
      await host.client.sendRequest(Methods.closeBackup);
      assert.ok(readRecord(id).closedAt, 'Close-VssBackup marks the record closed');
      assert.equal(json<SnapshotSetInfo[]>('snapshots', 'list').find((s) => s.snapshotSetId === id)?.expiresAt, set.expiresAt, 'snapshots list shows the expiry');
    } finally {
      await closeHost(host);
    }
  });

  it('records nothing for an auto-release set, and refuses an expiry there before anything starts', async () => {
    const earlier = recordFiles();
    const host = startHost();
    try {
      await host.client.sendRequest(Methods.createBackup, {});
      const before = readJournal(world.paths).length;
      const refused = await host.client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume], expiresAfterMs: 60_000 }).then(
        () => assert.fail('an expiry in context Backup was accepted'),
        (e: ResponseError<{ name: string }>) => e,
      );
      assert.equal(refused.data!.name, 'E_INVALIDARG');
      assert.match(refused.message, /persistent snapshot sets only.*a Backup set ends with its backup/);
      assert.deepEqual(readJournal(world.paths).slice(before), [], 'nothing was prepared');
      await host.client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      assert.deepEqual(recordFiles(), earlier);
    } finally {
      await closeHost(host);
    }
  });

  it('removes the record when the snapshot set is not created (a writer fails at Freeze)', async () => {
    writeWriters([{ name: 'Failing Writer', id: '0d7a6c52-9b7e-4c55-8a0e-2f1f7e0c0a02', failOn: { Freeze: 'VSS_E_WRITERERROR_NONRETRYABLE' } }]);
    const earlier = recordFiles();
    const before = readJournal(world.paths).length;
    const host = startHost();
    try {
      await host.client.sendRequest(Methods.createBackup, { context: 'AppRollback' });
      await assert.rejects(host.client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] }), /Freeze/);
      const id = readJournal(world.paths).slice(before).find((e) => e.event === 'Freeze')!.snapshotSetId!;
      assert.ok(!setIds().includes(id), 'no set exists');
      assert.deepEqual(recordFiles(), earlier, 'and no record of it is left');
    } finally {
      await closeHost(host);
    }
  });

  it('kill -9 of the host after a persistent set: --orphaned lists it, delete --orphaned deletes it with no writer event', async () => {
    const host = startHost();
    await host.client.sendRequest(Methods.createBackup, { context: 'AppRollback' });
    const set = await host.client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
    await host.client.sendRequest(Methods.completeBackup, {});
    assert.ok(!orphanIds().includes(set.snapshotSetId), 'not an orphan while its creator lives');

    await kill9(host);
    // The service ends the dead requester's backup; the persistent set stays.
    await eventually(() => readJournal(world.paths).filter((e) => e.snapshotSetId === set.snapshotSetId && e.event === 'BackupShutdown').length === 2);
    assert.ok(setIds().includes(set.snapshotSetId));
    const orphan = orphans().find((o) => o.snapshotSetId === set.snapshotSetId);
    assert.ok(orphan, 'listed by --orphaned once its creator is gone');
    assert.equal(orphan.orphanReason, 'CreatorGone');
    assert.equal(orphan.creator.pid, host.process.pid);
    assert.equal(orphan.persistent, true);
    const human = cli('snapshots', 'list', '--orphaned');
    assert.match(human.stdout, new RegExp(`orphaned: its creator \\(pid ${host.process.pid} on .*\\) is gone`));

    const journalBefore = readJournal(world.paths).length;
    const result = json<{ deleted: number; snapshotSets: { snapshotSetId: string; orphanReason: string; deleted: number }[] }>('snapshots', 'delete', '--orphaned');
    assert.deepEqual(result.snapshotSets.find((s) => s.snapshotSetId === set.snapshotSetId), { snapshotSetId: set.snapshotSetId, orphanReason: 'CreatorGone', deleted: 1 });
    assert.deepEqual(readJournal(world.paths).slice(journalBefore), [], 'DeleteSnapshots sends writers nothing');
    assert.ok(!setIds().includes(set.snapshotSetId), 'the set is gone');
    assert.ok(!fs.existsSync(set.snapshots[0]!.devicePath));
    assert.ok(!recordFiles().includes(`${set.snapshotSetId}.json`), 'and its record');
  });

  it('an expired set is an orphan even when closed cleanly; a cleanly closed unexpired one is not', async () => {
    const kept = await persistentSet({ end: 'complete' });
    const keptWithoutComplete = await persistentSet({ end: 'close' });
    const expiring = await persistentSet({ expiresAfterMs: 4000, end: 'complete' });
    assert.deepEqual(orphanIds().filter((id) => [expiring, kept, keptWithoutComplete].includes(id)), [], 'none is an orphan before the expiry');

    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(readRecord(expiring).expiresAt!) - Date.now()) + 50));
    const found = orphans().filter((o) => [expiring, kept, keptWithoutComplete].includes(o.snapshotSetId));
    assert.deepEqual(found.map((o) => [o.snapshotSetId, o.orphanReason]), [[expiring, 'Expired']]);

    const result = json<{ snapshotSets: { snapshotSetId: string }[] }>('snapshots', 'delete', '--orphaned');
    assert.ok(result.snapshotSets.some((s) => s.snapshotSetId === expiring));
    const left = setIds();
    assert.ok(!left.includes(expiring));
    assert.ok(left.includes(kept) && left.includes(keptWithoutComplete), 'the sets closed on purpose stay');
  });

  it('a persistent set whose backup was aborted is an orphan once its creator has exited', async () => {
    const aborted = await persistentSet({ context: 'AppRollback', end: 'abort' });
    assert.ok(setIds().includes(aborted), 'AbortBackup does not delete a persistent set');
    const orphan = orphans().find((o) => o.snapshotSetId === aborted);
    assert.equal(orphan?.orphanReason, 'CreatorGone');
  });

  it('never lists or deletes a set VssSession did not record, even one whose requester died', async () => {
    const foreign = await foreignSet();
    assert.ok(setIds().includes(foreign));
    assert.ok(!orphanIds().includes(foreign));
    const result = json<{ snapshotSets: { snapshotSetId: string }[] }>('snapshots', 'delete', '--orphaned');
    assert.ok(!result.snapshotSets.some((s) => s.snapshotSetId === foreign));
    assert.ok(setIds().includes(foreign), 'still there');

    // Asked by id, the host refuses it too.
    const host = startHost();
    try {
      const refused = await host.client.sendRequest(Methods.deleteOrphanedSnapshotSet, { snapshotSetId: foreign, force: true }).then(
        () => assert.fail('a set without a record was deleted as an orphan'),
        (e: ResponseError<{ name: string }>) => e,
      );
      assert.equal(refused.data!.name, 'VSS_E_OBJECT_NOT_FOUND');
      assert.match(refused.message, /not an orphan VssSession recorded/);
    } finally {
      await closeHost(host);
    }
    assert.ok(setIds().includes(foreign));
  });

  it('tells once of a set deleted outside vss-session, then drops its record; a set deleted by id takes its record at once', async () => {
    const id = await persistentSet({ end: 'complete' });
    assert.ok(recordFiles().includes(`${id}.json`));
    await foreignDelete(id);
    orphans();
    assert.equal(readRecord(id).lost?.reason, 'Unknown', 'kept, marked lost, until a listing has told the user');
    const told = cli('snapshots', 'list', '--json');
    assert.equal(told.status, 0, told.stderr);
    assert.match(told.stderr, new RegExp(`warning: snapshot set ${id} \\(ClientAccessible, made .*\\) is gone, and vss-session did not delete it`));
    assert.ok(!recordFiles().includes(`${id}.json`), 'pruned once told');
    assert.doesNotMatch(cli('snapshots', 'list', '--json').stderr, /warning/, 'told once');

    const deletedById = await persistentSet({ end: 'complete' });
    json('snapshots', 'delete', '--snapshot-set-id', deletedById);
    assert.ok(!recordFiles().includes(`${deletedById}.json`), 'a set deleted through vss-session takes its record with it');
  });

  it('records a volume named through a link, or relatively, as the folder VSS snapshots', () => {
    const link = path.join(world.root, 'volume-by-link');
    fs.symlinkSync(world.volume, link);
    const viaLink = json<{ snapshotSetId: string }>('backup', '--volume', link, '--context', 'ClientAccessible');
    assert.deepEqual(readRecord(viaLink.snapshotSetId).volumes, [fs.realpathSync(world.volume)]);
    const relative = spawnSync(executable, ['backup', '--volume', path.basename(world.volume), '--context', 'ClientAccessible', '--json'], { env, cwd: path.dirname(world.volume), encoding: 'utf8', timeout: 30_000 });
    assert.equal(relative.status, 0, relative.stderr);
    assert.deepEqual(readRecord((JSON.parse(relative.stdout) as { snapshotSetId: string }).snapshotSetId).volumes, [fs.realpathSync(world.volume)]);
  });

  it('backup --context ClientAccessible --expires-after 2h records the expiry; usage errors exit 2', () => {
    const started = Date.now();
    const report = json<{ snapshotSetId: string; expiresAt: string; completed: boolean }>('backup', '--volume', world.volume, '--context', 'ClientAccessible', '--expires-after', '2h');
    assert.equal(report.completed, true);
    const expiresIn = Date.parse(report.expiresAt) - started;
    assert.ok(expiresIn > 2 * 3_600_000 - 60_000 && expiresIn <= 2 * 3_600_000 + 60_000, `expires in ${expiresIn} ms`);
    const record = readRecord(report.snapshotSetId);
    assert.equal(record.expiresAt, report.expiresAt);
    assert.ok(record.closedAt, 'a completed backup is closed');
    assert.ok(!orphanIds().includes(report.snapshotSetId));

    for (const [args, message] of [
      [['--expires-after', '2h'], /--expires-after applies to persistent snapshot sets only/],
      [['--context', 'AppRollback', '--expires-after', 'soon'], /--expires-after takes a duration such as 3600 \(seconds\), 30m, 2h or 7d/],
    ] as const) {
      const result = cli('backup', '--volume', world.volume, ...args);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
    }
    const both = cli('snapshots', 'delete', '--orphaned', '--snapshot-set-id', report.snapshotSetId);
    assert.equal(both.status, 2, both.stderr);
    assert.ok(setIds().includes(report.snapshotSetId));
  });
});
