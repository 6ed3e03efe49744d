// The executable's exit codes, decided here only: this table is the code's source and `--help`'s.
import { constants } from 'node:os';

export const exitCodeTable = [
  { name: 'ok', code: 0, description: 'Success (backup --exec: the backup was completed).' },
  { name: 'vssError', code: 1, description: 'A VSS call failed (the message names the VSS error).' },
  { name: 'usage', code: 2, description: 'The command line was wrong.' },
  { name: 'emulatorUnavailable', code: 3, description: 'The emulated service could not be reached or started.' },
  { name: 'runtimeUnavailable', code: 4, description: 'The .NET runtime is missing or damaged (Windows: the one shipped in the package; Linux: .NET 10 with dotnet on PATH); the message names the file and the fix.' },
  { name: 'internal', code: 70, description: 'An unexpected internal failure.' },
  { name: 'execNotStarted', code: 127, description: 'backup --exec: the command could not be started; the backup was aborted and released.' },
  { name: 'interrupted', code: 130, description: 'SIGINT (Ctrl+C): the --exec command got it too; the backup was aborted and released.' },
  { name: 'terminated', code: 143, description: 'SIGTERM: the --exec command got it too; the backup was aborted and released.' },
] as const;

type Entry = (typeof exitCodeTable)[number];
export const ExitCode = Object.fromEntries(exitCodeTable.map((e) => [e.name, e.code])) as { readonly [E in Entry as E['name']]: E['code'] };

/** What the table cannot list one by one. */
export const exitCodeNotes = [
  "backup --exec passes the command's own exit code through (128+n if signal n killed it); BackupComplete is sent only if it is 0.",
] as const;

/** The exit code of a process ended by a signal: 128 + its number (SIGTERM: 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** The table as `--help` shows it. */
export function exitCodeHelp(): string {
  const width = Math.max(...exitCodeTable.map((e) => String(e.code).length));
  return ['Exit codes:', ...exitCodeTable.map((e) => `  ${String(e.code).padStart(width)}  ${e.description}`), ...exitCodeNotes.map((n) => `  ${n}`)].join('\n');
}
