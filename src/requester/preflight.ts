// Pre-flight: what must hold before a requester's first VSS call, each refusal with its own VSS error name and the
// fix. The process checks (elevation, WOW64) run on Windows only; the volume checks ask the VSS service itself
// (IsVolumeSupported), so on the emulator they follow the emulated service's rules.
import { VssError, vssError } from '../vss-error';
import { VssService } from './interop';

/** What the binding read from this process's token (Facade.RequesterToken: the token itself, not a child's text). */
export interface RequesterToken {
  elevated: boolean;
  administrators: boolean;
  backupOperators: boolean;
  localSystem: boolean;
}

/** What the Windows process checks read, passed in so that their logic can be tested on any platform. */
export interface RequesterProcess {
  platform: NodeJS.Platform;
  /** process.arch: the architecture this process runs as. */
  arch: string;
  env: NodeJS.ProcessEnv;
  /** The process token's facts; null when the token could not be read (VSS then decides for itself). */
  token: RequesterToken | null;
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
 * Who may be a requester ("Security Considerations for Requesters"): LocalSystem, or a member of Administrators or
 * Backup Operators in an elevated token. Holding SeBackupPrivilege is neither necessary nor enough.
 */
export function mayRequest(token: RequesterToken): boolean {
  return token.localSystem || (token.elevated && (token.administrators || token.backupOperators));
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
  // When the token could not be read, VSS itself refuses with E_ACCESSDENIED: the check only names the fix sooner.
  if (p.token === null || mayRequest(p.token)) return null;
  const details = { check: 'elevation', ...p.token };
  if (!p.token.elevated) {
    return vssError(
      'E_ACCESSDENIED',
      'this process is not elevated, and VSS serves only requesters whose elevated token is in Administrators or Backup Operators: run PowerShell as Administrator (Run as administrator), then retry; nothing was sent to VSS',
      details,
    );
  }
  return vssError(
    'E_ACCESSDENIED',
    "this process's token is in neither Administrators nor Backup Operators, which VSS requires of a requester: run it as a member of one of them (or as LocalSystem), then retry; nothing was sent to VSS",
    details,
  );
}

/**
 * CreateVssBackupComponents' own E_ACCESSDENIED (the token check could not read the token, or VSS judged otherwise):
 * the same fix as the pre-check's, with VSS's error kept.
 */
export function creationRefused(error: unknown): unknown {
  if (!(error instanceof VssError) || error.vssName !== 'E_ACCESSDENIED' || error.details.check) return error;
  return new VssError(
    error.vssName,
    error.hresult,
    `VSS refused to create a backup component object for this process (CreateVssBackupComponents: E_ACCESSDENIED): it serves only LocalSystem and members of Administrators or Backup Operators in an elevated token; run PowerShell as Administrator (Run as administrator), then retry. ${error.message}`,
    { ...error.details, check: 'elevation' },
  );
}

let processChecked: Promise<void> | null = null;

/**
 * The process checks, once per process, before the first component object is made for the real VSS service.
 * `readToken` asks the binding for the token's facts. Nothing runs on the emulator or off Windows (the emulated
 * service has no privileges to check).
 */
export function checkRequesterProcess(service: VssService, readToken: () => Promise<RequesterToken>): Promise<void> {
  if (service.kind !== 'windows' || process.platform !== 'win32') return Promise.resolve();
  processChecked ??= (async () => {
    const token = await readToken().catch(() => null);
    const refusal = processRefusal({ platform: process.platform, arch: process.arch, env: process.env, token });
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
  return vssError('VSS_E_VOLUME_NOT_SUPPORTED', `VSS cannot snapshot ${volume}: ${why}; no snapshot set was started and nothing was frozen`, { check: 'volume', volume });
}

/** A volume that was not found (by IsVolumeSupported on the emulator, by its volume lookup on Windows): the same VSS
 * error, with the fix for where it was looked for. */
export function volumeNotFound(volume: string, error: VssError, service: VssService['kind'], call: 'GetVolumePathName' | 'IsVolumeSupported'): VssError {
  const fix =
    service === 'windows'
      ? `check the path: name a volume (C:\\ or C:), a mount folder, a \\\\?\\Volume{GUID}\\ name, or an existing folder or file on one (its volume is snapshotted, and the snapshot's SnapshotPath is that folder inside it)`
      : `check the path, or name an existing directory (the emulated service snapshots directories)`;
  const sent = call === 'GetVolumePathName' ? 'nothing was sent to VSS' : 'no snapshot set was started and nothing was frozen';
  return new VssError(error.vssName, error.hresult, `the volume ${volume} was not found (${call}): ${fix}; ${sent}`, { ...error.details, check: 'volume', volume });
}

/** A bare drive (`C:`) as the volume's root (`C:\\`), which VSS takes (AddToSnapshotSet wants a trailing backslash);
 * every other name unchanged. Only on Windows. */
export function volumeRoot(volume: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' && /^[A-Za-z]:$/.test(volume) ? `${volume.toUpperCase()}\\` : volume;
}

/**
 * A volume named so that Windows would read it relative to something the user did not name: `C:foo` is relative to
 * the current folder of drive C: (each drive has one), which depends on the process. Refused before anything is
 * sent to VSS, with the absolute form to use. Only on Windows: elsewhere `C:foo` is an ordinary relative name.
 */
export function volumeNameRefusal(volume: string, platform: NodeJS.Platform = process.platform): VssError | null {
  if (platform !== 'win32') return null;
  // A bare drive (C:) names the volume, as vshadow's and diskshadow's volume arguments do: see volumeRoot.
  const driveRelative = /^([A-Za-z]):(?![\\/])(.+)$/.exec(volume);
  if (!driveRelative) return null;
  const [, drive, rest] = driveRelative;
  return vssError(
    'E_INVALIDARG',
    `${volume} is relative to the current folder of drive ${drive}:, which depends on the process; name it absolutely, e.g. ${drive}:\\${rest || ''} (or ${drive}:\\ for the volume); nothing was sent to VSS`,
    { check: 'volume', volume },
  );
}
