import { CNI_ERROR_CODES, CniError, errnoCode, goErrnoText, isCniError } from "@cni-ts/types";

export { errnoCode };

/** Go's text for an errno name (from `@cni-ts/types`), falling back to the name itself. */
export function describeErrno(code: string | undefined): string {
  if (code === undefined) return "unknown error";
  return goErrnoText(code) ?? code;
}

/**
 * A CniError with code 5 (I/O failure) for a failed file-system call, worded like Go's `PathError`
 * (`open /var/lib/cni/networks/net/lock: permission denied`) so it reads like upstream's message for
 * the same failure. The original error is kept as `cause`, never printed. A CniError passes through.
 */
export function ioError(op: string, path: string, err: unknown): CniError {
  if (isCniError(err)) return err;
  return new CniError(CNI_ERROR_CODES.IoFailure, `${op} ${path}: ${describeErrno(errnoCode(err))}`, {
    cause: err,
  });
}

/** Like {@link ioError} for calls that name two paths (Go's `LinkError`: `link old new: ...`). */
export function ioError2(op: string, from: string, to: string, err: unknown): CniError {
  if (isCniError(err)) return err;
  return new CniError(CNI_ERROR_CODES.IoFailure, `${op} ${from} ${to}: ${describeErrno(errnoCode(err))}`, {
    cause: err,
  });
}
