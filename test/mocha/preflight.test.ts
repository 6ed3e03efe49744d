// Pre-flight before any VSS call, and the rule that says which failures -Policy BestEffort may go on from: the
// Windows process checks as functions of their inputs (and, on Windows only, against this process), the volume
// checks through the host, edge-js, the C# binding and the emulated component object against the emulated service.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { createMessageConnection, MessageConnection, ResponseError } from 'vscode-jsonrpc/node';
import { readJournal } from '../../src/emulator/control';
import { Methods, VssErrorData } from '../../src/host/protocol';
import { startHost } from '../../src/host/server';
import { FacadeCaller, Interop } from '../../src/requester/interop';
import { AdminComponent, BackupLifecycle } from '../../src/requester/lifecycle';
import { allowsLiveFallback } from '../../src/requester/policy';
import { checkRequesterProcess, isWow64, mayRequest, processRefusal, RequesterToken } from '../../src/requester/preflight';
import { VssError, vssError } from '../../src/vss-error';
import { inProcessService } from './helpers';

// Tokens as the binding reads them (Facade.RequesterToken): an elevated administrator, the same administrator
// under UAC (the group is deny-only in the filtered token, which CheckTokenMembership does not count), an elevated
// Backup Operator, a service as LocalSystem, and an elevated user in neither group (elevated by another privilege).
const elevatedAdmin = { elevated: true, administrators: true, backupOperators: false, localSystem: false };
const filteredAdmin = { elevated: false, administrators: false, backupOperators: false, localSystem: false };
const backupOperator = { elevated: true, administrators: false, backupOperators: true, localSystem: false };
const localSystem = { elevated: true, administrators: true, backupOperators: false, localSystem: true };
const elevatedOther = { elevated: true, administrators: false, backupOperators: false, localSystem: false };

