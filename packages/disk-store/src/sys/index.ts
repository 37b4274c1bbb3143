// The store's system calls (see ./api.ts): libc through bun:ffi in Bun, node:fs on Node, chosen once
// when the module loads. Neither runtime loads the other's module.
import type { Sys } from "./api.js";
import { bunSys } from "./bun.js";
import { nodeSys } from "./node.js";

export type { DirEntry, FileStat, OpenFlags, Sys } from "./api.js";
export { OPEN_FLAGS } from "./api.js";

/** True in Bun (and the compiled plugin), false on Node. */
export function isBun(): boolean {
  return typeof process.versions.bun === "string";
}

function chooseSys(): Sys {
  if (!isBun()) return nodeSys();
  try {
    return bunSys(process.getBuiltinModule("bun:ffi"));
  } catch {
    // Deliberately not fatal here (a libc without these functions, say musl's): node:fs works in Bun
    // too, and the lock, which has no other way to call flock(2), reports the failure as a CNI error.
    return nodeSys();
  }
}

/** The system calls of this runtime. */
export const sys: Sys = chooseSys();

// Reused by readAllText: the store reads thousands of small files in a scan.
const readBuffer = new Uint8Array(64 * 1024);

/**
 * Reads descriptor `fd` from its current offset to end of file and decodes it as UTF-8 (as
 * `Buffer.toString` does, a byte-order mark kept). With `size`, the size fstat reported for a regular
 * file, it stops once that many bytes have arrived, as Node's `readFileSync` does, which saves the
 * read that would only find the end; a size of 0 (files whose size the kernel does not know) reads to
 * the end.
 *
 * @throws what {@link Sys.read} throws.
 */
export function readAllText(fd: number, size = 0): string {
  if (size > 0 && size <= readBuffer.length) {
    let filled = 0;
    while (filled < size) {
      const count = sys.read(fd, readBuffer, filled, size - filled);
      if (count === 0) break;
      filled += count;
    }
    return Buffer.from(readBuffer.buffer, readBuffer.byteOffset, filled).toString("utf8");
  }
  const chunks: Buffer[] = [];
  let filled = 0;
  for (;;) {
    if (filled === readBuffer.length) {
      // Copied: the buffer is reused for what follows.
      chunks.push(Buffer.from(readBuffer));
      filled = 0;
    }
    const count = sys.read(fd, readBuffer, filled, readBuffer.length - filled);
    if (count === 0) break;
    filled += count;
  }
  const tail = Buffer.from(readBuffer.buffer, readBuffer.byteOffset, filled);
  return chunks.length === 0 ? tail.toString("utf8") : Buffer.concat([...chunks, tail]).toString("utf8");
}

function isMissing(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT";
}

/**
 * Removes `path` and, for a directory, everything in it, never following a symbolic link (a link is
 * removed itself); nothing at `path` is fine (Node's `rmSync` with `recursive` and `force`).
 *
 * @throws what the calls throw, except for entries that disappear meanwhile.
 */
export function removeTree(path: string): void {
  const st = sys.lstatIfExists(path);
  if (st === undefined) return;
  try {
    if (st.isDirectory()) {
      for (const entry of sys.readdir(path)) removeTree(`${path}/${entry.name}`);
      sys.rmdir(path);
    } else {
      sys.unlink(path);
    }
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}
