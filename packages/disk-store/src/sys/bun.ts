// The store's system calls in Bun (the compiled plugin): libc's own functions through bun:ffi, one
// dlopen for all of them, flock(2) included. Errors get the errno names Node uses, so the rest of the
// store handles both implementations alike.
import { errnoName, goErrnoText } from "@cni-ts/types";
import { LIBC } from "../flock-binding.js";
import type { DirEntry, FileStat, Sys } from "./api.js";

/** A pointer as bun:ffi passes it: a number, or null for NULL. */
type Pointer = number | null;

/** The part of `bun:ffi` used here. */
interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { readonly args: readonly string[]; readonly returns: string }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown> };
  read: { u8(ptr: number, byteOffset: number): number };
  toArrayBuffer(ptr: number, byteOffset: number, byteLength: number): ArrayBuffer;
  CString: new (ptr: number, byteOffset: number) => { toString(): string };
}

function isBunFfi(value: unknown): value is BunFfi {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Record<keyof BunFfi, unknown>>;
  return (
    typeof v.dlopen === "function" &&
    typeof v.toArrayBuffer === "function" &&
    typeof v.CString === "function" &&
    typeof v.read === "object" &&
    v.read !== null
  );
}

const EINTR = 4;
// O_CLOEXEC is the same on every Linux architecture.
const O_CLOEXEC = 0o2000000;
const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_EMPTY_PATH = 0x1000;
const STATX_BASIC_STATS = 0x7ff;
const STATX_SIZE = 256;
// PATH_MAX plus the terminating NUL, in UTF-8 bytes.
const PATH_BUFFER_BYTES = 4097;
// What fstat passes as the path (statx on the descriptor itself, AT_EMPTY_PATH).
const EMPTY_PATH = new Uint8Array(1);
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
// dirent64: d_ino (8 bytes), d_off (8), d_reclen (2), d_type (1), then the name.
const DIRENT_TYPE_OFFSET = 18;
const DIRENT_NAME_OFFSET = 19;
const DT_UNKNOWN = 0;
const DT_DIR = 4;
const DT_REG = 8;
const DT_LNK = 10;

const SYMBOLS = {
  open: { args: ["ptr", "i32", "u32"], returns: "i32" },
  close: { args: ["i32"], returns: "i32" },
  read: { args: ["i32", "ptr", "u64"], returns: "i32" },
  write: { args: ["i32", "ptr", "u64"], returns: "i32" },
  pwrite: { args: ["i32", "ptr", "u64", "i64"], returns: "i32" },
  fsync: { args: ["i32"], returns: "i32" },
  statx: { args: ["i32", "ptr", "i32", "u32", "ptr"], returns: "i32" },
  opendir: { args: ["ptr"], returns: "ptr" },
  readdir: { args: ["ptr"], returns: "ptr" },
  closedir: { args: ["ptr"], returns: "i32" },
  mkdir: { args: ["ptr", "u32"], returns: "i32" },
  rmdir: { args: ["ptr"], returns: "i32" },
  link: { args: ["ptr", "ptr"], returns: "i32" },
  rename: { args: ["ptr", "ptr"], returns: "i32" },
  unlink: { args: ["ptr"], returns: "i32" },
  flock: { args: ["i32", "i32"], returns: "i32" },
  __errno_location: { args: [], returns: "ptr" },
} as const;

/** A failed call, shaped like Node's system errors (`code`, negative `errno`, `syscall`, `path`). */
class SysError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  readonly path: string | undefined;

  constructor(errno: number, syscall: string, path?: string) {
    const code = errnoName(errno);
    super(
      `${code}: ${goErrnoText(code) ?? "unknown error"}, ${syscall}${path === undefined ? "" : ` '${path}'`}`,
    );
    this.name = "SysError";
    this.code = code;
    this.errno = -errno;
    this.syscall = syscall;
    this.path = path;
  }
}

/**
 * A stat result. The numbers are copied out of the statx buffer when it is made; the bigint fields
 * are built only when read (most callers only ask for the type, and bigint arithmetic is slow in a
 * one-shot process).
 */
class Stat implements FileStat {
  readonly #mode: number;
  readonly #devMajor: number;
  readonly #devMinor: number;
  /** The inode number's high and low 32 bits. */
  readonly #ino: readonly [number, number];
  readonly #mtime: readonly [number, number];
  readonly #ctime: readonly [number, number];
  readonly #size: number;

