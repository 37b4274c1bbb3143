// Views of a network directory and of its reservation index (`.cni-ts-index/`), read straight from
// disk in the format the README documents, so tests can check the index against the files without
// going through the store.
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import zlib from "node:zlib";

/** The index directory of network directory `dir`. */
export const indexDirOf = (dir: string): string => join(dir, ".cni-ts-index");

/** The network directory's identity and stamps as the state file's `dir` line spells them. */
export function dirStamp(dir: string): string {
  const st = lstatSync(dir, { bigint: true });
  return `${st.dev} ${st.ino} ${st.mtimeNs} ${st.ctimeNs}`;
}

/** Every top-level regular file named by an address, with its content trimmed. */
export function reservationsIn(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (isIP(name) === 0 || !lstatSync(join(dir, name)).isFile()) continue;
    // The test contents use no white space where JavaScript's trim and Go's TrimSpace differ.
    out[name] = readFileSync(join(dir, name), "utf8").trim();
  }
  return out;
}

/** What the index on disk says, or undefined fields where it has no state. */
export interface IndexOnDisk {
  /** The state's `dir` line (`<dev> <ino> <mtimeNs> <ctimeNs>`), undefined without a state file. */
  readonly stamp: string | undefined;
  /** The state's `count` line. */
  readonly count: number | undefined;
  /** Every entry of every bucket file, unescaped: address to trimmed content. */
  readonly entries: Record<string, string>;
}

const unescapeContent = (text: string): string =>
  text.replace(/\\([\\tnr])/g, (_, c: string) => ({ "\\": "\\", t: "\t", n: "\n", r: "\r" })[c] ?? c);

/** Reads the index of network directory `dir`. */
export function readIndex(dir: string): IndexOnDisk {
  const indexDir = indexDirOf(dir);
  const entries: Record<string, string> = {};
  let stamp: string | undefined;
  let count: number | undefined;
  for (const name of readdirSync(indexDir).sort()) {
    const text = readFileSync(join(indexDir, name), "utf8");
    if (name === "state") {
      stamp = /^dir (.*)$/m.exec(text)?.[1];
      count = Number(/^count (\d+)$/m.exec(text)?.[1]);
    } else if (name.startsWith("bucket-")) {
      for (const line of text.split("\n").slice(1, -1)) {
        const [ip = "", content = ""] = line.split("\t");
        entries[ip] = unescapeContent(content);
      }
    }
  }
  return { stamp, count, entries };
}

/** The file names in the index directory, sorted. */
export function indexFileNames(dir: string): string[] {
  return readdirSync(indexDirOf(dir)).sort();
}

/** The bucket file holding the entry for address `ip`, by reading every bucket. */
export function bucketHolding(dir: string, ip: string): string {
  const name = indexFileNames(dir).find(
    (n) => n.startsWith("bucket-") && readFileSync(join(indexDirOf(dir), n), "utf8").includes(`\n${ip}\t`),
  );
  if (name === undefined) throw new Error(`no bucket holds ${ip}`);
  return name;
}

/** The address of prefilled reservation `i`: 10.128.0.2 onwards, like the benchmark's prefill. */
export function prefilledIp(i: number): string {
  const n = 0x0a800002 + i;
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 0xff).join(".");
}

/** Writes `count` reservations `c<i>\r\neth0` directly into `dir` (as another writer would). */
export function prefill(dir: string, count: number): void {
  for (let i = 0; i < count; i++) writeFileSync(join(dir, prefilledIp(i)), `c${i}\r\neth0`, { mode: 0o600 });
}

// An independent implementation of the index format, for forging indexes that the store would find
// valid (the symbolic-link and verification tests need one that differs from the files).
const { crc32 } = zlib;
const checksumOf = (text: string): string => crc32(text).toString(16).padStart(8, "0");
const bucketOfOwner = (owner: string): number => crc32(owner) & 0x1f;
const ownerOf = (content: string): string => content.split("\r\n", 1)[0] ?? "";
const escapeContent = (text: string): string =>
  text.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c] ?? c);

/**
 * Writes into `into` (default: the index directory of `dir`) an index that the store finds valid for
 * `dir` as it is when this returns, claiming exactly `claims` (address to trimmed content).
 */
export function forgeIndex(dir: string, claims: Record<string, string>, into = indexDirOf(dir)): void {
  mkdirSync(into, { recursive: true });
  for (const name of readdirSync(into)) rmSync(join(into, name));
  const buckets = new Map<number, string>();
  for (const [ip, content] of Object.entries(claims)) {
    const n = bucketOfOwner(ownerOf(content));
    const header = `# cni-ts-index v1 bucket-${n.toString(16).padStart(2, "0")}\n`;
    buckets.set(n, `${buckets.get(n) ?? header}${ip}\t${escapeContent(content)}\n`);
  }
  const sums = Array.from({ length: 32 }, () => "--------");
  for (const [n, text] of buckets) {
    writeFileSync(join(into, `bucket-${n.toString(16).padStart(2, "0")}`), text);
    sums[n] = checksumOf(text);
  }
  // Last, so that the stamp is the directory's after everything this did to it.
  const count = Object.keys(claims).length;
  const head = `# cni-ts-index v1 state\ndir ${dirStamp(dir)}\ncount ${count}\nsums ${sums.join(" ")}\n`;
  writeFileSync(join(into, "state"), `${head}end ${checksumOf(head)}\n`);
}
