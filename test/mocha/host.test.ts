// The JSON-RPC host over an in-memory stream pair, through the real lifecycle, edge-js, the C# binding and the
// emulated component object's vtables, against an emulated VSS service running in this process.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { createMessageConnection, MessageConnection, ResponseError } from 'vscode-jsonrpc/node';
import { VSS_ERROR_CODE } from '../../src/defaults';
import { Methods } from '../../src/host/protocol';
import { startHost } from '../../src/host/server';
import { Interop } from '../../src/requester/interop';
import { eventually, inProcessService, journalFor } from './helpers';

describe('host (JSON-RPC over an in-memory stream pair)', function () {
  const { world } = inProcessService();
  const interop = new Interop();

  function connect(): { client: MessageConnection; ended: Promise<void>; hostInput: PassThrough } {
    const hostInput = new PassThrough();
    const hostOutput = new PassThrough();
    let onEnd!: () => void;
    const ended = new Promise<void>((resolve) => (onEnd = resolve));
    startHost(hostInput, hostOutput, { interop, service: async () => ({ kind: 'emulator', socket: world.paths.socket }), onEnd });
    const client = createMessageConnection(hostOutput, hostInput);
    client.listen();
    return { client, ended, hostInput };
  }

  async function vssFailure(call: Promise<unknown>): Promise<{ name: string; message: string; code: number }> {
    try {
      await call;
    } catch (e) {
      assert.ok(e instanceof ResponseError, `expected a JSON-RPC error, got ${e}`);
      const data = e.data as { name: string };
      return { name: data.name, message: e.message, code: e.code };
    }
    assert.fail('the call succeeded');
  }

  it('takes a whole backup: writers get BackupComplete before BackupShutdown', async () => {
    const { client } = connect();
    const backup = await client.sendRequest(Methods.createBackup, {});
    assert.equal(backup.context, 'Backup');
    assert.equal(backup.backupType, 'Copy');
    assert.deepEqual(backup.writers.map((w) => w.name).sort(), ['Emulated Database Writer', 'Emulated Registry Writer']);

    const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
    const snapshot = set.snapshots[0]!;
    assert.equal(snapshot.volume, world.volume);
    fs.writeFileSync(path.join(world.volume, 'ledger.txt'), 'balance: 0\n');
    assert.equal(fs.readFileSync(path.join(snapshot.devicePath, 'ledger.txt'), 'utf8'), 'balance: 100\n', 'the snapshot is a point-in-time copy');

    await client.sendRequest(Methods.completeBackup, {});
    const closed = await client.sendRequest(Methods.closeBackup);
    assert.deepEqual(closed.endedSnapshots, [snapshot.snapshotId]);
    assert.ok(!fs.existsSync(snapshot.devicePath), 'an auto-release snapshot ends with Release');

    const events = journalFor(world.paths, set.snapshotSetId).map((e) => `${e.event}:${e.writer}`);
    const shutdowns = journalFor(world.paths, set.snapshotSetId).filter((e) => e.event === 'BackupShutdown');
    assert.equal(shutdowns.length, 2, 'BackupShutdown once per writer');
    assert.ok(shutdowns.every((e) => e.backupCompleteReceived === true));
    for (const writer of ['Emulated Database Writer', 'Emulated Registry Writer']) {
      assert.ok(events.indexOf(`BackupComplete:${writer}`) < events.indexOf(`BackupShutdown:${writer}`));
    }
    client.dispose();
  });

  it('aborts a backup closed without BackupComplete, and reports backupCompleteReceived: false', async () => {
    const { client } = connect();
    const calls: string[] = [];
    client.onNotification(Methods.vssCall, (call) => calls.push(call.method));
    await client.sendRequest(Methods.createBackup, {});
    const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
    const closed = await client.sendRequest(Methods.closeBackup);
    assert.ok(closed.writers.every((w) => w.backupCompleteReceived === false));
    assert.deepEqual(calls.slice(-2), ['AbortBackup', 'Release'], `AbortBackup comes before Release: ${calls.join(', ')}`);
    const journal = journalFor(world.paths, set.snapshotSetId);
    const shutdowns = journal.filter((e) => e.event === 'BackupShutdown');
    assert.deepEqual(shutdowns.map((e) => e.backupCompleteReceived), [false, false]);
    for (const { writer } of shutdowns) {
      assert.deepEqual(journal.filter((e) => e.writer === writer).map((e) => e.event).slice(-2), ['Abort', 'BackupShutdown'], `${writer}: Abort, then BackupShutdown`);
    }
    client.dispose();
  });

  it('aborts a snapshot set started step by step and closed before PrepareForBackup, and sends no BackupComplete after it', async () => {
    const { client } = connect();
    const calls: string[] = [];
    client.onNotification(Methods.vssCall, (call) => calls.push(call.method));
    await client.sendRequest(Methods.createBackup, {});
    const { snapshotSetId } = await client.sendRequest(Methods.startSnapshotSet);
    await client.sendRequest(Methods.addVolume, { volume: world.volume });
    const refused = await vssFailure(client.sendRequest(Methods.completeBackup, {}));
    assert.equal(refused.name, 'VSS_E_BAD_STATE', 'no BackupComplete without a finished DoSnapshotSet');
    await client.sendRequest(Methods.closeBackup);
    assert.deepEqual(calls.filter((m) => m === 'AbortBackup' || m === 'Release' || m === 'BackupComplete'), ['AbortBackup', 'Release']);
    // Writers hear of an abort only once PrepareForBackup told them of the backup (as VSS does): here, no Abort.
    const events = journalFor(world.paths, snapshotSetId).map((e) => e.event);
    assert.ok(!events.includes('BackupComplete') && !events.includes('Abort'), events.join(', '));
    assert.ok(events.includes('BackupShutdown'));
    client.dispose();
  });

  it('refuses an out-of-order call with VSS_E_BAD_STATE naming the state and what may come next', async () => {
    const { client } = connect();
    await client.sendRequest(Methods.createBackup, {});
    const failure = await vssFailure(client.sendRequest(Methods.completeBackup, {}));
    assert.equal(failure.code, VSS_ERROR_CODE);
    assert.equal(failure.name, 'VSS_E_BAD_STATE');
    assert.match(failure.message, /metadataGathered/);
    assert.match(failure.message, /StartSnapshotSet/);
    await client.sendRequest(Methods.closeBackup);
    const again = await vssFailure(client.sendRequest(Methods.completeBackup, {}));
    assert.equal(again.name, 'VSS_E_BAD_STATE');
    assert.match(again.message, /released/);
    client.dispose();
  });

  it('turns a missing volume into VSS_E_OBJECT_NOT_FOUND and aborts the started set', async () => {
    const { client } = connect();
    await client.sendRequest(Methods.createBackup, {});
    const missing = path.join(world.root, 'no-such-volume');
    const failure = await vssFailure(client.sendRequest(Methods.createSnapshotSet, { volumes: [missing] }));
    assert.equal(failure.name, 'VSS_E_OBJECT_NOT_FOUND');
    assert.ok(failure.message.includes(missing), failure.message);
    const backup = await client.sendRequest(Methods.abortBackup);
    assert.equal(backup.state, 'aborted');
    await client.sendRequest(Methods.closeBackup);
    client.dispose();
  });

  it('ends an open backup when its client goes away: Abort, then BackupShutdown', async () => {
    const { client, ended, hostInput } = connect();
    await client.sendRequest(Methods.createBackup, {});
    const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
    const devicePath = set.snapshots[0]!.devicePath;
    hostInput.end(); // stdin EOF
    await ended;
    const events = journalFor(world.paths, set.snapshotSetId).map((e) => e.event);
    assert.deepEqual(events.slice(-4), ['Abort', 'Abort', 'BackupShutdown', 'BackupShutdown']);
    await eventually(() => !fs.existsSync(devicePath));
    client.dispose();
  });

  it('lists and deletes a persistent snapshot set with DeleteSnapshots, and rejects unknown and malformed ids', async () => {
    const { client } = connect();
    await client.sendRequest(Methods.createBackup, { context: 'ClientAccessible' });
    const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
    assert.equal(set.persistent, true);
    const closed = await client.sendRequest(Methods.closeBackup);
    assert.deepEqual(closed.keptSnapshots, [set.snapshots[0]!.snapshotId]);
    assert.equal(journalFor(world.paths, set.snapshotSetId).length, 0, 'no writer takes part in ClientAccessible');

    const admin = connect().client;
    const listed = await admin.sendRequest(Methods.listSnapshotSets, { snapshotSetId: set.snapshotSetId });
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.context, 'ClientAccessible');
    const result = await admin.sendRequest(Methods.deleteSnapshots, { snapshotSetId: set.snapshotSetId });
    assert.equal(result.deleted, 1);
    assert.ok(!fs.existsSync(set.snapshots[0]!.devicePath));
    assert.equal((await vssFailure(admin.sendRequest(Methods.deleteSnapshots, { snapshotSetId: set.snapshotSetId }))).name, 'VSS_E_OBJECT_NOT_FOUND');
    assert.equal((await vssFailure(admin.sendRequest(Methods.deleteSnapshots, { snapshotSetId: 'not-a-guid' }))).name, 'E_INVALIDARG');
    client.dispose();
    admin.dispose();
  });

  it('deletes a batch in order, each outcome on its own: a result, or the VSS error of that one item', async () => {
    const sets: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { client } = connect();
      await client.sendRequest(Methods.createBackup, { context: 'ClientAccessible' });
      sets.push((await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] })).snapshotSetId);
      await client.sendRequest(Methods.closeBackup);
      client.dispose();
    }
    const admin = connect().client;
    const missing = '0e9f3a4c-1b2d-4e5f-8a9b-0c1d2e3f4a5b';
    const { outcomes } = await admin.sendRequest(Methods.deleteMany, {
      deletes: [{ snapshotSetId: sets[0] }, { snapshotSetId: missing }, { snapshotSetId: 'not-a-guid' }, {}, { snapshotSetId: sets[1] }],
    });
    const names = outcomes.map((o) => ('error' in o ? o.error.data.name : `deleted ${o.result.deleted}`));
    assert.deepEqual(names, ['deleted 1', 'VSS_E_OBJECT_NOT_FOUND', 'E_INVALIDARG', 'E_INVALIDARG', 'deleted 1']);
    assert.ok('error' in outcomes[1]! && outcomes[1].error.code === VSS_ERROR_CODE && outcomes[1].error.message.length > 0);
    assert.equal((await admin.sendRequest(Methods.listSnapshotSets, {})).filter((s) => sets.includes(s.snapshotSetId)).length, 0);
    for (const deletes of [undefined, [], 'all', Array.from({ length: 257 }, () => ({ snapshotSetId: missing }))]) {
      const refused = await vssFailure(admin.sendRequest(Methods.deleteMany, { deletes } as never));
      assert.equal(refused.name, 'E_INVALIDARG');
      assert.match(refused.message, /deletes must be an array of 1 to 256/);
    }
    admin.dispose();
  });

  it('sends a vss/call per VSS call until host/notifications turns them off, and again once turned back on', async () => {
    const { client } = connect();
    const calls: string[] = [];
    client.onNotification(Methods.vssCall, (call) => calls.push(call.method));
    await client.sendRequest(Methods.ping);
    await eventually(() => calls.length > 0);
    assert.deepEqual(calls, ['Ping']);
    assert.deepEqual(await client.sendRequest(Methods.notifications, { enabled: false }), { enabled: false });
    await client.sendRequest(Methods.ping);
    await client.sendRequest(Methods.ping);
    // A notification is written before the answer of the request that made it: none came with these answers.
    assert.deepEqual(calls, ['Ping'], 'no notification while they are off');
    assert.deepEqual(await client.sendRequest(Methods.notifications, { enabled: true }), { enabled: true });
    await client.sendRequest(Methods.ping);
    await eventually(() => calls.length > 1);
    assert.deepEqual(calls, ['Ping', 'Ping']);
    const bad = await vssFailure(client.sendRequest(Methods.notifications, { enabled: 'no' as unknown as boolean }));
    assert.equal(bad.name, 'E_INVALIDARG');
    assert.match(bad.message, /enabled must be true or false/);
    client.dispose();
  });

  it('retries StartSnapshotSet while another set is being created, reporting each retry, until the other is done', async () => {
    const holder = connect().client;
    await holder.sendRequest(Methods.createBackup, {});
    await holder.sendRequest(Methods.startSnapshotSet);
    const waiter = connect().client;
    const retries: { error: string; attempt: number }[] = [];
    waiter.onNotification(Methods.vssRetry, (r) => void retries.push(r));
    await waiter.sendRequest(Methods.createBackup, { retryTimeoutMs: 20_000 });
    const started = waiter.sendRequest(Methods.startSnapshotSet);
    await eventually(() => retries.length >= 2);
    await holder.sendRequest(Methods.closeBackup); // the other set is done: the waiter's next retry succeeds
    assert.match((await started).snapshotSetId, /^[0-9a-f-]{36}$/);
    assert.ok(retries.every((r, i) => r.error === 'VSS_E_SNAPSHOT_SET_IN_PROGRESS' && r.attempt === i + 1));
    await waiter.sendRequest(Methods.closeBackup);

    // Without retries, the same situation fails at once with the VSS error.
    const holder2 = connect().client;
    await holder2.sendRequest(Methods.createBackup, {});
    await holder2.sendRequest(Methods.startSnapshotSet);
    const impatient = connect().client;
    await impatient.sendRequest(Methods.createBackup, { retryTimeoutMs: 0 });
    assert.equal((await vssFailure(impatient.sendRequest(Methods.startSnapshotSet))).name, 'VSS_E_SNAPSHOT_SET_IN_PROGRESS');
    for (const c of [holder2, impatient]) {
      await c.sendRequest(Methods.closeBackup);
      c.dispose();
    }
    holder.dispose();
    waiter.dispose();
  });

  it('refuses time limits that are not milliseconds of a known phase', async () => {
    const { client } = connect();
    assert.equal((await vssFailure(client.sendRequest(Methods.createBackup, { timeouts: { freeze: 10 } as never }))).name, 'E_INVALIDARG');
    assert.equal((await vssFailure(client.sendRequest(Methods.createBackup, { timeouts: { snapshot: -1 } }))).name, 'E_INVALIDARG');
    assert.equal((await vssFailure(client.sendRequest(Methods.createBackup, { retryTimeoutMs: 'soon' as never }))).name, 'E_INVALIDARG');
    client.dispose();
  });

  it('refuses bad parameters with E_INVALIDARG before any VSS call', async () => {
    const { client } = connect();
    assert.equal((await vssFailure(client.sendRequest(Methods.createBackup, { context: 'Nightly' as never }))).name, 'E_INVALIDARG');
    assert.equal((await vssFailure(client.sendRequest(Methods.createSnapshotSet, { volumes: [] }))).name, 'E_INVALIDARG');
    client.dispose();
  });
});