  constructor(view: DataView) {
    // struct statx: stx_mode (u16) at 28, stx_ino at 32, stx_size at 40, stx_ctime at 96 and
    // stx_mtime at 112 (i64 seconds, u32 nanoseconds), stx_dev_major and stx_dev_minor (u32) at 136
    // and 140; little-endian on x64 and arm64.
    this.#mode = view.getUint16(28, true);
    this.#ino = [view.getUint32(36, true), view.getUint32(32, true)];
    this.#ctime = [seconds(view, 96), view.getUint32(104, true)];
    this.#mtime = [seconds(view, 112), view.getUint32(120, true)];
    // A u64, exact as a number below 2^53 bytes.
    this.#size = view.getUint32(40, true) + view.getUint32(44, true) * 2 ** 32;
    this.#devMajor = view.getUint32(136, true);
    this.#devMinor = view.getUint32(140, true);
  }

  get dev(): bigint {
    return makedev(this.#devMajor, this.#devMinor);
  }

  get ino(): bigint {
    return (BigInt(this.#ino[0]) << 32n) | BigInt(this.#ino[1]);
  }

  get mtimeNs(): bigint {
    return nanoseconds(this.#mtime);
  }

  get ctimeNs(): bigint {
    return nanoseconds(this.#ctime);
  }

  get size(): bigint {
    return BigInt(this.#size);
  }

  isFile(): boolean {
    return (this.#mode & S_IFMT) === S_IFREG;
  }

  isDirectory(): boolean {
    return (this.#mode & S_IFMT) === S_IFDIR;
  }

  isSymbolicLink(): boolean {
    return (this.#mode & S_IFMT) === S_IFLNK;
  }
}

class Entry implements DirEntry {
  constructor(
    readonly name: string,
    private readonly type: number,
  ) {}

  isFile(): boolean {
    return this.type === DT_REG;
  }

  isDirectory(): boolean {
    return this.type === DT_DIR;
  }

  isSymbolicLink(): boolean {
    return this.type === DT_LNK;
  }
}

function fileType(st: FileStat): number {
  if (st.isFile()) return DT_REG;
  if (st.isDirectory()) return DT_DIR;
  return st.isSymbolicLink() ? DT_LNK : DT_UNKNOWN;
}

/** A signed 64-bit count of seconds as a number (exact: any real time is far below 2^53). */
function seconds(view: DataView, offset: number): number {
  return view.getUint32(offset, true) + view.getInt32(offset + 4, true) * 2 ** 32;
}

function nanoseconds([seconds, nanos]: readonly [number, number]): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}

/** Node's `dev`: glibc's `makedev(major, minor)`. */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/**
 * {@link Sys} over libc through `ffi` (what `process.getBuiltinModule("bun:ffi")` returns). Throws
 * when `ffi` is not bun:ffi or libc lacks a function.
 */
export function bunSys(ffi: unknown): Sys {
  if (!isBunFfi(ffi)) throw new Error("bun:ffi does not provide dlopen, read, toArrayBuffer and CString");
  const { symbols } = ffi.dlopen(LIBC, SYMBOLS);
  const fn = (name: keyof typeof SYMBOLS): ((...args: unknown[]) => unknown) => {
    const f = symbols[name];
    if (f === undefined) throw new Error(`${LIBC} lacks ${name}`);
    return f;
  };
  const c = {
    open: fn("open"),
    close: fn("close"),
    read: fn("read"),
    write: fn("write"),
    pwrite: fn("pwrite"),
    fsync: fn("fsync"),
    statx: fn("statx"),
    opendir: fn("opendir"),
    readdir: fn("readdir"),
    closedir: fn("closedir"),
    mkdir: fn("mkdir"),
    rmdir: fn("rmdir"),
    link: fn("link"),
    rename: fn("rename"),
    unlink: fn("unlink"),
    flock: fn("flock"),
  };
  // errno lives at a fixed address for the thread (the only one that calls): read it, and zero it
  // before readdir(3), whose NULL means either "no more entries" or an error.
  const errnoCell = new Int32Array(ffi.toArrayBuffer(fn("__errno_location")() as number, 0, 4));
  const errno = (): number => errnoCell[0] ?? 0;
  const statBuffer = new Uint8Array(STATX_SIZE);
  const statView = new DataView(statBuffer.buffer);
  const encoder = new TextEncoder();
  // Two reused buffers for NUL-terminated paths (link and rename take two); a path that does not
  // fit gets its own.
  const pathBuffers = [new Uint8Array(PATH_BUFFER_BYTES), new Uint8Array(PATH_BUFFER_BYTES)] as const;

  const cPath = (path: string, syscall: string, slot: 0 | 1 = 0): Uint8Array => {
    // Node refuses such a path before any call, with this code; Go's call fails with EINVAL.
    if (path.includes("\0")) {
      throw Object.assign(new Error(`path for ${syscall} must not contain null bytes`), {
        code: "ERR_INVALID_ARG_VALUE",
      });
    }
    const buffer = pathBuffers[slot];
    const { read, written } = encoder.encodeInto(path, buffer);
    if (read !== path.length || written >= buffer.length) return encoder.encode(`${path}\0`);
    buffer[written] = 0;
    return buffer;
  };

  /** After a call returned -1: returns when it was interrupted (retry), throws otherwise. */
  const interrupted = (syscall: string, path?: string): void => {
    const code = errno();
    if (code !== EINTR) throw new SysError(code, syscall, path);
  };

  const statx = (dirfd: number, name: Uint8Array, flags: number, syscall: string, path?: string): Stat => {
    while ((c.statx(dirfd, name, flags, STATX_BASIC_STATS, statBuffer) as number) === -1) {
      interrupted(syscall, path);
    }
    return new Stat(statView);
  };

  const ifExists = (stat: () => Stat): Stat | undefined => {
    try {
      return stat();
    } catch (err) {
      if (err instanceof SysError && err.code === "ENOENT") return undefined;
      throw err;
    }
  };

  const lstat = (path: string): Stat =>
    statx(AT_FDCWD, cPath(path, "lstat"), AT_SYMLINK_NOFOLLOW, "lstat", path);
  const stat = (path: string): Stat => statx(AT_FDCWD, cPath(path, "stat"), 0, "stat", path);

  /** Runs a call on one or two paths until it is not interrupted; throws for -1. */
  const onPaths = (
    call: (typeof c)[keyof typeof c],
    syscall: string,
    path: string,
    second?: string | number,
  ): void => {
    const name = cPath(path, syscall);
    const other = typeof second === "string" ? cPath(second, syscall, 1) : second;
    while ((call(name, other) as number) === -1) interrupted(syscall, path);
  };

  return {
    open(path, flags, mode = 0o666) {
      const name = cPath(path, "open");
      // Close-on-exec, as Node and Bun open every file: a plugin that execs must not leak the lock.
      for (;;) {
        const fd = c.open(name, flags | O_CLOEXEC, mode) as number;
        if (fd !== -1) return fd;
        interrupted("open", path);
      }
    },
    close(fd) {
      // close(2) is not retried after EINTR on Linux: the descriptor is gone either way.
      if ((c.close(fd) as number) === -1 && errno() !== EINTR) throw new SysError(errno(), "close");
    },
    read(fd, buffer, offset, length) {
      const part =
        offset === 0 && length === buffer.length ? buffer : buffer.subarray(offset, offset + length);
      for (;;) {
        const count = c.read(fd, part, length) as number;
        if (count !== -1) return count;
        interrupted("read");
      }
    },
    write(fd, buffer, offset, length, position) {
      const part =
        offset === 0 && length === buffer.length ? buffer : buffer.subarray(offset, offset + length);
      for (;;) {
        const count = (
          position === undefined ? c.write(fd, part, length) : c.pwrite(fd, part, length, position)
        ) as number;
        if (count !== -1) return count;
        interrupted("write");
      }
    },
    fsync(fd) {
      while ((c.fsync(fd) as number) === -1) interrupted("fsync");
    },
    fstat: (fd) => statx(fd, EMPTY_PATH, AT_EMPTY_PATH, "fstat"),
    stat,
    lstat,
    statIfExists: (path) => ifExists(() => stat(path)),
    lstatIfExists: (path) => ifExists(() => lstat(path)),
    readdir(path) {
      const name = cPath(path, "scandir");
      let dir = c.opendir(name) as Pointer;
      while (dir === null || dir === 0) {
        interrupted("scandir", path);
        dir = c.opendir(name) as Pointer;
      }
      const entries: Entry[] = [];
      try {
        for (;;) {
          errnoCell[0] = 0;
          const entry = c.readdir(dir) as Pointer;
          if (entry === null || entry === 0) {
            if (errno() !== 0) throw new SysError(errno(), "scandir", path);
            break;
          }
          const entryName = new ffi.CString(entry, DIRENT_NAME_OFFSET).toString();
          if (entryName === "." || entryName === "..") continue;
          let type = ffi.read.u8(entry, DIRENT_TYPE_OFFSET);
          // Some file systems leave the type out; Node then asks lstat, and so does this.
          if (type === DT_UNKNOWN) type = fileType(lstat(`${path}/${entryName}`));
          entries.push(new Entry(entryName, type));
        }
      } finally {
        c.closedir(dir);
      }
      return entries;
    },
    mkdir: (path, mode) => onPaths(c.mkdir, "mkdir", path, mode),
    rmdir: (path) => onPaths(c.rmdir, "rmdir", path),
    link: (existingPath, newPath) => onPaths(c.link, "link", existingPath, newPath),
    rename: (oldPath, newPath) => onPaths(c.rename, "rename", oldPath, newPath),
    unlink: (path) => onPaths(c.unlink, "unlink", path),
    flock: (fd, operation) => ((c.flock(fd, operation) as number) === 0 ? 0 : errno()),
  };
}
