// The emulated service's session phases (src/emulator/session.ts): the order VSS gives a component object's
// backup, and how far an aborted or ended one got (which decides whether its writers hear Abort).
import { strict as assert } from 'node:assert';
import { enter, newSession, phaseOf, reached } from '../../../src/emulator/session';

describe('emulated service: session phases', () => {
  it('a backup with writers goes Initialized, Prepared, SnapshotsDone, Completed, then Ended', () => {
    const s = newSession(1, 'journal-id');
    assert.equal(phaseOf(s), 'Created');
    for (const phase of ['Initialized', 'Prepared', 'SnapshotsDone', 'Completed', 'Ended'] as const) enter(s, phase);
    assert.deepEqual(s.phases, ['Created', 'Initialized', 'Prepared', 'SnapshotsDone', 'Completed', 'Ended']);
  });

  it('a context without writers goes from Initialized to SnapshotsDone, and is never Prepared', () => {
    const s = newSession(1, 'journal-id');
    enter(s, 'Initialized');
    enter(s, 'SnapshotsDone');
    assert.equal(reached(s, 'Prepared'), false);
  });

  it('an aborted backup keeps how far it got: Prepared still says its writers were told', () => {
    const s = newSession(1, 'journal-id');
    enter(s, 'Initialized');
    enter(s, 'Prepared');
    enter(s, 'Aborted');
    assert.equal(phaseOf(s), 'Aborted');
    assert.ok(reached(s, 'Prepared'));
    assert.equal(reached(s, 'SnapshotsDone'), false);
  });

  it('refuses the moves VSS never makes: back, past BackupComplete into Abort, or out of the end', () => {
    const fresh = newSession(1, 'journal-id');
    assert.throws(() => enter(fresh, 'Prepared'), /from Created to Prepared/);
    assert.throws(() => enter(fresh, 'Aborted'), /from Created to Aborted/);
    const done = newSession(2, 'journal-id');
    for (const phase of ['Initialized', 'Prepared', 'SnapshotsDone', 'Completed'] as const) enter(done, phase);
    assert.throws(() => enter(done, 'Aborted'), /from Completed to Aborted/);
    enter(done, 'Ended');
    assert.throws(() => enter(done, 'Initialized'), /from Ended to Initialized/);
    assert.deepEqual(done.phases, ['Created', 'Initialized', 'Prepared', 'SnapshotsDone', 'Completed', 'Ended']);
  });
});
