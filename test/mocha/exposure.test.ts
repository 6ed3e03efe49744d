// Mounting snapshots through the packaged host (ExposeSnapshot / UnexposeSnapshot on the emulated service), the
// exposures a dead owner left behind undone by the next command, and the path rules (GLOBALROOT roots, mount points).
import { strict as assert } from 'node:assert';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, MessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { Methods } from '../../src/host/protocol';
import { mountPoint, snapshotRootPath } from '../../src/vss';
import { VssError } from '../../src/vss-error';
import { executable, tempWorld } from './helpers';

describe('snapshot exposure', function () {
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };
  const hosts: { child: ChildProcess; client: MessageConnection }[] = [];

  function host(): MessageConnection {
    const child = spawn(executable, ['host'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    const client = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    client.listen();
    hosts.push({ child, client });
    return client;
  }

  after(() => {
    spawnSync(executable, ['emulator', 'stop'], { env, timeout: 30_000 });
    world.cleanup();
  });

  afterEach(async () => {
    for (const h of hosts.splice(0)) {
      h.child.stdin!.end();
      await new Promise((resolve) => (h.child.exitCode !== null ? resolve(null) : h.child.once('exit', resolve)));
      h.client.dispose();
    }
  });

  /** A persistent AppRollback snapshot of the test volume; returns its id. */
  async function rollbackSnapshot(): Promise<string> {
    const c = host();
    await c.sendRequest(Methods.createBackup, { context: 'AppRollback' });
    const set = await c.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
    await c.sendRequest(Methods.completeBackup, {});
    await c.sendRequest(Methods.closeBackup);
    return set.snapshots[0]!.snapshotId;
  }

  const mountAt = (name: string) => path.join(world.root, `mnt-${name}-${process.pid}`);

  it('mounts a snapshot at a folder and dismounts it, reporting where it is exposed', async () => {
    const snapshotId = await rollbackSnapshot();
    const at = mountAt('plain');
    const c = host();
    const mounted = await c.sendRequest(Methods.mountSnapshot, { snapshotId, path: at });
    assert.equal(mounted.exposedName, at);
    assert.ok(fs.existsSync(path.join(at, fs.readdirSync(world.volume)[0]!)));
    const dismounted = await c.sendRequest(Methods.dismountSnapshot, { snapshotId });
    assert.equal(dismounted.exposedName, null);
    assert.equal(fs.existsSync(at), false);
  });

  it("undoes, at the next command, an exposure whose owner died, and never one without an owner", async () => {
    const owned = await rollbackSnapshot();
    const mine = await rollbackSnapshot();
    const owner = spawn('sleep', ['60']);
    const ownedAt = mountAt('owned');
    const mineAt = mountAt('mine');
    const c = host();
    await c.sendRequest(Methods.mountSnapshot, { snapshotId: owned, path: ownedAt, ownerPid: owner.pid });
    await c.sendRequest(Methods.mountSnapshot, { snapshotId: mine, path: mineAt });
    const record = path.join(world.home, 'exposures', `${owned}.json`);
    if (process.platform !== 'win32') assert.equal(fs.statSync(record).mode & 0o777, 0o600, 'the exposure record is private');
    assert.equal(JSON.parse(fs.readFileSync(record, 'utf8')).owner.pid, owner.pid);

    await c.sendRequest(Methods.listSnapshotSets, {});
    assert.ok(fs.existsSync(ownedAt), 'the owner is alive: its exposure stays');
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));

    const sets = await host().sendRequest(Methods.listSnapshotSets, {});
    assert.equal(fs.existsSync(ownedAt), false, 'the owner is gone: the next listing unexposed it');
    assert.equal(fs.existsSync(record), false);
    const snapshots = sets.flatMap((s) => s.snapshots);
    assert.equal(snapshots.find((s) => s.snapshotId === owned)?.exposedName, null);
    assert.equal(snapshots.find((s) => s.snapshotId === mine)?.exposedName, mineAt, 'an exposure without an owner is the user\'s');
    assert.ok(fs.existsSync(mineAt));
  });

  it('the executable\'s snapshots list, snapshots delete and backup each undo an exposure whose owner died', async () => {
    for (const command of [['snapshots', 'list'], ['snapshots', 'delete', '--snapshot-set-id', '00000000-0000-0000-0000-000000000001'], ['backup', '--volume', world.volume]]) {
      const snapshotId = await rollbackSnapshot();
      const owner = spawn('sleep', ['60']);
      const at = mountAt(`exec-${command[1]}`);
      await host().sendRequest(Methods.mountSnapshot, { snapshotId, path: at, ownerPid: owner.pid });
      owner.kill('SIGKILL');
      await new Promise((resolve) => owner.once('exit', resolve));
      assert.ok(fs.existsSync(at));
      spawnSync(executable, command, { env, encoding: 'utf8' }); // the delete of an unknown set fails, after the sweep
      assert.equal(fs.existsSync(at), false, `${command.slice(0, 2).join(' ')} unexposed it`);
      assert.equal(fs.existsSync(path.join(world.home, 'exposures', `${snapshotId}.json`)), false);
    }
  });

  it('refuses bad mount requests with E_INVALIDARG and writes no record', async () => {
    const snapshotId = await rollbackSnapshot();
    const c = host();
    for (const params of [
      { snapshotId, path: 'relative/path' },
      { snapshotId, path: '' },
      { snapshotId: 'not-a-guid', path: mountAt('x') },
      { snapshotId, path: mountAt('y'), ownerPid: -5 },
    ]) {
      const e = await c.sendRequest(Methods.mountSnapshot, params as never).then(() => null, (err: ResponseError<{ name: string }>) => err);
      assert.ok(e, `${JSON.stringify(params)} was accepted`);
      assert.equal(e.data?.name, 'E_INVALIDARG', e.message);
    }
    assert.deepEqual(fs.existsSync(path.join(world.home, 'exposures')) ? fs.readdirSync(path.join(world.home, 'exposures')) : [], []);
  });

  it('gives a GLOBALROOT device path its trailing separator, so it works as a root', () => {
    assert.equal(snapshotRootPath('\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy7'), '\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy7\\');
    assert.equal(snapshotRootPath('\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy7\\'), '\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy7\\');
    assert.equal(snapshotRootPath('/var/lib/vss/snapshots/abc'), '/var/lib/vss/snapshots/abc');
  });

  it('takes drive letters and absolute folders as mount points on Windows, absolute folders elsewhere', () => {
    assert.equal(mountPoint('x:\\', 'win32'), 'X:');
    assert.equal(mountPoint('Y:', 'win32'), 'Y:');
    assert.equal(mountPoint('C:\\Mounts\\Monday', 'win32'), 'C:\\Mounts\\Monday');
    assert.throws(() => mountPoint('C:relative', 'win32'), (e: VssError) => e.vssName === 'E_INVALIDARG');
    assert.throws(() => mountPoint('Mounts\\Monday', 'win32'), (e: VssError) => e.vssName === 'E_INVALIDARG');
    assert.equal(mountPoint('/mnt/snap/../monday', 'linux'), '/mnt/monday');
    assert.throws(() => mountPoint('mnt/monday', 'linux'), (e: VssError) => e.vssName === 'E_INVALIDARG');
  });
});
