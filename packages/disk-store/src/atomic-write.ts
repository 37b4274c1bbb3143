import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import { errnoCode, ioError, ioError2 } from "./io-error.js";
import { OPEN_FLAGS, sys } from "./sys/index.js";
import { join } from "./sys/path.js";

/** How {@link atomicWrite} gives the new content its name. */
export interface AtomicWriteOptions {
  /** Permission bits of a newly created file (the process umask applies, as for upstream's files). */
  readonly mode: number;
  /**
   * `true`: publish with `link(2)`, which never replaces an existing name; the write then reports
   * false when the name exists (the `O_EXCL` semantics of a reservation). `false`: publish with
   * `rename(2)`, which replaces whatever the name held, atomically for every reader.
   */
  readonly exclusive: boolean;
  /**
   * `fsync(2)` the content before it gets its name, so that after a power loss the name never points at
   * missing or partial content. The directory itself is not synced (see the README's crash safety).
   */
  readonly fsync: boolean;
}

// Temp names are `.<name>.tmp-<pid>-<n>`: a leading dot keeps upstream (which only ever parses
// top-level names as addresses) and our own scans away from them, and pid plus a per-process counter
// keep two writers apart. A kill can leave one behind; GC and fsck remove them by this pattern.
const TEMP_NAME = /^\..+\.tmp-\d+-\d+$/s;
let tempCounter = 0;

// A stale temp file with our name can exist when a killed process had the same pid; try a few more.
const MAX_TEMP_ATTEMPTS = 100;

/** True when `name` has the form of a temp file written by {@link atomicWrite}: `.<name>.tmp-<pid>-<n>`. */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Writes `data` to `<dir>/<name>` so that a reader (or a crash) sees either no new content or all of
 * it: the bytes go to a temp file `.<name>.tmp-<pid>-<n>` in `dir` itself (same file system, so the
 * link or rename cannot cross devices), are optionally synced, then the temp file is published under
 * `name` with `link(2)` or `rename(2)` (see {@link AtomicWriteOptions.exclusive}) and removed.
 *
 * Neither call follows a symbolic link at `<dir>/<name>`: `link` fails on any existing name, `rename`
 * replaces the link itself. The temp file is removed on every path except a kill of the process.
 *
 * Resolves true when the content was published, false only for an exclusive write whose name exists.
 * Rejects with CniError 5 (I/O failure, message naming the call and the file) when the temp file cannot
 * be created, written or synced, or the link or rename fails for any other reason (full disk, read-only
 * file system, permission); with CniError 999 when `name` is not a plain file name.
 */
export async function atomicWrite(
  dir: string,
  name: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions,
): Promise<boolean> {
  if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0")) {
    throw new CniError(CNI_ERROR_CODES.Internal, `atomicWrite: "${name}" is not a file name`);
  }
  const target = join(dir, name);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const temp = writeTempFile(dir, name, bytes, options);

  if (options.exclusive) {
    try {
      sys.link(temp, target);
    } catch (err) {
      removeQuietly(temp);
      if (errnoCode(err) === "EEXIST") return false;
      throw ioError2("link", temp, target, err);
    }
    try {
      sys.unlink(temp);
    } catch (err) {
      // Both names point at the same file; leave neither, so a failed write never holds an address.
      removeQuietly(target);
      throw ioError("remove", temp, err);
    }
    return true;
  }

  try {
    sys.rename(temp, target);
  } catch (err) {
    removeQuietly(temp);
    throw ioError2("rename", temp, target, err);
  }
  return true;
}

/** Creates, fills, optionally syncs and closes a fresh temp file in `dir`; returns its path. */
function writeTempFile(dir: string, name: string, bytes: Uint8Array, options: AtomicWriteOptions): string {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = OPEN_FLAGS;
  let fd: number | undefined;
  let temp = "";
  for (let attempt = 0; fd === undefined; attempt++) {
    temp = join(dir, `.${name}.tmp-${process.pid}-${tempCounter++}`);
    try {
      fd = sys.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, options.mode);
    } catch (err) {
      if (errnoCode(err) !== "EEXIST" || attempt + 1 >= MAX_TEMP_ATTEMPTS) throw ioError("open", temp, err);
    }
  }

  let op = "write";
  try {
    for (let off = 0; off < bytes.length; ) off += sys.write(fd, bytes, off, bytes.length - off);
    if (options.fsync) {
      op = "sync";
      sys.fsync(fd);
    }
  } catch (err) {
    closeQuietly(fd);
    removeQuietly(temp);
    throw ioError(op, temp, err);
  }
  try {
    sys.close(fd);
  } catch (err) {
    // close(2) can report a deferred write error (NFS, quota): the content may be incomplete.
    removeQuietly(temp);
    throw ioError("close", temp, err);
  }
  return temp;
}

// Clean-up after a failure that is already being reported: its own failure must not replace the
// original error, and there is nothing more useful to do with it.
function removeQuietly(path: string): void {
  try {
    sys.unlink(path);
  } catch {
    // Deliberately ignored, see above.
  }
}

function closeQuietly(fd: number): void {
  try {
    sys.close(fd);
  } catch {
    // Deliberately ignored: the write error being reported matters more.
  }
}
