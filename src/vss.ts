// VSS facts the whole executable shares (vss.h), and the checks on values that name VSS objects.
import * as path from 'node:path';
import { ContextValue, PersistentContexts } from './generated/contract';

export { PersistentContexts };
import { vssError } from './vss-error';

export { ContextValue };
export type ContextKey = keyof typeof ContextValue;

export const Attr = { Persistent: 1, NoAutoRelease: 8, NoWriters: 16 } as const;

export function contextName(value: number): ContextKey | undefined {
  return (Object.keys(ContextValue) as ContextKey[]).find((k) => ContextValue[k] === value);
}

/** The VSS context a snapshot was made in, read from its attributes. */
export function contextOfAttributes(attributes: number): string {
  const bits = Attr.Persistent | 4 /* CLIENT_ACCESSIBLE */ | Attr.NoAutoRelease | Attr.NoWriters;
  return contextName(attributes & bits) ?? `0x${attributes.toString(16)}`;
}

/**
 * The path to read a snapshot's files from: its device path used as a root. A Windows shadow copy's device path
 * (\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopyN) names a device, not a directory: as a root it needs its trailing
 * separator, or Windows APIs and PowerShell fail on it. The emulator's device paths are directories already.
 */
export function snapshotRootPath(devicePath: string): string {
  return /^\\\\\?\\GLOBALROOT\\/i.test(devicePath) && !devicePath.endsWith('\\') ? `${devicePath}\\` : devicePath;
}

/**
 * Where to expose a snapshot, as ExposeSnapshot takes it: on Windows a drive letter ("X:", its trailing separator
 * dropped) or a folder; on the emulator a folder. Always absolute: the host's working folder is not the caller's.
 */
export function mountPoint(at: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    if (/^[A-Za-z]:\\?$/.test(at)) return at.slice(0, 2).toUpperCase();
    if (!path.win32.isAbsolute(at) || /^[A-Za-z]:[^\\/]/.test(at)) throw vssError('E_INVALIDARG', `mount at a drive letter (X:) or an absolute folder path, not ${JSON.stringify(at)}`);
    return at;
  }
  if (!path.posix.isAbsolute(at)) throw vssError('E_INVALIDARG', `mount at an absolute folder path, not ${JSON.stringify(at)}`);
  return path.posix.normalize(at);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value is a VSS_ID written as a GUID (no braces). */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** A VSS_ID from user input, lower-cased; anything else is E_INVALIDARG naming what was wrong. */
export function parseGuid(value: unknown, what: string): string {
  if (typeof value !== 'string' || !GUID.test(value)) {
    throw vssError('E_INVALIDARG', `${what} must be a GUID like 00000000-0000-0000-0000-000000000000, not ${JSON.stringify(value)}`);
  }
  return value.toLowerCase();
}

/** Whether snapshots made in this context are persistent (outlive their component object). */
export function isPersistentContext(context: string): boolean {
  return context in ContextValue && context !== 'All' && (ContextValue[context as ContextKey] & Attr.Persistent) !== 0;
}

/** The persistent contexts as messages name them ("A, B or C"). */
export const persistentContextList = `${PersistentContexts.slice(0, -1).join(', ')} or ${PersistentContexts.at(-1)}`;
