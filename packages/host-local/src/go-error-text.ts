/**
 * Go-style text for operating-system errors, so messages that upstream builds from a Go `*os.PathError`
 * (`open /etc/x: no such file or directory`) read the same here instead of leaking Node's wording
 * (`ENOENT: no such file or directory, open '/etc/x'`).
 */

// Go's syscall error strings for the errno values a file operation can plausibly hit on Linux.
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EAGAIN: "resource temporarily unavailable",
  EBADF: "bad file descriptor",
  EBUSY: "device or resource busy",
  EDQUOT: "disk quota exceeded",
  EEXIST: "file exists",
  EFAULT: "bad address",
  EFBIG: "file too large",
  EINTR: "interrupted system call",
  EINVAL: "invalid argument",
  EIO: "input/output error",
  EISDIR: "is a directory",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
  ENFILE: "too many open files in system",
  ENODEV: "no such device",
  ENOENT: "no such file or directory",
  ENOMEM: "cannot allocate memory",
  ENOSPC: "no space left on device",
  ENOTDIR: "not a directory",
  ENXIO: "no such device or address",
  EOVERFLOW: "value too large for defined data type",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ETXTBSY: "text file busy",
};

// Codes the JavaScript runtime gives instead of an errno. Node and Bun refuse a path with a NUL byte
// before any system call (ERR_INVALID_ARG_VALUE); Go refuses it as well, with EINVAL.
const RUNTIME_CODE_TEXT: Readonly<Record<string, string>> = {
  ERR_INVALID_ARG_VALUE: "invalid argument",
};

interface NodeSystemError {
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
}

/** The errno name (`ENOENT`, ...) of a Node system error, or undefined for anything else. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as NodeSystemError).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Formats a failed file operation the way Go's `*os.PathError` prints: `<op> <path>: <reason>`.
 *
 * `op` defaults to the system call Node reports (`open`, `read`, ...). The reason is Go's text for the
 * errno (a path with a NUL byte, which the runtime refuses with its own code, reads `invalid argument`
 * as in Go); for an errno not in the table, the description part of Node's message is used (never the
 * whole raw message). Never throws.
 */
export function goPathErrorText(err: unknown, path: string, op?: string): string {
  const e = (typeof err === "object" && err !== null ? err : {}) as NodeSystemError;
  const syscall = op ?? (typeof e.syscall === "string" ? e.syscall : "open");
  const code = errnoCode(err);
  let reason = code === undefined ? undefined : (ERRNO_TEXT[code] ?? RUNTIME_CODE_TEXT[code]);
  if (reason === undefined) {
    // Node's text is "<CODE>: <description>, <syscall> '<path>'": keep only the description.
    const message = typeof e.message === "string" ? e.message : String(err);
    const match = /^[A-Z0-9_]+: (.*?), [a-z_]+(?: '.*')?$/s.exec(message);
    reason = match?.[1] ?? (code === undefined ? "unknown error" : code.toLowerCase());
  }
  return `${syscall} ${path}: ${reason}`;
}
