// The contract's generated files against contract/: a name added to a table and not regenerated (or a generated
// file edited by hand) fails here, as does drift between the layers the files feed.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../src/paths';
import { FacadeMethods, Policies } from '../../src/generated/contract';

const generator = path.join(repoRoot(), 'build', 'generate-contract.mjs');
const generate = (...args: string[]) => spawnSync(process.execPath, [generator, ...args], { encoding: 'utf8' });

describe('the contract (contract/ and build/generate-contract.mjs)', function () {
  this.timeout(30_000);

  it('every generated file is what the tables make', () => {
    const r = generate('--check');
    assert.equal(r.status, 0, r.stderr);
  });

  /** The tables and every file made from them, copied where the generator may rewrite them. */
  const copyOfTheContract = (): string => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'vss-contract-'));
    for (const dir of ['contract', 'src/generated', 'src/dotnet/VssSession.Interop', 'ps/Client', 'ps/Public', 'ps/Private', 'ps/Dsc', 'src/dsc']) {
      fs.cpSync(path.join(repoRoot(), dir), path.join(copy, dir), { recursive: true, filter: (f) => !/[\\/](bin|obj)$/.test(f) });
    }
    return copy;
  };

  it('a table changed without regenerating fails the check, naming each file to regenerate', () => {
    const copy = copyOfTheContract();
    try {
      const table = path.join(copy, 'contract', 'contract.json');
      const contract = JSON.parse(fs.readFileSync(table, 'utf8'));
      contract.policies.push('Lenient');
      fs.writeFileSync(table, JSON.stringify(contract, null, 2));
      const r = generate('--check', '--root', copy);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /src\/generated\/contract\.ts\n {2}ps\/Public\/Invoke-VssBackup\.ps1/);
      assert.equal(generate('--root', copy).status, 0);
      assert.match(fs.readFileSync(path.join(copy, 'ps/Public/Invoke-VssBackup.ps1'), 'utf8'), /\[ValidateSet\('Required', 'BestEffort', 'Lenient'\)\] # contract: policies/);
      assert.equal(generate('--check', '--root', copy).status, 0);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it("a shape's field, written once in the table, reaches TypeScript, the facade's C# and the module's object", () => {
    const copy = copyOfTheContract();
    try {
      const table = path.join(copy, 'contract', 'contract.json');
      const contract = JSON.parse(fs.readFileSync(table, 'utf8'));
      contract.shapes.Writer.fields.push({ name: 'processId', type: 'int', ps: 'ProcessId' });
      fs.writeFileSync(table, JSON.stringify(contract, null, 2));
      const r = generate('--check', '--root', copy);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /src\/generated\/contract\.ts\n {2}src\/dotnet\/VssSession\.Interop\/Shapes\.Generated\.cs\n {2}ps\/Private\/ConvertTo-VssWriter\.ps1\n$/);
      assert.equal(generate('--root', copy).status, 0);
      assert.match(fs.readFileSync(path.join(copy, 'src/generated/contract.ts'), 'utf8'), /export interface FacadeWriter \{[^}]*processId: number;\n\}/);
      assert.match(fs.readFileSync(path.join(copy, 'src/dotnet/VssSession.Interop/Shapes.Generated.cs'), 'utf8'), /JsonObject Writer\([^)]*, int processId\)[^;]*\["processId"\] = processId,/);
      assert.match(fs.readFileSync(path.join(copy, 'ps/Private/ConvertTo-VssWriter.ps1'), 'utf8'), /ProcessId += \[int\]\$Writer\.processId/);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('the TypeScript side calls only facade methods the table lists, each once', () => {
    assert.equal(new Set(FacadeMethods).size, FacadeMethods.length);
    const sources = ['src/requester/lifecycle.ts', 'src/requester/admin-component.ts', 'src/requester/interop.ts', 'src/commands.ts', 'src/host/server.ts'].map((f) => fs.readFileSync(path.join(repoRoot(), f), 'utf8')).join('\n');
    const called = new Set([...sources.matchAll(/(?:interop\.call|this\.step|this\.run)(?:<[^>]*>)?\('(\w+)'/g)].map((m) => m[1]!));
    const unknown = [...called].filter((m) => !(FacadeMethods as readonly string[]).includes(m));
    assert.deepEqual(unknown, []);
    assert.ok(called.size > 10, `found ${called.size} calls`);
    assert.deepEqual([...Policies], ['Required', 'BestEffort']);
  });
});
