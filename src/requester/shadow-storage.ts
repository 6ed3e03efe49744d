// Shadow storage as vssadmin list|add|resize|delete shadowstorage manage it, for the executable and the module: each
// volume named as a backup would name it (ResolveVolume), sizes given as bytes, a percentage of the storage volume or
// UNBOUNDED, and every call made on a management object of its own (the facade opens and releases it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ShadowStorage } from '../generated/contract';
import { vssError } from '../vss-error';
import { FacadeCaller, VssService } from './interop';
import { volumeNameRefusal, volumeRoot } from './preflight';

export type { ShadowStorage };

/** VSS_ASSOC_NO_MAX_SPACE. */
export const Unbounded = -1;

const Units: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/**
 * A maximum size as vssadmin's /MaxSize takes it: bytes (optionally KB, MB, GB, TB), a percentage of the volume the
 * storage is on, or UNBOUNDED. The percentage is taken of that volume's size, which the file system reports.
 */
export function parseMaxSize(text: string, diffAreaVolume: string): number {
  const value = text.trim();
  if (/^unbounded$/i.test(value)) return Unbounded;
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(value);
  if (percent) {
    const share = Number(percent[1]);
    if (!(share > 0 && share <= 100)) throw vssError('E_INVALIDARG', `-MaxSize ${value}: a percentage is above 0 and at most 100`);
    let total: number;
    try {
      const stats = fs.statfsSync(diffAreaVolume);
      total = stats.blocks * stats.bsize;
    } catch (e) {
      throw vssError('VSS_E_OBJECT_NOT_FOUND', `-MaxSize ${value}: the size of ${diffAreaVolume} cannot be read (${(e as Error).message}); give the size in bytes instead`);
    }
    return Math.floor((total * share) / 100);
  }
  const sized = /^(\d+)\s*(B|KB|MB|GB|TB)?$/i.exec(value);
  if (!sized) throw vssError('E_INVALIDARG', `-MaxSize '${value}' is not a size: give bytes (320MB, 10GB, 2147483648), a percentage of the storage volume ('10%'), or UNBOUNDED`);
  const bytes = Number(sized[1]) * Units[(sized[2] ?? 'B').toUpperCase()]!;
  if (!Number.isSafeInteger(bytes)) throw vssError('E_INVALIDARG', `-MaxSize ${value} is too large`);
  return bytes;
}

/** Shadow storage calls, each volume resolved to the name VSS is given for it. */
export class ShadowStorageAdmin {
  constructor(
    private readonly interop: FacadeCaller,
    private readonly service: () => Promise<VssService>,
  ) {}

  /** The name VSS is given for a volume, as a backup looks it up (a folder, a drive, a volume GUID path). */
  private async vssName(named: string, what: string): Promise<string> {
    const badName = volumeNameRefusal(named);
    if (badName) throw badName;
    if (!fs.existsSync(volumeRoot(named))) throw vssError('VSS_E_OBJECT_NOT_FOUND', `the ${what} ${named} does not exist`, { path: named });
    // The emulated service would read a relative name against its own working folder, not the caller's.
    if ((await this.service()).kind !== 'windows') return path.resolve(named);
    return (await this.interop.call<{ vss: string }>('ResolveVolume', { path: volumeRoot(named) })).vss;
  }

  private async call<T>(method: 'QueryShadowStorage' | 'AddShadowStorage' | 'ChangeShadowStorage', input: object): Promise<T> {
    return this.interop.call<T>(method, { service: await this.service(), ...input });
  }

  async list(volume?: string): Promise<ShadowStorage[]> {
    const named = volume === undefined ? undefined : await this.vssName(volume, 'volume');
    return (await this.call<{ areas: ShadowStorage[] }>('QueryShadowStorage', named === undefined ? {} : { volume: named })).areas;
  }

  /** The volume's association, or VSS_E_OBJECT_NOT_FOUND naming it. */
  private async current(volume: string): Promise<ShadowStorage> {
    const [area] = await this.list(volume);
    if (!area) throw vssError('VSS_E_OBJECT_NOT_FOUND', `${volume} has no shadow storage; add it with Add-VssShadowStorage (vss-session shadowstorage add)`, { volume });
    return area;
  }

  /** AddDiffArea: only for a volume without shadow storage and without shadow copies. */
  async add(volume: string, diffAreaVolume: string, maxSize: string): Promise<ShadowStorage> {
    const vssVolume = await this.vssName(volume, 'volume');
    const onVolume = await this.vssName(diffAreaVolume, 'shadow storage volume');
    await this.call('AddShadowStorage', { volume: vssVolume, diffAreaVolume: onVolume, maxSpace: parseMaxSize(maxSize, diffAreaVolume) });
    return this.current(volume);
  }

  /** ChangeDiffAreaMaximumSize of the volume's association (on diffAreaVolume, else wherever it is). Lowering it
   * below what the shadow copies use deletes the oldest of them. */
  async resize(volume: string, maxSize: string, diffAreaVolume?: string): Promise<ShadowStorage> {
    const vssVolume = await this.vssName(volume, 'volume');
    const onVolume = diffAreaVolume === undefined ? (await this.current(volume)).diffAreaVolume : await this.vssName(diffAreaVolume, 'shadow storage volume');
    const maxSpace = parseMaxSize(maxSize, diffAreaVolume ?? onVolume);
    if (maxSpace === 0) throw vssError('E_INVALIDARG', '-MaxSize 0 would delete the shadow storage; use Remove-VssShadowStorage (vss-session shadowstorage delete) for that');
    await this.call('ChangeShadowStorage', { volume: vssVolume, diffAreaVolume: onVolume, maxSpace });
    return this.current(volume);
  }

  /** ChangeDiffAreaMaximumSize with VSS_ASSOC_REMOVE: refused (VSS_E_VOLUME_IN_USE) while shadow copies use it. */
  async remove(volume: string, diffAreaVolume?: string): Promise<ShadowStorage> {
    const area = await this.current(volume);
    const onVolume = diffAreaVolume === undefined ? area.diffAreaVolume : await this.vssName(diffAreaVolume, 'shadow storage volume');
    await this.call('ChangeShadowStorage', { volume: area.volume, diffAreaVolume: onVolume, maxSpace: 0 });
    return area;
  }
}
