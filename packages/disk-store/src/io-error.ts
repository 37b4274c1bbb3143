import { CNI_ERROR_CODES, CniError, isCniError } from "@cni-ts/types";

// The C library's texts for the errors a data dir can produce, as Go prints them (`syscall.Errno`
// uses glibc's table with a lower-case first letter). Node's own messages follow libuv's table, which
// differs in places (ELOOP) and always carries the errno name and the call, so we never print them.
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EAGAIN: "resource temporarily unavailable",
  EBADF: "bad file descriptor",
  EBUSY: "device or resource busy",
  EDQUOT: "disk quota exceeded",
  EEXIST: "file exists",
  EINTR: "interrupted system call",
  EINVAL: "invalid argument",
  EIO: "input/output error",
  EISDIR: "is a directory",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  EMLINK: "too many links",
  ENAMETOOLONG: "file name too long",
  ENFILE: "too many open files in system",
  ENOENT: "no such file or directory",
  ENOLCK: "no locks available",
  ENOMEM: "cannot allocate memory",
  ENOSPC: "no space left on device",
  ENOTDIR: "not a directory",
  ENOTSUP: "operation not supported",
  EOPNOTSUPP: "operation not supported",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EXDEV: "invalid cross-device link",
  // Not an errno: Node and Bun refuse a path holding a NUL byte before any system call. Go's kernel
  // call fails with EINVAL for the same path, so upstream prints this text.
  ERR_INVALID_ARG_VALUE: "invalid argument",
};

/** The errno name (`ENOSPC`) of a Node fs error, or undefined for anything else. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** The C library's text for an errno name, falling back to the name itself. */
export function describeErrno(code: string | undefined): string {
  if (code === undefined) return "unknown error";
  return ERRNO_TEXT[code] ?? code;
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
