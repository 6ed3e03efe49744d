// Termination on every path, at the level a user meets it: the packaged host killed with -9 at every phase of
// the requester's state machine, and ended by each signal. The emulated service (a separate process, as in
// production) must end the backup as VSS does for a requester that went away, with no later command.
import { strict as assert } from 'node:assert';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { readJournal } from '../../src/emulator/control';
import { JournalEntry } from '../../src/emulator/model';
import { Methods } from '../../src/host/protocol';
import { eventually, executable, tempWorld, linuxOnly } from './helpers';

interface Host {
  process: ChildProcess;
  client: MessageConnection;
  exited: Promise<number | null>;
}

describe('termination of a backup whose requester goes away', function () {
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };

  function startHost(): Host {
    const child = spawn(executable, ['host'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    const client = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    client.listen();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    return { process: child, client, exited };
  }

  after(() => {
    spawnSync(executable, ['emulator', 'stop'], { env });
    world.cleanup();
  });

  const shutdownsOf = (entries: JournalEntry[]) => entries.filter((e) => e.event === 'BackupShutdown');
  const snapshotDirs = () => (fs.existsSync(world.paths.snapshots) ? fs.readdirSync(world.paths.snapshots) : []);
  /** True once every snapshot made since `earlier` is gone (persistent ones of earlier tests may stay). */
  const noNewSnapshots = (earlier: string[]) => snapshotDirs().every((d) => earlier.includes(d)) || undefined;

  /** Each phase: how to get there, whether writers must get Abort, and what BackupShutdown must say. */
  const phases: { state: string; drive: (c: MessageConnection) => Promise<void>; abort: boolean; completeReceived: boolean; writers: boolean }[] = [
    { state: 'created (no request yet, no component object)', drive: async () => undefined, abort: false, completeReceived: false, writers: false },
    { state: 'metadataGathered', drive: async (c) => void (await c.sendRequest(Methods.createBackup, {})), abort: false, completeReceived: false, writers: true },
    {
      state: 'snapshotSetStarted',
      drive: async (c) => {
        await c.sendRequest(Methods.createBackup, {});
        await c.sendRequest(Methods.startSnapshotSet);
      },
      abort: false, completeReceived: false, writers: true,
    },
    {
      state: 'volumesAdded',
      drive: async (c) => {
        await c.sendRequest(Methods.createBackup, {});
        await c.sendRequest(Methods.startSnapshotSet);
        await c.sendRequest(Methods.addVolume, { volume: world.volume });
      },
      abort: false, completeReceived: false, writers: true,
    },
    {
      state: 'prepared',
      drive: async (c) => {
        await c.sendRequest(Methods.createBackup, {});
        await c.sendRequest(Methods.startSnapshotSet);
        await c.sendRequest(Methods.addVolume, { volume: world.volume });
        await c.sendRequest(Methods.prepareBackup);
      },
      abort: true, completeReceived: false, writers: true,
    },
    {
      state: 'snapshotsDone',
      drive: async (c) => {
        await c.sendRequest(Methods.createBackup, {});
        await c.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      },
      abort: true, completeReceived: false, writers: true,
    },
    {
      state: 'completed',
      drive: async (c) => {
        await c.sendRequest(Methods.createBackup, {});
        await c.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
        await c.sendRequest(Methods.completeBackup, {});
      },
      abort: false, completeReceived: true, writers: true,
    },
    {
      state: 'aborted',
      drive: async (c) => {
        await c.sendRequest(Methods.createBackup, {});
        await c.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
        await c.sendRequest(Methods.abortBackup);
      },
      abort: true, completeReceived: false, writers: true,
    },
    {
      state: 'snapshotsDone (ClientAccessible: persistent, no writers)',
      drive: async (c) => {
        await c.sendRequest(Methods.createBackup, { context: 'ClientAccessible' });
        await c.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      },
      abort: false, completeReceived: false, writers: false,
    },
  ];

  for (const phase of phases) {
    it(`kill -9 in state ${phase.state}: the service ends the backup at once`, async () => {
      const before = readJournal(world.paths).length;
      const earlier = snapshotDirs();
      const host = startHost();
      await phase.drive(host.client);
      const snapshotsBefore = snapshotDirs();
      host.process.kill('SIGKILL');
      await host.exited;
      host.client.dispose();

      if (!phase.writers) {
        // No writer takes part: nothing to tell them; the persistent snapshot stays.
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(readJournal(world.paths).length, before);
        assert.deepEqual(snapshotDirs().sort(), snapshotsBefore.sort());
        return;
      }
      // No later command: the journal fills in by itself.
      const entries = await eventually(() => {
        const added = readJournal(world.paths).slice(before);
        return shutdownsOf(added).length === 2 ? added : undefined;
      });
      const aborts = entries.filter((e) => e.event === 'Abort').length;
      assert.equal(aborts, phase.abort ? 2 : 0, `Abort events in ${phase.state}`);
      const shutdowns = shutdownsOf(entries);
      assert.deepEqual(shutdowns.map((e) => e.backupCompleteReceived), [phase.completeReceived, phase.completeReceived]);
      assert.deepEqual(shutdowns.map((e) => e.endedBy), ['RequesterGone', 'RequesterGone']);
      if (phase.abort && phase.state !== 'aborted') {
        assert.ok(entries.findIndex((e) => e.event === 'Abort') < entries.findIndex((e) => e.event === 'BackupShutdown'), 'Abort comes before BackupShutdown');
      }
      // Auto-release snapshots end with the requester; another requester can start a set at once.
      await eventually(() => noNewSnapshots(earlier));
      const next = startHost();
      await next.client.sendRequest(Methods.createBackup, {});
      await next.client.sendRequest(Methods.startSnapshotSet);
      await next.client.sendRequest(Methods.closeBackup);
      next.process.stdin!.end();
      assert.equal(await next.exited, 0);
      next.client.dispose();
    });
  }

  it('kill -9 while the writers are frozen (a slow Freeze): Abort, BackupShutdown, no snapshot kept', async () => {
    fs.mkdirSync(world.home, { recursive: true, mode: 0o700 });
    fs.writeFileSync(world.paths.writers, JSON.stringify([{ name: 'Slow Writer', id: '0d7a6c52-9b7e-4c55-8a0e-2f1f7e0c0a01', delayMs: { Freeze: 1500 } }]));
    try {
      const before = readJournal(world.paths).length;
      const earlier = snapshotDirs();
      const host = startHost();
      await host.client.sendRequest(Methods.createBackup, {});
      const set = host.client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      set.catch(() => undefined);
      await eventually(() => readJournal(world.paths).slice(before).some((e) => e.event === 'PrepareForSnapshot'));
      host.process.kill('SIGKILL');
      await host.exited;
      host.client.dispose();
      const entries = await eventually(() => {
        const added = readJournal(world.paths).slice(before);
        return shutdownsOf(added).length === 1 ? added : undefined;
      }).catch((e) => {
        throw new Error(`${(e as Error).message}; journal: ${readJournal(world.paths).slice(before).map((x) => x.event).join(', ')}`);
      });
      assert.deepEqual(entries.map((e) => e.event), ['Identify', 'PrepareForBackup', 'PrepareForSnapshot', 'Freeze', 'Thaw', 'PostSnapshot', 'Abort', 'BackupShutdown']);
      assert.equal(shutdownsOf(entries)[0]!.backupCompleteReceived, false);
      await eventually(() => noNewSnapshots(earlier));
    } finally {
      fs.rmSync(world.paths.writers, { force: true });
    }
  });

  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
    it(`${signal} to the host: AbortBackup then Release, exit code ${code}`, async function () {
      linuxOnly(this, 'Windows has no POSIX signals');
      const before = readJournal(world.paths).length;
      const host = startHost();
      await host.client.sendRequest(Methods.createBackup, {});
      await host.client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      host.process.kill(signal);
      assert.equal(await host.exited, code);
      host.client.dispose();
      const entries = readJournal(world.paths).slice(before);
      assert.deepEqual(entries.slice(-4).map((e) => `${e.event}:${e.endedBy ?? ''}`), ['Abort:', 'Abort:', 'BackupShutdown:Release', 'BackupShutdown:Release']);
    });
  }

  it('stdin closed by the client (its PowerShell exited): the host ends the backup and exits 0', async () => {
    const before = readJournal(world.paths).length;
    const earlier = snapshotDirs();
    const host = startHost();
    await host.client.sendRequest(Methods.createBackup, {});
    await host.client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
    host.process.stdin!.end();
    assert.equal(await host.exited, 0);
    host.client.dispose();
    const events = readJournal(world.paths).slice(before).map((e) => e.event);
    assert.deepEqual(events.slice(-4), ['Abort', 'Abort', 'BackupShutdown', 'BackupShutdown']);
    assert.ok(noNewSnapshots(earlier), 'the auto-release snapshot ended');
  });
});
