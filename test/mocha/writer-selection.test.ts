// Which writers take part (-ExcludeWriter / -IncludeWriter: DisableWriterClasses, EnableWriterClasses,
// DisableWriterInstances) and the restart of a snapshot creation that writers failed with a retryable error:
// the emulated service's rules over its socket, the host over an in-memory stream pair, and the packaged executable.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import { createMessageConnection, MessageConnection, ResponseError, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node';
import { readJournal } from '../../src/emulator/control';
import { JournalEntry } from '../../src/emulator/model';
import { EmulatorPaths } from '../../src/paths';
import { Methods } from '../../src/host/protocol';
import { startHost } from '../../src/host/server';
import { Interop } from '../../src/requester/interop';
import { executable, inProcessService, tempWorld } from './helpers';

const LEDGER = { name: 'Ledger Writer', id: '11111111-2222-3333-4444-555555555555' };
const MAIL = { name: 'Mail Writer', id: '11111111-2222-3333-4444-666666666666' };
const CATALOG = { name: 'Catalog Writer', id: '11111111-2222-3333-4444-777777777777' };
const FULL_BACKUP = ['Identify', 'PrepareForBackup', 'PrepareForSnapshot', 'Freeze', 'Thaw', 'PostSnapshot', 'BackupComplete', 'BackupShutdown'];

/** Every journal entry of the component object (session) that made this snapshot set, Identify included. */
function sessionOf(paths: EmulatorPaths, snapshotSetId: string): JournalEntry[] {
  const journal = readJournal(paths);
  const sessionId = journal.find((e) => e.snapshotSetId === snapshotSetId)?.sessionId;
  assert.ok(sessionId, `no journal entry for snapshot set ${snapshotSetId}`);
  return journal.filter((e) => e.sessionId === sessionId);
}

const eventsOf = (entries: JournalEntry[], writer: string) => entries.filter((e) => e.writer === writer).map((e) => e.event);

async function vssFailure(call: Promise<unknown>): Promise<{ name: string; message: string; data: Record<string, unknown> }> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof ResponseError, `expected a JSON-RPC error, got ${e}`);
    const data = e.data as { name: string } & Record<string, unknown>;
    return { name: data.name, message: e.message, data };
  }
  assert.fail('the call succeeded');
}

