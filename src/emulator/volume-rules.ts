// What the emulated provider can snapshot: an existing local directory on a disk filesystem, outside its own state
// folder, named through links as the folder they name. Anything else is refused as VSS would refuse it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fault } from './fault';

/** Filesystems whose "files" are the kernel's live state: copying them is meaningless and may never end. */
const KernelFilesystems: Record<number, string> = { 0x9fa0: 'procfs', 0x62656572: 'sysfs', 0x63677270: 'cgroup2', 0x27e0eb: 'cgroup', 0x64626720: 'debugfs', 0x1cd1: 'devpts', 0x74726163: 'tracefs', 0xcafe4a11: 'bpf', 0x73636673: 'securityfs' };

function kernelFilesystem(dir: string): string | undefined {
  if (/^\/(proc|sys|dev)(\/|$)/.test(dir)) return `/${dir.split('/')[1]}`;
  try {
    return KernelFilesystems[Number(fs.statfsSync(dir).type)];
  } catch {
    return undefined;
  }
}

/** A volume is an existing directory, named by a path; anything else is refused as VSS would. */
export function checkVolume(volume: unknown, stateHome: string): string {
  if (typeof volume !== 'string' || volume.length === 0 || volume.includes('\0')) {
    throw fault('VSS_E_OBJECT_NOT_FOUND', 'the volume name must be a non-empty path without NUL characters');
  }
  // A network share is no local volume. VSS's system provider snapshots local volumes only, and so does the emulated
  // one; a share is shadow-copied on its file server by the File Share Shadow Copy Provider ("VSS for SMB File
  // Shares", FileShareBackup context), which is not emulated.
  if (process.platform === 'win32' && /^[\\/]{2}(?![?.][\\/])/.test(volume)) {
    throw fault('VSS_E_VOLUME_NOT_SUPPORTED', `volume ${volume} is a network share; shadow copies are made on the machine that holds the data: run the backup on the file server, or name a local folder`);
  }
  let resolved = path.resolve(volume);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
    // Links resolved before every rule: a link is snapshotted as the folder it names (never as the link, which
    // would read the live data), and cannot lead past the refusal of the state folder.
    resolved = fs.realpathSync.native(resolved);
  } catch {
    throw fault('VSS_E_OBJECT_NOT_FOUND', `volume ${resolved} does not exist`);
  }
  if (!stat.isDirectory()) throw fault('VSS_E_VOLUME_NOT_SUPPORTED', `volume ${resolved} is a file, not a directory: name the directory or volume that holds it`);
  const kernel = kernelFilesystem(resolved);
  if (kernel) throw fault('VSS_E_VOLUME_NOT_SUPPORTED', `volume ${resolved} is on ${kernel}, a view of the running system, not data to back up: name a directory on a disk filesystem`);
  const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
  const home = realHome(stateHome);
  if (inside(resolved, home) || inside(home, resolved)) {
    throw fault('VSS_E_VOLUME_NOT_SUPPORTED', `volume ${resolved} holds or is inside the emulator's own state folder ${stateHome}; snapshot a directory beside it`);
  }
  return resolved;
}

/** The state folder with its links resolved, as volumes are compared with it. */
function realHome(home: string): string {
  try {
    return fs.realpathSync.native(home);
  } catch {
    return path.resolve(home);
  }
}
