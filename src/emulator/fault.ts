// A VSS failure as the emulated service returns it to the component object (error.data.hresult).
import { ResponseError } from 'vscode-jsonrpc/node';
import { VSS_ERROR_CODE } from '../defaults';
import type { DeleteResult } from '../generated/contract';
import { HResult, hresultValue, HResultName } from '../vss-error';

export function fault(name: HResultName, message: string, extra: Record<string, unknown> = {}): ResponseError<unknown> {
  return new ResponseError(VSS_ERROR_CODE, message, { name, hresult: hresultValue(HResult[name]), ...extra });
}

/** A DeleteSnapshots that stopped at `nondeletedSnapshotId` after deleting `deleted`: the data its fault carries. */
export function partialDelete(deleted: number, nondeletedSnapshotId: string): { partialDelete: DeleteResult } {
  return { partialDelete: { deleted, nondeletedSnapshotId } };
}
