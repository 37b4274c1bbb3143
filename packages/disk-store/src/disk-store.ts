import { CNI_ERROR_CODES, CniError, goTrimSpace } from "@cni-ts/types";
import { atomicWrite, isTempFileName } from "./atomic-write.js";
import { DirIndex } from "./dir-index.js";
import type { FileLock } from "./file-lock.js";
import { openFileLock } from "./file-lock.js";
import {
  checkAddressName,
  checkNetworkName,
  checkRangeId,
  isAddressName,
  LAST_RESERVED_IP_PREFIX,
} from "./file-names.js";
import type { IndexEntry } from "./index-format.js";
import { IndexSession } from "./index-session.js";
import { errnoCode, ioError } from "./io-error.js";
import { mkdirAll } from "./mkdir-all.js";
import { readRegularFile } from "./read-regular-file.js";
import { LINE_BREAK, legacyKey, parseReservation, reservationKey } from "./reservation-content.js";
import type { DirEntry } from "./sys/index.js";
import { sys } from "./sys/index.js";
import { join } from "./sys/path.js";

/** Where upstream keeps its network directories when the config sets no `dataDir`. */
export const DEFAULT_DATA_DIR = "/var/lib/cni/networks";

/**
 * Default of {@link DiskStoreOptions.indexThreshold}: below this many reservations a scan costs about
 * as much as keeping the index (one open, read and close per file against some 25 calls per locked
 * sequence), and an empty store pays one extra lstat.
 */
export const DEFAULT_INDEX_THRESHOLD = 64;

/** Options of {@link openDiskStore} and {@link openExistingDiskStore}. */
export interface DiskStoreOptions {
  /** Parent of the network directories (the IPAM config's `dataDir`); empty or absent: {@link DEFAULT_DATA_DIR}. */
  readonly dataDir?: string | undefined;
  /** The network's name (the config's `name`), used as one directory name below `dataDir`. */
  readonly network: string;
  /**
   * Number of reservations from which the store keeps its index (`.cni-ts-index`) for calls made
   * under the lock; default {@link DEFAULT_INDEX_THRESHOLD}. A full scan that finds at least this many
   * builds it; one that finds fewer than half of it removes an existing index. `0` keeps an index at
   * any size, `Infinity` never keeps one. Only changes speed, never an answer.
   */
  readonly indexThreshold?: number | undefined;
}

/** Who holds an address (structurally `Owner` of `@cni-ts/allocator`). */
export interface DiskOwner {
  /** The trimmed container ID; `""` for a reservation file with no content. */
  containerId: string;
  /** Undefined for a legacy record that names only the container. */
  ifname: string | undefined;
}

/** One reserved address and its owner (structurally `Allocation` of `@cni-ts/allocator`). */
export interface DiskAllocation extends DiskOwner {
  /** The reservation file's name: the address as the writer spelled it (canonical when we wrote it). */
  ip: string;
}

/**
 * The file-per-address store of one network, `<dataDir>/<network>/`, sharing its format and its lock
 * with upstream's binary (contract section 6). It satisfies `Store` of `@cni-ts/allocator` by shape;
 * the TSDoc there is the contract, and what follows only adds the disk-specific parts.
 *
 * Scans (`getById`, `releaseById`, `list`) read one directory level and only regular files whose name
 * is an IP address; `lock`, `last_reserved_ip.*`, dot-names, subdirectories and symbolic links never
 * count. No call follows a symbolic link inside the network directory.
 *
 * Between {@link DiskStore.lock} and {@link DiskStore.unlock} (or {@link DiskStore.close}), once the
 * store holds `indexThreshold` reservations, `getById` and `releaseById` answer from an index in
 * `<dir>/.cni-ts-index/` instead of reading every file, and verify every address it names by
 * reading that file; the index is brought up to date before the lock is released. An index that is
 * missing, out of date (anyone else created, removed or renamed a file since: the directory's
 * mtime moved), or damaged is rebuilt from a full scan. `releaseById` scans before concluding that a
 * container holds nothing. Without the lock, every call scans as before. Every method rejects with
 * CniError 5 (I/O failure, naming the call and the file) when the file system fails it, and with
 * CniError 999 when called after {@link DiskStore.close} or with an argument that is not a valid
 * address or range id.
 */
