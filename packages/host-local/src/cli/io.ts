/**
 * What the operator command line reads and writes, injected by `bin.ts` (the process) or by a test
 * (buffers). Nothing in `src/cli/` touches `process.stdout`, `process.stderr` or `process.env` itself.
 */
export interface CliIo {
  /** Writes text to standard output as given (no newline is added). */
  stdout(s: string): void;
  /** Writes text to standard error as given (no newline is added). */
  stderr(s: string): void;
  /** True when standard output is a terminal: the only case in which colors may be used. */
  isTty: boolean;
  /** The environment the command runs in (read only; `NO_COLOR` and `TERM` decide about colors). */
  env: Readonly<Record<string, string | undefined>>;
}
