// Which VSS service a command talks to: the one place where the requester's VssService is made, so the requester
// itself never reaches into the emulator.
import { ensureListening, pathsFor } from './emulator/control';
import { VssService } from './requester/interop';

/** Real VSS on Windows (unless VSS_SESSION_EMULATOR=1); the emulated service elsewhere, started on demand. */
export async function resolveService(): Promise<VssService> {
  if (process.platform === 'win32' && process.env.VSS_SESSION_EMULATOR !== '1') return { kind: 'windows' };
  const paths = pathsFor();
  await ensureListening(paths);
  return { kind: 'emulator', socket: paths.socket };
}
