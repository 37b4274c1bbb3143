// The reservation index as one locked sequence of calls sees it: probed once when first needed,
// buckets loaded on demand, our own changes applied in memory, and written back once, before the
// lock is released.
import type { DirIndex } from "./dir-index.js";
import { isAddressName } from "./file-names.js";
import type { IndexEntry, IndexState } from "./index-format.js";
import {
  addressesHolding,
  BUCKET_COUNT,
  bucketHeader,
  bucketLine,
  bucketOf,
  checksum,
  encodeBucket,
  ownerIdOf,
  sumAt,
  withoutAddress,
} from "./index-format.js";

/**
 * One lock session's view of the index. Never throws: anything that goes wrong makes the index
 * unusable for the rest of the session (lookups answer undefined, so the store scans), and the state
 * on disk stops matching, so a later session rebuilds.
 */
export class IndexSession {
  readonly #index: DirIndex;
  /** The valid state found on disk when the session began, while it is still trusted. */
  #onDisk: IndexState | undefined;
  /**
   * The same, kept after a scan replaced the buckets in memory, so that the write-back can skip the
   * buckets that the scan found as they were; dropped when a bucket on disk failed its checks.
   */
  #prior: IndexState | undefined;
  /** Whether an index directory existed when the session began (a valid one or not). */
  readonly #hadIndexDir: boolean;
  /** Every bucket is in memory, from a full scan made in this session plus our changes since. */
  #full = false;
  /** Bucket texts (file format) loaded or changed in this session. */
  readonly #buckets = new Map<number, string>();
  readonly #dirty = new Set<number>();
  #count = 0;
  #dirChanged = false;
  #poisoned = false;
  /** `<id>\r\n<ifname>` keys whose records were found (and released) through the index. */
  readonly #settled = new Set<string>();

  private constructor(index: DirIndex, onDisk: IndexState | undefined, hadIndexDir: boolean) {
    this.#index = index;
    this.#onDisk = onDisk;
    this.#prior = onDisk;
    this.#hadIndexDir = hadIndexDir;
    this.#count = onDisk?.count ?? 0;
  }

  /**
   * Starts a session, under the network's lock and before any change of ours to the network
   * directory in it (our own first change would make the state look out of date).
   */
  static open(index: DirIndex): IndexSession {
    const probe = index.probe();
    if (probe.kind === "valid") return new IndexSession(index, probe.state, true);
    return new IndexSession(index, undefined, probe.kind === "stale");
  }

  /**
   * The reservations the index records as holding exactly `content` (trimmed file content), to be
   * verified against the files; undefined when the index cannot answer (there is none, it is out of
   * date, a bucket failed its checksum, or names something that is not an address): then scan.
   */
  find(content: string): IndexEntry[] | undefined {
    const text = this.#bucket(bucketOf(ownerIdOf(content)));
    if (text === undefined) return undefined;
    const ips = addressesHolding(text, content);
    if (!ips.every(isAddressName)) {
      // Only a forged index can say this (ours come from scans); it must not steer a file path.
      this.#discredit();
      return undefined;
    }
    return ips.map((ip) => ({ ip, content }));
  }

  /**
   * True when a miss for `key` (`<trimmed id>\r\n<ifname>`) can be trusted without a scan: every
   * bucket comes from a scan of this session, or the key's records were already released through
   * the index in this session (a DEL calls releaseById once per range set).
   */
  trustsMiss(key: string): boolean {
    return this.#full || this.#settled.has(key);
  }

  /** Records that `key`'s records have been released in this session. */
  settle(key: string): void {
    this.#settled.add(key);
  }

  /**
   * Takes the result of a full scan made under the lock as the whole truth: the session now answers
   * from memory, and the index is rewritten in full when the session ends.
   */
  adopt(entries: readonly IndexEntry[]): void {
    const grouped = new Map<number, IndexEntry[]>();
    for (const entry of entries) {
      const n = bucketOf(ownerIdOf(entry.content));
      const bucket = grouped.get(n);
      if (bucket === undefined) grouped.set(n, [entry]);
      else bucket.push(entry);
    }
    this.#buckets.clear();
    for (const [n, bucket] of grouped) this.#buckets.set(n, encodeBucket(n, bucket));
    this.#full = true;
    this.#count = entries.length;
    this.#onDisk = undefined;
  }

