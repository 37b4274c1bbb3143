// The system calls the store makes, as one small synchronous interface with two implementations:
// node:fs on Node (./node.ts), and libc through bun:ffi in Bun and the compiled plugin (./bun.ts).
//
// Why not node:fs everywhere: in the compiled plugin, loading node:fs and the native code behind its
// first calls cost about 1.8 ms of a call that is otherwise 5 ms of runtime start-up and a handful of
// system calls (measured as wall time of two otherwise identical compiled programs, 60 interleaved
// runs each). The plugin needs flock(2) from bun:ffi anyway, so the other calls come from the same
// library.

/** What a stat of a path or descriptor reports (what the store looks at, nothing more). */
export interface FileStat {
  /** Device of the file system, as Node spells it (`makedev(major, minor)`). */
  readonly dev: bigint;
  readonly ino: bigint;
  /** Last modification of the content (of the entries, for a directory), in nanoseconds. */
  readonly mtimeNs: bigint;
  /** Last change of the inode, in nanoseconds. */
  readonly ctimeNs: bigint;
  /** Size in bytes (of the content, for a regular file). */
  readonly size: bigint;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** One entry of a directory listing. */
export interface DirEntry {
  readonly name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * The calls, each the system call of the same name. A failure throws an `Error` whose `code` is the
 * errno name (`ENOENT`, ...), as Node's errors have it, so `errnoCode` reads both alike; `EINTR` is
 * retried, never thrown.
 */
export interface Sys {
  /** open(2) with `flags` from {@link OPEN_FLAGS}; always close-on-exec. Returns the descriptor. */
  open(path: string, flags: number, mode?: number): number;
  close(fd: number): void;
  /** read(2) into `buffer[offset, offset + length)`; returns the count, 0 at end of file. */
  read(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** write(2), or pwrite(2) at `position`, of `buffer[offset, offset + length)`; returns the count. */
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position?: number): number;
  fsync(fd: number): void;
  fstat(fd: number): FileStat;
  stat(path: string): FileStat;
  lstat(path: string): FileStat;
  /** {@link Sys.stat}, or undefined for `ENOENT` (as Node's `throwIfNoEntry: false`). */
  statIfExists(path: string): FileStat | undefined;
  /** {@link Sys.lstat}, or undefined for `ENOENT`. */
  lstatIfExists(path: string): FileStat | undefined;
  /** The entries of a directory other than `.` and `..`, in no particular order. */
  readdir(path: string): DirEntry[];
  mkdir(path: string, mode: number): void;
  rmdir(path: string): void;
  link(existingPath: string, newPath: string): void;
  rename(oldPath: string, newPath: string): void;
  unlink(path: string): void;
  /**
   * flock(2) on `fd`: 0 on success, else the errno (not thrown: the lock code decides what a
   * failure means). Undefined where this implementation has no way to call it (Node: the store loads
   * koffi instead).
   */
  readonly flock: ((fd: number, operation: number) => number) | undefined;
}

/** open(2) flags the store uses, for the architecture this runs on (the values differ on arm64). */
export interface OpenFlags {
  readonly O_RDONLY: number;
  readonly O_WRONLY: number;
  readonly O_CREAT: number;
  readonly O_EXCL: number;
  readonly O_NONBLOCK: number;
  readonly O_DIRECTORY: number;
  readonly O_NOFOLLOW: number;
  readonly O_CLOEXEC: number;
}

const GENERIC_FLAGS = {
  O_RDONLY: 0,
  O_WRONLY: 0o1,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_NONBLOCK: 0o4000,
  O_DIRECTORY: 0o200000,
  O_NOFOLLOW: 0o400000,
  O_CLOEXEC: 0o2000000,
} as const satisfies OpenFlags;

/**
 * The Linux open(2) flags of this process's architecture: the generic values (x64, which the plugin is
 * built for), and arm64's two different ones. A test holds them to Node's `fs.constants`.
 */
export const OPEN_FLAGS: OpenFlags =
  process.arch === "arm64" ? { ...GENERIC_FLAGS, O_DIRECTORY: 0o40000, O_NOFOLLOW: 0o100000 } : GENERIC_FLAGS;