describe('writer selection and retries of retryable writer errors', function () {
  const { world } = inProcessService();
  const interop = new Interop();
  const writersFile = (writers: unknown) => fs.writeFileSync(world.paths.writers, JSON.stringify(writers));
  beforeEach(() => writersFile([LEDGER, MAIL, CATALOG]));
  afterEach(() => fs.rmSync(world.paths.writers, { force: true }));

  /** One component object's connection to the service, as the C# emulated component object speaks it. */
  async function raw(): Promise<{ call<T = any>(method: string, params?: object): Promise<T>; close(): void }> {
    const socket = net.connect(world.paths.socket);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    connection.listen();
    await connection.sendRequest('open', { pid: process.pid });
    return {
      call: <T>(method: string, params: object = {}) => connection.sendRequest(method, params) as Promise<T>,
      close: () => {
        connection.dispose();
        socket.destroy();
      },
    };
  }

  function connect(): MessageConnection {
    const input = new PassThrough();
    const output = new PassThrough();
    startHost(input, output, { interop, service: async () => ({ kind: 'emulator', socket: world.paths.socket }) });
    const client = createMessageConnection(output, input);
    client.listen();
    return client;
  }

  describe('the emulated service', () => {
    it('sends a disabled class and a disabled instance no event at all, and leaves them out of metadata and status', async () => {
      const probe = await raw();
      await probe.call('initializeForBackup');
      const { writers } = await probe.call<{ writers: { name: string; instanceId: string }[] }>('gatherWriterMetadata');
      await probe.call('release');
      probe.close();
      const mailInstance = writers.find((w) => w.name === MAIL.name)!.instanceId;

      const before = readJournal(world.paths).length;
      const c = await raw();
      await c.call('initializeForBackup');
      await c.call('disableWriterClasses', { ids: [LEDGER.id.toUpperCase()] });
      await c.call('disableWriterInstances', { ids: [mailInstance] });
      const metadata = await c.call<{ writers: { name: string }[] }>('gatherWriterMetadata');
      assert.deepEqual(metadata.writers.map((w) => w.name), [CATALOG.name]);
      const status = await c.call<{ writers: { name: string }[] }>('gatherWriterStatus');
      assert.deepEqual(status.writers.map((w) => w.name), [CATALOG.name]);
      await c.call('release');
      c.close();
      const delivered = readJournal(world.paths).slice(before);
      assert.deepEqual([...new Set(delivered.map((e) => e.writer))], [CATALOG.name]);
      assert.deepEqual(eventsOf(delivered, CATALOG.name), ['Identify', 'BackupShutdown']);
    });

    it('lets only the enabled classes take part once EnableWriterClasses was called; a disabled class stays out', async () => {
      const c = await raw();
      await c.call('initializeForBackup');
      await c.call('enableWriterClasses', { ids: [LEDGER.id, MAIL.id] });
      await c.call('disableWriterClasses', { ids: [MAIL.id] });
      const { writers } = await c.call<{ writers: { name: string }[] }>('gatherWriterMetadata');
      assert.deepEqual(writers.map((w) => w.name), [LEDGER.name]);
      await c.call('release');
      c.close();
    });

    it('refuses the calls after GatherWriterMetadata with VSS_E_BAD_STATE, and ids that are not GUIDs with E_INVALIDARG', async () => {
      const c = await raw();
      assert.equal((await vssFailure(c.call('disableWriterClasses', { ids: [LEDGER.id] }))).name, 'VSS_E_BAD_STATE', 'before InitializeForBackup');
      await c.call('initializeForBackup');
      for (const ids of [[], ['Ledger Writer'], [42], 'not-an-array']) {
        const f = await vssFailure(c.call('enableWriterClasses', { ids }));
        assert.equal(f.name, 'E_INVALIDARG', JSON.stringify(ids));
        assert.match(f.message, /EnableWriterClasses/);
      }
      await c.call('gatherWriterMetadata');
      for (const method of ['disableWriterClasses', 'enableWriterClasses', 'disableWriterInstances']) {
        const f = await vssFailure(c.call(method, { ids: [LEDGER.id] }));
        assert.equal(f.name, 'VSS_E_BAD_STATE');
        assert.match(f.message, /must come before GatherWriterMetadata/);
      }
      await c.call('release');
      c.close();
    });

    it('failTimes: a writer fails only the first n deliveries of the event, then handles it', async () => {
      writersFile([{ ...LEDGER, failOn: { Identify: 'VSS_E_WRITERERROR_RETRYABLE' }, failTimes: { Identify: 2 } }]);
      const states: string[] = [];
      for (let i = 0; i < 3; i++) {
        const c = await raw();
        await c.call('initializeForBackup');
        const { writers } = await c.call<{ writers: { failed: boolean }[] }>('gatherWriterMetadata');
        states.push(writers[0]!.failed ? 'failed' : 'ok');
        await c.call('release');
        c.close();
      }
      assert.deepEqual(states, ['failed', 'failed', 'ok']);
    });

    for (const [label, extra, expected] of [
      ['without failOn for the event', { failTimes: { Freeze: 1 } }, /field "failTimes.Freeze": needs failOn.Freeze/],
      ['that is not a whole number', { failOn: { Freeze: 'VSS_E_WRITERERROR_RETRYABLE' }, failTimes: { Freeze: 1.5 } }, /field "failTimes.Freeze": must be a whole number/],
      ['of zero', { failOn: { Freeze: 'VSS_E_WRITERERROR_RETRYABLE' }, failTimes: { Freeze: 0 } }, /field "failTimes.Freeze": must be a whole number/],
      ['for an unknown event', { failTimes: { Freezing: 1 } }, /field "failTimes.Freezing": not a writer event/],
    ] as const) {
      it(`refuses a failTimes ${label}, naming the entry and the field`, async () => {
        writersFile([{ ...LEDGER, ...extra }]);
        const c = await raw();
        const f = await vssFailure(c.call('initializeForBackup'));
        assert.equal(f.name, 'VSS_E_WRITER_INFRASTRUCTURE');
        assert.match(f.message, /entry 0 \("Ledger Writer"\)/);
        assert.match(f.message, expected);
        c.close();
      });
    }
  });

  describe('-ExcludeWriter and -IncludeWriter through the host', () => {
    /** A whole backup through the host; the journal of its own component object. */
    async function backup(params: object): Promise<{ journal: JournalEntry[]; writers: string[] }> {
      const client = connect();
      const info = await client.sendRequest(Methods.createBackup, params);
      const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      await client.sendRequest(Methods.completeBackup, {});
      await client.sendRequest(Methods.closeBackup);
      client.dispose();
      return { journal: sessionOf(world.paths, set.snapshotSetId), writers: info.writers.map((w) => w.name) };
    }

    it('an excluded writer, by name in any case, gets no event at all in the backup; the others a whole backup', async () => {
      const { journal, writers } = await backup({ excludeWriters: ['ledger WRITER'] });
      assert.deepEqual(writers, [MAIL.name, CATALOG.name]);
      assert.deepEqual(eventsOf(journal, LEDGER.name), []);
      assert.deepEqual(eventsOf(journal, MAIL.name), FULL_BACKUP);
      assert.deepEqual(eventsOf(journal, CATALOG.name), FULL_BACKUP);
    });

    it('an excluded writer by class id gets no event, and no lookup asks it for its metadata either', async () => {
      const before = readJournal(world.paths).length;
      const { journal } = await backup({ excludeWriters: [LEDGER.id] });
      assert.deepEqual(eventsOf(journal, LEDGER.name), []);
      assert.deepEqual(eventsOf(readJournal(world.paths).slice(before), LEDGER.name), [], 'not even in another session');
    });

    it('an excluded writer by instance id gets no event (DisableWriterInstances)', async () => {
      const client = connect();
      const { writers } = await client.sendRequest(Methods.listWriters, {});
      client.dispose();
      const { journal } = await backup({ excludeWriters: [writers.find((w) => w.name === MAIL.name)!.instanceId] });
      assert.deepEqual(eventsOf(journal, MAIL.name), []);
      assert.deepEqual(eventsOf(journal, LEDGER.name), FULL_BACKUP);
    });

    it('with -IncludeWriter only the included writers get events, by name or by id', async () => {
      const byName = await backup({ includeWriters: ['Catalog Writer'] });
      assert.deepEqual([...new Set(byName.journal.map((e) => e.writer))], [CATALOG.name]);
      assert.deepEqual(eventsOf(byName.journal, CATALOG.name), FULL_BACKUP);
      const byId = await backup({ includeWriters: [MAIL.id, 'ledger writer'] });
      assert.deepEqual(byId.writers, [LEDGER.name, MAIL.name]);
      assert.deepEqual([...new Set(byId.journal.map((e) => e.writer))].sort(), [LEDGER.name, MAIL.name]);
    });

    it('a name no writer has fails New-VssBackup naming the writers present, before any snapshot set is started', async () => {
      for (const field of ['excludeWriters', 'includeWriters']) {
        const before = readJournal(world.paths).length;
        const client = connect();
        const f = await vssFailure(client.sendRequest(Methods.createBackup, { [field]: ['Ledger Writr'] }));
        assert.equal(f.name, 'VSS_E_OBJECT_NOT_FOUND', field);
        assert.match(f.message, /no writer is named 'Ledger Writr' \(writers present: 'Ledger Writer', 'Mail Writer', 'Catalog Writer'\); no snapshot set was started/);
        const events = readJournal(world.paths).slice(before).map((e) => e.event);
        assert.ok(!events.some((e) => e !== 'Identify' && e !== 'BackupShutdown'), `only the lookup ran: ${events}`);
        assert.equal((await vssFailure(client.sendRequest(Methods.startSnapshotSet))).name, 'VSS_E_BAD_STATE', 'no backup is open');
        client.dispose();
      }
    });

    it('an included class id that no writer has fails before any snapshot set is started', async () => {
      const client = connect();
      const f = await vssFailure(client.sendRequest(Methods.createBackup, { includeWriters: ['99999999-2222-3333-4444-555555555555'] }));
      assert.equal(f.name, 'VSS_E_OBJECT_NOT_FOUND');
      assert.match(f.message, /-IncludeWriter: no writer of class 99999999-2222-3333-4444-555555555555 answered GatherWriterMetadata/);
      client.dispose();
    });

    it('refuses a writer both included and excluded, one required and excluded, and selection where writers take no part', async () => {
      const client = connect();
      const both = await vssFailure(client.sendRequest(Methods.createBackup, { includeWriters: ['Ledger Writer'], excludeWriters: [LEDGER.id] }));
      assert.equal(both.name, 'E_INVALIDARG');
      assert.match(both.message, /-IncludeWriter 'Ledger Writer' and -ExcludeWriter '11111111-2222-3333-4444-555555555555' name the same writer/);
      const required = await vssFailure(client.sendRequest(Methods.createBackup, { requireWriters: ['Mail Writer'], includeWriters: ['Ledger Writer'] }));
      assert.equal(required.name, 'E_INVALIDARG');
      assert.match(required.message, /-RequireWriter 'Mail Writer' names a writer that -ExcludeWriter or -IncludeWriter keeps out/);
      const noWriters = await vssFailure(client.sendRequest(Methods.createBackup, { context: 'FileShareBackup', excludeWriters: ['Ledger Writer'] }));
      assert.equal(noWriters.name, 'E_INVALIDARG');
      assert.match(noWriters.message, /writers take no part in context FileShareBackup/);
      for (const bad of ['Ledger Writer', [''], [42], ['x'.repeat(257)]]) {
        assert.equal((await vssFailure(client.sendRequest(Methods.createBackup, { excludeWriters: bad as never }))).name, 'E_INVALIDARG', JSON.stringify(bad));
      }
      client.dispose();
    });
  });

  describe('retries of retryable writer errors through the host', () => {
    /** createSnapshotSet with the retries it reported; the sessions the journal shows for the writer, in order. */
    async function attempt(params: object): Promise<{ client: MessageConnection; retries: { operation: string; error: string; attempt: number; delayMs: number; writer?: string }[]; result: Promise<{ snapshotSetId: string }>; before: number }> {
      const before = readJournal(world.paths).length;
      const client = connect();
      const retries: { operation: string; error: string; attempt: number; delayMs: number; writer?: string }[] = [];
      client.onNotification(Methods.vssRetry, (r) => void retries.push(r));
      await client.sendRequest(Methods.createBackup, params);
      const result = client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      result.catch(() => undefined);
      return { client, retries, result, before };
    }

    /** The events of each session since `before`, in the order the sessions began. */
    function sessionsSince(before: number): Map<string, JournalEntry[]> {
      const sessions = new Map<string, JournalEntry[]>();
      for (const e of readJournal(world.paths).slice(before)) sessions.set(e.sessionId, [...(sessions.get(e.sessionId) ?? []), e]);
      return sessions;
    }

    for (const error of ['VSS_E_WRITERERROR_RETRYABLE', 'VSS_E_WRITERERROR_TIMEOUT']) {
      it(`a writer failing Freeze once with ${error}: aborted, released, and made again on a new component object`, async () => {
        writersFile([{ ...LEDGER, failOn: { Freeze: error }, failTimes: { Freeze: 1 } }, MAIL]);
        const { client, retries, result, before } = await attempt({ retryTimeoutMs: 30_000 });
        const set = await result;
        await client.sendRequest(Methods.completeBackup, {});
        await client.sendRequest(Methods.closeBackup);
        client.dispose();
        assert.deepEqual(retries.map(({ operation, error: e, attempt: n, writer }) => ({ operation, e, n, writer })), [{ operation: 'DoSnapshotSet', e: error, n: 1, writer: LEDGER.name }]);
        const sessions = [...sessionsSince(before).values()];
        assert.equal(sessions.length, 2, 'two component objects');
        const [first, second] = sessions as [JournalEntry[], JournalEntry[]];
        assert.deepEqual(eventsOf(first, LEDGER.name), ['Identify', 'PrepareForBackup', 'PrepareForSnapshot', 'Freeze', 'Abort', 'BackupShutdown']);
        assert.equal(first.find((e) => e.event === 'Freeze' && e.writer === LEDGER.name)!.error, error);
        assert.deepEqual(eventsOf(first, MAIL.name), ['Identify', 'PrepareForBackup', 'PrepareForSnapshot', 'Freeze', 'Abort', 'BackupShutdown']);
        assert.equal(first.find((e) => e.event === 'BackupShutdown')!.backupCompleteReceived, false);
        assert.deepEqual(eventsOf(second, LEDGER.name), FULL_BACKUP);
        assert.deepEqual(eventsOf(second, MAIL.name), FULL_BACKUP);
        assert.equal(second.find((e) => e.event === 'Freeze')!.snapshotSetId, set.snapshotSetId);
        assert.notEqual(first.find((e) => e.event === 'Freeze')!.snapshotSetId, set.snapshotSetId);
      });
    }

    it('a writer failing PrepareForBackup once with VSS_E_WRITERERROR_RETRYABLE is retried too', async () => {
      writersFile([{ ...LEDGER, failOn: { PrepareForBackup: 'VSS_E_WRITERERROR_RETRYABLE' }, failTimes: { PrepareForBackup: 1 } }]);
      const { client, retries, result } = await attempt({ retryTimeoutMs: 30_000 });
      await result;
      await client.sendRequest(Methods.closeBackup);
      client.dispose();
      assert.deepEqual(retries.map((r) => [r.operation, r.error, r.writer]), [['PrepareForBackup', 'VSS_E_WRITERERROR_RETRYABLE', LEDGER.name]]);
    });

    for (const error of ['VSS_E_WRITERERROR_NONRETRYABLE', 'VSS_E_WRITERERROR_OUTOFRESOURCES']) {
      it(`${error} fails at once: no retry, one component object`, async () => {
        writersFile([{ ...LEDGER, failOn: { Freeze: error }, failTimes: { Freeze: 1 } }]);
        const started = Date.now();
        const { client, retries, result, before } = await attempt({ retryTimeoutMs: 30_000 });
        const f = await vssFailure(result);
        assert.equal(f.name, error);
        assert.ok(Date.now() - started < 5_000);
        assert.deepEqual(retries, []);
        await client.sendRequest(Methods.closeBackup);
        client.dispose();
        assert.equal(sessionsSince(before).size, 1);
      });
    }

    it('a writer that keeps failing with VSS_E_WRITERERROR_RETRYABLE fails the backup with its error once the retry time runs out, saying how long it tried', async () => {
      writersFile([{ ...LEDGER, failOn: { Freeze: 'VSS_E_WRITERERROR_RETRYABLE' } }]);
      const started = Date.now();
      const { client, retries, result, before } = await attempt({ retryTimeoutMs: 2_500 });
      const f = await vssFailure(result);
      const elapsed = Date.now() - started;
      assert.equal(f.name, 'VSS_E_WRITERERROR_RETRYABLE');
      assert.match(f.message, /writer 'Ledger Writer' failed at Freeze with VSS_E_WRITERERROR_RETRYABLE/);
      assert.match(f.message, /gave up after (\d+) attempts in \d+\.\d s: the retry time limit of 2\.5 s ran out; raise -RetryTimeout/);
      const attempts = Number(/gave up after (\d+) attempts/.exec(f.message)![1]);
      assert.equal(attempts, retries.length + 1);
      assert.ok(retries.length >= 2, `retried ${retries.length} times`);
      assert.deepEqual(retries.map((r) => r.attempt), retries.map((_, i) => i + 1));
      assert.ok(elapsed >= 2_500 && elapsed < 10_000, `${elapsed} ms`);
      assert.equal(sessionsSince(before).size, attempts, 'one component object per attempt');
      assert.equal((await client.sendRequest(Methods.closeBackup)).state, 'aborted');
      client.dispose();
    });

    it('with a retry time of zero, a retryable writer error fails at once with the plain writer error', async () => {
      writersFile([{ ...LEDGER, failOn: { Freeze: 'VSS_E_WRITERERROR_RETRYABLE' }, failTimes: { Freeze: 1 } }]);
      const { client, retries, result } = await attempt({ retryTimeoutMs: 0 });
      const f = await vssFailure(result);
      assert.equal(f.name, 'VSS_E_WRITERERROR_RETRYABLE');
      assert.doesNotMatch(f.message, /gave up/);
      assert.deepEqual(retries, []);
      await client.sendRequest(Methods.closeBackup);
      client.dispose();
    });
  });
});

