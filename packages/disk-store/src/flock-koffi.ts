import type { FlockBinding } from "./flock-binding.js";
import { LIBC } from "./flock-binding.js";

// A variable, not a literal: `bun build --compile` must not pull koffi into the binary (it would bake
// in the build machine's node_modules path, and Bun uses bun:ffi anyway). On Node this resolves koffi
// from node_modules like any dependency.
const KOFFI: string = "koffi";

/** A koffi foreign function with the signature `int flock(int, int)`. */
interface KoffiFlock {
  (fd: number, op: number): number;
  async(fd: number, op: number, callback: (err: unknown, result: number) => void): void;
}

/** The part of koffi used here. */
interface Koffi {
  load(path: string): { func(declaration: string): KoffiFlock };
  errno(): number;
}

function isKoffi(value: unknown): value is Koffi {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Record<keyof Koffi, unknown>>;
  return typeof v.load === "function" && typeof v.errno === "function";
}

/**
 * Loads flock(2) through koffi, for Node. The blocking wait runs on koffi's worker thread
 * ({@link FlockBinding.flockAsync}) so the event loop keeps running while another process holds the
 * lock. Rejects (with the loader's error) when koffi or its prebuilt addon cannot be loaded.
 */
export async function loadKoffiFlock(): Promise<FlockBinding> {
  const mod: unknown = await import(KOFFI);
  // The ESM entry exposes the API both as named exports and as `default`; accept either shape.
  const api = isKoffi(mod) ? mod : (mod as { default?: unknown }).default;
  if (!isKoffi(api)) throw new Error("koffi does not provide load and errno");
  const flock = api.load(LIBC).func("int flock(int, int)");
  return {
    flock(fd, op) {
      return flock(fd, op) === 0 ? 0 : api.errno();
    },
    flockAsync(fd, op) {
      return new Promise((resolve, reject) => {
        flock.async(fd, op, (err, result) => (err ? reject(err) : resolve(result)));
      });
    },
  };
}
