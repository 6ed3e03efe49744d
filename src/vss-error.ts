import { DeleteResult, HResult, HResultName } from './generated/contract';

/** A failed VSS call as it crosses every layer: the VSS name, its HRESULT and the operator's next step. */
export class VssError extends Error {
  constructor(
    readonly vssName: string,
    readonly hresult: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** A DeleteSnapshots that stopped part-way: what it deleted, and the snapshot it could not delete. */
    readonly partialDelete?: DeleteResult,
  ) {
    super(message);
    this.name = 'VssError';
  }

  toJSON(): { name: string; hresult: string; message: string } & Record<string, unknown> {
    // A partial delete also keeps the flat `deleted` and `nondeleted` the executable's --json error has always had.
    const partial = this.partialDelete ? { partialDelete: this.partialDelete, deleted: this.partialDelete.deleted, nondeleted: this.partialDelete.nondeletedSnapshotId } : {};
    return { ...this.details, ...partial, name: this.vssName, hresult: this.hresult, message: this.message };
  }
}

export { HResult };
export type { HResultName };

export function vssError(name: HResultName, message: string, details: Record<string, unknown> = {}): VssError {
  return new VssError(name, HResult[name], message, details);
}

/** Parses an HRESULT written as hex ("0x80042308") into the signed 32-bit integer COM uses. */
export function hresultValue(hex: string): number {
  return Number.parseInt(hex, 16) | 0;
}
