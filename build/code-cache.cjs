// Makes the V8 code cache of the bundled program for the Linux executable (src/sea/loader.ts): run by the very Node
// binary the executable is made of, it compiles the bundle exactly as the loader does, runs `vss-session host` in this
// process while build/setup.mjs sends it one request through .NET over stdin, and writes the cache as the host exits,
// so that the cache holds every function a host's start compiled.
//   node code-cache.cjs <bundle> <cache file>   (stdin/stdout: the host's JSON-RPC)
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const [bundle, cacheFile] = process.argv.slice(2);
// Compiled with the loader's options, so that V8 accepts the cache there. Every name is the bundle's bare file name
// (build/setup.mjs runs this from its folder): the cache keeps the strings a run interned, and must carry no path of
// the build machine; V8 does not check the name when it takes a cache.
const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
process.on('exit', (code) => {
  // A host that failed leaves no cache: the build reports its error.
  if (code === 0) fs.writeFileSync(cacheFile, script.createCachedData());
});
process.argv = [process.argv[0], bundle, 'host'];
const program = { exports: {} };
script.runInThisContext()(program.exports, Module.createRequire(process.execPath), program, bundle, '.');
