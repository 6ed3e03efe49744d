import { signalExitCode } from '../exit-codes';
import { sessionHome } from '../paths';
import { ExposureStore } from '../exposures';
import { RecordStore } from '../records';
import { Interop } from '../requester/interop';
import { resolveService } from '../service';
import { startHost } from './server';

/**
 * `vss-session host`: JSON-RPC on stdin/stdout, logs on stderr only. The session ends cleanly on stdin EOF
 * and on SIGTERM, SIGINT and SIGHUP, so a PowerShell that exits or is killed never leaves a backup open.
 */
export async function runHost(): Promise<void> {
  console.log = console.error; // stdout carries protocol only
  let exitCode = 0;
  const interop = new Interop();
  // The first lookup is made early (below) and taken by the first request; every later one looks again, so a
  // service that was stopped or killed meanwhile is started again, as on first use.
  let early: ReturnType<typeof resolveService> | null = null;
  const serviceOf = () => {
    const found = early ?? resolveService();
    early = null;
    return found;
  };
  const host = startHost(process.stdin, process.stdout, {
    interop,
    service: serviceOf,
    records: new RecordStore(sessionHome()),
    exposures: new ExposureStore(sessionHome()),
    onEnd: () => exitAfterFlush(exitCode),
  });
  const onSignal = (signal: NodeJS.Signals) => {
    exitCode = signalExitCode(signal);
    void host.shutdown().finally(() => exitAfterFlush(exitCode));
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, onSignal);
  // Every request of a host goes to the VSS service through .NET, so both are readied before the first one is read,
  // overlapping: the emulated service's status check is on the wire (answered by the service meanwhile) while .NET
  // loads, which holds this thread. A failure of either is reported by the first request that needs it.
  early = resolveService();
  early.catch(() => undefined);
  setImmediate(() => interop.prepare());
}

function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}
