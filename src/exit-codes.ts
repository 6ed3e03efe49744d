// The executable's exit codes, decided here only.
export const ExitCode = {
  ok: 0,
  /** A VSS call failed (the message names the VSS error). */
  vssError: 1,
  /** The command line was wrong. */
  usage: 2,
  /** The emulated service could not be reached or started. */
  emulatorUnavailable: 3,
  /** An unexpected internal failure. */
  internal: 70,
} as const;
