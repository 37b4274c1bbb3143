/**
 * Go's wording of operating-system errors. Upstream's messages embed Go's `syscall.Errno` texts
 * (glibc's table, lower-case first letter: `open /x: no such file or directory`); Node's and Bun's own
 * messages follow libuv's table, which differs in places (ELOOP) and always carries the errno name and
 * the call. Every package that words an I/O failure the way upstream does takes the text from here,
 * and packages that make system calls themselves (through an FFI) name the errno with
 * {@link errnoName}. Pure data, no I/O.
 */

const GO_ERRNO_TEXT: Readonly<Record<string, string>> = {
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
  EMLINK: "too many links",
  ENAMETOOLONG: "file name too long",
  ENFILE: "too many open files in system",
  ENODEV: "no such device",
  ENOENT: "no such file or directory",
  ENOLCK: "no locks available",
  ENOMEM: "cannot allocate memory",
  ENOSPC: "no space left on device",
  ENOTEMPTY: "directory not empty",
  ENOTDIR: "not a directory",
  ENOTSUP: "operation not supported",
  ENXIO: "no such device or address",
  EOPNOTSUPP: "operation not supported",
  EOVERFLOW: "value too large for defined data type",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ETXTBSY: "text file busy",
  EXDEV: "invalid cross-device link",
  // Not an errno: Node and Bun refuse a path holding a NUL byte before any system call. Go's call fails
  // with EINVAL for the same path, so upstream prints this text.
  ERR_INVALID_ARG_VALUE: "invalid argument",
};

/**
 * Go's text for an errno name (`ENOENT` → `no such file or directory`), or undefined when the table
 * does not know it. Never throws.
 */
export function goErrnoText(code: string | undefined): string | undefined {
  return code === undefined ? undefined : GO_ERRNO_TEXT[code];
}

/** The errno name (`ENOSPC`, ...) of a Node or Bun system error, or undefined for anything else. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

// Linux errno numbers (the generic table, which x86-64 and arm64 share) for the errors file-system
// calls produce, so an errno read through an FFI gets the same name Node and Bun give it.
const ERRNO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "EPERM"],
  [2, "ENOENT"],
  [4, "EINTR"],
  [5, "EIO"],
  [6, "ENXIO"],
  [9, "EBADF"],
  [11, "EAGAIN"],
  [12, "ENOMEM"],
  [13, "EACCES"],
  [14, "EFAULT"],
  [16, "EBUSY"],
  [17, "EEXIST"],
  [18, "EXDEV"],
  [19, "ENODEV"],
  [20, "ENOTDIR"],
  [21, "EISDIR"],
  [22, "EINVAL"],
  [23, "ENFILE"],
  [24, "EMFILE"],
  [26, "ETXTBSY"],
  [27, "EFBIG"],
  [28, "ENOSPC"],
  [30, "EROFS"],
  [31, "EMLINK"],
  [36, "ENAMETOOLONG"],
  [37, "ENOLCK"],
  [39, "ENOTEMPTY"],
  [40, "ELOOP"],
  [75, "EOVERFLOW"],
  [95, "EOPNOTSUPP"],
  [122, "EDQUOT"],
]);

/**
 * The name of Linux errno `errno` (`2` → `ENOENT`), or `E<number>` for one this table does not know.
 * Never throws.
 */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}
