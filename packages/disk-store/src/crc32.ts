// CRC-32 (IEEE) of a text's UTF-8 bytes, computed natively by the runtime: `Bun.hash.crc32` in the
// compiled plugin (a global: no module to load at start-up; importing node:crypto cost about 2 ms
// of every run there), zlib's `crc32` on Node. Both give the same values, which a test pins, so an
// index written by one runtime is valid for the other. A hash loop in JavaScript would run in the
// interpreter of a one-shot process, about a millisecond per bucket.

type Crc32 = (text: string) => number;

/** The part of Bun's global used here. */
interface BunGlobal {
  readonly hash?: { readonly crc32?: Crc32 };
}

let chosen: Crc32 | undefined;

function choose(): Crc32 {
  const fromBun = (globalThis as { Bun?: BunGlobal }).Bun?.hash?.crc32;
  if (fromBun !== undefined) return (text) => fromBun(text);
  const zlib = process.getBuiltinModule("node:zlib");
  return (text) => zlib.crc32(text);
}

/** The CRC-32 of `text`'s UTF-8 bytes, as an unsigned integer. Never throws. */
export function crc32(text: string): number {
  chosen ??= choose();
  return chosen(text) >>> 0;
}
