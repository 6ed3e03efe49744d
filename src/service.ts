// Which VSS service a command talks to: the one place where the requester's VssService is made, so the requester
// itself never reaches into the emulator.
import { ensureListening, pathsFor } from './emulator/control';
import { readSpaceDeletions } from './emulator/journal';
import type { SpaceDeletion } from './records';
import { VssService } from './requester/interop';

/** Real VSS on Windows (unless VSS_SESSION_EMULATOR=1); the emulated service elsewhere, started on demand. */
export async function resolveService(): Promise<VssService> {
  if (process.platform === 'win32' && process.env.VSS_SESSION_EMULATOR !== '1') return { kind: 'windows' };
  const paths = pathsFor();
  await ensureListening(paths);
  return { kind: 'emulator', socket: paths.socket };
}

/**
 * The snapshots the provider deleted to make room in a full shadow storage, where the service says so: the emulated
 * service journals each (DiffAreaFull). Windows tells only its System event log (volsnap), which is not read here: a
 * set lost there is reported without a known reason.
 */
export function spaceDeletions(service: VssService): SpaceDeletion[] {
  if (service.kind !== 'emulator') return [];
  try {
    return readSpaceDeletions(pathsFor().journal);
  } catch {
    // An unreadable journal costs the reason, never the listing: the set is still reported, as lost for no known reason.
    return [];
  }
}
