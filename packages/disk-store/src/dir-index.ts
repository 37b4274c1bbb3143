// Reading and writing the reservation index of one network directory (format: index-format.ts).
//
// The index is a hint, never the truth: the store verifies every address it names by reading that
// reservation file. Its validity rests on one rule: the state file records the network directory's
// (dev, ino, mtime, ctime) as they were right after the last change the buckets reflect, and any
// later entry created, removed or renamed in the directory, by anyone, changes mtime and ctime.
// Writes go network directory first, then buckets, then the state file, each file through a temp
// file and rename(2), so a kill at any instant leaves a state that no longer matches (or a bucket
// whose checksum does not), and the next locked call rebuilds.

import { atomicWrite } from "./atomic-write.js";
import type { DirStamp, IndexState } from "./index-format.js";
import {
  BUCKET_COUNT,
  bucketFileName,
  bucketHeader,
  checksum,
  encodeState,
  INDEX_DIR_NAME,
  isBucketText,
  NO_SUMS,
  parseState,
  STATE_FILE_NAME,
  stampText,
  sumAt,
  withSum,
} from "./index-format.js";
import { errnoCode } from "./io-error.js";
import { readRegularFile } from "./read-regular-file.js";
import { OPEN_FLAGS, removeTree, sys } from "./sys/index.js";
import { join } from "./sys/path.js";

/** What {@link DirIndex.probe} found. */
export type IndexProbe =
  /** No index directory (nothing, or something that is not a directory, holds its name). */
  | { readonly kind: "absent" }
  /** An index directory whose state is missing, unreadable, corrupt or out of date. */
  | { readonly kind: "stale" }
  /** An index whose state matches the network directory as it is now. */
  | { readonly kind: "valid"; readonly state: IndexState };

// How long the state writer waits for the file system's clock to pass the directory's stamp (see
// writeState). One tick of a coarse clock is at most 10 ms (HZ=100); a file system with one-second
// timestamps never gets there in time, and then simply has no valid index.
const CLOCK_WAIT_MS = 25;

const BUCKET_NAME = /^bucket-[0-9a-f]{2}$/;

let tempCounter = 0;

