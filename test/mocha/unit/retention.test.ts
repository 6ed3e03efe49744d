// The snapshot retention rules (src/dsc/retention.ts) both DSC front doors share: what Set would do for the sets a
// volume has, and the instance checks. Pure functions over made-up sets: no service, no VSS.
import { strict as assert } from 'node:assert';
import { parseRetentionDuration, planRetention, retentionPolicy, setsOfVolume } from '../../../src/dsc/retention';
import type { SnapshotSetInfo } from '../../../src/snapshot-sets';
import { VssError } from '../../../src/vss-error';

const now = new Date('2026-12-05T12:00:00Z');
const hour = 3_600_000;
let next = 0;
/** A ClientAccessible set of /data made `ageHours` before `now`. */
function set(ageHours: number, volume = '/data', context = 'ClientAccessible'): SnapshotSetInfo {
  const id = `00000000-0000-0000-0000-${String(++next).padStart(12, '0')}`;
  const createdAt = new Date(now.getTime() - ageHours * hour).toISOString();
  return { snapshotSetId: id, context, persistent: true, createdAt, expiresAt: null, snapshots: [{ snapshotId: id, snapshotSetId: id, volume, devicePath: `/snap/${id}`, rootPath: `/snap/${id}`, path: null, snapshotPath: `/snap/${id}`, exposedName: null, exposedPath: null, originatingMachine: 'm', persistent: true, attributes: 29, createdAt, status: 'Created' }] };
}
const policy = (instance: object) => retentionPolicy({ volume: '/data', ...instance });
const none = new Set<string>();

describe('snapshot retention rules', () => {
  it('Present with no set: make one; a fresh set already there: nothing to do', () => {
    const empty = planRetention(policy({}), [], none, now);
    assert.deepEqual([empty.create, empty.deletes, empty.outOfState], [true, [], ['ensure']]);
    const idle = planRetention(policy({ maxAge: '1d' }), [set(2)], none, now);
    assert.deepEqual([idle.create, idle.deletes, idle.outOfState, idle.reasons], [false, [], [], []]);
  });

  it('maxAge: the newest set too old makes a new one, and says how old it is', () => {
    const p = planRetention(policy({ maxAge: '1d' }), [set(30)], none, now);
    assert.equal(p.create, true);
    assert.deepEqual(p.outOfState, ['maxAge']);
    assert.match(p.reasons[0]!, /is 1\.25 d old, more than maxAge 1 d; Set makes a new one/);
  });

  it('keepLast keeps the newest, counting the set Set makes, so a second Set has nothing to do', () => {
    const sets = [set(1), set(5), set(3), set(9)];
    const p = planRetention(policy({ keepLast: 2 }), sets, none, now);
    assert.deepEqual(p.deletes.map((d) => [d.snapshotSetId, d.rule]), [[sets[1]!.snapshotSetId, 'keepLast'], [sets[3]!.snapshotSetId, 'keepLast']]);
    const stale = planRetention(policy({ keepLast: 2, maxAge: '12h' }), [set(20), set(30)], none, now);
    assert.equal(stale.create, true);
    assert.equal(stale.deletes.length, 1, 'the new set and the newest old one are the two kept');
    const after = planRetention(policy({ keepLast: 2, maxAge: '12h' }), [set(0), set(20)], none, now);
    assert.deepEqual([after.create, after.deletes.length], [false, 0]);
  });

  it('olderThan deletes the old sets; when none young enough is left, Set makes one', () => {
    const sets = [set(50), set(100)];
    const p = planRetention(policy({ olderThan: '2.00:00:00' }), sets, none, now);
    assert.deepEqual(p.deletes.map((d) => d.rule), ['olderThan', 'olderThan']);
    assert.equal(p.create, true);
    assert.deepEqual(p.outOfState.sort(), ['ensure', 'olderThan']);
  });

  it('Absent deletes every set of the volume; orphaned deletes orphans only when asked', () => {
    const sets = [set(1), set(2)];
    assert.deepEqual(planRetention(policy({ ensure: 'Absent' }), sets, none, now).deletes.map((d) => d.rule), ['ensure', 'ensure']);
    const orphans = new Set([sets[1]!.snapshotSetId]);
    assert.equal(planRetention(policy({}), sets, orphans, now).deletes.length, 0);
    const p = planRetention(policy({ orphaned: true }), sets, orphans, now);
    assert.deepEqual(p.deletes.map((d) => [d.snapshotSetId, d.rule]), [[sets[1]!.snapshotSetId, 'orphaned']]);
  });

  it('a set of the volume is one whose every snapshot is of it, in the context asked', () => {
    const mine = set(1);
    const other = set(1, '/other');
    const appRollback = set(1, '/data', 'AppRollback');
    const spanning = set(1);
    spanning.snapshots.push({ ...other.snapshots[0]!, snapshotSetId: spanning.snapshotSetId });
    assert.deepEqual(setsOfVolume([mine, other, appRollback, spanning], '/data', 'ClientAccessible'), [mine]);
  });

  it('refuses a bad instance with the property and the fix: non-persistent context, keepLast 0 with Present, bad durations, unknown properties', () => {
    const refused = (instance: unknown, pattern: RegExp) => {
      assert.throws(() => retentionPolicy(instance), (e: unknown) => e instanceof VssError && e.vssName === 'E_INVALIDARG' && pattern.test(e.message));
    };
    refused({ volume: '/data', context: 'Backup' }, /context "Backup" does not keep snapshot sets: .*ClientAccessible, ClientAccessibleWriters, AppRollback/);
    refused({ volume: '/data', keepLast: 0 }, /keepLast 0 keeps no set, and ensure Present wants one/);
    refused({ volume: '/data', olderThan: 'soon' }, /olderThan takes a duration such as 7d/);
    refused({ volume: '/data', maxAge: 7 }, /maxAge is a duration written as text/);
    refused({ volume: '/data', keeplast: 3 }, /unknown property "keeplast"/);
    refused({}, /volume is required/);
    assert.equal(retentionPolicy({ volume: '/data', context: 'NasRollback' }).context, 'NasRollback', 'NasRollback sets are persistent too');
    assert.equal(parseRetentionDuration('1.02:00:00', 'x'), 26 * hour);
    assert.equal(parseRetentionDuration('90m', 'x'), 1.5 * hour);
  });
});
