// Shadow storage sizes as vssadmin's /MaxSize takes them, and the emulated provider's association rules
// (src/emulator/diff-areas.ts), over a temporary folder: no service, no VSS.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiffAreas, treeBytes } from '../../../src/emulator/diff-areas';
import { SnapshotRecord } from '../../../src/emulator/model';
import { parseMaxSize } from '../../../src/requester/shadow-storage';
import { VssError } from '../../../src/vss-error';

const refused = (name: string, pattern: RegExp) => (e: unknown) => e instanceof VssError && e.vssName === name && pattern.test(e.message);
const faulted = (name: string) => (e: unknown) => (e as { data?: { name?: string } }).data?.name === name;

describe('shadow storage sizes (-MaxSize, --max-size)', () => {
  it('takes bytes, units, UNBOUNDED and a percentage of the storage volume', () => {
    assert.equal(parseMaxSize('2147483648', '/'), 2147483648);
    assert.equal(parseMaxSize('320MB', '/'), 320 * 1024 ** 2);
    assert.equal(parseMaxSize('10 gb', '/'), 10 * 1024 ** 3);
    assert.equal(parseMaxSize('unbounded', '/'), -1);
    const { blocks, bsize } = fs.statfsSync(os.tmpdir());
    assert.equal(parseMaxSize('10%', os.tmpdir()), Math.floor((blocks * bsize * 10) / 100));
  });

  it('names what it cannot read', () => {
    assert.throws(() => parseMaxSize('lots', '/'), refused('E_INVALIDARG', /'lots' is not a size/));
    assert.throws(() => parseMaxSize('0%', '/'), refused('E_INVALIDARG', /above 0 and at most 100/));
    assert.throws(() => parseMaxSize('150%', '/'), refused('E_INVALIDARG', /above 0 and at most 100/));
    assert.throws(() => parseMaxSize('10%', path.join(os.tmpdir(), 'no-such-volume-here')), refused('VSS_E_OBJECT_NOT_FOUND', /give the size in bytes instead/));
  });
});

describe('the emulated provider\'s shadow storage associations', () => {
  let root: string;
  let areas: DiffAreas;
  const vol = (name: string) => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vsst-da-'));
    areas = new DiffAreas(path.join(root, 'shadowstorage.json'), () => 1000);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('adds one association per volume, at the minimum or more, and only to a volume without shadow copies', () => {
    const d = vol('d'), e = vol('e');
    assert.throws(() => areas.add(d, e, 999, 0), faulted('E_INVALIDARG'));
    assert.throws(() => areas.add(d, e, 2000, 600), faulted('VSS_E_OBJECT_ALREADY_EXISTS'));
    areas.add(d, e, 2000, 0);
    assert.throws(() => areas.add(d, d, 2000, 0), faulted('VSS_E_OBJECT_ALREADY_EXISTS'));
    assert.throws(() => areas.add(path.join(root, 'gone'), e, 2000, 0), faulted('VSS_E_OBJECT_NOT_FOUND'));
    assert.deepEqual(areas.list(), [{ volume: d, diffAreaVolume: e, maxSpace: 2000 }]);
  });

  it('resizing makes an implicit association explicit; 0 deletes it once no shadow copy uses it', () => {
    const d = vol('d');
    areas.adopt({ volume: d, diffAreaVolume: d, maxSpace: -1 });
    assert.equal(areas.find(d)?.implicit, true);
    areas.change(d, d, 5000, 600);
    assert.deepEqual(areas.find(d), { volume: d, diffAreaVolume: d, maxSpace: 5000 });
    assert.throws(() => areas.change(d, d, 0, 600), faulted('VSS_E_VOLUME_IN_USE'));
    areas.change(d, d, 0, 0);
    assert.equal(areas.find(d), undefined);
    assert.throws(() => areas.change(d, d, 0, 0), faulted('VSS_E_OBJECT_NOT_FOUND'));
  });

  it('counts each snapshot of the volume, oldest first, and prunes implicit associations without one', () => {
    const d = vol('d'), copy = vol('copy');
    fs.writeFileSync(path.join(copy, 'a'), Buffer.alloc(300));
    fs.mkdirSync(path.join(copy, 'sub'));
    fs.writeFileSync(path.join(copy, 'sub', 'b'), Buffer.alloc(200));
    fs.symlinkSync(path.join(copy, 'a'), path.join(copy, 'link'));
    assert.equal(treeBytes(copy), 500, 'files only; a link is not followed');
    const snap = (id: string, createdAt: string, size: number) => ({ snapshotId: id, originalVolume: d, createdAt, size }) as SnapshotRecord;
    const { use, oldestFirst } = DiffAreas.use({ volume: d, diffAreaVolume: d, maxSpace: -1 }, [snap('b', '2026-12-02', 200), snap('a', '2026-12-01', 300)]);
    assert.equal(use.usedSpace, 500);
    assert.deepEqual(oldestFirst.map((x) => x.snapshotId), ['a', 'b']);
    areas.adopt({ volume: d, diffAreaVolume: d, maxSpace: -1 });
    areas.prune(() => false);
    assert.deepEqual(areas.list(), []);
  });

  it('refuses a damaged file with the way out', () => {
    fs.writeFileSync(path.join(root, 'shadowstorage.json'), '[{"volume": 1}]');
    assert.throws(() => areas.list(), faulted('VSS_E_UNEXPECTED_PROVIDER_ERROR'));
  });
});
