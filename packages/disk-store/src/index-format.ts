// The on-disk format of the reservation index (see the README's "Performance" section). Pure text
// functions; the I/O lives in dir-index.ts.
//
// Two properties keep the index invisible to upstream's binary, which walks the network directory
// recursively and reads every file it meets:
// - its GetByID only counts files whose *name* parses as an IP address, and no index file name
//   contains a `.` or a `:`, so none can;
// - its ReleaseByID deletes any file whose trimmed content equals `<id>\r\n<ifname>` (or, in its
//   legacy pass, `<id>`). Index files never contain a carriage return (it is escaped), and each spans
//   several lines starting with a `# cni-ts-index` header, which no valid container ID (letters,
//   digits, `_`, `.`, `-`) can equal. Even so, a deleted index file would only be noticed and rebuilt.
import { crc32 } from "./crc32.js";
import { LINE_BREAK } from "./reservation-content.js";

/** Name of the index directory inside a network directory: a dot-name, never read as an address. */
export const INDEX_DIR_NAME = ".cni-ts-index";

/** Name of the file in the index directory that binds the buckets to the network directory. */
export const STATE_FILE_NAME = "state";

/**
 * Number of buckets; a power of two, so that a bucket number is the low bits of a hash. Few, on
 * purpose: a rebuild writes every non-empty bucket (creating 256 files cost 85 ms and more on a busy
 * disk), while a call reads and rewrites only one, which at 50,000 reservations holds some 1,600
 * lines (45 KB): a fraction of a millisecond.
 */
export const BUCKET_COUNT = 32;

/** Version written into every index file; anything else is rebuilt. */
const FORMAT_VERSION = 1;

const STATE_HEADER = `# cni-ts-index v${FORMAT_VERSION} state`;

/**
 * One reservation as a scan sees it: a top-level regular file named `ip`, whose content trimmed like
 * Go's `strings.TrimSpace` is `content` (`<id>\r\n<ifname>`, a legacy `<id>`, or `""`).
 */
export interface IndexEntry {
  readonly ip: string;
  readonly content: string;
}

/**
 * Identity and change stamps of the network directory. Every entry created, removed or renamed in it
 * changes `mtimeNs` and `ctimeNs`; `dev` and `ino` change when the directory is replaced.
 */
