/**
 * The hook for the operator command line. `bin.ts` imports this module dynamically, and only when
 * {@link isOperatorInvocation} holds, so nothing of the command line loads on the plugin path.
 */
import { ABOUT } from "./version.js";

/** What the operator command line may touch: injected, so it can be tested without a process. */
export interface OperatorIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (colours, tables). */
  isTty: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs the operator command line with `argv` (the arguments after the executable name) and resolves
 * to the exit code. Until the command line exists, it prints a one-line usage note and succeeds.
 * Never throws.
 */
export async function runOperator(_argv: readonly string[], io: OperatorIo): Promise<number> {
  io.stdout(
    `${ABOUT}: run by a container runtime with CNI_COMMAND set (no operator commands in this build)\n`,
  );
  return 0;
}
