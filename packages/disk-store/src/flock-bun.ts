import type { FlockBinding } from "./flock-binding.js";
import { LIBC } from "./flock-binding.js";

// The specifier is a plain string variable, not a literal, so bundlers that build this package for
// Node (esbuild) do not try to resolve a Bun built-in; Bun resolves it at run time.
const BUN_FFI: string = "bun:ffi";

/** The part of `bun:ffi` used here. */
interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { args: readonly string[]; returns: string }>,
  ): { symbols: Record<string, (...args: number[]) => number> };
  read: { i32(ptr: number, byteOffset: number): number };
}

function isBunFfi(value: unknown): value is BunFfi {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Record<keyof BunFfi, unknown>>;
  return typeof v.dlopen === "function" && typeof v.read === "object" && v.read !== null;
}

/**
 * Loads flock(2) through `bun:ffi`, for the Bun runtime and the compiled plugin binary. The errno is
 * read through glibc's `__errno_location()` right after the call, on the same thread. Only callable
 * under Bun; rejects (with the loader's error) anywhere else.
 */
export async function loadBunFlock(): Promise<FlockBinding> {
  const ffi: unknown = await import(BUN_FFI);
  if (!isBunFfi(ffi)) throw new Error("bun:ffi does not provide dlopen and read");
  const { symbols } = ffi.dlopen(LIBC, {
    flock: { args: ["i32", "i32"], returns: "i32" },
    __errno_location: { args: [], returns: "ptr" },
  });
  const flock = symbols.flock;
  const errnoLocation = symbols.__errno_location;
  if (flock === undefined || errnoLocation === undefined) throw new Error(`${LIBC} lacks flock`);
  return {
    flock(fd, op) {
      return flock(fd, op) === 0 ? 0 : ffi.read.i32(errnoLocation(), 0);
    },
  };
}
