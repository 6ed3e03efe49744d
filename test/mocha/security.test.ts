// The state folder and what listens: the service keeps its state only in a private folder of the user's own,
// files 0600, and listens on nothing but its socket inside that folder.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readJournal, status } from '../../src/emulator/control';
import { executable, tempWorld, linuxOnly } from './helpers';

describe('the state folder and what listens', function () {
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };
  const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => spawnSync(executable, args, { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 30_000 });

  after(() => {
    cli(['emulator', 'stop']);
    world.cleanup();
  });

  it('creates the folder 0700 and its files 0600, and listens only on the socket inside it', async function () {
    linuxOnly(this, 'POSIX modes, and /proc for what the service listens on');
    const made = cli(['backup', '--volume', world.volume, '--json']);
    assert.equal(made.status, 0, made.stderr);
    assert.ok(readJournal(world.paths).length > 0);
    assert.equal(fs.statSync(world.home).mode & 0o777, 0o700);
    for (const file of [world.paths.state, world.paths.journal, world.paths.pidFile, world.paths.log]) {
      assert.equal(fs.statSync(file).mode & 0o777, 0o600, `${file} is private`);
    }
    assert.equal(fs.statSync(world.paths.socket).mode & 0o777, 0o600, 'the socket is private');
    // Every folder inside it is private too: the service's lock and the snapshots.
    for (const dir of [`${world.paths.serviceLock}.lock`, world.paths.snapshots]) assert.equal(fs.statSync(dir).mode & 0o777, 0o700, `${dir} is private`);

    const service = (await status(world.paths))!;
    const inodes = fs.readdirSync(`/proc/${service.pid}/fd`)
      .map((fd) => { try { return fs.readlinkSync(`/proc/${service.pid}/fd/${fd}`); } catch { return ''; } })
      .map((link) => /^socket:\[(\d+)\]$/.exec(link)?.[1])
      .filter((inode): inode is string => inode !== undefined);
    // Unix sockets in LISTEN state (st 01) held by the service, by path; and no TCP/UDP socket at all.
    const unix = fs.readFileSync('/proc/net/unix', 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    const listening = unix.filter((f) => inodes.includes(f[6]!) && f[5] === '01').map((f) => f[7]);
    assert.deepEqual(listening, [world.paths.socket]);
    for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
      const rows = fs.readFileSync(`/proc/net/${table}`, 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/)[9]);
      assert.ok(!rows.some((inode) => inodes.includes(inode!)), `the service holds a ${table} socket`);
    }
  });

  it('refuses a state folder that others can write to, saying so', function () {
    linuxOnly(this, 'POSIX modes');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vssh-'));
    fs.chmodSync(home, 0o777);
    try {
      const r = cli(['emulator', 'start'], { VSS_SESSION_HOME: home });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, new RegExp(`state folder ${home} can be written by others \\(mode 777\\); run 'chmod 700 ${home}'`));
      assert.equal(fs.readdirSync(home).length, 0, 'nothing was written into it');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('refuses a state folder another user owns, saying so', function () {
    if (process.getuid?.() !== 0) return this.skip(); // only root can give a folder away to test this
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vssh-'));
    fs.chownSync(home, 65534, 65534); // nobody
    try {
      const r = cli(['emulator', 'start'], { VSS_SESSION_HOME: home });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /belongs to user 65534, not to you \(user 0\)/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('refuses a state folder too long to hold its socket, instead of putting the socket elsewhere', () => {
    const home = path.join(world.root, 'x'.repeat(120));
    const r = cli(['emulator', 'start'], { VSS_SESSION_HOME: home });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /too long to hold the service's socket/);
    assert.ok(!fs.existsSync(home), 'nothing was created');
  });
});