export interface DiskStore {
  /** The network directory, `<dataDir>/<network>`. */
  readonly dir: string;
  /** Takes the exclusive `flock(2)` on `<dir>/lock`, waiting (no timeout) like upstream. */
  lock(): Promise<void>;
  /**
   * Brings the index up to date with this lock session's changes (never failing for it: the index is
   * a hint), then releases the lock.
   */
  unlock(): Promise<void>;
  /** Like {@link DiskStore.unlock} when the lock is held, then closes the lock file. Idempotent. */
  close(): Promise<void>;
  /**
   * Creates the reservation file `<dir>/<ip>` holding `<trimmed id>\r\n<ifname>` (mode 0600) through a
   * synced temp file and `link(2)`, then replaces `last_reserved_ip.<rangeId>` through `rename(2)`.
   * Resolves false when `<dir>/<ip>` exists in any form (file, link, directory). A failure to write
   * the hint after the reservation exists is ignored on purpose: the hint only steers round robin.
   */
  reserve(containerId: string, ifname: string, ip: string, rangeId: string): Promise<boolean>;
  /**
   * The content of `last_reserved_ip.<rangeId>`, untrimmed like upstream, when it is an IP address;
   * undefined when missing, unreadable, a symbolic link or anything else.
   */
  lastReservedIp(rangeId: string): Promise<string | undefined>;
  /** Addresses whose trimmed content is `<trimmed id>\r\n<ifname>` or, legacy, `<trimmed id>`; sorted. */
  getById(containerId: string, ifname: string): Promise<string[]>;
  /**
   * Removes the files holding `<id>\r\n<ifname>`; when there are none, the legacy files holding `<id>`
   * (upstream's two passes, from one scan). A file that cannot be removed rejects with CniError 5
   * after every other file has been tried (upstream ignores it and reports success).
   */
  releaseById(containerId: string, ifname: string): Promise<void>;
  /** Removes `<dir>/<ip>` only when its trimmed content is exactly `<trimmed id>\r\n<ifname>`. */
  release(ip: string, containerId: string, ifname: string): Promise<void>;
  /** The holder recorded in `<dir>/<ip>`, or undefined when there is no such regular file. */
  getOwner(ip: string): Promise<DiskOwner | undefined>;
  /** Every reservation, ownerless (empty) files included with containerId `""`; sorted by address. */
  list(): Promise<DiskAllocation[]>;
  /**
   * Removes `<dir>/<ip>` only if it still holds exactly the owner given (as {@link DiskStore.list}
   * reported it: legacy and ownerless records included), for GC and repair. Resolves whether it did.
   */
  releaseAllocation(allocation: DiskAllocation): Promise<boolean>;
  /**
   * Removes the temp files (`.<name>.tmp-<pid>-<n>`) last modified before `olderThan`: leftovers of a
   * killed writer. Resolves the removed names, sorted.
   */
  removeStaleTempFiles(olderThan: Date): Promise<string[]>;
}

/**
 * Opens the store of `network` under `dataDir`, as upstream does: creates `<dataDir>/<network>` and
 * its parents (mode 0755, umask applies) and the lock file `lock` (mode 0750) when missing. Does not
 * take the lock.
 *
 * Rejects with CniError 999 for a network name that is empty, `.`, `..`, or contains `/` or NUL; with
 * CniError 5 when a directory or the lock file cannot be created or opened (`mkdir <path>: permission
 * denied`), when `<dataDir>/<network>` is a symbolic link or not a directory, or when the lock file is
 * a symbolic link or not a regular file.
 */
export async function openDiskStore(options: DiskStoreOptions): Promise<DiskStore> {
  const dir = networkDir(options);
  mkdirAll(dir, 0o755);
  return openIn(dir, options);
}

