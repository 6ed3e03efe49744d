// The Linux executable's entry point (Node's single executable application). It runs the bundled program, an asset
// of the executable, with a V8 code cache made at build time after a host had started and answered a request: the
// functions a start runs then come compiled, where a code cache made from the script alone (what SEA's useCodeCache
// gives) holds only its top level and every other function is compiled at every start. `--version` is answered
// before the program is even compiled, as the program itself does.
import { getAsset } from 'node:sea';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { version } from '../../package.json';

if (process.argv.length === 3 && process.argv[2] === '--version') {
  process.stdout.write(`${version}\n`);
} else {
  const filename = path.join(path.dirname(process.execPath), 'vss-session.cjs');
  const source = getAsset('vss-session.cjs', 'utf8');
  // A cache V8 refuses (another V8 build or flags) only costs the compile time: the script is compiled from source.
  const script = new vm.Script(Module.wrap(source), {
    filename,
    cachedData: Buffer.from(getAsset('vss-session.cache')),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const program = { exports: {} };
  script.runInThisContext()(program.exports, Module.createRequire(process.execPath), program, filename, path.dirname(filename));
}
