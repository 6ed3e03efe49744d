// `npm run bench:chaos [seconds]` (default 120): a hostile environment for a bounded time. Requesters run side by
// side (the executable's backup, hosts spoken to over JSON-RPC, PowerShell's Invoke-VssBackup, and clean-ups), while
// a killer sends kill -9 to random hosts, backups, PowerShells and the emulated service, and a filler fills the
// service's disk (a small tmpfs, as root) and empties it again. Then everything settles and is counted:
//   lost BackupShutdowns   a writer with an event in a session and no BackupShutdown for it        must be 0
//   false successes        a backup that exited 0 without BackupComplete and BackupShutdown journaled must be 0
//   hung requesters        a requester still running a minute after it started                      must be 0
//   leftover processes     any process of this run alive after the service is stopped               must be 0
//   leftover folders       snapshot folders left once every set is deleted and the service stopped  must be 0
//   service crashes        the emulated service ending on an uncaught error (its log's last words)  must be 0
// Prints the figures, writes bench/chaos.json, and exits 1 when any of them is not 0.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import rpc from 'vscode-jsonrpc/node.js';
import { powershell } from '../build/config.mjs';
import { modulesDir } from '../build/pwsh.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const exe = path.join(root, 'module', 'bin', `${process.platform}-${process.arch}`, 'vss-session');
const pwsh = powershell.exe;
const seconds = Number(process.argv[2] ?? 120);
if (!(seconds > 0)) throw new Error(`usage: npm run bench:chaos [seconds]; not ${process.argv[2]}`);
if (process.platform !== 'linux') throw new Error('bench:chaos kills by /proc and mounts a tmpfs: it runs on Linux');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vsschaos-'));
const disk = path.join(work, 'disk');
fs.mkdirSync(disk);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48m,mode=0700', 'tmpfs', disk], { encoding: 'utf8' });
const diskFaults = mounted.status === 0 ? null : `a tmpfs could not be mounted (${(mounted.stderr || '').trim() || mounted.error?.message}): run as root for the full-disk part`;
const home = path.join(disk, 'home');
fs.mkdirSync(home, { mode: 0o700 });
// Every process of this run, down to the service's cp and a backup's command, carries this home in its environment.
const env = { ...process.env, VSS_SESSION_HOME: home, POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off', PSModulePath: modulesDir() };
const volumes = ['a', 'b', 'c'].map((name) => {
  const dir = path.join(work, `volume-${name}`);
  fs.mkdirSync(dir);
  for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, `file${i}.txt`), `${name}${i}\n`.repeat(100));
  return dir;
});
fs.writeFileSync(path.join(home, 'writers.json'), JSON.stringify([
  { name: 'Chaos Database Writer', id: 'c0c0c0c0-1111-2222-3333-444444444401', components: ['Db'], delayMs: { PrepareForBackup: 30, Freeze: 20, BackupShutdown: 60 } },
  { name: 'Chaos Registry Writer', id: 'c0c0c0c0-1111-2222-3333-444444444402', components: ['Reg'], delayMs: { BackupComplete: 40 } },
]));

const random = (n) => Math.floor(Math.random() * n);
const pick = (xs) => xs[random(xs.length)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const deadline = Date.now() + seconds * 1000;
const counts = { runs: 0, ok: 0, failed: 0, hung: 0, kills: { host: 0, backup: 0, pwsh: 0, service: 0 }, diskFills: 0 };
const successes = []; // snapshot set ids of runs that exited 0 having completed a backup
const failures = new Map(); // first line of each kind of failure, with its count

/** This run's processes, from /proc: those whose environment names this run's home. */
function ours() {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`VSS_SESSION_HOME=${home}`)) continue;
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean);
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // a zombie is dead, only not yet reaped
      const kind = argv.includes('serve') ? 'service' : argv.includes('host') ? 'host' : argv.includes('backup') ? 'backup' : /pwsh/.test(argv[0] ?? '') ? 'pwsh' : 'other';
      found.push({ pid: Number(pid), kind, argv });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function noteFailure(what, stderr) {
  const line = (stderr.split('\n').find((l) => /vss-session:|error|Exception|failed/i.test(l)) ?? stderr.split('\n')[0] ?? '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>').replace(/\d+/g, 'N').slice(0, 160);
  const key = `${what}: ${line}`;
  failures.set(key, (failures.get(key) ?? 0) + 1);
}