/**
 * Like {@link openDiskStore}, but creates nothing when `<dataDir>/<network>` does not exist, and then
 * resolves undefined: for DEL, GC and STATUS, which have nothing to do in a network never used
 * (upstream creates the directory and the lock file even then). Rejects like {@link openDiskStore}.
 */
export async function openExistingDiskStore(options: DiskStoreOptions): Promise<DiskStore | undefined> {
  const dir = networkDir(options);
  try {
    // A network never used is an answer, not an exception (cheaper in Bun).
    if (sys.lstatIfExists(dir) === undefined) return undefined;
  } catch (err) {
    throw ioError("lstat", dir, err);
  }
  return openIn(dir, options);
}

function networkDir(options: DiskStoreOptions): string {
  checkNetworkName(options.network);
  const dataDir =
    options.dataDir === undefined || options.dataDir === "" ? DEFAULT_DATA_DIR : options.dataDir;
  return join(dataDir, options.network);
}

async function openIn(dir: string, options: DiskStoreOptions): Promise<DiskStore> {
  let isLink: boolean;
  let isDir: boolean;
  try {
    const st = sys.lstat(dir);
    isLink = st.isSymbolicLink();
    isDir = st.isDirectory();
  } catch (err) {
    throw ioError("lstat", dir, err);
  }
  // A network directory that is a symlink could send every write elsewhere; nothing we create is one.
  if (isLink) {
    throw new CniError(
      CNI_ERROR_CODES.IoFailure,
      `network directory ${dir} is a symbolic link; refusing to use it`,
    );
  }
  if (!isDir) throw new CniError(CNI_ERROR_CODES.IoFailure, `mkdir ${dir}: not a directory`);
  // openFileLock on a directory opens `<dir>/lock`, upstream's lock file, and refuses a link there.
  const threshold = options.indexThreshold ?? DEFAULT_INDEX_THRESHOLD;
  return new NetworkDirStore(dir, await openFileLock(dir), threshold);
}

// Names are ASCII, where UTF-16 order is byte order (what upstream's directory walk visits).
const compareText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

class NetworkDirStore implements DiskStore {
  readonly dir: string;
  readonly #lock: FileLock;
  readonly #index: DirIndex;
  readonly #indexThreshold: number;
  #closed = false;
  #locked = false;
  /** The index as this lock session sees it; created on first use while the lock is held. */
  #session: IndexSession | undefined;

  constructor(dir: string, lock: FileLock, indexThreshold: number) {
    this.dir = dir;
    this.#lock = lock;
    this.#index = new DirIndex(dir);
    this.#indexThreshold = indexThreshold;
  }

