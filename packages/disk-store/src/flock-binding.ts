/**
 * The native `flock(2)` as this package calls it, whichever FFI provides it. Node has no flock of its
 * own; Bun's FFI and koffi each supply one (decisions.md, "Packages and dependencies").
 */
export interface FlockBinding {
  /** Calls `flock(fd, op)` once; resolves to 0 on success, else the errno it failed with. */
  flock(fd: number, op: number): number;
  /**
   * Calls `flock(fd, op)` for a blocking `op` off the JavaScript thread, where the FFI can (koffi runs
   * it on a worker thread). Resolves to the call's return value (0 or -1); the errno of a worker
   * thread is not available, so a caller retries a failure with {@link FlockBinding.flock}.
   */
  flockAsync?(fd: number, op: number): Promise<number>;
}

// <sys/file.h> operation bits; the same values on every Linux architecture.
/** `flock(2)` operation: take a shared lock. */
export const LOCK_SH = 1;
/** `flock(2)` operation: take an exclusive lock. */
export const LOCK_EX = 2;
/** `flock(2)` flag: fail with EWOULDBLOCK instead of waiting. */
export const LOCK_NB = 4;
/** `flock(2)` operation: release the lock. */
export const LOCK_UN = 8;

/** The shared object providing flock(2) on glibc systems (what upstream's Go binary links against). */
export const LIBC = "libc.so.6";
