// A missing or damaged .NET runtime: refused before edge-js starts it, with the cause, the fix and exit code 4,
// never edge-js's text about an SDK or exit code 70.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { Methods } from '../../src/host/protocol';
import { appRootProblem, RuntimeManifestName, RuntimeFile } from '../../src/requester/runtime';
import { executable, linuxOnly, tempWorld } from './helpers';

describe('the .NET runtime the executable loads', function () {
  const world = tempWorld();
  const env = { ...process.env, VSS_SESSION_HOME: world.home };
  const cli = (extra: NodeJS.ProcessEnv, ...args: string[]) => spawnSync(executable, args, { env: { ...env, ...extra }, encoding: 'utf8', timeout: 30_000 });
  const runtimeDir = path.dirname(executable);

  after(() => {
    cli({}, 'emulator', 'stop');
    world.cleanup();
  });

  it('names every file of the app root in runtime-files.json, each with its size', () => {
    const appRoot = path.join(runtimeDir, 'dotnet');
    const files = JSON.parse(fs.readFileSync(path.join(appRoot, RuntimeManifestName), 'utf8')) as RuntimeFile[];
    assert.ok(files.some((f) => f.name === 'VssSession.Interop.dll'));
    assert.equal(appRootProblem(appRoot, files), null);
    assert.equal(files.length, fs.readdirSync(appRoot).length - 1, 'every file but the list itself');
  });

  it('without `dotnet` on PATH: exit code 4, the cause and the fix, as JSON too', function () {
    linuxOnly(this, 'the Linux package uses the installed runtime; the Windows package carries its own');
    const result = cli({ PATH: world.root }, 'backup', '--volume', world.volume, '--json');
    assert.equal(result.status, 4, result.stderr);
    assert.match(result.stderr, /RUNTIME_UNAVAILABLE \(0x80008096\): vss-session needs the \.NET 10 runtime and found no `dotnet` on PATH; install the \.NET 10 runtime/);
    assert.doesNotMatch(result.stderr, /SDK|at .*\.js:\d+/);
    const reported = JSON.parse(result.stdout) as { error: { name: string; check: string } };
    assert.equal(reported.error.name, 'RUNTIME_UNAVAILABLE');
    assert.equal(reported.error.check, 'runtime');
  });

  it('with a `dotnet` that has no .NET 10: names the versions it found', function () {
    linuxOnly(this, 'the Linux package uses the installed runtime');
    const fake = path.join(world.root, 'old-dotnet');
    fs.mkdirSync(path.join(fake, 'shared', 'Microsoft.NETCore.App', '8.0.11'), { recursive: true });
    fs.writeFileSync(path.join(fake, 'dotnet'), '', { mode: 0o755 });
    const result = cli({ PATH: fake }, 'writers');
    assert.equal(result.status, 4, result.stderr);
    assert.match(result.stderr, /has only 8\.0\.11 in .*old-dotnet\/shared\/Microsoft\.NETCore\.App; install the \.NET 10 runtime/);
  });

  describe('a damaged copy of the module', () => {
    const copy = path.join(world.root, 'bin');
    before(() => {
      fs.cpSync(path.join(runtimeDir, 'dotnet'), path.join(copy, 'dotnet'), { recursive: true });
      for (const addon of fs.readdirSync(runtimeDir).filter((f) => f.endsWith('.node'))) fs.copyFileSync(path.join(runtimeDir, addon), path.join(copy, addon));
    });

    it('a file cut short is named, with its size and the expected one', () => {
      const assembly = path.join(copy, 'dotnet', 'VssSession.Interop.dll');
      const size = fs.statSync(assembly).size;
      fs.truncateSync(assembly, 4096);
      const result = cli({ VSS_SESSION_RUNTIME_DIR: copy }, 'writers');
      assert.equal(result.status, 4, result.stderr);
      assert.match(result.stderr, new RegExp(`damaged: VssSession\\.Interop\\.dll in .* is 4096 bytes where the package's is ${size}: .*copy the module's folder again`));
    });

    it('a missing file is named', () => {
      fs.rmSync(path.join(copy, 'dotnet', 'EdgeJs.dll'));
      const result = cli({ VSS_SESSION_RUNTIME_DIR: copy }, 'snapshots', 'list');
      assert.equal(result.status, 4, result.stderr);
      assert.match(result.stderr, /damaged: EdgeJs\.dll is missing from /);
    });

    it('the host answers a backup with the same error, whose data names it for the module', async () => {
      const host = spawn(executable, ['host'], { env: { ...env, VSS_SESSION_RUNTIME_DIR: copy }, stdio: ['pipe', 'pipe', 'inherit'] });
      const client = createMessageConnection(new StreamMessageReader(host.stdout!), new StreamMessageWriter(host.stdin!));
      client.listen();
      try {
        await assert.rejects(client.sendRequest(Methods.createBackup, {}), (e: ResponseError<{ name: string; hresult: string }>) => {
          assert.equal(e.data?.name, 'RUNTIME_UNAVAILABLE');
          assert.equal(e.data?.hresult, '0x80008096');
          assert.match(e.message, /damaged: EdgeJs\.dll is missing/);
          return true;
        });
      } finally {
        client.dispose();
        host.stdin!.end();
        await new Promise((r) => host.once('exit', r));
      }
    });
  });
});
