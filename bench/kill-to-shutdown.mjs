// How long writers wait for BackupShutdown after their requester is killed with -9 mid-backup.
// Runs the packaged host 20 times to state snapshotsDone, kills it, and reads the BackupShutdown entries'
// time from the emulator's journal. Prints the median and the spread; writes bench/kill-to-shutdown.json.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import rpc from 'vscode-jsonrpc/node.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const exe = path.join(root, 'module', 'bin', `${process.platform}-${process.arch}`, 'vss-session');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vssb-'));
const home = path.join(work, 'h');
const volume = path.join(work, 'volume');
fs.mkdirSync(volume);
fs.writeFileSync(path.join(volume, 'file.txt'), 'data');
const env = { ...process.env, VSS_SESSION_HOME: home };
const journal = path.join(home, 'journal.jsonl');
const runs = Number(process.argv[2] ?? 20);

const readJournal = () => (fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

try {
  spawnSync(exe, ['emulator', 'start'], { env });
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const host = spawn(exe, ['host'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    const client = rpc.createMessageConnection(new rpc.StreamMessageReader(host.stdout), new rpc.StreamMessageWriter(host.stdin));
    client.listen();
    await client.sendRequest('backup/create', {});
    const set = await client.sendRequest('snapshotSet/create', { volumes: [volume] });
    const killedAt = Date.now();
    host.kill('SIGKILL');
    let shutdown;
    while (!(shutdown = readJournal().filter((e) => e.snapshotSetId === set.snapshotSetId && e.event === 'BackupShutdown')).length || shutdown.length < 2) {
      await new Promise((r) => setTimeout(r, 2));
    }
    samples.push(Math.max(...shutdown.map((e) => Date.parse(e.time))) - killedAt);
    client.dispose();
  }
  samples.sort((a, b) => a - b);
  const result = { runs, medianMs: samples[Math.floor(samples.length / 2)], minMs: samples[0], maxMs: samples.at(-1), samplesMs: samples };
  fs.writeFileSync(path.join(root, 'bench', 'kill-to-shutdown.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(`kill -9 of the host in state snapshotsDone -> last BackupShutdown in the journal: median ${result.medianMs} ms (min ${result.minMs}, max ${result.maxMs}, ${runs} runs)`);
} finally {
  spawnSync(exe, ['emulator', 'stop'], { env });
  fs.rmSync(work, { recursive: true, force: true });
}