/** Runs one command to its end (a minute at most, then it is counted hung and killed); resolves its exit and output. */
function run(file, args, what) {
  counts.runs++;
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const hung = setTimeout(() => {
      counts.hung++;
      noteFailure(`${what} hung`, stderr);
      child.kill('SIGKILL');
    }, 60_000);
    child.once('close', (code, signal) => {
      clearTimeout(hung);
      if (code === 0) counts.ok++;
      else {
        counts.failed++;
        noteFailure(`${what} ${signal ?? `exit ${code}`}`, stderr);
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** The executable's whole backup, auto-release or persistent, with a command against the snapshots. */
async function executableBackup() {
  const persistent = random(3) === 0;
  const args = ['backup', '--json', '--volume', ...volumes.slice(0, 1 + random(2)), '--exec', `sleep 0.${1 + random(4)}`];
  if (persistent) args.push('--context', 'ClientAccessibleWriters');
  const r = await run(exe, args, 'backup');
  if (r.code === 0) successes.push(JSON.parse(r.stdout).snapshotSetId);
}

/** A host driven step by step over JSON-RPC, as the module drives it; it may be killed anywhere. */
async function hostSession() {
  counts.runs++;
  const child = spawn(exe, ['host'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.on('error', () => undefined);
  const client = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  client.onError(() => undefined);
  client.listen();
  // A killed host answers nothing more: its pending request fails instead of waiting for ever.
  const exited = new Promise((resolve) => child.once('close', () => resolve(client.dispose())));
  const hung = setTimeout(() => {
    counts.hung++;
    noteFailure('host hung', stderr);
    child.kill('SIGKILL');
  }, 60_000);
  try {
    await client.sendRequest('backup/create', { context: pick(['Backup', 'Backup', 'ClientAccessibleWriters']) });
    const set = await client.sendRequest('snapshotSet/create', { volumes: [pick(volumes)] });
    await sleep(random(400));
    await client.sendRequest('backup/complete');
    await client.sendRequest('backup/close');
    counts.ok++;
    successes.push(set.snapshotSetId);
  } catch (e) {
    counts.failed++;
    noteFailure('host', `${e.message}\n${stderr}`);
  } finally {
    client.dispose();
    child.stdin.end();
    await exited;
    clearTimeout(hung);
  }
}

/** PowerShell's Invoke-VssBackup; prints the set's id from inside the script block. */
async function powershellBackup() {
  const script = `$ErrorActionPreference = 'Stop'; Import-Module VssSession; Invoke-VssBackup -Volume '${pick(volumes)}' -Confirm:$false -ScriptBlock { param($s) Start-Sleep -Milliseconds ${100 + random(400)}; [string]$s[0].SnapshotSetId }`;
  const r = await run(pwsh, ['-NoProfile', '-NonInteractive', '-Command', script], 'Invoke-VssBackup');
  const id = r.stdout.trim().split('\n').at(-1)?.trim();
  if (r.code === 0 && /^[0-9a-f-]{36}$/.test(id ?? '')) successes.push(id);
}

/** Deletes persistent sets: the orphans, and now and then every set. */
async function cleanup() {
  await run(exe, ['snapshots', 'delete', '--orphaned'], 'delete --orphaned');
  const listed = await run(exe, ['snapshots', 'list', '--json'], 'list');
  if (listed.code !== 0) return;
  const sets = JSON.parse(listed.stdout).slice(0, 3);
  for (const set of sets) await run(exe, ['snapshots', 'delete', '--snapshot-set-id', set.snapshotSetId], 'delete');
}

async function requester(kinds) {
  while (Date.now() < deadline) await pick(kinds)();
}

async function killer() {
  let lastServiceKill = Date.now();
  while (Date.now() < deadline) {
    await sleep(500 + random(2000));
    const roll = random(20);
    let kind = roll < 8 ? pick(['host', 'backup']) : roll < 12 ? 'pwsh' : roll < 14 ? 'service' : null;
    if (kind === 'service' && Date.now() - lastServiceKill < 15_000) kind = null;
    if (!kind) continue;
    const victims = ours().filter((p) => p.kind === kind);
    if (victims.length === 0) continue;
    const victim = pick(victims);
    try {
      process.kill(victim.pid, 'SIGKILL');
      counts.kills[kind]++;
      if (kind === 'service') lastServiceKill = Date.now();
    } catch {
      // it ended on its own meanwhile
    }
  }
}

async function filler() {
  const file = path.join(disk, 'filler');
  while (Date.now() < deadline - 5000) {
    await sleep(6000 + random(8000));
    if (Date.now() >= deadline - 5000) break;
    const fd = fs.openSync(file, 'w');
    try {
      const chunk = Buffer.alloc(1 << 16);
      for (;;) fs.writeSync(fd, chunk);
    } catch {
      // ENOSPC: full
    } finally {
      fs.closeSync(fd);
    }
    counts.diskFills++;
    await sleep(1500 + random(2500));
    fs.rmSync(file, { force: true });
  }
}

function journal() {
  const file = path.join(home, 'journal.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

const started = Date.now();
let result;
try {
  spawnSync(exe, ['emulator', 'start'], { env });
  console.log(`bench:chaos: ${seconds} s in ${work}${diskFaults ? `; no disk faults: ${diskFaults}` : ''}`);
  await Promise.all([
    ...Array.from({ length: 5 }, () => requester([executableBackup, executableBackup, hostSession, hostSession, cleanup])),
    requester([powershellBackup]),
    requester([powershellBackup, hostSession]),
    killer(),
    diskFaults ? Promise.resolve() : filler(),
  ]);
  // Settle: the service runs (a killed one is started again, and its restart ends the sessions it left), the hosts
  // of killed PowerShells see their stdin end, and every set is deleted.
  fs.rmSync(path.join(disk, 'filler'), { force: true });
  spawnSync(exe, ['emulator', 'start'], { env });
  for (let i = 0; i < 100 && ours().some((p) => p.kind !== 'service'); i++) await sleep(200);
  spawnSync(exe, ['snapshots', 'delete', '--orphaned'], { env });
  for (const set of JSON.parse(spawnSync(exe, ['snapshots', 'list', '--json'], { env, encoding: 'utf8' }).stdout || '[]')) {
    spawnSync(exe, ['snapshots', 'delete', '--snapshot-set-id', set.snapshotSetId], { env });
  }
  spawnSync(exe, ['emulator', 'stop'], { env });
  await sleep(1000);

  const entries = journal();
  const sessions = new Map();
  for (const e of entries.filter((x) => x.sessionId)) {
    const writers = sessions.get(e.sessionId) ?? new Map();
    const events = writers.get(e.writerId) ?? [];
    events.push(e);
    writers.set(e.writerId, events);
    sessions.set(e.sessionId, writers);
  }
  const lost = [];
  for (const [sessionId, writers] of sessions) {
    for (const [writerId, events] of writers) if (!events.some((e) => e.event === 'BackupShutdown')) lost.push(`${sessionId} ${writerId}`);
  }
  const falseSuccesses = successes.filter((id) => {
    const ofSet = entries.filter((e) => e.snapshotSetId === id);
    const writers = new Set(ofSet.map((e) => e.writerId));
    return writers.size === 0 || [...writers].some((w) => !ofSet.some((e) => e.writerId === w && e.event === 'BackupComplete') || !ofSet.some((e) => e.writerId === w && e.event === 'BackupShutdown' && e.backupCompleteReceived));
  });
  const leftoverProcesses = ours();
  const snapshots = path.join(home, 'snapshots');
  const leftoverFolders = fs.existsSync(snapshots) ? fs.readdirSync(snapshots) : [];
  const recovered = fs.existsSync(path.join(home, 'recovered')) ? fs.readdirSync(path.join(home, 'recovered')) : [];
  const damaged = fs.readdirSync(home).filter((f) => f.includes('.damaged-'));
  // A service that died of an uncaught error (not of a kill) ends its log with Node's version line.
  const log = fs.existsSync(path.join(home, 'emulator.log')) ? fs.readFileSync(path.join(home, 'emulator.log'), 'utf8').split('\n') : [];
  const crashes = log.map((l, i) => (/^Node\.js v\d/.test(l) ? i : -1)).filter((i) => i >= 0);
  result = {
    seconds,
    diskFaults: diskFaults ?? 'tmpfs of 48 MB under the service\'s home',
    requesterRuns: counts.runs,
    succeeded: counts.ok,
    failedAsExpectedUnderFaults: counts.failed,
    sessionsInJournal: sessions.size,
    kills: counts.kills,
    diskFills: counts.diskFills,
    lostBackupShutdowns: lost.length,
    falseSuccesses: falseSuccesses.length,
    hungRequesters: counts.hung,
    leftoverProcesses: leftoverProcesses.length,
    leftoverSnapshotFolders: leftoverFolders.length,
    serviceCrashes: crashes.length,
    movedToRecovered: recovered.length,
    damagedStateFiles: damaged.length,
    failureKinds: Object.fromEntries([...failures].sort((a, b) => b[1] - a[1]).slice(0, 15)),
    details: { lost: lost.slice(0, 10), falseSuccesses: falseSuccesses.slice(0, 10), leftoverProcesses: leftoverProcesses.map((p) => `${p.pid} ${p.argv.join(' ')}`).slice(0, 10), leftoverFolders: leftoverFolders.slice(0, 10), firstCrash: crashes.length ? log.slice(Math.max(0, crashes[0] - 25), crashes[0] + 1) : [] },
    wallSeconds: Math.round((Date.now() - started) / 1000),
  };
} finally {
  for (const p of ours()) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (!diskFaults) spawnSync('umount', ['-l', disk]);
  fs.rmSync(work, { recursive: true, force: true });
}

fs.writeFileSync(path.join(root, 'bench', 'chaos.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
const broken = ['lostBackupShutdowns', 'falseSuccesses', 'hungRequesters', 'leftoverProcesses', 'leftoverSnapshotFolders', 'serviceCrashes'].filter((k) => result[k] !== 0);
console.log(broken.length ? `bench:chaos: broken: ${broken.join(', ')}` : `bench:chaos: ${result.sessionsInJournal} sessions, ${Object.values(result.kills).reduce((a, b) => a + b, 0)} kills, ${result.diskFills} disk fills: nothing lost, nothing left behind`);
process.exitCode = broken.length ? 1 : 0;
