// The lifecycle's rules against a fake facade: the VSS call sequence per context, abort before release on every
// failure path, the order rules, writer selection and the retries. No process, no .NET, no emulated service: these
// run in well under a second each (`npm run test:unit`), beside the end-to-end suites that check the same rules
// through every layer.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackupLifecycle, BackupOptions } from '../../../src/requester/lifecycle';
import type { FacadeMethod, VssService } from '../../../src/requester/interop';
import { VssError } from '../../../src/vss-error';
import { FakeFacade, WriterA, WriterB } from './fake-facade';

// The emulated kind: no process token and no volume lookup through Windows; the fake answers every VSS call.
const service: VssService = { kind: 'emulator', socket: '/nonexistent/emulator.sock' };
const volume = fs.mkdtempSync(path.join(os.tmpdir(), 'vss-unit-'));

function backup(facade: FakeFacade, options: BackupOptions = {}): BackupLifecycle {
  return new BackupLifecycle(facade, service, 'unit-backup', { volumes: [volume], ...options });
}

async function rejection(work: Promise<unknown>): Promise<VssError> {
  try {
    await work;
  } catch (e) {
    assert.ok(e instanceof VssError, String(e));
    return e;
  }
  assert.fail('it succeeded');
}

describe('the backup lifecycle against a fake facade', function () {
  after(() => fs.rmSync(volume, { recursive: true, force: true }));

  it('a Copy backup with writers makes the VSS calls in the requester sequence, and Release last', async () => {
    const facade = new FakeFacade();
    const b = backup(facade);
    await b.begin();
    await b.createSnapshotSet([volume]);
    await b.complete();
    const closed = await b.release();
    const expected: FacadeMethod[] = [
      'Create', 'InitializeForBackup', 'SetContext', 'SetBackupState', 'GatherWriterMetadata', 'IsVolumeSupported', 'GatherWriterStatus',
      'StartSnapshotSet', 'AddToSnapshotSet', 'PrepareForBackup', 'GatherWriterStatus', 'DoSnapshotSet', 'GatherWriterStatus', 'GetSnapshotProperties',
      'BackupComplete', 'GatherWriterStatus', 'Release',
    ];
    assert.deepEqual(facade.calls, expected);
    assert.equal(closed.state, 'completed');
    assert.deepEqual(closed.writers.map((w) => w.backupCompleteReceived), [true, true]);
  });

  it('a context without writers calls no writer: no GatherWriterMetadata, PrepareForBackup, GatherWriterStatus or BackupComplete', async () => {
    const facade = new FakeFacade();
    const b = backup(facade, { context: 'ClientAccessible' });
    await b.begin();
    await b.createSnapshotSet([volume]);
    await b.complete();
    await b.release();
    assert.deepEqual(facade.calls, ['Create', 'InitializeForBackup', 'SetContext', 'SetBackupState', 'IsVolumeSupported', 'StartSnapshotSet', 'AddToSnapshotSet', 'DoSnapshotSet', 'GetSnapshotProperties', 'Release']);
  });

  it('a failed DoSnapshotSet is aborted before it is reported; Release follows, and BackupComplete never', async () => {
    const facade = new FakeFacade().fail('DoSnapshotSet', 'VSS_E_INSUFFICIENT_STORAGE');
    const b = backup(facade);
    await b.begin();
    const e = await rejection(b.createSnapshotSet([volume]));
    assert.equal(e.vssName, 'VSS_E_INSUFFICIENT_STORAGE');
    assert.equal(facade.calls.at(-1), 'AbortBackup', 'aborted before the error reached the caller');
    const closed = await b.release();
    assert.deepEqual(facade.callsFrom('DoSnapshotSet'), ['DoSnapshotSet', 'AbortBackup', 'Release']);
    assert.equal(closed.state, 'aborted');
    assert.ok(!facade.calls.includes('BackupComplete'));
  });

  it('a backup released after its snapshots but before BackupComplete is aborted first, and its writers are told so', async () => {
    const facade = new FakeFacade();
    const b = backup(facade);
    await b.begin();
    await b.createSnapshotSet([volume]);
    const closed = await b.release();
    assert.deepEqual(facade.callsFrom('GetSnapshotProperties'), ['GetSnapshotProperties', 'AbortBackup', 'Release']);
    assert.equal(closed.state, 'snapshotsDone');
    assert.deepEqual(closed.writers.map((w) => w.backupCompleteReceived), [false, false]);
  });

  it('abandon: a backup whose work failed is aborted, then released, and says so; no BackupComplete', async () => {
    const facade = new FakeFacade();
    const b = backup(facade);
    await b.begin();
    await b.createSnapshotSet([volume]);
    const closed = await b.abandon();
    assert.deepEqual(facade.callsFrom('GetSnapshotProperties'), ['GetSnapshotProperties', 'AbortBackup', 'Release']);
    assert.equal(closed.state, 'aborted');
    assert.ok(!facade.calls.includes('BackupComplete'));
    assert.deepEqual(closed.writers.map((w) => w.backupCompleteReceived), [false, false]);
  });

  it('a call out of order is refused with VSS_E_BAD_STATE naming what may come next, and reaches no VSS call', async () => {
    const facade = new FakeFacade();
    const b = backup(facade);
    await b.begin();
    const before = facade.calls.length;
    const e = await rejection(b.complete());
    assert.equal(e.vssName, 'VSS_E_BAD_STATE');
    assert.match(e.message, /BackupComplete is not allowed now: the backup is metadataGathered; what may come next: .*StartSnapshotSet/);
    assert.equal(facade.calls.length, before);
    await b.release();
    const again = await rejection(b.createSnapshotSet([volume]));
    assert.match(again.message, /released and is never reused/);
  });

  it('a Release that fails still ends the object: the backup is released, and the failure is reported', async () => {
    const facade = new FakeFacade().fail('Release', 'VSS_E_INSUFFICIENT_STORAGE');
    const b = backup(facade);
    await b.begin();
    const e = await rejection(b.release());
    assert.equal(e.vssName, 'VSS_E_INSUFFICIENT_STORAGE');
    assert.equal(b.state, 'released');
    await b.release(); // safe to call again, and sends nothing
    assert.equal(facade.calls.filter((c) => c === 'Release').length, 1);
  });

  it('another snapshot set in progress is retried with backoff, each retry reported', async () => {
    const facade = new FakeFacade().fail('StartSnapshotSet', 'VSS_E_SNAPSHOT_SET_IN_PROGRESS', 1);
    const retries: string[] = [];
    const b = backup(facade, { onRetry: (r) => retries.push(`${r.operation} ${r.error} ${r.attempt}`) });
    await b.begin();
    await b.createSnapshotSet([volume]);
    assert.deepEqual(retries, ['StartSnapshotSet VSS_E_SNAPSHOT_SET_IN_PROGRESS 1']);
    assert.equal(facade.calls.filter((c) => c === 'StartSnapshotSet').length, 2);
    assert.ok(!facade.calls.includes('AbortBackup'), 'nothing was started, so nothing is aborted');
    await b.release();
  });

  it('a retryable writer error restarts the whole snapshot creation on a new component object; any other fails at once', async () => {
    const failed = [{ ...WriterA, state: 'FailedAtFreeze', lastError: 'VSS_E_WRITERERROR_RETRYABLE' }, WriterB];
    const facade = new FakeFacade().fail('DoSnapshotSet', 'VSS_E_WRITERERROR_RETRYABLE', 1, failed);
    const retries: string[] = [];
    const b = backup(facade, { onRetry: (r) => retries.push(`${r.operation} ${r.writer}`) });
    await b.begin();
    await b.createSnapshotSet([volume]);
    assert.deepEqual(retries, ['DoSnapshotSet Writer A']);
    // The first object: aborted, its writers asked why, released (they get BackupShutdown); then a second, begun as the first was.
    assert.deepEqual(facade.callsFrom('DoSnapshotSet').slice(0, 5), ['DoSnapshotSet', 'AbortBackup', 'GatherWriterStatus', 'Release', 'Create']);
    await b.release();

    const hard = new FakeFacade().fail('DoSnapshotSet', 'VSS_E_WRITERERROR_NONRETRYABLE', 1, [{ ...WriterA, state: 'FailedAtFreeze', lastError: 'VSS_E_WRITERERROR_NONRETRYABLE' }, WriterB]);
    const c = backup(hard, { onRetry: () => assert.fail('a non-retryable error is not retried') });
    await c.begin();
    assert.equal((await rejection(c.createSnapshotSet([volume]))).vssName, 'VSS_E_WRITERERROR_NONRETRYABLE');
    assert.equal(hard.calls.filter((x) => x === 'Create').length, 1);
    await c.release();
  });

  it('-ExcludeWriter by id disables the class before GatherWriterMetadata, without asking any writer first', async () => {
    const facade = new FakeFacade();
    const b = backup(facade, { excludeWriters: [WriterB.writerId] });
    await b.begin();
    assert.deepEqual(facade.calls.slice(0, 6), ['Create', 'InitializeForBackup', 'SetContext', 'SetBackupState', 'DisableWriterClasses', 'DisableWriterInstances']);
    assert.equal(facade.calls.indexOf('GatherWriterMetadata'), 6);
    await b.release();
  });

  it('-IncludeWriter and -ExcludeWriter naming one writer are refused before any snapshot set, and the object is released', async () => {
    const facade = new FakeFacade();
    const b = backup(facade, { excludeWriters: [WriterA.name], includeWriters: [WriterA.writerId] });
    const e = await rejection(b.begin());
    assert.equal(e.vssName, 'E_INVALIDARG');
    assert.match(e.message, /name the same writer/);
    assert.ok(!facade.calls.includes('StartSnapshotSet'));
    assert.equal(facade.calls.filter((c) => c === 'Create').length, facade.calls.filter((c) => c === 'Release').length, 'every object made was released');
  });

  it('-RequireWriter fails the backup before anything is frozen when the writer is not Stable, naming its state', async () => {
    const facade = new FakeFacade();
    facade.writers = [{ ...WriterA, state: 'FailedAtPrepareSnapshot', lastError: 'VSS_E_WRITERERROR_TIMEOUT' }, WriterB];
    const b = backup(facade, { requireWriters: ['writer a'] });
    const e = await rejection(b.begin());
    assert.equal(e.vssName, 'VSS_E_WRITERERROR_TIMEOUT');
    assert.match(e.message, /the required writer 'Writer A' is FailedAtPrepareSnapshot with VSS_E_WRITERERROR_TIMEOUT, not Stable; nothing was frozen/);
    assert.deepEqual(facade.calls.slice(-1), ['Release']);
    assert.ok(!facade.calls.includes('PrepareForBackup'));
  });
});
