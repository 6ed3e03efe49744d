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

/** The HRESULTs the TypeScript side raises itself (the C# side names every other one). */
export const HResult = {
  VSS_E_BAD_STATE: '0x80042301',
  VSS_E_UNEXPECTED: '0x80042302',
  VSS_E_OBJECT_NOT_FOUND: '0x80042308',
  VSS_E_VOLUME_NOT_SUPPORTED: '0x8004230C',
  VSS_E_OBJECT_ALREADY_EXISTS: '0x8004230D',
  VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED: '0x80042312',
  VSS_E_SNAPSHOT_SET_IN_PROGRESS: '0x80042316',
  VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED: '0x80042317',
  VSS_E_UNEXPECTED_PROVIDER_ERROR: '0x8004230F',
  VSS_E_INSUFFICIENT_STORAGE: '0x8004231F',
  VSS_E_INVALID_XML_DOCUMENT: '0x80042311',
  VSS_E_NO_SNAPSHOTS_IMPORTED: '0x80042320',
  VSS_E_UNSUPPORTED_CONTEXT: '0x8004231B',
  VSS_E_UNEXPECTED_WRITER_ERROR: '0x80042315',
  VSS_E_WRITER_INFRASTRUCTURE: '0x80042318',
  VSS_E_WRITER_NOT_RESPONDING: '0x80042319',
  VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT: '0x800423F0',
  VSS_E_WRITERERROR_OUTOFRESOURCES: '0x800423F1',
  VSS_E_WRITERERROR_TIMEOUT: '0x800423F2',
  VSS_E_WRITERERROR_RETRYABLE: '0x800423F3',
  VSS_E_WRITERERROR_NONRETRYABLE: '0x800423F4',
  VSS_E_WRITERERROR_RECOVERY_FAILED: '0x800423F5',
  VSS_E_WRITERERROR_PARTIAL_FAILURE: '0x80042336',
  E_INVALIDARG: '0x80070057',
  E_ACCESSDENIED: '0x80070005',
  E_NOTIMPL: '0x80004001',
} as const;
export type HResultName = keyof typeof HResult;

export function vssError(name: HResultName, message: string, details: Record<string, unknown> = {}): VssError {
  return new VssError(name, HResult[name], message, details);
}

/** Parses an HRESULT written as hex ("0x80042308") into the signed 32-bit integer COM uses. */
export function hresultValue(hex: string): number {
  return Number.parseInt(hex, 16) | 0;
}
