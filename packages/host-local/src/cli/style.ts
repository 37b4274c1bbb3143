import type { CliIo } from "./io.js";

/** Text decorations for people reading a terminal; every function is the identity when colors are off. */
export interface Style {
  /** True when the functions below add ANSI escapes. */
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const ESC = "\u001b[";

function sgr(on: number, off: number): (s: string) => string {
  return (s) => `${ESC}${on}m${s}${ESC}${off}m`;
}

const identity = (s: string): string => s;

/**
 * The style for `io`: colors only when stdout is a terminal, `NO_COLOR` is not set (set at all, even to
 * the empty string: the operator asked for none) and `TERM` is not `dumb`. JSON output never uses it.
 * Never throws.
 */
export function createStyle(io: Pick<CliIo, "isTty" | "env">): Style {
  const enabled = io.isTty && io.env.NO_COLOR === undefined && io.env.TERM !== "dumb";
  if (!enabled) {
    return { enabled, bold: identity, dim: identity, red: identity, green: identity, yellow: identity };
  }
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
  };
}
