import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import { LOCK_FILE_NAME } from "./file-names.js";
import type { FlockBinding } from "./flock-binding.js";
import { LIBC, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN } from "./flock-binding.js";
import { loadKoffiFlock } from "./flock-koffi.js";
import { describeErrno, errnoCode, ioError } from "./io-error.js";
import { isBun, OPEN_FLAGS, sys } from "./sys/index.js";
import { join } from "./sys/path.js";

/** What {@link flockFile} does: take the exclusive or the shared lock, or release it. */
export type FlockOperation = "exclusive" | "shared" | "unlock";

/** Options of {@link flockFile}. */
export interface FlockOptions {
  /**
   * Wait while another open file description holds a conflicting lock (the default, as upstream
   * does, with no timeout). With `false` the call resolves false instead of waiting.
   */
  readonly wait?: boolean;
  /** The file's path, only used to word errors. */
  readonly path?: string;
}

// Linux errno numbers (the same on every architecture the plugin is built for), written out rather
// than read from `node:os`, whose load cost the plugin about 1 ms of start-up in Bun.
const EINTR = 4;
const EWOULDBLOCK = 11;

// Names of the errnos flock(2) and the lock file can produce, for describeErrno's texts. 11 is
// EAGAIN and EWOULDBLOCK alike; Go prints it as EAGAIN's text.
const ERRNO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "EPERM"],
  [2, "ENOENT"],
  [4, "EINTR"],
  [5, "EIO"],
  [9, "EBADF"],
  [11, "EAGAIN"],
  [12, "ENOMEM"],
  [13, "EACCES"],
  [22, "EINVAL"],
  [37, "ENOLCK"],
  [95, "EOPNOTSUPP"],
]);

// A signal can interrupt a blocking flock(2) (EINTR); retrying is the documented response. The bound
// only stops a loop should a binding keep misreporting errno.
const MAX_ATTEMPTS = 1000;

let binding: Promise<FlockBinding> | undefined;

// Bun: the flock(2) the system calls already bound through bun:ffi. Node: koffi, imported only here,
// so it never ends up in the build for Bun.
function loadBinding(): Promise<FlockBinding> {
  if (binding === undefined) {
    const ffi = isBun() ? "bun:ffi" : "koffi";
    const flock = sys.flock;
    const loaded: Promise<FlockBinding> =
      flock !== undefined
        ? Promise.resolve({ flock })
        : isBun()
          ? Promise.reject(new Error(`${LIBC} could not be bound through bun:ffi`))
          : loadKoffiFlock();
    binding = loaded.catch((err: unknown) => {
      binding = undefined;
      throw new CniError(CNI_ERROR_CODES.Internal, `cannot load flock(2) from ${LIBC} through ${ffi}`, {
        cause: err,
      });
    });
  }
  return binding;
}

function flockError(operation: FlockOperation, where: string, errno: number): CniError {
  const name = ERRNO_NAMES.get(errno);
  const verb = operation === "unlock" ? "unlock" : "lock";
  return new CniError(
    CNI_ERROR_CODES.IoFailure,
    `${verb} ${where}: ${describeErrno(name ?? `errno ${errno}`)}`,
  );
}

/**
 * Applies `flock(2)` to the open file descriptor `fd`: takes the exclusive or shared lock, or releases
 * it. The lock belongs to the open file description, so it excludes other processes and other opens
 * of the same file in this process (upstream's Go binary and util-linux `flock` included), and the
 * kernel drops it when the description is closed or the process dies.
 *
 * Waiting: under Node the wait happens on koffi's worker thread, so the event loop keeps running;
 * under Bun the call blocks the thread, which is what the short-lived plugin wants. Interrupted calls
 * (EINTR) are retried.
 *
 * Resolves true when the operation took effect, false only with `wait: false` when another holder
 * has a conflicting lock. Rejects with CniError 5 when flock(2) fails (EBADF, ENOLCK, ...), with
 * CniError 999 when no flock(2) binding can be loaded (koffi missing, no glibc).
 */
