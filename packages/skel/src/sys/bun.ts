// skel's system calls in Bun and compiled plugins: libc's read, write and statx through bun:ffi.
// Errors carry the errno names Node gives them, so the callers treat both implementations alike.
import { errnoName, goErrnoText } from "@cni-ts/types";
import type { PluginSys } from "./api.js";

/** The part of `bun:ffi` used here. */
interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { readonly args: readonly string[]; readonly returns: string }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown> };
  toArrayBuffer(ptr: number, byteOffset: number, byteLength: number): ArrayBuffer;
}

function isBunFfi(value: unknown): value is BunFfi {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Record<keyof BunFfi, unknown>>;
  return typeof v.dlopen === "function" && typeof v.toArrayBuffer === "function";
}

const EINTR = 4;
const AT_FDCWD = -100;
const STATX_INO = 0x100;
const STATX_SIZE = 256;

const SYMBOLS = {
  read: { args: ["i32", "ptr", "u64"], returns: "i32" },
  write: { args: ["i32", "ptr", "u64"], returns: "i32" },
  statx: { args: ["i32", "ptr", "i32", "u32", "ptr"], returns: "i32" },
  __errno_location: { args: [], returns: "ptr" },
} as const;

function systemError(errno: number, syscall: string): Error {
  const code = errnoName(errno);
  return Object.assign(new Error(`${code}: ${goErrnoText(code) ?? "unknown error"}, ${syscall}`), {
    code,
    errno: -errno,
    syscall,
  });
}

/**
 * {@link PluginSys} over libc through `ffi` (what `process.getBuiltinModule("bun:ffi")` returns).
 * Throws when `ffi` is not bun:ffi or libc lacks one of the functions.
 */
export function bunSys(ffi: unknown): PluginSys {
  if (!isBunFfi(ffi)) throw new Error("bun:ffi does not provide dlopen and toArrayBuffer");
  const { symbols } = ffi.dlopen("libc.so.6", SYMBOLS);
  const { read, write, statx, __errno_location: errnoLocation } = symbols;
  if (read === undefined || write === undefined || statx === undefined || errnoLocation === undefined) {
    throw new Error("libc.so.6 lacks read, write or statx");
  }
  // errno lives at a fixed address for the (only) thread that calls.
  const errnoCell = new Int32Array(ffi.toArrayBuffer(errnoLocation() as number, 0, 4));
  const statBuffer = new Uint8Array(STATX_SIZE);
  const statView = new DataView(statBuffer.buffer);
  const encoder = new TextEncoder();

  const check = (call: () => number, syscall: string): number => {
    for (;;) {
      const result = call();
      if (result !== -1) return result;
      const errno = errnoCell[0] ?? 0;
      if (errno !== EINTR) throw systemError(errno, syscall);
    }
  };

  return {
    read: (fd, buffer, offset, length) =>
      check(() => read(fd, buffer.subarray(offset, offset + length), length) as number, "read"),
    write: (fd, buffer, offset, length) =>
      check(() => write(fd, buffer.subarray(offset, offset + length), length) as number, "write"),
    identify(path) {
      if (path.includes("\0")) {
        throw Object.assign(new Error("path must not contain null bytes"), { code: "ERR_INVALID_ARG_VALUE" });
      }
      const name = encoder.encode(`${path}\0`);
      try {
        check(() => statx(AT_FDCWD, name, 0, STATX_INO, statBuffer) as number, "stat");
      } catch (err) {
        if ((err as { code?: unknown }).code === "ENOENT") return undefined;
        throw err;
      }
      // struct statx: stx_ino at 32, stx_dev_major and stx_dev_minor (u32) at 136 and 140. Node's
      // `dev` is glibc's makedev() of the two.
      const major = BigInt(statView.getUint32(136, true));
      const minor = BigInt(statView.getUint32(140, true));
      const dev =
        ((major & 0xfffff000n) << 32n) |
        ((major & 0xfffn) << 8n) |
        ((minor & 0xffffff00n) << 12n) |
        (minor & 0xffn);
      return { dev, ino: statView.getBigUint64(32, true) };
    },
  };
}
