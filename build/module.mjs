// Builds the importable module from ps/: module/VssSession.psm1 (private helpers and classes first, then one
// public function per file) and the format file. The manifest module/VssSession.psd1 is kept in git.
import fs from 'node:fs';
import path from 'node:path';
import { root } from './config.mjs';

export function buildModule() {
  const ps = path.join(root, 'ps');
  const parts = ['Private', 'Public'].flatMap((folder) =>
    fs.readdirSync(path.join(ps, folder)).filter((f) => f.endsWith('.ps1')).sort().map((f) => path.join(ps, folder, f)),
  );
  const body = parts.map((file) => `#region ${path.relative(root, file)}\n${fs.readFileSync(file, 'utf8').trimEnd()}\n#endregion\n`).join('\n');
  const header = '# Built from ps/ by build/module.mjs; edit the files there.\nSet-StrictMode -Version 3.0\n\n';
  fs.writeFileSync(path.join(root, 'module', 'VssSession.psm1'), header + body);
  fs.copyFileSync(path.join(ps, 'VssSession.Format.ps1xml'), path.join(root, 'module', 'VssSession.Format.ps1xml'));
  const exported = parts.filter((f) => f.includes(`${path.sep}Public${path.sep}`)).map((f) => path.basename(f, '.ps1'));
  return exported;
}