export async function flockFile(
  fd: number,
  operation: FlockOperation,
  options: FlockOptions = {},
): Promise<boolean> {
  const ffi = await loadBinding();
  const wait = options.wait ?? true;
  const where = options.path ?? `file descriptor ${fd}`;
  const op = operation === "exclusive" ? LOCK_EX : operation === "shared" ? LOCK_SH : LOCK_UN;
  // Without an off-thread wait (Bun) a blocking call is the wait; otherwise try without blocking
  // first, which is also the only way to learn the errno of a failed wait.
  const blockHere = wait && operation !== "unlock" && ffi.flockAsync === undefined;

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const errno = ffi.flock(fd, blockHere || operation === "unlock" ? op : op | LOCK_NB);
    if (errno === 0) return true;
    if (errno === EINTR) continue;
    if (errno !== EWOULDBLOCK || blockHere || operation === "unlock") {
      throw flockError(operation, where, errno);
    }
    if (!wait) return false;
    if (ffi.flockAsync !== undefined && (await ffi.flockAsync(fd, op)) === 0) return true;
    // The off-thread wait failed (e.g. interrupted): loop, and the next try reports a real error.
  }
  throw flockError(operation, where, EINTR);
}

/** An open lock file; see {@link openFileLock}. */
export interface FileLock {
  /** Path of the lock file itself. */
  readonly path: string;
  /** Takes the exclusive lock, waiting for other holders. Rejects as {@link flockFile} does. */
  lock(): Promise<void>;
  /** Takes the exclusive lock only if nobody holds it; resolves whether it did. */
  tryLock(): Promise<boolean>;
  /** Releases the lock. Rejects as {@link flockFile} does. */
  unlock(): Promise<void>;
  /**
   * Closes the file, which releases the lock if held. Idempotent; every other method rejects with
   * CniError 999 afterwards (the descriptor number may already belong to another file).
   */
  close(): Promise<void>;
}

/**
 * Opens the lock file at `path`, or at `<path>/lock` when `path` is a directory (as upstream's
 * `NewFileLock`), creating it if missing with upstream's flags and mode: read-only, `O_CREAT`, 0750.
 * The file is not locked yet.
 *
 * Rejects with CniError 5 when the file cannot be opened or created (message `open <path>: <reason>`),
 * when it is a symbolic link (never followed) or not a regular file.
 */
export async function openFileLock(path: string): Promise<FileLock> {
  let lockPath = path;
  try {
    if (sys.stat(path).isDirectory()) lockPath = join(path, LOCK_FILE_NAME);
  } catch (err) {
    if (errnoCode(err) !== "ENOENT") throw ioError("stat", path, err);
  }
  const { O_RDONLY, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = OPEN_FLAGS;
  let fd: number;
  try {
    // upstream-compat: O_RDONLY|O_CREAT with mode 0750, exactly the file upstream's binary creates.
    // O_NOFOLLOW refuses a planted symlink; O_NONBLOCK keeps a planted FIFO from hanging the open.
    fd = sys.open(lockPath, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o750);
  } catch (err) {
    throw ioError("open", lockPath, err);
  }
  try {
    if (!sys.fstat(fd).isFile()) {
      throw new CniError(CNI_ERROR_CODES.IoFailure, `lock file ${lockPath} is not a regular file`);
    }
  } catch (err) {
    sys.close(fd);
    throw ioError("stat", lockPath, err);
  }
  return new OpenFileLock(lockPath, fd);
}

class OpenFileLock implements FileLock {
  readonly path: string;
  #fd: number | undefined;

  constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  async lock(): Promise<void> {
    await flockFile(this.#open(), "exclusive", { path: this.path });
  }

  async tryLock(): Promise<boolean> {
    return await flockFile(this.#open(), "exclusive", { path: this.path, wait: false });
  }

  async unlock(): Promise<void> {
    await flockFile(this.#open(), "unlock", { path: this.path });
  }

  async close(): Promise<void> {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    try {
      sys.close(fd);
    } catch (err) {
      throw ioError("close", this.path, err);
    }
  }

  #open(): number {
    if (this.#fd === undefined) {
      throw new CniError(CNI_ERROR_CODES.Internal, `lock file ${this.path} is already closed`);
    }
    return this.#fd;
  }
}
