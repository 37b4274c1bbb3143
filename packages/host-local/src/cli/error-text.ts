import { isCniError } from "@cni-ts/types";
import { errnoCode, goPathErrorText } from "../go-error-text.js";

/**
 * One line about a failure, for an operator: a CniError's text (already free of raw third-party
 * messages); an errno error as Go words it (`remove /x: permission denied`) when the path and
 * operation are known; anything else as an internal error. Never a stack trace. Never throws.
 */
export function errorText(err: unknown, where?: { path: string; op: string }): string {
  if (isCniError(err)) return err.message;
  if (where !== undefined && errnoCode(err) !== undefined) return goPathErrorText(err, where.path, where.op);
  return "internal error (this is a bug in cni-ts; please report it)";
}
