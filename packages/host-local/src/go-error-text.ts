/**
 * Go-style text for operating-system errors, so messages that upstream builds from a Go `*os.PathError`
 * (`open /etc/x: no such file or directory`) read the same here instead of leaking Node's wording
 * (`ENOENT: no such file or directory, open '/etc/x'`). The errno table lives in `@cni-ts/types`,
 * shared with the disk store.
 */
import { errnoCode, goErrnoText } from "@cni-ts/types";

export { errnoCode };

interface NodeSystemError {
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
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
  let reason = goErrnoText(code);
  if (reason === undefined) {
    // Node's text is "<CODE>: <description>, <syscall> '<path>'": keep only the description.
    const message = typeof e.message === "string" ? e.message : String(err);
    const match = /^[A-Z0-9_]+: (.*?), [a-z_]+(?: '.*')?$/s.exec(message);
    reason = match?.[1] ?? (code === undefined ? "unknown error" : code.toLowerCase());
  }
  return `${syscall} ${path}: ${reason}`;
}