describe('vss-session backup --exclude-writer / --include-writer (packaged executable)', function () {
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };
  const cli = (...args: string[]) => spawnSync(executable, args, { env, encoding: 'utf8', timeout: 60_000 });

  before(() => {
    fs.mkdirSync(world.home, { recursive: true, mode: 0o700 });
    fs.writeFileSync(world.paths.writers, JSON.stringify([LEDGER, MAIL]));
  });
  after(() => {
    cli('emulator', 'stop');
    world.cleanup();
  });

  it('keeps an excluded writer (repeatable flag, name or id) out of the backup, and only included ones in', () => {
    const excluded = cli('backup', '--volume', world.volume, '--json', '--exclude-writer', 'mail writer', '--exclude-writer', '99999999-2222-3333-4444-555555555555');
    assert.equal(excluded.status, 0, excluded.stderr);
    const excludedSet = (JSON.parse(excluded.stdout) as { snapshotSetId: string }).snapshotSetId;
    assert.deepEqual(eventsOf(sessionOf(world.paths, excludedSet), MAIL.name), []);
    assert.deepEqual(eventsOf(sessionOf(world.paths, excludedSet), LEDGER.name), FULL_BACKUP);

    const included = cli('backup', '--volume', world.volume, '--json', '--include-writer', MAIL.id);
    assert.equal(included.status, 0, included.stderr);
    const includedSet = (JSON.parse(included.stdout) as { snapshotSetId: string }).snapshotSetId;
    assert.deepEqual([...new Set(sessionOf(world.paths, includedSet).map((e) => e.writer))], [MAIL.name]);
  });

  it('fails with exit code 1 and the writers present for a name no writer has, before any snapshot set', () => {
    const before = readJournal(world.paths).length;
    const result = cli('backup', '--volume', world.volume, '--include-writer', 'Ledger');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /VSS_E_OBJECT_NOT_FOUND .*-IncludeWriter: no writer is named 'Ledger' \(writers present: 'Ledger Writer', 'Mail Writer'\)/);
    assert.ok(readJournal(world.paths).slice(before).every((e) => e.snapshotSetId === null), 'no snapshot set was started');
  });
});
