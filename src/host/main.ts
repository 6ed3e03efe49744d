import { signalExitCode } from '../exit-codes';
import { sessionHome } from '../paths';
import { ExposureStore } from '../exposures';
import { RecordStore } from '../records';
import { Interop } from '../requester/interop';
import { resolveService } from '../requester/service';
import { startHost } from './server';

/**
 * `vss-session host`: JSON-RPC on stdin/stdout, logs on stderr only. The session ends cleanly on stdin EOF
 * and on SIGTERM, SIGINT and SIGHUP, so a PowerShell that exits or is killed never leaves a backup open.
 */
export async function runHost(): Promise<void> {
  console.log = console.error; // stdout carries protocol only
  let service: ReturnType<typeof resolveService> | null = null;
  let exitCode = 0;
  const host = startHost(process.stdin, process.stdout, {
    interop: new Interop(),
    service: () => (service ??= resolveService()),
    records: new RecordStore(sessionHome()),
    exposures: new ExposureStore(sessionHome()),
    onEnd: () => exitAfterFlush(exitCode),
  });
  const onSignal = (signal: NodeJS.Signals) => {
    exitCode = signalExitCode(signal);
    void host.shutdown().finally(() => exitAfterFlush(exitCode));
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, onSignal);
}

function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}
