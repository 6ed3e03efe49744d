// The emulated VSS service's own rules, spoken to directly over its socket (as the C# component object does),
// and through the host where a rule shows up in the requester's lifecycle.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { createMessageConnection, ResponseError } from 'vscode-jsonrpc/node';
import { readJournal, status } from '../../src/emulator/control';
import { Methods } from '../../src/host/protocol';
import { startHost } from '../../src/host/server';
import { readSavedSnapshots } from '../../src/emulator/service';
import { copyTreeReadOnly, removeTree } from '../../src/emulator/snapshot-store';
import { Interop } from '../../src/requester/interop';
import { WellKnownWriterServices, writerServices } from '../../src/writer-services';
import { eventually, executable, inProcessService, linuxOnly, tempWorld, until } from './helpers';
import { CTX_CLIENT_ACCESSIBLE, failure, RawComponent, SNAPSHOT_SET } from './raw-component';

describe('the emulated VSS service', function () {
  const service = inProcessService();
  const { world } = service;
  afterEach(() => fs.rmSync(world.paths.writers, { force: true }));

  describe('volumes and limits', () => {
    it('refuses a missing volume, a file, and the same volume twice, each with its VSS error', async () => {
      const c = await (await RawComponent.open(world.paths.socket)).begin();
      await c.call('startSnapshotSet');
      assert.equal((await failure(c.call('addToSnapshotSet', { volume: path.join(world.root, 'missing') }))).name, 'VSS_E_OBJECT_NOT_FOUND');
      assert.equal((await failure(c.call('addToSnapshotSet', { volume: path.join(world.volume, 'ledger.txt') }))).name, 'VSS_E_VOLUME_NOT_SUPPORTED');
      assert.equal((await failure(c.call('addToSnapshotSet', { volume: 'a\0b' }))).name, 'VSS_E_OBJECT_NOT_FOUND');
      const holdsHome = await failure(c.call('addToSnapshotSet', { volume: world.root }));
      assert.equal(holdsHome.name, 'VSS_E_VOLUME_NOT_SUPPORTED', 'a volume holding the emulator state folder would copy the snapshots into themselves');
      assert.equal((await failure(c.call('addToSnapshotSet', { volume: path.join(world.home, 'snapshots') }))).name, 'VSS_E_VOLUME_NOT_SUPPORTED');
      await c.call('addToSnapshotSet', { volume: world.volume });
      assert.equal((await failure(c.call('addToSnapshotSet', { volume: world.volume }))).name, 'VSS_E_OBJECT_ALREADY_EXISTS');
      await c.call('abortBackup');
      await c.release();
    });

    it('holds at most 64 volumes in one snapshot set', async () => {
      const c = await (await RawComponent.open(world.paths.socket)).begin();
      await c.call('startSnapshotSet');
      for (let i = 0; i < 65; i++) fs.mkdirSync(path.join(world.root, `v${i}`), { recursive: true });
      for (let i = 0; i < 64; i++) await c.call('addToSnapshotSet', { volume: path.join(world.root, `v${i}`) });
      const f = await failure(c.call('addToSnapshotSet', { volume: path.join(world.root, 'v64') }));
      assert.equal(f.name, 'VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED');
      await c.release();
    });

    it('keeps at most 64 client-accessible shadow copies of a volume', async () => {
      const volume = path.join(world.root, 'limited');
      fs.mkdirSync(volume);
      const sets: string[] = [];
      for (let i = 0; i < 64; i++) {
        const c = await (await RawComponent.open(world.paths.socket)).begin(CTX_CLIENT_ACCESSIBLE);
        sets.push(await c.snapshot([volume]));
        await c.release();
      }
      const c = await (await RawComponent.open(world.paths.socket)).begin(CTX_CLIENT_ACCESSIBLE);
      await c.call('startSnapshotSet');
      const f = await failure(c.call('addToSnapshotSet', { volume }));
      assert.equal(f.name, 'VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED');
      assert.match(f.message, /64 shadow copies/);
      await c.release();
      const admin = await (await RawComponent.open(world.paths.socket)).begin(-1);
      for (const id of sets) assert.equal((await admin.call('deleteSnapshots', { sourceId: id, sourceType: SNAPSHOT_SET })).deleted, 1);
      await admin.release();
    });

    it('creates one snapshot set at a time: a second requester gets VSS_E_SNAPSHOT_SET_IN_PROGRESS until the first is done', async () => {
      const first = await (await RawComponent.open(world.paths.socket)).begin();
      const second = await (await RawComponent.open(world.paths.socket)).begin();
      await first.call('startSnapshotSet');
      assert.equal((await failure(second.call('startSnapshotSet'))).name, 'VSS_E_SNAPSHOT_SET_IN_PROGRESS');
      await first.release();
      await second.call('startSnapshotSet');
      await second.release();
    });
  });

  describe('writers from writers.json', () => {
    const writersFile = (writers: unknown) => fs.writeFileSync(world.paths.writers, JSON.stringify(writers));
    const one = (extra: object) => [{ name: 'Ledger Writer', id: '11111111-2222-3333-4444-555555555555', ...extra }];

    it('uses the writers the file names', async () => {
      writersFile([...one({}), { name: 'Mail Writer', id: '11111111-2222-3333-4444-666666666666', components: ['Mailbox'] }]);
      const c = await RawComponent.open(world.paths.socket);
      await c.call('initializeForBackup');
      const { writers } = await c.call('gatherWriterMetadata');
      assert.deepEqual(writers.map((w: { name: string }) => w.name), ['Ledger Writer', 'Mail Writer']);
      await c.release();
    });

    it('knows the service hosting each well-known Windows writer, and takes the emulated ones from writers.json', async () => {
      const table = await writerServices({ kind: 'windows' });
      assert.equal(table.get('a65faa63-5ea8-4ebc-9dbd-a0c4db26912a'), 'SQLWriter');
      assert.equal(table.get('e8132975-6f93-4464-a53e-1050253ae220'), 'CryptSvc');
      for (const [id, service] of Object.entries(WellKnownWriterServices)) {
        assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, `${id} must be a lower-case writer class id`);
        assert.match(service, /^[A-Za-z][A-Za-z0-9_]*$/, `${id}: ${service} must be a service short name`);
      }
      writersFile(one({ service: 'LedgerSvc' }));
      const c = await RawComponent.open(world.paths.socket);
      await c.call('initializeForBackup'); // reloads writers.json
      await c.release();
      const emulated = await writerServices({ kind: 'emulator', socket: world.paths.socket });
      assert.deepEqual([...emulated], [['11111111-2222-3333-4444-555555555555', 'LedgerSvc']]);
    });

    for (const [label, content, expected] of [
      ['not JSON', '{', /not valid JSON/],
      ['not an array', '{}', /must be a JSON array/],
      ['an entry without an id', JSON.stringify([{ name: 'No Id' }]), /entry 0 \("No Id"\): field "id": must be a GUID/],
      ['a failOn that is not a writer error', JSON.stringify(one({ failOn: { Freeze: 'E_FAIL' } })), /entry 0 \("Ledger Writer"\): field "failOn.Freeze": must be one of VSS_E_WRITERERROR_/],
      ['an unknown event', JSON.stringify(one({ delayMs: { Thawing: 5 } })), /field "delayMs.Thawing": not a writer event/],
      ['a negative delay', JSON.stringify(one({ delayMs: { Freeze: -1 } })), /field "delayMs.Freeze": must be a number of milliseconds/],
      ['an unknown field', JSON.stringify(one({ failon: {} })), /field "failon": unknown/],
      ['a service name with a path in it', JSON.stringify(one({ service: '../../etc' })), /field "service": must be a service name/],
    ] as const) {
      it(`refuses a writers file with ${label}, naming the file, the entry and the field`, async () => {
        fs.writeFileSync(world.paths.writers, content);
        const c = await RawComponent.open(world.paths.socket);
        const f = await failure(c.call('initializeForBackup'));
        assert.equal(f.name, 'VSS_E_WRITER_INFRASTRUCTURE');
        assert.ok(f.message.startsWith(world.paths.writers), f.message);
        assert.match(f.message, expected);
        c.call('release').catch(() => undefined);
      });
    }

    it('a writer failing at Freeze fails DoSnapshotSet with its error; every writer gets Abort and no snapshot is kept', async () => {
      writersFile([...one({ failOn: { Freeze: 'VSS_E_WRITERERROR_RETRYABLE' } }), { name: 'Other Writer', id: '11111111-2222-3333-4444-777777777777' }]);
      const before = readJournal(world.paths).length;
      const c = await (await RawComponent.open(world.paths.socket)).begin();
      const { snapshotSetId } = await c.call('startSnapshotSet');
      await c.call('addToSnapshotSet', { volume: world.volume });
      await c.call('prepareForBackup');
      const f = await failure(c.call('doSnapshotSet'));
      assert.equal(f.name, 'VSS_E_WRITERERROR_RETRYABLE');
      assert.match(f.message, /Ledger Writer.*Freeze/);
      const entries = readJournal(world.paths).slice(before).filter((e) => e.snapshotSetId === snapshotSetId);
      assert.deepEqual(entries.filter((e) => e.event === 'Abort').map((e) => e.writer), ['Ledger Writer', 'Other Writer']);
      const failed = entries.find((e) => e.event === 'Freeze' && e.writer === 'Ledger Writer')!;
      assert.equal(failed.state, 'FailedAtFreeze');
      assert.equal(failed.error, 'VSS_E_WRITERERROR_RETRYABLE');
      assert.ok(!entries.some((e) => e.event === 'Thaw'), 'no Thaw after a failed freeze');
      const status = await c.call('gatherWriterStatus');
      assert.equal(status.writers[0].state, 4 + 5, 'VSS_WS_FAILED_AT_FREEZE');
      assert.equal((await c.call('query')).snapshots.filter((x: { snapshotSetId: string }) => x.snapshotSetId === snapshotSetId).length, 0);
      await c.release();
    });

    it('a writer frozen past its freeze-to-thaw timeout fails with VSS_E_WRITERERROR_TIMEOUT and the set is not created', async () => {
      writersFile(one({ delayMs: { Freeze: 300 }, freezeTimeoutMs: 100 }));
      const c = await (await RawComponent.open(world.paths.socket)).begin();
      const { snapshotSetId } = await c.call('startSnapshotSet');
      await c.call('addToSnapshotSet', { volume: world.volume });
      await c.call('prepareForBackup');
      const f = await failure(c.call('doSnapshotSet'));
      assert.equal(f.name, 'VSS_E_WRITERERROR_TIMEOUT');
      assert.match(f.message, /freeze-to-thaw timeout of 100 ms/);
      const events = readJournal(world.paths).filter((e) => e.snapshotSetId === snapshotSetId).map((e) => e.event);
      assert.deepEqual(events, ['PrepareForBackup', 'PrepareForSnapshot', 'Freeze', 'Abort']);
      await c.release();
    });

    it('through the host: a writer failing PrepareForBackup fails New-VssSnapshotSet naming it, after AbortBackup', async () => {
      writersFile(one({ failOn: { PrepareForBackup: 'VSS_E_WRITERERROR_NONRETRYABLE' } }));
      const input = new PassThrough();
      const output = new PassThrough();
      startHost(input, output, { interop: new Interop(), service: async () => ({ kind: 'emulator', socket: world.paths.socket }) });
      const client = createMessageConnection(output, input);
      client.listen();
      await client.sendRequest(Methods.createBackup, {});
      let error: ResponseError<{ name: string; writers: { name: string; state: string }[] }> | undefined;
      try {
        await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      } catch (e) {
        error = e as typeof error;
      }
      assert.equal(error?.data?.name, 'VSS_E_WRITERERROR_NONRETRYABLE');
      assert.match(error!.message, /PrepareForBackup: writer 'Ledger Writer' is FailedAtPrepareBackup with VSS_E_WRITERERROR_NONRETRYABLE/);
      assert.deepEqual(error!.data!.writers.map((w) => w.name), ['Ledger Writer']);
      const info = await client.sendRequest(Methods.abortBackup);
      assert.equal(info.state, 'aborted');
      const closed = await client.sendRequest(Methods.closeBackup);
      assert.equal(closed.writers[0]!.backupCompleteReceived, false);
      client.dispose();
      input.end();
    });

    it('through the host: a phase past its time limit is cancelled, named, and the backup aborted', async () => {
      writersFile(one({ delayMs: { Freeze: 1500 } }));
      const input = new PassThrough();
      const output = new PassThrough();
      startHost(input, output, { interop: new Interop(), service: async () => ({ kind: 'emulator', socket: world.paths.socket }) });
      const client = createMessageConnection(output, input);
      client.listen();
      await client.sendRequest(Methods.createBackup, { phaseTimeoutMs: 300 });
      let error: ResponseError<{ name: string }> | undefined;
      try {
        await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      } catch (e) {
        error = e as typeof error;
      }
      assert.equal(error?.data?.name, 'ERROR_TIMEOUT');
      assert.match(error!.message, /DoSnapshotSet.*0\.3 s.*cancelled/);
      assert.equal((await client.sendRequest(Methods.abortBackup)).state, 'aborted');
      await client.sendRequest(Methods.closeBackup);
      client.dispose();
      input.end();
    });
  });

  describe('copy-on-write snapshots', () => {
    it('clones instead of copying where the filesystem can (reflinks): the cost stops growing with the data', async function () {
      const probe = path.join(world.root, 'reflink-probe');
      fs.writeFileSync(probe, 'x');
      const r = spawnSync('cp', ['--reflink=always', probe, `${probe}.clone`], { encoding: 'utf8' });
      if (r.status !== 0) {
        console.log(`      skipped: no reflink-capable filesystem under ${world.root} (cp --reflink=always: ${r.stderr.trim()}); the copy path runs in every other test`);
        return this.skip();
      }
      // 1 MB and 200 MB volumes: with clones, the bigger one is not ~200 times slower.
      const timeSnapshot = async (mb: number) => {
        const volume = path.join(world.root, `cow-${mb}`);
        fs.mkdirSync(volume);
        const data = path.join(volume, 'data.bin');
        fs.writeFileSync(data, Buffer.alloc(mb * 1024 * 1024, 1));
        // On disk, as a volume's data is: a clone of pages still waiting for write-back waits for that write-back
        // first (XFS here: 200 MB just written took ~300 ms to clone, flushed ~20 ms), which is the disk's cost, not the clone's.
        const fd = fs.openSync(data, 'r+');
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        const c = await (await RawComponent.open(world.paths.socket)).begin(CTX_CLIENT_ACCESSIBLE);
        const started = process.hrtime.bigint();
        const id = await c.snapshot([volume]);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        await c.call('deleteSnapshots', { sourceId: id, sourceType: SNAPSHOT_SET });
        await c.release();
        return ms;
      };
      const small = await timeSnapshot(1);
      const big = await timeSnapshot(200);
      console.log(`      snapshot of a 1 MB volume ${small.toFixed(1)} ms, of a 200 MB volume ${big.toFixed(1)} ms (clones)`);
      assert.ok(big < small * 20, `a 200 MB volume took ${big} ms against ${small} ms for 1 MB`);
    });
  });

  describe('snapshot copies', () => {
    it('are read-only all through, small trees and trees past the in-process budget alike, the source untouched', async function () {
      linuxOnly(this, 'checks POSIX modes');
      const world = tempWorld();
      try {
        for (const [label, files] of [['small', 3], ['large', 600]] as const) {
          const source = path.join(world.root, `source-${label}`);
          for (let i = 0; i < files; i++) {
            const dir = path.join(source, `d${i % 7}`, `e${i % 3}`);
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}`);
          }
          fs.symlinkSync('d0', path.join(source, 'link'));
          const target = path.join(world.root, `copy-${label}`);
          const sourceMode = fs.statSync(path.join(source, 'd0', 'e0', 'f0.txt')).mode;
          assert.ok(sourceMode & 0o200, 'the source file is writable to begin with');
          await copyTreeReadOnly(source, target);
          const writable: string[] = [];
          let entries = 0;
          const visit = (p: string) => {
            entries++;
            const stat = fs.lstatSync(p);
            if (stat.isSymbolicLink()) return;
            if (stat.mode & 0o222) writable.push(p);
            if (stat.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
          };
          visit(target);
          assert.ok(entries > files, `${label}: the copy has every file`);
          assert.deepEqual(writable, [], `${label}: these kept a write bit`);
          assert.equal(fs.readlinkSync(path.join(target, 'link')), 'd0', `${label}: the link is copied as a link`);
          assert.equal(fs.statSync(path.join(source, 'd0', 'e0', 'f0.txt')).mode, sourceMode, `${label}: the source keeps its modes`);
          removeTree(target);
          assert.ok(!fs.existsSync(target));
        }
      } finally {
        world.cleanup();
      }
    });
  });

  describe('state on disk', () => {
    it('reads the state file then the change log after it: a torn last line is the change a crash cut short, other damage is named and skipped', () => {
      const dir = tempWorld();
      try {
        fs.mkdirSync(dir.home, { recursive: true });
        const record = (id: string) => ({ snapshotId: id, snapshotSetId: 'set-' + id, deviceObject: `/nowhere/${id}`, attributes: 1 });
        fs.writeFileSync(dir.paths.state, JSON.stringify({ snapshots: [record('a'), record('b')] }));
        fs.writeFileSync(dir.paths.stateLog, [JSON.stringify({ put: [record('c')], remove: [] }), JSON.stringify({ put: [], remove: ['a'] }), '{"put":[{"snapsh'].join('\n'));
        let saved = readSavedSnapshots(dir.paths);
        assert.deepEqual(saved.snapshots.map((x) => x.snapshotId).sort(), ['b', 'c']);
        assert.deepEqual(saved.damage, []);
        // A torn line in the middle (a write that failed and was not cut back), a record without its folder, a
        // line that is not a change: each is named, every other record kept.
        fs.writeFileSync(dir.paths.stateLog, ['{"put":[{"snapsh', JSON.stringify({ put: [], remove: ['a'] }), JSON.stringify({ put: [{ snapshotId: 'd' }, record('e')] }), '[]', JSON.stringify({ put: [record('f')] })].join('\n'));
        saved = readSavedSnapshots(dir.paths);
        assert.deepEqual(saved.snapshots.map((x) => x.snapshotId).sort(), ['b', 'e', 'f']);
        assert.equal(saved.damage.length, 3, saved.damage.join('\n'));
        assert.match(saved.damage[0]!, /^emulator-state\.log line 1: /);
        assert.match(saved.damage[1]!, /^emulator-state\.log line 3: snapshot 1 lacks its id, set, folder or attributes/);
        assert.match(saved.damage[2]!, /^emulator-state\.log line 4: not a change/);
        // An unreadable state file: the log's records are still read.
        fs.writeFileSync(dir.paths.state, '{"snapshots": [');
        saved = readSavedSnapshots(dir.paths);
        assert.deepEqual(saved.snapshots.map((x) => x.snapshotId).sort(), ['e', 'f']);
        assert.match(saved.damage[0]!, /^emulator-state\.json: /);
      } finally {
        dir.cleanup();
      }
    });

    it('keeps persistent snapshots across a restart and drops auto-release ones', async () => {
      const persistent = await (await RawComponent.open(world.paths.socket)).begin(CTX_CLIENT_ACCESSIBLE);
      const kept = await persistent.snapshot([world.volume]);
      await persistent.release();
      const open = await (await RawComponent.open(world.paths.socket)).begin();
      const dropped = await open.snapshot([world.volume]);
      // The service stops while that backup is still open; a new service must not bring its snapshot back.
      await service.restart();
      const c = await (await RawComponent.open(world.paths.socket)).begin(-1);
      const sets = new Set((await c.call('query')).snapshots.map((x: { snapshotSetId: string }) => x.snapshotSetId));
      assert.ok(sets.has(kept));
      assert.ok(!sets.has(dropped));
      assert.equal((await c.call('deleteSnapshots', { sourceId: kept, sourceType: SNAPSHOT_SET })).deleted, 1);
      await c.release();
    });

    it('two requesters deleting the same set at once: one deletes it, the other gets VSS_E_OBJECT_NOT_FOUND', async () => {
      const maker = await (await RawComponent.open(world.paths.socket)).begin(CTX_CLIENT_ACCESSIBLE);
      const id = await maker.snapshot([world.volume]);
      await maker.release();
      const a = await (await RawComponent.open(world.paths.socket)).begin(-1);
      const b = await (await RawComponent.open(world.paths.socket)).begin(-1);
      const results = await Promise.allSettled([a.call('deleteSnapshots', { sourceId: id, sourceType: SNAPSHOT_SET }), b.call('deleteSnapshots', { sourceId: id, sourceType: SNAPSHOT_SET })]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.equal((rejected.reason as ResponseError<{ name: string }>).data!.name, 'VSS_E_OBJECT_NOT_FOUND');
      assert.equal(readSavedSnapshots(world.paths).snapshots.filter((x) => x.snapshotSetId === id).length, 0, 'the deleted set is gone from the durable state');
      await a.release();
      await b.release();
    });

    it('survives kill -9 of the service in the middle of writes: the state is always whole and consistent', async function () {
      this.timeout(120_000);
      const other = tempWorld();
      const env = { ...process.env, VSS_SESSION_HOME: other.home };
      const consistent = () => {
        // The state file and the change log after it, read as the service reads them when it starts.
        const listed = readSavedSnapshots(other.paths).snapshots;
        for (const s of listed) assert.ok(fs.existsSync(s.deviceObject), `${s.deviceObject} is listed but missing`);
        return listed.length;
      };
      try {
        for (let round = 0; round < 3; round++) {
          // A new service waits for the killed one's lock to go stale, then loads and sweeps the state.
          const child = spawn(executable, ['emulator', 'serve'], { env, stdio: 'ignore' });
          await until(async () => (child.exitCode !== null ? assert.fail('the service exited') : (await status(other.paths)) !== null), 15_000);
          if (fs.existsSync(other.paths.state)) assert.equal(fs.readdirSync(other.paths.snapshots).length, consistent(), 'no orphaned copies after a restart');
          let writes = 0;
          let stop = false;
          const churn = (async () => {
            while (!stop) {
              try {
                const c = await (await RawComponent.open(other.paths.socket)).begin(CTX_CLIENT_ACCESSIBLE);
                const id = await c.snapshot([other.volume]);
                if (writes++ % 2 === 0) await c.call('deleteSnapshots', { sourceId: id, sourceType: SNAPSHOT_SET });
                await c.release();
              } catch {
                return; // the service was killed
              }
            }
          })();
          await eventually(() => writes >= 3 + round * 5, 15_000);
          child.kill('SIGKILL');
          stop = true;
          await churn;
          await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
          consistent();
        }
      } finally {
        spawnSync(executable, ['emulator', 'stop'], { env });
        other.cleanup();
      }
    });
  });
});