  /** Records that we created, removed or renamed something in the network directory. */
  noteDirChange(): void {
    this.#dirChanged = true;
  }

  /**
   * Records a failed change whose effect on the network directory is unknown: the session writes
   * nothing back, and the index on disk is rebuilt the next time it is needed.
   */
  poison(): void {
    this.#poisoned = true;
    this.#dirChanged = true;
  }

  /** Records that reservation `entry` now exists. */
  added(entry: IndexEntry): void {
    const n = bucketOf(ownerIdOf(entry.content));
    const text = this.#bucket(n);
    if (text === undefined) return;
    const others = withoutAddress(text, entry.ip);
    if (others === text) this.#count += 1;
    this.#buckets.set(n, others + bucketLine(entry));
    this.#dirty.add(n);
  }

  /** Records that reservation `entry` (as the index or a read of its file knew it) is gone. */
  removed(entry: IndexEntry): void {
    const n = bucketOf(ownerIdOf(entry.content));
    const text = this.#bucket(n);
    if (text === undefined) return;
    const others = withoutAddress(text, entry.ip);
    if (others === text) return;
    this.#count -= 1;
    this.#buckets.set(n, others);
    this.#dirty.add(n);
  }

  /**
   * Writes the session's view back, while the caller still holds the lock: all of it after a scan
   * (or removes the index when the store has shrunk below half of `threshold`), only the changed
   * buckets otherwise. Failures are swallowed on purpose, the index being a hint; the state is
   * removed then, best effort, though a failed write already leaves a state that does not match.
   */
  async flush(threshold: number): Promise<void> {
    if (this.#poisoned) return;
    try {
      if (this.#full) {
        // Hysteresis: an index, once there, stays until the store shrinks below half the threshold.
        const keep = this.#count >= threshold || (this.#hadIndexDir && this.#count >= threshold / 2);
        if (!keep) {
          if (this.#hadIndexDir) this.#index.remove();
        } else if (this.#prior === undefined) {
          await this.#index.writeAll(this.#buckets, this.#count);
        } else {
          await this.#writeDifferences(this.#prior);
        }
        return;
      }
      const onDisk = this.#onDisk;
      if (onDisk === undefined || (this.#dirty.size === 0 && !this.#dirChanged)) return;
      await this.#index.writeChanged(onDisk, this.#buckets, this.#dirty, this.#count);
    } catch {
      try {
        this.#index.invalidate();
      } catch {
        // Deliberately ignored: see above.
      }
    }
  }

  /**
   * After a scan in a session that began with a valid index: rewrites only the buckets whose text
   * differs from what the state recorded (often none: a DEL of a container holding nothing, a GC
   * that found nothing to do), and the state only when something changed.
   */
  async #writeDifferences(prior: IndexState): Promise<void> {
    const differing = new Set<number>();
    for (let n = 0; n < BUCKET_COUNT; n++) {
      const text = this.#buckets.get(n) ?? bucketHeader(n);
      const sum = text === bucketHeader(n) ? undefined : checksum(text);
      if (sum !== sumAt(prior.sums, n)) differing.add(n);
    }
    if (differing.size === 0 && !this.#dirChanged) return;
    await this.#index.writeChanged(prior, this.#buckets, differing, this.#count);
  }

  #bucket(n: number): string | undefined {
    const loaded = this.#buckets.get(n);
    if (loaded !== undefined) return loaded;
    if (this.#full) return bucketHeader(n);
    const onDisk = this.#onDisk;
    if (onDisk === undefined) return undefined;
    const text = this.#index.readBucket(onDisk, n);
    if (text === undefined) {
      // A bucket that fails its checksum discredits the whole index for this session.
      this.#discredit();
      return undefined;
    }
    this.#buckets.set(n, text);
    return text;
  }

  /** Stops trusting the index read from disk; the session writes nothing back unless it scans. */
  #discredit(): void {
    this.#prior = undefined;
    if (this.#full) return;
    this.#onDisk = undefined;
    this.#buckets.clear();
  }
}