describe('pre-flight: the Windows process checks', function () {
  const x64 = { PROCESSOR_ARCHITECTURE: 'AMD64' };
  const wow64 = { PROCESSOR_ARCHITECTURE: 'x86', PROCESSOR_ARCHITEW6432: 'AMD64' };
  const win = (token: RequesterToken | null) => processRefusal({ platform: 'win32', arch: 'x64', env: x64, token });

  it('lets through LocalSystem and members of Administrators or Backup Operators in an elevated token', () => {
    for (const token of [elevatedAdmin, backupOperator, localSystem]) assert.equal(mayRequest(token), true, JSON.stringify(token));
    for (const token of [filteredAdmin, elevatedOther, { ...elevatedAdmin, elevated: false }, { ...backupOperator, elevated: false }]) assert.equal(mayRequest(token), false, JSON.stringify(token));
  });

  it('tells a 32-bit process under WOW64 from a 64-bit one that inherited the variable', () => {
    assert.equal(isWow64('ia32', wow64), true);
    assert.equal(isWow64('x64', wow64), false, 'a 64-bit child of a 32-bit parent may inherit PROCESSOR_ARCHITEW6432');
    assert.equal(isWow64('ia32', { PROCESSOR_ARCHITECTURE: 'x86' }), false, '32-bit Windows is not WOW64');
    assert.equal(isWow64('x64', x64), false);
  });

  it('refuses a non-elevated process with E_ACCESSDENIED, naming the fix', () => {
    const refusal = win(filteredAdmin);
    assert.ok(refusal);
    assert.equal(refusal.vssName, 'E_ACCESSDENIED');
    assert.equal(refusal.hresult, '0x80070005');
    assert.match(refusal.message, /not elevated/);
    assert.match(refusal.message, /run PowerShell as Administrator/);
    assert.equal(refusal.details.check, 'elevation');
  });

  it('refuses an elevated process in neither group, saying so rather than "not elevated"', () => {
    const refusal = win(elevatedOther);
    assert.equal(refusal?.vssName, 'E_ACCESSDENIED');
    assert.match(refusal!.message, /in neither Administrators nor Backup Operators/);
    assert.doesNotMatch(refusal!.message, /not elevated/);
  });

  it('refuses a 32-bit process on 64-bit Windows with E_NOTIMPL, naming the fix, before looking at the token', () => {
    const refusal = processRefusal({ platform: 'win32', arch: 'ia32', env: wow64, token: elevatedAdmin });
    assert.ok(refusal);
    assert.equal(refusal.vssName, 'E_NOTIMPL');
    assert.match(refusal.message, /32-bit \(ia32\) process on 64-bit \(AMD64\) Windows/);
    assert.match(refusal.message, /use the 64-bit vss-session/);
    assert.equal(processRefusal({ platform: 'win32', arch: 'ia32', env: wow64, token: filteredAdmin })?.vssName, 'E_NOTIMPL');
  });

  it('lets an elevated 64-bit administrator through, and leaves the decision to VSS when the token could not be read', () => {
    assert.equal(win(elevatedAdmin), null);
    assert.equal(win(null), null);
  });

  it('checks nothing off Windows, and nothing for the emulated service', async () => {
    assert.equal(processRefusal({ platform: 'linux', arch: 'ia32', env: wow64, token: filteredAdmin }), null);
    await checkRequesterProcess({ kind: 'emulator', socket: '/nonexistent' }, () => Promise.reject(new Error('the token is not read for the emulator')));
  });

  it('gives CreateVssBackupComponents\' own E_ACCESSDENIED the same fix, keeping VSS\'s error', async () => {
    const facade: FacadeCaller = {
      call: async (method: string) => {
        if (method === 'Create') throw vssError('E_ACCESSDENIED', 'CreateVssBackupComponents failed with E_ACCESSDENIED (0x80070005).');
        throw new Error(`no ${method} expected before the component object exists`);
      },
    } as FacadeCaller;
    for (const start of [() => new BackupLifecycle(facade, { kind: 'windows' }, 'backup').begin(), () => new AdminComponent(facade, async () => ({ kind: 'windows' })).querySnapshots()]) {
      await assert.rejects(start(), (e: VssError) => {
        assert.equal(e.vssName, 'E_ACCESSDENIED');
        assert.match(e.message, /refused to create a backup component object.*run PowerShell as Administrator.*CreateVssBackupComponents failed with E_ACCESSDENIED/);
        assert.equal(e.details.check, 'elevation');
        return true;
      });
    }
  });

  it('on Windows, reads this process\'s token through the binding and refuses it exactly when VSS would', async function () {
    if (process.platform !== 'win32') {
      console.log('      (skipped: a process token exists only on Windows; the Windows suite reads one under Wine)');
      this.skip();
    }
    const token = await new Interop().call<RequesterToken>('RequesterToken');
    for (const fact of ['elevated', 'administrators', 'backupOperators', 'localSystem'] as const) assert.equal(typeof token[fact], 'boolean', fact);
    const outcome = await checkRequesterProcess({ kind: 'windows' }, () => Promise.resolve(token)).then(
      () => null,
      (e: VssError) => e.vssName,
    );
    assert.equal(outcome, mayRequest(token) ? null : 'E_ACCESSDENIED');
  });
});

describe('-Policy BestEffort: which failures it may go on from', function () {
  it('goes on from what the machine or VSS imposes', () => {
    for (const name of ['E_ACCESSDENIED', 'E_NOTIMPL', 'VSS_E_VOLUME_NOT_SUPPORTED', 'VSS_E_WRITERERROR_RETRYABLE', 'VSS_E_SNAPSHOT_SET_IN_PROGRESS', 'VSS_E_WRITER_NOT_RESPONDING'] as const) {
      assert.equal(allowsLiveFallback(vssError(name, 'x')), true, name);
    }
    assert.equal(allowsLiveFallback(new VssError('ERROR_TIMEOUT', '0x800705B4', 'the prepare phase did not finish', { phase: 'prepare' })), true);
  });

  it('never from a missing path, a bad argument or state, a -RequireWriter refusal, or a non-VSS failure', () => {
    for (const name of ['VSS_E_OBJECT_NOT_FOUND', 'E_INVALIDARG', 'VSS_E_BAD_STATE', 'VSS_E_UNEXPECTED', 'VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED'] as const) {
      assert.equal(allowsLiveFallback(vssError(name, 'x')), false, name);
    }
    assert.equal(allowsLiveFallback(vssError('VSS_E_WRITERERROR_NONRETRYABLE', 'x', { requirement: 'RequireWriter' })), false);
    assert.equal(allowsLiveFallback(new Error('the host did not start')), false);
  });
});

