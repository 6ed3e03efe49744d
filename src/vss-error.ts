import { HResult, HResultName } from './generated/contract';

/** A failed VSS call as it crosses every layer: the VSS name, its HRESULT and the operator's next step. */
export class VssError extends Error {
  constructor(
    readonly vssName: string,
    readonly hresult: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'VssError';
  }

  toJSON(): { name: string; hresult: string; message: string } & Record<string, unknown> {
    return { ...this.details, name: this.vssName, hresult: this.hresult, message: this.message };
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