  async lock(): Promise<void> {
    this.#usable();
    await this.#lock.lock();
    if (!this.#locked) this.#session = undefined;
    this.#locked = true;
  }

  async unlock(): Promise<void> {
    this.#usable();
    await this.#endSession();
    await this.#lock.unlock();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#endSession();
    await this.#lock.close();
  }

  async reserve(containerId: string, ifname: string, ip: string, rangeId: string): Promise<boolean> {
    this.#usable();
    checkAddressName(ip);
    checkRangeId(rangeId);
    const session = this.#indexSession();
    let created: boolean;
    try {
      // The content is synced before the name exists: a power cut then leaves either no reservation
      // or a complete one, never the empty file upstream can leave between its create and its write.
      created = await atomicWrite(this.dir, ip, reservationKey(containerId, ifname), {
        mode: 0o600,
        exclusive: true,
        fsync: true,
      });
    } catch (err) {
      // The temp file, and in a rare case the reservation, may or may not be left: rebuild later.
      session?.poison();
      throw err;
    }
    // Even a lost race created and removed a temp file, which moved the directory's mtime.
    session?.noteDirChange();
    if (!created) return false;
    session?.added({ ip, content: goTrimSpace(reservationKey(containerId, ifname)) });
    try {
      // Not synced: after a power cut a stale or missing hint only moves where round robin resumes.
      await atomicWrite(this.dir, `${LAST_RESERVED_IP_PREFIX}${rangeId}`, ip, {
        mode: 0o600,
        exclusive: false,
        fsync: false,
      });
    } catch {
      // Deliberately ignored (decisions.md, "The data dir"): the address is reserved and the old hint
      // stays in place; failing here would make the caller roll back a good reservation.
    }
    return true;
  }

  async lastReservedIp(rangeId: string): Promise<string | undefined> {
    this.#usable();
    checkRangeId(rangeId);
    let content: string | undefined;
    try {
      content = readRegularFile(join(this.dir, `${LAST_RESERVED_IP_PREFIX}${rangeId}`));
    } catch {
      // Deliberately ignored: upstream only logs an unreadable hint and starts round robin afresh.
      return undefined;
    }
    // upstream-compat: no trimming, so a hint with a newline is no hint.
    return content !== undefined && isAddressName(content) ? content : undefined;
  }

  async getById(containerId: string, ifname: string): Promise<string[]> {
    this.#usable();
    const key = reservationKey(containerId, ifname);
    const legacy = legacyKey(containerId);
    const session = this.#indexSession();
    const exact = session?.find(key);
    const old = session?.find(legacy);
    // A miss is not confirmed by a scan here: ADD asks this for every new container, which would
    // put a full scan on every ADD (see the README for what that leaves uncovered).
    if (exact !== undefined && old !== undefined) {
      const hits = [...exact, ...old];
      if (this.#stillHeld(hits)) return hits.map((e) => e.ip).sort(compareText);
    }
    return this.#scan()
      .filter((e) => e.content === key || e.content === legacy)
      .map((e) => e.ip);
  }

  async releaseById(containerId: string, ifname: string): Promise<void> {
    this.#usable();
    const key = reservationKey(containerId, ifname);
    const legacy = legacyKey(containerId);
    const session = this.#indexSession();
    // upstream-compat: legacy records go only when no exact record exists (contract 6.5).
    let victims = session?.find(key);
    if (victims?.length === 0) victims = session?.find(legacy);
    // "An index must never make DEL miss an allocation": a miss is confirmed by a full scan, unless
    // this session already scanned or already released this attachment through the index.
    const confirmed =
      victims !== undefined &&
      this.#stillHeld(victims) &&
      (victims.length > 0 || session?.trustsMiss(key) === true);
    if (!confirmed) {
      const files = this.#scan();
      victims = files.filter((e) => e.content === key);
      if (victims.length === 0) victims = files.filter((e) => e.content === legacy);
    }
    this.#removeEntries(victims ?? []);
    session?.settle(key);
  }

  async release(ip: string, containerId: string, ifname: string): Promise<void> {
    this.#usable();
    checkAddressName(ip);
    this.#indexSession();
    const content = this.#readReservation(ip);
    if (content === reservationKey(containerId, ifname)) this.#removeEntries([{ ip, content }]);
  }

  async getOwner(ip: string): Promise<DiskOwner | undefined> {
    this.#usable();
    checkAddressName(ip);
    const content = this.#readReservation(ip);
    return content === undefined ? undefined : parseReservation(content);
  }

  async list(): Promise<DiskAllocation[]> {
    this.#usable();
    return this.#scan().map((e) => ({ ip: e.ip, ...parseReservation(e.content) }));
  }

  async releaseAllocation(allocation: DiskAllocation): Promise<boolean> {
    this.#usable();
    checkAddressName(allocation.ip);
    const expected =
      allocation.ifname === undefined
        ? allocation.containerId
        : `${allocation.containerId}${LINE_BREAK}${allocation.ifname}`;
    this.#indexSession();
    if (this.#readReservation(allocation.ip) !== expected) return false;
    this.#removeEntries([{ ip: allocation.ip, content: expected }]);
    return true;
  }

  async removeStaleTempFiles(olderThan: Date): Promise<string[]> {
    this.#usable();
    const session = this.#indexSession();
    const stale: string[] = [];
    for (const name of this.#readDir().filter(isTempFileName)) {
      const path = join(this.dir, name);
      try {
        const st = sys.lstat(path);
        if (st.isFile() && st.mtimeNs < BigInt(olderThan.getTime()) * 1_000_000n) stale.push(name);
      } catch (err) {
        if (errnoCode(err) !== "ENOENT") throw ioError("lstat", path, err);
      }
    }
    if (stale.length > 0) session?.noteDirChange();
    this.#removeAll(stale);
    return stale.sort(compareText);
  }

  #usable(): void {
    if (this.#closed) throw new CniError(CNI_ERROR_CODES.Internal, `disk store ${this.dir} is closed`);
  }

  /**
   * The index session of the lock held now, started on first use (which must come before our first
   * change to the directory in the session); undefined without the lock, where every call scans.
   */
  #indexSession(): IndexSession | undefined {
    if (!this.#locked) return undefined;
    this.#session ??= IndexSession.open(this.#index);
    return this.#session;
  }

  /** Writes the session's index changes back while the lock is still held, and ends the session. */
  async #endSession(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    this.#locked = false;
    await session?.flush(this.#indexThreshold);
  }

  /**
   * True when every entry the index named still holds exactly what the index says. When one does
   * not, the index is out of date in a way its validity check cannot see (a file rewritten in place,
   * a writer that skipped the lock), and the caller falls back to a scan, which rebuilds it.
   */
  #stillHeld(entries: readonly IndexEntry[]): boolean {
    return entries.every((e) => this.#readReservation(e.ip) === e.content);
  }

  #readDir(): string[] {
    try {
      return sys.readdir(this.dir).map((entry) => entry.name);
    } catch (err) {
      throw ioError("open", this.dir, err);
    }
  }

  /**
   * Every reservation: one level, regular files named by an address only (contract 10, items 6 and
   * 20), sorted by name. Under the lock, the result also becomes the session's index.
   */
  #scan(): IndexEntry[] {
    let entries: DirEntry[];
    try {
      entries = sys.readdir(this.dir);
    } catch (err) {
      throw ioError("open", this.dir, err);
    }
    const files: IndexEntry[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || !isAddressName(entry.name)) continue;
      const content = this.#readReservation(entry.name);
      if (content !== undefined) files.push({ ip: entry.name, content });
    }
    files.sort((a, b) => compareText(a.ip, b.ip));
    this.#indexSession()?.adopt(files);
    return files;
  }

