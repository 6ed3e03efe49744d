// Which components a Full (Incremental, Differential, Log) backup adds and marks backed up: the rule against
// hand-made metadata, then the promise end to end (host, binding, emulated writers with components on volumes).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '../../src/emulator/control';
import { Methods } from '../../src/host/protocol';
import { chooseComponents, MetadataComponent, volumeOf, WriterMetadata } from '../../src/requester/components';
import { hostInProcess, inProcessService } from './helpers';

const component = (name: string, extra: Partial<MetadataComponent> = {}): MetadataComponent => ({ name, logicalPath: null, type: 'Database', selectable: true, ...extra });
const writer = (components: MetadataComponent[]): WriterMetadata => ({ name: 'Sql Writer', writerId: 'w', instanceId: 'i', components });
const files = (...paths: string[]) => paths.map((p) => ({ path: p, filespec: '*', recursive: true }));
const names = (c: { logicalPath: string | null; name: string }[]) => c.map((x) => (x.logicalPath ? `${x.logicalPath}\\${x.name}` : x.name));

describe('choosing the components of a component-mode backup', () => {
  it('adds every component of a writer whose components declare no files', () => {
    const { selected, leftOut } = chooseComponents([writer([component('Database'), component('Registry')])], ['/vol']);
    assert.deepEqual(names(selected.map((s) => s.component)), ['Database', 'Registry']);
    assert.deepEqual(leftOut, []);
  });

  it('adds a set once, its members with it, never a member on its own', () => {
    const set = [
      component('Instance', { selectable: false }),
      component('Sales', { logicalPath: 'Instance', databases: files('/vol/sales') }),
      component('Log', { logicalPath: 'Instance', selectable: false, logs: files('/vol/logs') }),
      component('Deep', { logicalPath: 'Instance\\Sales', files: files('/vol/sales/deep') }),
    ];
    const { selected, leftOut } = chooseComponents([writer(set)], ['/vol']);
    assert.deepEqual(names(selected.map((s) => s.component)), ['Instance']);
    assert.deepEqual(leftOut, []);
  });

  it('leaves out a component with data outside the snapshot set, and its set; a selectable member still goes alone', () => {
    const set = [
      component('Instance', { selectable: false }),
      component('Sales', { logicalPath: 'Instance', databases: files('/vol/sales') }),
      component('Archive', { logicalPath: 'Instance', databases: files('/other/archive') }),
      component('Catalog', { logicalPath: 'Instance', selectable: false }),
    ];
    const { selected, leftOut } = chooseComponents([writer(set)], ['/vol']);
    assert.deepEqual(names(selected.map((s) => s.component)), ['Instance\\Sales']);
    assert.deepEqual(names(leftOut), ['Instance', 'Instance\\Archive', 'Instance\\Catalog']);
    assert.match(leftOut[0]!.reason, /\/other\/archive\/\* is on no volume of the snapshot set \(\/vol\)/);
    assert.match(leftOut[2]!.reason, /part of a set that was left out/);
    // Every component is in exactly one place: added, held by an added set, or left out.
    assert.equal(selected.length + leftOut.length, set.length);
  });

  it('finds a file\'s volume by whole folder names, case-insensitively on Windows', () => {
    assert.equal(volumeOf('C:\\Data\\sales.mdf', ['c:\\data'], true), 'c:\\data');
    assert.equal(volumeOf('C:\\Database\\sales.mdf', ['C:\\Data'], true), null);
    assert.equal(volumeOf('D:\\x', ['C:\\', 'D:\\'], true), 'D:\\');
    assert.equal(volumeOf('/vol/a/b', ['/vol', '/vol/a'], false), '/vol/a', 'the innermost volume');
    assert.equal(volumeOf('/volume/x', ['/vol'], false), null);
  });
});

describe('a Full backup through the host, with components on volumes', function () {
  const { world } = inProcessService();
  const outside = path.join(world.root, 'outside');

  before(() => {
    fs.mkdirSync(outside);
    fs.writeFileSync(world.paths.writers, JSON.stringify([{
      name: 'Sql Writer',
      id: '11111111-2222-3333-4444-555555555555',
      components: [
        { name: 'Inside', databases: [{ path: world.volume, filespec: '*.mdf' }] },
        { name: 'Outside', databases: [{ path: outside, filespec: '*.mdf' }] },
      ],
    }]));
  });

  it('marks backed up only the components whose data was in the snapshot set, and reports the others', async () => {
    const { client, end } = hostInProcess(world.paths.socket);
    try {
      await client.sendRequest(Methods.createBackup, { backupType: 'Full' });
      const set = await client.sendRequest(Methods.createSnapshotSet, { volumes: [world.volume] });
      const info = await client.sendRequest(Methods.completeBackup, {});
      assert.deepEqual(info.components.map((c) => [c.name, c.backupSucceeded]), [['Inside', true]]);
      assert.deepEqual(info.componentsLeftOut.map((c) => c.name), ['Outside']);
      assert.match(info.componentsLeftOut[0]!.reason, /is on no volume of the snapshot set/);
      const completed = readJournal(world.paths).find((e) => e.snapshotSetId === set.snapshotSetId && e.event === 'BackupComplete');
      assert.deepEqual(completed?.components, [{ name: 'Inside', logicalPath: null, backupSucceeded: true }]);
      await client.sendRequest(Methods.closeBackup);
    } finally {
      end();
    }
  });
});
