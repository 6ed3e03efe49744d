// kill -9 of the emulated service at random points while four requesters run 200 mixed operations. After each
// crash a new service starts; at the end the store loads, every snapshot set is whole or gone, no snapshot
// folder is orphaned, and every session that writers took part in has its BackupShutdown.
import { strict as assert } from 'node:assert';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createMessageConnection, MessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node';
import { readJournal, status } from '../../src/emulator/control';
import { executable, tempWorld, until } from './helpers';

const CTX = { Backup: 0, ClientAccessible: 29, All: -1 } as const;

/** A component object over the raw service protocol; every call fails (rather than hangs) once the service dies. */
async function component(socketPath: string): Promise<{ call: (m: string, p?: object) => Promise<any>; close: () => void }> {
  const socket = net.connect(socketPath);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const connection: MessageConnection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  connection.listen();
  socket.on('close', () => connection.dispose());
  socket.on('error', () => undefined);
  await connection.sendRequest('open', { pid: process.pid });
  return { call: (m, p = {}) => connection.sendRequest(m, p) as Promise<any>, close: () => socket.destroy() };
}

describe('kill -9 of the emulated service during 200 operations from 4 requesters', function () {
  this.timeout(180_000);
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };
  const volumes = ['a', 'b', 'c'].map((n) => {
    const dir = path.join(world.root, n);
    fs.mkdirSync(dir);
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(dir, `f${i}.txt`), `${n}${i}`);
    return dir;
  });

  after(() => {
    spawnSync(executable, ['emulator', 'stop'], { env });
    world.cleanup();
  });

  async function startService(): Promise<ChildProcess> {
    const child = spawn(executable, ['emulator', 'serve'], { env, stdio: 'ignore' });
    // A new service waits for the killed one's lock to go stale (5 s at most).
    await until(async () => (child.exitCode !== null ? assert.fail('the service exited') : (await status(world.paths)) !== null), 20_000);
    return child;
  }

  it('leaves a store that loads, whole snapshot sets, no orphans, and no session without BackupShutdown', async () => {
    let service = await startService();
    let done = 0;
    let failedOps = 0;
    const total = 200;
    const killAt = [40, 90, 140, 180];
    const random = (n: number) => Math.floor(Math.random() * n);

    const operation = async (): Promise<void> => {
      const kind = random(4);
      const c = await component(world.paths.socket);
      try {
        await c.call('initializeForBackup');
        if (kind === 3) {
          // delete a persistent set someone made
          await c.call('setContext', { context: CTX.All });
          const { snapshots } = await c.call('query');
          const persistent = snapshots.filter((s: { attributes: number }) => s.attributes & 1);
          if (persistent.length) await c.call('deleteSnapshots', { sourceId: persistent[random(persistent.length)].snapshotSetId, sourceType: 2 }).catch(() => undefined);
        } else {
          await c.call('setContext', { context: kind === 2 ? CTX.ClientAccessible : CTX.Backup });
          // ClientAccessible has no writers: no GatherWriterMetadata or PrepareForBackup there (vshadow's -nw).
          if (kind !== 2) await c.call('gatherWriterMetadata');
          // One snapshot set is created at a time: wait for the other requesters, as a requester would.
          for (let attempt = 0; ; attempt++) {
            try {
              await c.call('startSnapshotSet');
              break;
            } catch (e) {
              if (attempt > 50 || !/VSS_E_SNAPSHOT_SET_IN_PROGRESS|in progress|being created/.test(String((e as Error).message))) throw e;
              await new Promise((r) => setTimeout(r, 10 + random(20)));
            }
          }
          for (const v of volumes.slice(0, 1 + random(3))) await c.call('addToSnapshotSet', { volume: v });
          if (kind !== 2) await c.call('prepareForBackup');
          await c.call('doSnapshotSet');
          if (kind === 0) await c.call('backupComplete');
          // kind 1 ends without BackupComplete
        }
        await c.call('release');
      } finally {
        c.close();
      }
    };

    let up = true;
    const requester = async () => {
      while (done < total) {
        if (!up) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        done++;
        try {
          await operation();
        } catch {
          failedOps++; // the service was killed under it
        }
      }
    };
    // The killer strikes while the requesters are in the middle of their operations.
    const killer = async () => {
      for (const at of killAt) {
        await until(async () => done >= at, 120_000);
        await new Promise((r) => setTimeout(r, random(40)));
        up = false;
        service.kill('SIGKILL');
        await new Promise((r) => (service.exitCode !== null || service.signalCode !== null ? r(null) : service.once('exit', r)));
        service = await startService();
        up = true;
      }
    };
    await Promise.all([requester(), requester(), requester(), requester(), killer()]);
    // One more crash with requesters idle, then the service that must clean up after it.
    service.kill('SIGKILL');
    await new Promise((r) => service.once('exit', r));
    service = await startService();

    const state = JSON.parse(fs.readFileSync(world.paths.state, 'utf8')) as { snapshots: { snapshotSetId: string; snapshotsCount: number; deviceObject: string; attributes: number }[] };
    const bySet = new Map<string, number>();
    for (const s of state.snapshots) bySet.set(s.snapshotSetId, (bySet.get(s.snapshotSetId) ?? 0) + 1);
    for (const s of state.snapshots) {
      assert.ok(s.attributes & 1, 'only persistent snapshots survive a restart');
      assert.equal(bySet.get(s.snapshotSetId), s.snapshotsCount, `snapshot set ${s.snapshotSetId} is not whole`);
      assert.ok(fs.existsSync(s.deviceObject), `${s.deviceObject} is listed but missing`);
    }
    const folders = fs.readdirSync(world.paths.snapshots);
    assert.equal(folders.length, state.snapshots.length, `orphaned snapshot folders: ${folders.filter((f) => !state.snapshots.some((s) => s.deviceObject.endsWith(f))).join(', ')}`);

    const sessions = new Map<string, string[]>();
    for (const e of readJournal(world.paths)) sessions.set(e.sessionId, [...(sessions.get(e.sessionId) ?? []), e.event]);
    const unfinished = [...sessions].filter(([, events]) => !events.includes('BackupShutdown'));
    assert.deepEqual(unfinished, [], 'sessions writers took part in, left without BackupShutdown');
    const restarts = readJournal(world.paths).filter((e) => e.endedBy === 'ServiceRestart').length;
    assert.ok(restarts > 0, `some sessions were ended by the restarted service (${sessions.size} sessions, ${done} operations, ${failedOps} failed)`);
    assert.ok(done >= total && failedOps < total, `${done} operations, ${failedOps} failed`);
    service.kill('SIGTERM');
  });
});
