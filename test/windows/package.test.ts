// The Windows package as a server would run it: the real vss-session.exe under Wine, in a prefix with no .NET
// installed, against the emulated VSS service over its named pipe. Run by `npm run test:windows`.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../src/paths';
import { assertNoStackTrace, eventually, exe, packageDir, tempWorld, vss, vssInBackground, wine, winPath } from './wine';

const packageVersion = (JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;
const writerNames = ['Emulated Database Writer', 'Emulated Registry Writer'];

interface BackupReport {
  snapshotSetId: string;
  snapshots: Array<{ snapshotId: string; volume: string; devicePath: string }>;
  completed: boolean;
  close: { writers: Array<{ name: string; backupCompleteReceived: boolean }> };
}

describe('the Windows package under Wine (no .NET installed)', function () {
  const world = tempWorld();
  const env = world.env;

  after(() => {
    vss(['emulator', 'stop'], env);
    world.cleanup();
  });

  /** The journal's lines for one snapshot set, in delivery order. */
  const eventsOf = (snapshotSetId: string) => world.journal().filter((e) => e.snapshotSetId === snapshotSetId);

  /** Each writer had BackupComplete before its BackupShutdown, or had none, as `completed` says. */
  function assertEnding(snapshotSetId: string, completed: boolean) {
    const events = eventsOf(snapshotSetId);
    for (const writer of writerNames) {
      const mine = events.filter((e) => e.writer === writer).map((e) => e.event as string);
      const shutdown = events.find((e) => e.writer === writer && e.event === 'BackupShutdown');
      assert.ok(shutdown, `${writer} got BackupShutdown: ${mine.join(', ')}`);
      assert.equal(shutdown.backupCompleteReceived, completed, `${writer}: ${mine.join(', ')}`);
      if (completed) assert.ok(mine.indexOf('BackupComplete') >= 0 && mine.indexOf('BackupComplete') < mine.indexOf('BackupShutdown'), mine.join(', '));
      else assert.ok(!mine.includes('BackupComplete') && mine.includes('Abort'), mine.join(', '));
    }
  }

  it('has no .NET to lean on: the package carries its own runtime', () => {
    const prefix = process.env.WINEPREFIX!;
    assert.ok(prefix && fs.existsSync(path.join(prefix, 'system.reg')), 'run by npm run test:windows, which makes the prefix');
    for (const dir of ['Program Files/dotnet', 'Program Files (x86)/dotnet']) assert.ok(!fs.existsSync(path.join(prefix, 'drive_c', dir)), `${dir} exists in the prefix`);
    for (const file of ['coreclr.dll', 'System.Private.CoreLib.dll', 'VssSession.Interop.dll', 'runtime-files.json']) assert.ok(fs.existsSync(path.join(packageDir, 'dotnet', file)), file);
  });

  it('prints its version, and help that lists the commands and exit codes', () => {
    const version = vss(['--version']);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), packageVersion);
    const help = vss(['--help']);
    assert.equal(help.status, 0, help.stderr);
    for (const command of ['host', 'backup', 'snapshots', 'writers', 'emulator']) assert.match(help.stdout, new RegExp(`vss-session(\\.exe)? ${command}`));
    assert.match(help.stdout, /4 +The \.NET runtime is missing or damaged/);
  });

  it('starts, reports and stops the emulated service over its named pipe', () => {
    const start = vss(['emulator', 'start', '--json'], env);
    assert.equal(start.status, 0, start.stderr);
    const started = JSON.parse(start.stdout) as { pid: number; home: string };
    const status = vss(['emulator', 'status', '--json'], env);
    assert.equal(status.status, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { pid: number }).pid, started.pid);
    const stop = vss(['emulator', 'stop', '--json'], env);
    assert.deepEqual(JSON.parse(stop.stdout), { stopped: true });
    const after = vss(['emulator', 'status'], env);
    assert.equal(after.status, 3);
    assert.match(after.stderr, /the emulated VSS service is not running/);
  });

  it('takes a whole backup: each writer gets BackupComplete, then BackupShutdown with backupCompleteReceived true', () => {
    const result = vss(['backup', '--volume', winPath(world.volume), '--json'], env);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as BackupReport;
    assert.equal(report.completed, true);
    assert.equal(report.snapshots[0]!.volume, winPath(world.volume));
    assert.deepEqual(report.close.writers.map((w) => [w.name, w.backupCompleteReceived]).sort(), writerNames.map((n) => [n, true]));
    assertEnding(report.snapshotSetId, true);
    for (const writer of writerNames) assert.equal(eventsOf(report.snapshotSetId).find((e) => e.writer === writer && e.event === 'BackupShutdown')!.endedBy, 'Release');
  });

  it('runs --exec through cmd.exe against the snapshot; exit code 0 completes the backup', () => {
    const result = vss(['backup', '--volume', winPath(world.volume), '--exec', 'type "%VSS_SNAPSHOT_PATH%\\ledger.txt"'], env);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /balance: 100/);
    assert.match(result.stdout, /completed: BackupComplete sent/);
  });

  it('passes a failing --exec command\'s exit code through, aborts, and ends the backup without BackupComplete', () => {
    const result = vss(['backup', '--volume', winPath(world.volume), '--exec', 'exit 3', '--json'], env);
    assert.equal(result.status, 3, result.stderr);
    const report = JSON.parse(result.stdout) as BackupReport;
    assert.equal(report.completed, false);
    assert.deepEqual(report.close.writers.map((w) => w.backupCompleteReceived), [false, false]);
    assertEnding(report.snapshotSetId, false);
  });

  it('lists writers as JSON', () => {
    const result = vss(['writers', '--json'], env);
    assert.equal(result.status, 0, result.stderr);
    const writers = JSON.parse(result.stdout) as Array<{ name: string; state: string }>;
    assert.deepEqual(writers.map((w) => w.name).sort(), writerNames);
    for (const w of writers) assert.equal(w.state, 'Stable');
  });

  it('lists and deletes persistent snapshot sets, and reports a partial delete', () => {
    const second = path.join(world.root, 'second');
    fs.mkdirSync(second);
    fs.writeFileSync(path.join(second, 'journal.txt'), 'entries\r\n');
    const made = vss(['backup', '--volume', winPath(world.volume), '--volume', winPath(second), '--context', 'ClientAccessible', '--json'], env);
    assert.equal(made.status, 0, made.stderr);
    const set = JSON.parse(made.stdout) as BackupReport;
    assert.equal(set.snapshots.length, 2);
    const listed = vss(['snapshots', 'list', '--json'], env);
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok((JSON.parse(listed.stdout) as Array<{ snapshotSetId: string }>).some((s) => s.snapshotSetId === set.snapshotSetId));

    // The provider refuses the second snapshot: one is deleted, the other named.
    fs.writeFileSync(path.join(world.home, 'provider.json'), JSON.stringify({ failDelete: [set.snapshots[1]!.snapshotId] }));
    const partial = vss(['snapshots', 'delete', '--snapshot-set-id', set.snapshotSetId, '--json'], env);
    assert.equal(partial.status, 1, partial.stderr);
    assertNoStackTrace(partial.stderr);
    const error = (JSON.parse(partial.stdout) as { error: Record<string, unknown> }).error;
    assert.equal(error.name, 'VSS_E_UNEXPECTED_PROVIDER_ERROR');
    assert.equal(error.deleted, 1);
    assert.equal(error.nondeleted, set.snapshots[1]!.snapshotId);

    fs.rmSync(path.join(world.home, 'provider.json'));
    const rest = vss(['snapshots', 'delete', '--snapshot-set-id', set.snapshotSetId, '--json'], env);
    assert.equal(rest.status, 0, rest.stderr);
    assert.deepEqual(JSON.parse(rest.stdout), { deleted: 1 });
    const after = JSON.parse(vss(['snapshots', 'list', '--json'], env).stdout) as Array<{ snapshotSetId: string }>;
    assert.ok(!after.some((s) => s.snapshotSetId === set.snapshotSetId));
  });

  /** The ping.exe processes of the test below, as Linux sees Wine's processes. */
  const pings = () =>
    fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        const line = fs.readFileSync(`/proc/${p}/cmdline`, 'latin1');
        return /^(.*\\)?ping(\.exe)?\0/i.test(line) && line.includes('127.0.0.1');
      } catch {
        return false;
      }
    });

  it('ends the backup within 2 s when its process is killed with taskkill /F, and its command with it', async () => {
    const before = new Set(world.journal().map((e) => e.snapshotSetId));
    // ping waits about a second between its echoes: the command outlives the kill by far.
    const running = vssInBackground(['backup', '--volume', winPath(world.volume), '--exec', 'ping -n 30 127.0.0.1 >nul'], env);
    try {
      const frozen = await eventually(() => world.journal().find((e) => e.event === 'PostSnapshot' && !before.has(e.snapshotSetId)), 60_000);
      const pid = frozen.requesterPid as number;
      assert.ok(pid > 0, JSON.stringify(frozen));
      await eventually(() => pings().length > 0, 20_000); // ping, a child of the cmd.exe that runs --exec
      const kill = wine('taskkill', ['/F', '/PID', String(pid)]);
      assert.equal(kill.status, 0, kill.stdout + kill.stderr);
      const killedAt = Date.now();
      const shutdowns = await eventually(() => {
        const lines = eventsOf(frozen.snapshotSetId).filter((e) => e.event === 'BackupShutdown');
        return lines.length === writerNames.length && lines;
      }, 10_000, 20);
      const waited = Date.now() - killedAt;
      assert.ok(waited <= 2000, `the writers waited ${waited} ms for BackupShutdown`);
      for (const line of shutdowns) {
        assert.equal(line.endedBy, 'RequesterGone');
        assert.equal(line.backupCompleteReceived, false);
      }
      assert.ok(eventsOf(frozen.snapshotSetId).some((e) => e.event === 'Abort'), 'Abort before BackupShutdown');
      // The command's own child, not only the shell, ends with vss-session (its job object): no reader of a snapshot that is gone.
      await eventually(() => pings().length === 0, 10_000);
    } finally {
      wine('taskkill', ['/F', '/IM', 'ping.exe']);
      await running.result();
    }
  });

  it('copies a volume without following the links in it (Wine shows Unix links as folders, and makes none)', () => {
    const volume = path.join(world.root, 'with-links');
    const outside = path.join(world.root, 'outside');
    fs.mkdirSync(path.join(outside, 'deep'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'deep', 'secret.txt'), 'not on this volume\r\n');
    fs.mkdirSync(path.join(volume, 'data'), { recursive: true });
    fs.writeFileSync(path.join(volume, 'data', 'ledger.txt'), 'balance: 100\r\n');
    fs.symlinkSync(outside, path.join(volume, 'home-link'));
    const made = vss(['backup', '--volume', winPath(volume), '--context', 'ClientAccessible', '--json'], env);
    assert.equal(made.status, 0, made.stderr);
    const set = JSON.parse(made.stdout) as BackupReport;
    const copy = path.join(world.home, 'snapshots', set.snapshots[0]!.snapshotId);
    try {
      assert.equal(fs.readFileSync(path.join(copy, 'data', 'ledger.txt'), 'utf8'), 'balance: 100\r\n');
      assert.ok(!fs.existsSync(path.join(copy, 'home-link', 'deep', 'secret.txt')), 'the link was followed out of the volume');
      assert.match(fs.readFileSync(path.join(world.home, 'emulator.log'), 'utf8'), /1 link\(s\) could not be made again in the copy and were left out, not followed: .*home-link/);
    } finally {
      assert.equal(vss(['snapshots', 'delete', '--snapshot-set-id', set.snapshotSetId], env).status, 0);
    }
  });

  it('emulator stop ends a copy under way: the backup is aborted and no copy is left', async () => {
    fs.writeFileSync(path.join(world.home, 'provider.json'), JSON.stringify({ copyDelayMs: 60_000 }));
    const before = new Set(world.journal().map((e) => e.snapshotSetId));
    const running = vssInBackground(['backup', '--volume', winPath(world.volume)], env);
    try {
      const frozen = await eventually(() => world.journal().find((e) => e.event === 'Freeze' && !before.has(e.snapshotSetId)), 60_000);
      const stop = vss(['emulator', 'stop', '--json'], env);
      assert.equal(stop.status, 0, stop.stderr);
      assert.ok(stop.ms < 10_000, `emulator stop took ${stop.ms} ms, Wine's start of the program included (the provider would have taken 60 s)`);
      const result = await running.result();
      assert.notEqual(result.status, 0, 'the backup failed');
      assertNoStackTrace(result.stderr);
      const events = eventsOf(frozen.snapshotSetId).map((e) => e.event);
      assert.ok(events.includes('Abort') && events.includes('BackupShutdown'), events.join(', '));
      assert.deepEqual(fs.readdirSync(path.join(world.home, 'snapshots')).filter((f) => !f.startsWith('.')), []);
    } finally {
      fs.rmSync(path.join(world.home, 'provider.json'), { force: true });
    }
  });

  describe('Windows-shaped input', () => {
    /** A refusal: exit code 1, one line naming the VSS error and the input, no stack trace. */
    function refused(volume: string, name: string, says: RegExp) {
      const result = vss(['backup', '--volume', volume, '--json'], env);
      assert.equal(result.status, 1, `${volume}: ${result.stdout}${result.stderr}`);
      assertNoStackTrace(result.stderr);
      assert.equal((JSON.parse(result.stdout) as { error: { name: string } }).error.name, name);
      assert.match(result.stderr, new RegExp(`^vss-session: ${name} \\(0x[0-9A-F]{8}\\): `));
      assert.match(result.stderr, says);
    }

    it('a drive-relative path (C:foo) is refused, with the absolute form to use', () => {
      refused('C:foo', 'E_INVALIDARG', /C:foo is relative to the current folder of drive C:.*C:\\foo/);
    });

    it('a UNC path (a network share) is refused as a volume VSS cannot snapshot here', () => {
      refused('\\\\fileserver\\share\\data', 'VSS_E_VOLUME_NOT_SUPPORTED', /\\\\fileserver\\share\\data/);
    });

    it('a folder that does not exist is not found', () => {
      refused(`${winPath(world.root)}\\missing`, 'VSS_E_OBJECT_NOT_FOUND', /missing was not found/);
    });

    it('a \\\\?\\ path and a trailing separator name the same folder', () => {
      for (const volume of [`\\\\?\\${winPath(world.volume)}`, `${winPath(world.volume)}\\`]) {
        const result = vss(['backup', '--volume', volume, '--exec', 'type "%VSS_SNAPSHOT_PATH%\\ledger.txt"'], env);
        assert.equal(result.status, 0, `${volume}: ${result.stdout}${result.stderr}`);
        assert.match(result.stdout, /balance: 100/);
      }
    });

    it('a volume that is a link is snapshotted as the folder it points to: a copy, not the live folder', () => {
      const target = path.join(world.root, 'linked-target');
      fs.mkdirSync(target);
      fs.writeFileSync(path.join(target, 'ledger.txt'), 'balance: 100\r\n');
      const link = path.join(world.root, 'linked');
      fs.symlinkSync(target, link);
      // The command changes the live file, then reads the snapshot's: a snapshot still says 100.
      const result = vss(['backup', '--volume', winPath(link), '--json', '--exec', `echo balance: 0> "${winPath(target)}\\ledger.txt" & type "%VSS_SNAPSHOT_PATH%\\ledger.txt"`], env);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, /balance: 100/);
      assert.equal(fs.readFileSync(path.join(target, 'ledger.txt'), 'utf8').trim(), 'balance: 0');
      assert.equal((JSON.parse(result.stdout) as BackupReport).snapshots[0]!.volume, winPath(target));
    });
  });

  it('asks real VSS without the emulator, and Wine\'s vssapi.dll refusal is one clear line, never a stack trace', () => {
    console.log('      (Wine cannot show real VSS: its vssapi.dll answers E_NOTIMPL; windows.yml runs real VSS)');
    const result = vss(['writers', '--json'], { VSS_SESSION_HOME: env.VSS_SESSION_HOME });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assertNoStackTrace(result.stderr);
    // Wine's tokens are elevated administrators: the token check (read through the binding) lets the process through,
    // and CreateVssBackupComponents is where Wine stops.
    const error = (JSON.parse(result.stdout) as { error: { name: string; operation: string } }).error;
    assert.equal(error.name, 'E_NOTIMPL', JSON.stringify(error));
    assert.equal(error.operation, 'CreateVssBackupComponents');
    assert.match(result.stderr, /^vss-session: E_NOTIMPL \(0x80004001\): CreateVssBackupComponents failed/);
    assert.match(result.stderr, /VSS is not available on this system .*use the emulated service \(VSS_SESSION_EMULATOR=1\)/);
  });

  it('shadow storage: the management object\'s vtables against the emulator, and Wine\'s missing VSS coclass one clear line', () => {
    const volume = path.join(world.root, 'ss-volume');
    fs.mkdirSync(volume, { recursive: true });
    const added = vss(['shadowstorage', 'add', '--volume', winPath(volume), '--diff-area-volume', winPath(volume), '--max-size', '1GB', '--json'], env);
    assert.equal(added.status, 0, added.stdout + added.stderr);
    const [area] = JSON.parse(added.stdout) as { volume: string; maxSpace: number; usedSpace: number }[];
    assert.equal(area!.maxSpace, 1024 ** 3);
    assert.equal(area!.usedSpace, 0);
    const removed = vss(['shadowstorage', 'delete', '--volume', winPath(volume), '--json'], env);
    assert.equal(removed.status, 0, removed.stdout + removed.stderr);

    // Without the emulator: CoCreateInstance(CLSID_VssSnapshotMgmt), which Wine does not register.
    const real = vss(['shadowstorage', 'list', '--json'], { VSS_SESSION_HOME: env.VSS_SESSION_HOME });
    assert.equal(real.status, 1, real.stdout + real.stderr);
    assertNoStackTrace(real.stderr);
    assert.equal((JSON.parse(real.stdout) as { error: { operation: string } }).error.operation, 'CoCreateInstance(CLSID_VssSnapshotMgmt)');
    assert.match(real.stderr, /VSS's management object \(CLSID_VssSnapshotMgmt\) could not be created/);
  });

  describe('volumes as real VSS takes them: each name looked up through kernel32 (no emulator)', () => {
    const real = () => ({ VSS_SESSION_HOME: env.VSS_SESSION_HOME, WINEDEBUG: '-all,fixme+vssapi' });
    const volumeName = /^\\\\\?\\Volume\{[0-9a-f-]{36}\}\\$/i;

    it('a drive (C:), its root, and a folder on a volume name the volume: VSS is given its \\\\?\\Volume{GUID}\\ name', () => {
      const folder = path.join(world.volume, 'sub');
      fs.mkdirSync(folder, { recursive: true });
      const result = vss(['volume', 'C:', 'C:\\', winPath(folder), '--json'], real());
      assert.equal(result.status, 0, result.stdout + result.stderr);
      const [drive, root, inside] = JSON.parse(result.stdout) as Array<{ named: string; volume: string; vss: string; relative: string }>;
      assert.deepEqual([drive!.named, drive!.volume, drive!.relative], ['C:', 'C:\\', '']);
      assert.match(drive!.vss, volumeName);
      assert.deepEqual(root, { ...drive, named: 'C:\\' });
      // Wine's Z: is the Unix root: the folder lies on Z:, at its Unix path.
      assert.equal(inside!.volume, 'Z:\\');
      assert.match(inside!.vss, volumeName);
      assert.notEqual(inside!.vss, drive!.vss);
      assert.equal(inside!.relative, winPath(folder).slice(3));
      assert.doesNotMatch(result.stderr, /CreateVssBackupComponentsInternal/, 'looking a volume up sends nothing to VSS');
    });

    it('a path that does not exist is refused before any VSS call, with what VSS takes instead of "a directory"', () => {
      const result = vss(['backup', '--volume', `${winPath(world.root)}\\missing`, '--json'], real());
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assertNoStackTrace(result.stderr);
      const error = (JSON.parse(result.stdout) as { error: { name: string; operation: string; message: string } }).error;
      assert.equal(error.name, 'VSS_E_OBJECT_NOT_FOUND');
      assert.equal(error.operation, 'GetVolumePathName');
      assert.match(error.message, /name a volume \(C:\\ or C:\), a mount folder, a \\\\\?\\Volume\{GUID\}\\ name, or an existing folder/);
      assert.doesNotMatch(error.message, /directory/);
      assert.doesNotMatch(result.stderr, /CreateVssBackupComponentsInternal/, 'nothing was sent to VSS');
    });

    it('two folders on one volume are refused before any VSS call: a set holds each volume once', () => {
      const result = vss(['backup', '--volume', winPath(world.volume), '--volume', winPath(world.root), '--json'], real());
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /^vss-session: E_INVALIDARG \(0x80070057\): .* are on the same volume Z:\\, and a snapshot set holds each volume once/);
      assert.doesNotMatch(result.stderr, /CreateVssBackupComponentsInternal/);
    });

    it('a bare drive is the volume, not a drive-relative path: the backup goes on to VSS (which Wine refuses)', () => {
      const result = vss(['backup', '--volume', 'C:', '--json'], real());
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assert.equal((JSON.parse(result.stdout) as { error: { name: string; operation: string } }).error.operation, 'CreateVssBackupComponents');
    });
  });

  describe('COM security, set first as a requester must (Wine logs each call\'s parameters; its own call always succeeds)', () => {
    // Wine's CoInitializeSecurity is a stub that logs its arguments: authentication level 6 (RPC_C_AUTHN_LEVEL_PKT_PRIVACY),
    // impersonation level 3 (RPC_C_IMP_LEVEL_IMPERSONATE), capabilities 64 (EOAC_DYNAMIC_CLOAKING): vshadow's.
    const logged = { WINEDEBUG: '-all,fixme+ole,fixme+vssapi' };
    const securityCalls = (stderr: string) => stderr.split('\n').filter((l) => l.includes(':CoInitializeSecurity '));
    const vshadowParameters = /CoInitializeSecurity 0+, -1, 0+, 0+, 6, 3, 0+, 64, 0+ stub/;

    it('the host sets it as it starts, once, before any request needs a component object', () => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'host/ping' });
      const result = wine(exe, ['host'], { VSS_SESSION_HOME: env.VSS_SESSION_HOME, ...logged }, 90_000, `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /"result":\{"pong":true\}/);
      const calls = securityCalls(result.stderr);
      assert.equal(calls.length, 1, result.stderr);
      assert.match(calls[0]!, vshadowParameters);
      // Nothing but the host's start asked for it: no component object was created.
      assert.doesNotMatch(result.stderr, /CreateVssBackupComponentsInternal/);
    });

    it('a command sets it once, before it creates the component object', () => {
      const result = vss(['writers', '--json'], { VSS_SESSION_HOME: env.VSS_SESSION_HOME, ...logged });
      assert.equal(result.status, 1, result.stdout + result.stderr);
      const calls = securityCalls(result.stderr);
      assert.equal(calls.length, 1, result.stderr);
      assert.match(calls[0]!, vshadowParameters);
      const created = result.stderr.indexOf(':CreateVssBackupComponentsInternal');
      assert.ok(created > result.stderr.indexOf(calls[0]!), result.stderr);
    });
  });

  it('names a missing VSS requester API (no vssapi.dll, as on Nano Server) and the way to try runbooks without it', () => {
    // Wine loads no vssapi.dll at all when told so: LoadLibrary fails, as where Windows has none.
    const result = vss(['writers'], { VSS_SESSION_HOME: env.VSS_SESSION_HOME, WINEDLLOVERRIDES: 'vssapi=d' });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assertNoStackTrace(result.stderr);
    assert.match(result.stderr, /^vss-session: E_NOTIMPL \(0x80004001\): .*this system has no VSS requester API \(vssapi\.dll could not be loaded from System32\)/);
  });

  describe('a damaged copy of the package', () => {
    const copy = path.join(os.tmpdir(), `vsswin-copy-${process.pid}`);
    before(() => fs.cpSync(packageDir, copy, { recursive: true }));
    after(() => fs.rmSync(copy, { recursive: true, force: true }));
    const copied = (args: string[]) => wine(path.join(copy, path.basename(exe)), args, env);

    it('a missing runtime file: exit code 4, the file and the fix', () => {
      fs.rmSync(path.join(copy, 'dotnet', 'coreclr.dll'));
      const result = copied(['writers']);
      assert.equal(result.status, 4, result.stdout + result.stderr);
      assertNoStackTrace(result.stderr);
      assert.match(result.stderr, /RUNTIME_UNAVAILABLE \(0x80008096\): the \.NET runtime shipped with vss-session is damaged: coreclr\.dll is missing from .*; copy the module's folder again/);
    });

    it('a runtime file cut short: exit code 4, never 70', () => {
      fs.copyFileSync(path.join(packageDir, 'dotnet', 'coreclr.dll'), path.join(copy, 'dotnet', 'coreclr.dll'));
      fs.truncateSync(path.join(copy, 'dotnet', 'System.Private.CoreLib.dll'), 65536);
      const result = copied(['backup', '--volume', winPath(world.volume)]);
      assert.equal(result.status, 4, result.stdout + result.stderr);
      assert.match(result.stderr, /System\.Private\.CoreLib\.dll in .* is 65536 bytes where the package's is \d+/);
    });
  });
});