  /** The trimmed content of reservation `name`, or undefined when it is not a regular file. */
  #readReservation(name: string): string | undefined {
    const content = readRegularFile(join(this.dir, name));
    return content === undefined ? undefined : goTrimSpace(content);
  }

  /** {@link NetworkDirStore.#removeAll} for reservations, keeping the session's index in step. */
  #removeEntries(entries: readonly IndexEntry[]): void {
    const session = this.#session;
    if (entries.length > 0) session?.noteDirChange();
    const byIp = new Map(entries.map((e) => [e.ip, e]));
    this.#removeAll(
      entries.map((e) => e.ip),
      (ip) => {
        const entry = byIp.get(ip);
        if (entry !== undefined) session?.removed(entry);
      },
    );
  }

  /**
   * Unlinks every name (a missing one counts as removed, and is reported to `onRemoved` like the
   * others), then throws CniError 5 naming each file that could not be removed, so a DEL is retried
   * rather than reported done (contract 10, item 12).
   */
  #removeAll(names: readonly string[], onRemoved?: (name: string) => void): void {
    const failures: CniError[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        sys.unlink(path);
        onRemoved?.(name);
      } catch (err) {
        if (errnoCode(err) === "ENOENT") onRemoved?.(name);
        else failures.push(ioError("remove", path, err));
      }
    }
    const [first, ...more] = failures;
    if (first === undefined) return;
    if (more.length === 0) throw first;
    throw new CniError(CNI_ERROR_CODES.IoFailure, failures.map((f) => f.msg).join("; "), {
      cause: failures.map((f) => f.cause),
    });
  }
}