/** The network directory's stamp; throws what lstat throws. */
function stampOf(dir: string): DirStamp {
  const st = sys.lstat(dir);
  return { dev: st.dev, ino: st.ino, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

function unlinkIfPresent(path: string): void {
  try {
    sys.unlink(path);
  } catch (err) {
    if (errnoCode(err) !== "ENOENT") throw err;
  }
}

/** Discards a temp file that will not be published (closing it first when still open). */
function removeTemp(fd: number | undefined, path: string): void {
  try {
    if (fd !== undefined) sys.close(fd);
  } catch {
    // Deliberately ignored: nothing written to a discarded temp file matters.
  }
  try {
    sys.unlink(path);
  } catch {
    // Deliberately ignored: a leftover temp file is removed by the next full write.
  }
}

/**
 * The index directory `<netDir>/.cni-ts-index` of one network directory. Callers hold the network's
 * lock for every call. Reads never throw (any failure reads as "no usable index"); writes throw the
 * file system's errors, which callers swallow, since a failed write only leaves an index that no
 * longer validates.
 */
export class DirIndex {
  readonly #netDir: string;
  readonly #path: string;

  constructor(netDir: string) {
    this.#netDir = netDir;
    this.#path = join(netDir, INDEX_DIR_NAME);
  }

  /** Finds out whether the index can be used as it is. Costs one lstat when there is no index. */
  probe(): IndexProbe {
    try {
      // lstat: a symbolic link planted under our name is never followed (it is replaced on rebuild).
      // The usual "no index yet" is an answer, not an exception (cheaper in Bun).
      const st = sys.lstatIfExists(this.#path);
      if (st === undefined || !st.isDirectory()) return { kind: "absent" };
    } catch {
      // Deliberately swallowed: whatever keeps us from the index (ENOENT, mostly) means "none".
      return { kind: "absent" };
    }
    try {
      const text = readRegularFile(join(this.#path, STATE_FILE_NAME));
      const state = text === undefined ? undefined : parseState(text);
      if (state === undefined || state.dir !== stampText(stampOf(this.#netDir))) return { kind: "stale" };
      return { kind: "valid", state };
    } catch {
      // Deliberately swallowed: an index that cannot be read is rebuilt from the files.
      return { kind: "stale" };
    }
  }

  /**
   * The text of bucket `n` under `state` (just its header when the state records it empty), or
   * undefined when its file is missing, unreadable, a symbolic link, not shaped like bucket `n`, or
   * does not match the checksum the state recorded for it. Never throws.
   */
  readBucket(state: IndexState, n: number): string | undefined {
    const sum = sumAt(state.sums, n);
    if (sum === undefined) return bucketHeader(n);
    try {
      const text = readRegularFile(join(this.#path, bucketFileName(n)));
      return text !== undefined && checksum(text) === sum && isBucketText(n, text) ? text : undefined;
    } catch {
      // Deliberately swallowed: an unreadable bucket makes the caller rebuild.
      return undefined;
    }
  }

  /**
   * Writes a complete index: every bucket text from `buckets` (missing numbers are empty), then a state
   * bound to the network directory as it is now. Creates the index directory (replacing anything
   * else under its name, a symbolic link included, without following it) and leaves nothing in it
   * but the new index. Resolves whether the state could be written (see
   * {@link DirIndex.writeState}); throws file-system errors.
   */
  async writeAll(buckets: ReadonlyMap<number, string>, count: number): Promise<boolean> {
    this.#ensureDir();
    // Bucket files are replaced by rename below. Everything else goes first: the old state (which may
    // still match the network directory, for a rebuild of a corrupt bucket; gone, a kill in the
    // middle leaves no state at all), temp files a killed writer left, and anything planted (a link,
    // a directory under a bucket's name; removeTree never follows a link).
    const oldBuckets: string[] = [];
    for (const entry of sys.readdir(this.#path)) {
      if (entry.isFile() && BUCKET_NAME.test(entry.name)) oldBuckets.push(entry.name);
      else removeTree(join(this.#path, entry.name));
    }
    // Taken after our last change to the network directory (creating the index directory is one).
    const stamp = stampOf(this.#netDir);
    const written = new Set<string>();
    let sums = NO_SUMS;
    for (let n = 0; n < BUCKET_COUNT; n++) {
      const text = buckets.get(n);
      if (text === undefined || text === bucketHeader(n)) continue;
      sums = withSum(sums, n, await this.#writeBucket(n, text));
      written.add(bucketFileName(n));
    }
    for (const name of oldBuckets) if (!written.has(name)) unlinkIfPresent(join(this.#path, name));
    return this.writeState({ dir: stampText(stamp), count, sums }, stamp);
  }

  /**
   * Rewrites the buckets in `dirty` (texts from `buckets`; an empty one loses its file), then the state,
   * keeping the other buckets of `previous`. Resolves whether the state could be written; throws
   * file-system errors.
   */
  async writeChanged(
    previous: IndexState,
    buckets: ReadonlyMap<number, string>,
    dirty: ReadonlySet<number>,
    count: number,
  ): Promise<boolean> {
    const stamp = stampOf(this.#netDir);
    // Normally our own changes moved the stamp; if not, the old state would still match while its
    // buckets are being replaced.
    if (stampText(stamp) === previous.dir) this.invalidate();
    let sums = previous.sums;
    for (const n of dirty) {
      const text = buckets.get(n) ?? bucketHeader(n);
      if (text !== bucketHeader(n)) {
        sums = withSum(sums, n, await this.#writeBucket(n, text));
      } else {
        unlinkIfPresent(join(this.#path, bucketFileName(n)));
        sums = withSum(sums, n, undefined);
      }
    }
    return this.writeState({ dir: stampText(stamp), count, sums }, stamp);
  }

  /**
   * Writes the state file through a temp file and rename(2), but only once the file system's clock
   * has passed `stamp`: the state's own modification time, set by the kernel's clock when it is
   * written, must be later than the directory's. That is what makes any later change to the
   * directory visible:
   * - with coarse timestamps (kernels before 6.13, or file systems without multigrain timestamps), a
   *   change in the same clock tick as our last one would leave mtime and ctime exactly as recorded;
   *   once the clock has moved past them, every later change stamps a later time;
   * - with multigrain timestamps (6.13+ on ext4, xfs, btrfs, tmpfs) any change after someone read the
   *   directory's stamp (we just did) gets a distinct fine-grained one. The rewrite after our fstat of
   *   the temp file then gets a fine-grained stamp too, so the check passes without waiting.
   * Resolves false, publishing nothing, when the clock did not move within {@link CLOCK_WAIT_MS}
   * (the state left in place, if any, no longer matches the directory, or was removed before).
   */
  async writeState(state: IndexState, stamp: DirStamp): Promise<boolean> {
    const bytes = Buffer.from(encodeState(state), "utf8");
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = OPEN_FLAGS;
    const temp = join(this.#path, `.${STATE_FILE_NAME}.tmp-${process.pid}-${tempCounter++}`);
    const fd = sys.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    let open = true;
    try {
      const deadline = performance.now() + CLOCK_WAIT_MS;
      for (let attempt = 0; ; attempt++) {
        // Rewriting the same bytes at offset 0 is what stamps the file with the clock's time again.
        for (let off = 0; off < bytes.length; ) off += sys.write(fd, bytes, off, bytes.length - off, off);
        const written = sys.fstat(fd).mtimeNs;
        if (written > stamp.mtimeNs && written > stamp.ctimeNs) break;
        if (performance.now() > deadline) {
          removeTemp(fd, temp);
          return false;
        }
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      open = false;
      sys.close(fd);
      sys.rename(temp, join(this.#path, STATE_FILE_NAME));
      return true;
    } catch (err) {
      removeTemp(open ? fd : undefined, temp);
      throw err;
    }
  }

  /** Removes the state file, so the index is rebuilt before it is used again. Throws on failure. */
  invalidate(): void {
    unlinkIfPresent(join(this.#path, STATE_FILE_NAME));
  }

  /** Removes the index directory with everything in it (the store went back to plain scans). */
  remove(): void {
    this.invalidate();
    removeTree(this.#path);
  }

  #ensureDir(): void {
    try {
      if (sys.lstat(this.#path).isDirectory()) return;
      // Not a directory (a file, a symbolic link): the name is ours, and unlink removes the link itself.
      sys.unlink(this.#path);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
    sys.mkdir(this.#path, 0o700);
  }

  async #writeBucket(n: number, text: string): Promise<string> {
    // Not synced: after a power loss a bucket that lost its content fails its checksum.
    await atomicWrite(this.#path, bucketFileName(n), text, { mode: 0o600, exclusive: false, fsync: false });
    return checksum(text);
  }
}