export interface DirStamp {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/** What the state file records. */
export interface IndexState {
  /**
   * The network directory as it was right after the last change the index reflects, as
   * {@link stampText} spells it (compared as text: cheaper than parsing four big integers).
   */
  readonly dir: string;
  /** Number of entries over all buckets. */
  readonly count: number;
  /**
   * Per bucket, separated by spaces: the checksum of its file's text, or `--------` for an empty
   * bucket (no file). Kept as one fixed-width string, read with {@link sumAt} and changed with
   * {@link withSum}: a call then never loops over the buckets, which costs in a one-shot process.
   */
  readonly sums: string;
}

const SUM_WIDTH = 8;
const EMPTY_SUM = "-".repeat(SUM_WIDTH);

/** The `sums` of an index whose buckets are all empty. */
export const NO_SUMS: string = Array.from({ length: BUCKET_COUNT }, () => EMPTY_SUM).join(" ");

/** The checksum `sums` records for bucket `n`, or undefined when it records it empty. Never throws. */
export function sumAt(sums: string, n: number): string | undefined {
  const sum = sums.slice(n * (SUM_WIDTH + 1), n * (SUM_WIDTH + 1) + SUM_WIDTH);
  return sum === EMPTY_SUM ? undefined : sum;
}

/** `sums` recording `sum` (undefined: empty) for bucket `n`. Never throws. */
export function withSum(sums: string, n: number, sum: string | undefined): string {
  const at = n * (SUM_WIDTH + 1);
  return `${sums.slice(0, at)}${sum ?? EMPTY_SUM}${sums.slice(at + SUM_WIDTH)}`;
}

/** A stamp as the state file records it: `<dev> <ino> <mtimeNs> <ctimeNs>` in decimal. Never throws. */
export function stampText(stamp: DirStamp): string {
  return `${stamp.dev} ${stamp.ino} ${stamp.mtimeNs} ${stamp.ctimeNs}`;
}

/**
 * The checksum of an index file's text: its CRC-32 as 8 hex digits. Not a security measure (whoever
 * can write the index can write the reservations); it catches a torn, truncated or zeroed file.
 * Never throws.
 */
export function checksum(text: string): string {
  return crc32(text).toString(16).padStart(SUM_WIDTH, "0");
}

/**
 * The container ID a trimmed reservation content belongs to: the text before its first `\r\n`, or all
 * of it (a legacy record, or `""` for an ownerless file). Lookups by `(id, ifname)` and by the legacy
 * `id` both land on the bucket of this value, since both keys start with the trimmed ID. Never throws.
 */
export function ownerIdOf(content: string): string {
  const at = content.indexOf(LINE_BREAK);
  return at < 0 ? content : content.slice(0, at);
}

/** The bucket (0 to {@link BUCKET_COUNT} - 1) holding the entries of container `ownerId`. Never throws. */
export function bucketOf(ownerId: string): number {
  return crc32(ownerId) & (BUCKET_COUNT - 1);
}

/** The file name of bucket `n` in the index directory: `bucket-00` to `bucket-1f`. Never throws. */
export function bucketFileName(n: number): string {
  return `bucket-${n.toString(16).padStart(2, "0")}`;
}

/** The first line of bucket file `n`, newline included: all an empty bucket's text holds. Never throws. */
export function bucketHeader(n: number): string {
  return `# cni-ts-index v${FORMAT_VERSION} ${bucketFileName(n)}\n`;
}

const ESCAPED: Readonly<Record<string, string>> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const NEEDS_ESCAPE = /[\\\t\n\r]/g;

// Contents are arbitrary text (a foreign writer may put anything in a reservation file). Escaping
// keeps one entry per line and one tab per entry, no carriage return anywhere in the file, and makes
// "the line whose content is C" one exact substring: `\t<escaped C>\n`.
function escapeField(text: string): string {
  return text.replace(NEEDS_ESCAPE, (c) => ESCAPED[c] ?? c);
}

// Buckets are kept and searched as text: a lookup is a substring search and a change a splice, so a
// call decodes no entries at all (parsing a bucket of a 50,000-reservation store line by line cost
// more than a millisecond in the compiled plugin).

/** The line recording `entry`, newline included. Never throws. */
export function bucketLine(entry: IndexEntry): string {
  return `${entry.ip}\t${escapeField(entry.content)}\n`;
}

/** The text of bucket file `n` holding `entries` (which all belong to bucket `n`). Never throws. */
export function encodeBucket(n: number, entries: readonly IndexEntry[]): string {
  let text = bucketHeader(n);
  for (const entry of entries) text += bucketLine(entry);
  return text;
}

/** True when `text` has the shape of bucket file `n`: its header, then complete lines. Never throws. */
export function isBucketText(n: number, text: string): boolean {
  return text.startsWith(bucketHeader(n)) && text.endsWith("\n");
}

/**
 * The addresses that bucket text `text` records as holding exactly `content`, in file order, as
 * written (a caller checks them before using one as a file name). Never throws.
 */
export function addressesHolding(text: string, content: string): string[] {
  const needle = `\t${escapeField(content)}\n`;
  const ips: string[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
    ips.push(text.slice(text.lastIndexOf("\n", at) + 1, at));
  }
  return ips;
}

/** Bucket text `text` without the line of address `ip` (unchanged when it has none). Never throws. */
export function withoutAddress(text: string, ip: string): string {
  const at = text.indexOf(`\n${ip}\t`);
  if (at < 0) return text;
  const end = text.indexOf("\n", at + 1);
  return text.slice(0, at + 1) + text.slice(end + 1);
}

/** The text of the state file, ending with a checksum of everything before it. Never throws. */
export function encodeState(state: IndexState): string {
  const head = `${STATE_HEADER}\ndir ${state.dir}\ncount ${state.count}\nsums ${state.sums}\n`;
  return `${head}end ${checksum(head)}\n`;
}

const DIR_LINE = /^dir \d+ \d+ \d+ \d+$/;
const COUNT_LINE = /^count \d+$/;
const SUMS_LINE = /^sums [-0-9a-f ]+$/;

/**
 * The state recorded in `text`, or undefined when it is not a complete, well-formed state file of
 * this format version whose final checksum matches. Never throws. (Kept cheap: it runs on every
 * locked call of a store with an index; the checksum already rules out a damaged file, so the shape
 * checks only reject what this version would never write.)
 */
export function parseState(text: string): IndexState | undefined {
  const endAt = text.lastIndexOf("end ");
  if (endAt < 0 || text.slice(endAt) !== `end ${checksum(text.slice(0, endAt))}\n`) return undefined;
  const lines = text.slice(0, endAt).split("\n");
  const [header, dirLine = "", countLine = "", sumsLine = "", rest] = lines;
  if (header !== STATE_HEADER || rest !== "" || lines.length !== 5) return undefined;
  if (!DIR_LINE.test(dirLine) || !COUNT_LINE.test(countLine) || !SUMS_LINE.test(sumsLine)) return undefined;
  const sums = sumsLine.slice("sums ".length);
  if (sums.length !== NO_SUMS.length) return undefined;
  return { dir: dirLine.slice("dir ".length), count: Number(countLine.slice("count ".length)), sums };
}
