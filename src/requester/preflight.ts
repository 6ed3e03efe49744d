// Pre-flight: what must hold before a requester's first VSS call, each refusal with its own VSS error name and the
// fix. The process checks (elevation, WOW64) run on Windows only; the volume checks ask the VSS service itself
// (IsVolumeSupported), so on the emulator they follow the emulated service's rules.
import * as path from 'node:path';
import { VssError, vssError } from '../vss-error';
import { VssService } from './interop';

/** What the Windows process checks read, passed in so that their logic can be tested on any platform. */
export interface RequesterProcess {
  platform: NodeJS.Platform;
  /** process.arch: the architecture this process runs as. */
  arch: string;
  env: NodeJS.ProcessEnv;
  /** The token's privileges as `whoami /priv /fo csv /nh` prints them; null when whoami could not be run. */
  privileges: string | null;
}

/**
 * A 32-bit process on 64-bit Windows: WOW64 sets PROCESSOR_ARCHITEW6432 to the machine's architecture in the
 * environment of the 32-bit processes it runs. VSS does not serve requesters under WOW64 ("Volume Shadow Copy
 * Service", Run-Time Requirements: support for that was removed in Windows Vista). Only this process's own
 * architecture counts: a 64-bit process started by a 32-bit one may inherit the variable.
 */
export function isWow64(arch: string, env: NodeJS.ProcessEnv): boolean {
  return (arch === 'ia32' || arch === 'arm') && Boolean(env.PROCESSOR_ARCHITEW6432);
}

/**
 * Whether the token holds SeBackupPrivilege, from `whoami /priv /fo csv /nh` ("SeBackupPrivilege","…","Disabled").
 * Only an elevated administrator or Backup Operator has it (UAC filters it out of a non-elevated token), and VSS
 * refuses a requester without it; "Disabled" still counts, as VSS enables it itself. Privilege names are not
 * translated, so this holds on every Windows language.
 */
export function hasBackupPrivilege(whoamiPrivileges: string): boolean {
  return whoamiPrivileges.split(/\r?\n/).some((line) => /^"?SeBackupPrivilege"?(,|\s|$)/i.test(line.trim()));
}

/** The first process check that fails, as the error to report, or null when the process may call VSS. */
export function processRefusal(p: RequesterProcess): VssError | null {
  if (p.platform !== 'win32') return null;
  if (isWow64(p.arch, p.env)) {
    return vssError(
      'E_NOTIMPL',
      `vss-session is running as a 32-bit (${p.arch}) process on 64-bit (${p.env.PROCESSOR_ARCHITEW6432}) Windows, and VSS serves no requester under WOW64: use the 64-bit vss-session (module/bin/win-x64), started from 64-bit PowerShell; nothing was sent to VSS`,
      { check: 'wow64', arch: p.arch, machine: p.env.PROCESSOR_ARCHITEW6432 },
    );
  }
  // When whoami could not be run, VSS itself refuses with E_ACCESSDENIED: the check only names the fix sooner.
  if (p.privileges !== null && !hasBackupPrivilege(p.privileges)) {
    return vssError(
      'E_ACCESSDENIED',
      'this process is not elevated and holds no backup privilege (SeBackupPrivilege), which VSS requires of a requester: run PowerShell as Administrator (or as a member of Backup Operators), then retry; nothing was sent to VSS',
      { check: 'elevation' },
    );
  }
  return null;
}

/** `whoami /priv /fo csv /nh` from System32 (not from PATH); null when it cannot be run. */
function readPrivileges(env: NodeJS.ProcessEnv): Promise<string | null> {
  const whoami = path.win32.join(env.SystemRoot ?? 'C:\\Windows', 'System32', 'whoami.exe');
  return new Promise((resolve) => {
    // Loaded here, on Windows only: the host's start does without child_process.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { execFile } = require('node:child_process') as typeof import('node:child_process');
    execFile(whoami, ['/priv', '/fo', 'csv', '/nh'], { windowsHide: true, timeout: 10_000 }, (error, stdout) => resolve(error ? null : stdout));
  });
}

let processChecked: Promise<void> | null = null;

/**
 * The process checks, once per process, before the first component object is made for the real VSS service.
 * Nothing runs on the emulator or off Windows (the emulated service has no privileges to check).
 */
export function checkRequesterProcess(service: VssService): Promise<void> {
  if (service.kind !== 'windows' || process.platform !== 'win32') return Promise.resolve();
  processChecked ??= (async () => {
    const refusal = processRefusal({ platform: process.platform, arch: process.arch, env: process.env, privileges: await readPrivileges(process.env) });
    if (refusal) throw refusal;
  })();
  // A refusal is not kept: the next backup checks again (the operator may have fixed it meanwhile).
  processChecked.catch(() => (processChecked = null));
  return processChecked;
}

/** IsVolumeSupported's answer through the facade: where not supported, the service's reason if it gave one. */
export interface VolumeSupport {
  supported: boolean;
  reason?: string | null;
}

/** The error for a volume IsVolumeSupported refused, or null when VSS can snapshot it. */
export function volumeRefusal(volume: string, answer: VolumeSupport): VssError | null {
  if (answer.supported) return null;
  const why = answer.reason
    ? answer.reason
    : 'no shadow copy provider supports it: name a local NTFS or ReFS volume (network shares, FAT and removable volumes have no shadow copies)';
  return vssError('VSS_E_VOLUME_NOT_SUPPORTED', `VSS cannot snapshot ${volume}: ${why}; no writer was involved and no snapshot set was started`, { check: 'volume', volume });
}

/** A volume that IsVolumeSupported did not find: the same VSS error, with the fix. */
export function volumeNotFound(volume: string, error: VssError): VssError {
  return new VssError(error.vssName, error.hresult, `the volume ${volume} was not found (IsVolumeSupported): check the path, or name an existing directory or a volume such as 'C:\\'; no writer was involved and no snapshot set was started`, { ...error.details, check: 'volume', volume });
}
