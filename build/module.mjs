// Builds the importable module from ps/: module/VssSession.psm1 (private helpers first, the DSC resource classes,
// then one public function per file), the format file, and VssSession.Client.dll, the module's compiled JSON-RPC client of the host
// (ps/Client/). The manifest module/VssSession.psd1 is kept in git.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { root } from './config.mjs';

export function buildModule() {
  const ps = path.join(root, 'ps');
  // Dsc/: the class-based DSC resources (the manifest's DscResourcesToExport).
  const parts = ['Private', 'Dsc', 'Public'].flatMap((folder) =>
    fs.readdirSync(path.join(ps, folder)).filter((f) => f.endsWith('.ps1')).sort().map((f) => path.join(ps, folder, f)),
  );
  const body = parts.map((file) => `#region ${path.relative(root, file)}\n${fs.readFileSync(file, 'utf8').trimEnd()}\n#endregion\n`).join('\n');
  // The client's types (VssSession.Client.dll, the manifest's RequiredAssemblies) by their short names.
  const header = '# Built from ps/ by build/module.mjs; edit the files there.\nusing namespace VssSession.Client\nSet-StrictMode -Version 3.0\n\n';
  fs.writeFileSync(path.join(root, 'module', 'VssSession.psm1'), header + body);
  fs.copyFileSync(path.join(ps, 'VssSession.Format.ps1xml'), path.join(root, 'module', 'VssSession.Format.ps1xml'));
  fs.copyFileSync(path.join(ps, 'VssSession.Types.ps1xml'), path.join(root, 'module', 'VssSession.Types.ps1xml'));
  const out = path.join(root, 'build', 'out', 'client');
  const built = spawnSync('dotnet', ['build', path.join(ps, 'Client', 'VssSession.Client.csproj'), '-c', 'Release', '-o', out, '--nologo', '-v', 'q'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`dotnet build ps/Client exited ${built.status}`);
  fs.copyFileSync(path.join(out, 'VssSession.Client.dll'), path.join(root, 'module', 'VssSession.Client.dll'));
  const exported = parts.filter((f) => f.includes(`${path.sep}Public${path.sep}`)).map((f) => path.basename(f, '.ps1'));
  return exported;
}