describe('pre-flight of the volumes (host, on the emulated service)', function () {
  const { world } = inProcessService();
  const interop = new Interop();

  /** A host on an in-memory stream pair, and the VSS calls it reports making. */
  function connect(): { client: MessageConnection; calls: string[] } {
    const hostInput = new PassThrough();
    const hostOutput = new PassThrough();
    startHost(hostInput, hostOutput, { interop, service: async () => ({ kind: 'emulator', socket: world.paths.socket }) });
    const client = createMessageConnection(hostOutput, hostInput);
    const calls: string[] = [];
    client.onNotification(Methods.vssCall, (c) => void calls.push(c.method));
    client.listen();
    return { client, calls };
  }

  async function refusal(volume: string): Promise<{ data: VssErrorData; message: string; calls: string[]; journal: string[] }> {
    const before = readJournal(world.paths).length;
    const { client, calls } = connect();
    try {
      await client.sendRequest(Methods.createBackup, { volumes: [world.volume, volume] });
    } catch (e) {
      assert.ok(e instanceof ResponseError, `expected a JSON-RPC error, got ${e}`);
      return { data: e.data as VssErrorData, message: e.message, calls, journal: readJournal(world.paths).slice(before).map((j) => String(j.event)) };
    } finally {
      client.dispose();
    }
    assert.fail(`${volume} passed the pre-flight`);
  }

  /** What every refusal shares: IsVolumeSupported after the writers' metadata, as VSS's discovery phase has it, and
   * before any snapshot set: writers were asked for their metadata only (Identify, then BackupShutdown), nothing was
   * prepared or frozen, and the component object was released at once. */
  function assertNothingStarted(r: { calls: string[]; journal: string[] }) {
    assert.deepEqual(r.calls, ['Create', 'InitializeForBackup', 'SetContext', 'SetBackupState', 'GatherWriterMetadata', 'IsVolumeSupported', 'IsVolumeSupported', 'Release']);
    assert.deepEqual([...new Set(r.journal)].sort(), ['BackupShutdown', 'Identify'], r.journal.join(', '));
  }

  it('passes a directory: IsVolumeSupported after GatherWriterMetadata, before GatherWriterStatus and the snapshot set', async () => {
    const { client, calls } = connect();
    await client.sendRequest(Methods.createBackup, { volumes: [world.volume] });
    assert.deepEqual(calls.slice(0, 7), ['Create', 'InitializeForBackup', 'SetContext', 'SetBackupState', 'GatherWriterMetadata', 'IsVolumeSupported', 'GatherWriterStatus']);
    await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
    await client.sendRequest(Methods.closeBackup);
    client.dispose();
  });

  it('refuses a missing directory with VSS_E_OBJECT_NOT_FOUND, telling to check the path; not for BestEffort', async () => {
    const missing = path.join(world.root, 'no-such-dir');
    const r = await refusal(missing);
    assert.equal(r.data.name, 'VSS_E_OBJECT_NOT_FOUND');
    assert.ok(r.message.includes(`the volume ${missing} was not found`), r.message);
    assert.match(r.message, /check the path/);
    assert.equal(r.data.liveFallback, false, 'there is nothing live to read either');
    assertNothingStarted(r);
  });

  it('refuses a file with VSS_E_VOLUME_NOT_SUPPORTED, telling to name the directory that holds it', async () => {
    const file = path.join(world.volume, 'ledger.txt');
    const r = await refusal(file);
    assert.equal(r.data.name, 'VSS_E_VOLUME_NOT_SUPPORTED');
    assert.ok(r.message.includes(`VSS cannot snapshot ${file}: volume ${file} is a file`), r.message);
    assert.match(r.message, /name the directory or volume that holds it/);
    assert.equal(r.data.liveFallback, true);
    assertNothingStarted(r);
  });

  it('refuses a kernel filesystem (/proc) with VSS_E_VOLUME_NOT_SUPPORTED, naming it', async function () {
    if (!fs.existsSync('/proc/self')) {
      console.log('      (skipped: this system has no /proc)');
      this.skip();
    }
    const r = await refusal('/proc');
    assert.equal(r.data.name, 'VSS_E_VOLUME_NOT_SUPPORTED');
    assert.match(r.message, /VSS cannot snapshot \/proc: volume \/proc is on \/proc, a view of the running system/);
    assert.match(r.message, /name a directory on a disk filesystem/);
    assert.equal(r.data.liveFallback, true);
    assertNothingStarted(r);
  });

  it("refuses the emulator's own state folder with its own reason", async () => {
    const r = await refusal(world.home);
    assert.equal(r.data.name, 'VSS_E_VOLUME_NOT_SUPPORTED');
    assert.match(r.message, /the emulator's own state folder/);
    assertNothingStarted(r);
  });

  it('marks a writer failure while making the set for BestEffort, but not a -RequireWriter refusal', async () => {
    fs.writeFileSync(world.paths.writers, JSON.stringify([{ name: 'Flaky Writer', id: '11111111-2222-3333-4444-0000000000f1', failOn: { Freeze: 'VSS_E_WRITERERROR_NONRETRYABLE' } }]));
    try {
      const { client } = connect();
      await client.sendRequest(Methods.createBackup, { volumes: [world.volume] });
      const failure = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] }).then(
        () => assert.fail('the writer did not fail the set'),
        (e: ResponseError<VssErrorData>) => e.data!,
      );
      assert.equal(failure.name, 'VSS_E_WRITERERROR_NONRETRYABLE');
      assert.equal(failure.liveFallback, true);
      await client.sendRequest(Methods.closeBackup);
      client.dispose();

      fs.writeFileSync(world.paths.writers, JSON.stringify([{ name: 'Broken Writer', id: '11111111-2222-3333-4444-0000000000f3', failOn: { Identify: 'VSS_E_WRITERERROR_NONRETRYABLE' } }]));
      const required = connect().client;
      const refused = await required.sendRequest(Methods.createBackup, { volumes: [world.volume], requireWriters: ['Broken Writer'] }).then(
        () => assert.fail('the failed writer was accepted'),
        (e: ResponseError<VssErrorData>) => e.data!,
      );
      assert.equal(refused.name, 'VSS_E_WRITERERROR_NONRETRYABLE');
      assert.equal(refused.liveFallback, false, 'a required writer is a requirement');
      required.dispose();
    } finally {
      fs.rmSync(world.paths.writers, { force: true });
    }
  });

  it('marks a phase time limit for BestEffort', async () => {
    fs.writeFileSync(world.paths.writers, JSON.stringify([{ name: 'Slow Writer', id: '11111111-2222-3333-4444-0000000000f2', delayMs: { PrepareForBackup: 2000 } }]));
    try {
      const { client } = connect();
      await client.sendRequest(Methods.createBackup, { volumes: [world.volume], timeouts: { prepare: 200 } });
      const failure = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] }).then(
        () => assert.fail('the slow writer did not time out'),
        (e: ResponseError<VssErrorData>) => e.data!,
      );
      assert.equal(failure.name, 'ERROR_TIMEOUT');
      assert.equal(failure.liveFallback, true);
      await client.sendRequest(Methods.closeBackup);
      client.dispose();
    } finally {
      fs.rmSync(world.paths.writers, { force: true });
    }
  });

  it('keeps what was named: each snapshot has its path, and the folder inside the snapshot (on the emulator its root)', async () => {
    const { client } = connect();
    await client.sendRequest(Methods.createBackup, {});
    const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
    const snapshot = set.snapshots[0]!;
    assert.equal(snapshot.path, world.volume);
    assert.equal(snapshot.snapshotPath, snapshot.rootPath);
    assert.equal(fs.readFileSync(path.join(snapshot.snapshotPath, 'ledger.txt'), 'utf8').trim(), 'balance: 100');
    await client.sendRequest(Methods.closeBackup);
    client.dispose();
  });

  it('refuses one volume named twice before any VSS call: a snapshot set holds each volume once', async () => {
    const { client, calls } = connect();
    await client.sendRequest(Methods.createBackup, {});
    const before = calls.length;
    const error = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume, world.volume] }).then(
      () => assert.fail('the same volume twice was accepted'),
      (e: ResponseError<VssErrorData>) => e,
    );
    assert.equal(error.data!.name, 'E_INVALIDARG');
    assert.match(error.message, /are on the same volume .*a snapshot set holds each volume once/);
    assert.deepEqual(calls.slice(before), [], 'no snapshot set was started');
    await client.sendRequest(Methods.closeBackup);
    client.dispose();
  });

  it('takes two directories whose names differ only in case as two volumes where the filesystem does', async function () {
    const upper = path.join(world.root, 'Case');
    const lower = path.join(world.root, 'case');
    fs.mkdirSync(upper);
    fs.mkdirSync(lower, { recursive: true });
    if (fs.statSync(upper).ino === fs.statSync(lower).ino) this.skip(); // a case-insensitive filesystem: one folder
    const { client } = connect();
    await client.sendRequest(Methods.createBackup, {});
    const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [upper, lower] });
    assert.deepEqual(set.snapshots.map((s) => s.path), [upper, lower]);
    await client.sendRequest(Methods.closeBackup);
    client.dispose();
  });

  describe('contexts without writers (vshadow\'s -nw: "Shadow Copy Creation Details")', () => {
    for (const context of ['FileShareBackup', 'ClientAccessible'] as const) {
      it(`${context}: no GatherWriterMetadata, PrepareForBackup, GatherWriterStatus or BackupComplete, and no writer event`, async () => {
        const before = readJournal(world.paths).length;
        const { client, calls } = connect();
        const info = await client.sendRequest(Methods.createBackup, { context, volumes: [world.volume] });
        assert.equal(info.state, 'initialized');
        const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
        assert.equal(set.snapshots.length, 1);
        assert.ok(fs.existsSync(set.snapshots[0]!.devicePath));
        const completed = await client.sendRequest(Methods.completeBackup, {});
        assert.equal(completed.state, 'completed');
        const closed = await client.sendRequest(Methods.closeBackup);
        client.dispose();
        assert.deepEqual(calls.filter((c) => c !== 'GetSnapshotProperties'), ['Create', 'InitializeForBackup', 'SetContext', 'SetBackupState', 'IsVolumeSupported', 'StartSnapshotSet', 'AddToSnapshotSet', 'DoSnapshotSet', 'Release']);
        assert.equal(readJournal(world.paths).length, before, 'no writer takes part');
        assert.deepEqual(closed.writers, []);
        if (context === 'ClientAccessible') {
          assert.deepEqual(closed.keptSnapshots, [set.snapshots[0]!.snapshotId]);
          const admin = connect().client;
          assert.equal((await admin.sendRequest(Methods.deleteSnapshots, { snapshotSetId: set.snapshotSetId })).deleted, 1);
          admin.dispose();
        }
      });
    }

    it('an unfinished backup is aborted, never completed: Close without Complete sends AbortBackup, then Release', async () => {
      const { client, calls } = connect();
      await client.sendRequest(Methods.createBackup, { context: 'FileShareBackup' });
      const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      const closed = await client.sendRequest(Methods.closeBackup);
      client.dispose();
      assert.deepEqual(calls.slice(-2), ['AbortBackup', 'Release']);
      assert.deepEqual(closed.endedSnapshots, [set.snapshots[0]!.snapshotId]);
      assert.ok(!fs.existsSync(set.snapshots[0]!.devicePath), 'the auto-release snapshot ended with its component object');
    });
  });
});
