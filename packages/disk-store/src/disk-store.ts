import type { Dirent } from "node:fs";
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import { atomicWrite, isTempFileName } from "./atomic-write.js";
import type { FileLock } from "./file-lock.js";
import { openFileLock } from "./file-lock.js";
import {
  checkAddressName,
  checkNetworkName,
  checkRangeId,
  isAddressName,
  LAST_RESERVED_IP_PREFIX,
} from "./file-names.js";
import { errnoCode, ioError } from "./io-error.js";
import { mkdirAll } from "./mkdir-all.js";
import {
  goTrimSpace,
  LINE_BREAK,
  legacyKey,
  parseReservation,
  reservationKey,
} from "./reservation-content.js";

/** Where upstream keeps its network directories when the config sets no `dataDir`. */
export const DEFAULT_DATA_DIR = "/var/lib/cni/networks";

/** Options of {@link openDiskStore} and {@link openExistingDiskStore}. */
export interface DiskStoreOptions {
  /** Parent of the network directories (the IPAM config's `dataDir`); empty or absent: {@link DEFAULT_DATA_DIR}. */
  readonly dataDir?: string | undefined;
  /** The network's name (the config's `name`), used as one directory name below `dataDir`. */
  readonly network: string;
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
 * count. No call follows a symbolic link inside the network directory. Every method rejects with
 * CniError 5 (I/O failure, naming the call and the file) when the file system fails it, and with
 * CniError 999 when called after {@link DiskStore.close} or with an argument that is not a valid
 * address or range id.
 */
export interface DiskStore {
  /** The network directory, `<dataDir>/<network>`. */
  readonly dir: string;
  /** Takes the exclusive `flock(2)` on `<dir>/lock`, waiting (no timeout) like upstream. */
  lock(): Promise<void>;
  /** Releases the lock. */
  unlock(): Promise<void>;
  /** Closes the lock file (which releases the lock). Idempotent. */
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
  return openIn(dir);
}

/**
 * Like {@link openDiskStore}, but creates nothing when `<dataDir>/<network>` does not exist, and then
 * resolves undefined: for DEL, GC and STATUS, which have nothing to do in a network never used
 * (upstream creates the directory and the lock file even then). Rejects like {@link openDiskStore}.
 */
export async function openExistingDiskStore(options: DiskStoreOptions): Promise<DiskStore | undefined> {
  const dir = networkDir(options);
  try {
    lstatSync(dir);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return undefined;
    throw ioError("lstat", dir, err);
  }
  return openIn(dir);
}

function networkDir(options: DiskStoreOptions): string {
  checkNetworkName(options.network);
  const dataDir =
    options.dataDir === undefined || options.dataDir === "" ? DEFAULT_DATA_DIR : options.dataDir;
  return join(dataDir, options.network);
}

async function openIn(dir: string): Promise<DiskStore> {
  let isLink: boolean;
  let isDir: boolean;
  try {
    const st = lstatSync(dir);
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
  return new NetworkDirStore(dir, await openFileLock(dir));
}

/** A reservation file as a scan found it. */
interface ScannedFile {
  readonly name: string;
  /** The content, trimmed like Go's `strings.TrimSpace`. */
  readonly content: string;
}

// Names are ASCII, where UTF-16 order is byte order (what upstream's directory walk visits).
const compareText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

class NetworkDirStore implements DiskStore {
  readonly dir: string;
  readonly #lock: FileLock;
  #closed = false;

  constructor(dir: string, lock: FileLock) {
    this.dir = dir;
    this.#lock = lock;
  }

  async lock(): Promise<void> {
    this.#usable();
    await this.#lock.lock();
  }

  async unlock(): Promise<void> {
    this.#usable();
    await this.#lock.unlock();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#lock.close();
  }

  async reserve(containerId: string, ifname: string, ip: string, rangeId: string): Promise<boolean> {
    this.#usable();
    checkAddressName(ip);
    checkRangeId(rangeId);
    // The content is synced before the name exists: a power cut then leaves either no reservation or
    // a complete one, never the empty file upstream can leave between its create and its write.
    const created = await atomicWrite(this.dir, ip, reservationKey(containerId, ifname), {
      mode: 0o600,
      exclusive: true,
      fsync: true,
    });
    if (!created) return false;
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
      content = this.#readFile(`${LAST_RESERVED_IP_PREFIX}${rangeId}`);
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
    return this.#scan()
      .filter((f) => f.content === key || f.content === legacy)
      .map((f) => f.name);
  }

  async releaseById(containerId: string, ifname: string): Promise<void> {
    this.#usable();
    const files = this.#scan();
    const key = reservationKey(containerId, ifname);
    const legacy = legacyKey(containerId);
    // upstream-compat: legacy records go only when no exact record exists (contract 6.5).
    let victims = files.filter((f) => f.content === key);
    if (victims.length === 0) victims = files.filter((f) => f.content === legacy);
    this.#removeAll(victims.map((f) => f.name));
  }

  async release(ip: string, containerId: string, ifname: string): Promise<void> {
    this.#usable();
    checkAddressName(ip);
    const content = this.#readReservation(ip);
    if (content === reservationKey(containerId, ifname)) this.#removeAll([ip]);
  }

  async getOwner(ip: string): Promise<DiskOwner | undefined> {
    this.#usable();
    checkAddressName(ip);
    const content = this.#readReservation(ip);
    return content === undefined ? undefined : parseReservation(content);
  }

  async list(): Promise<DiskAllocation[]> {
    this.#usable();
    return this.#scan().map((f) => ({ ip: f.name, ...parseReservation(f.content) }));
  }

  async releaseAllocation(allocation: DiskAllocation): Promise<boolean> {
    this.#usable();
    checkAddressName(allocation.ip);
    const expected =
      allocation.ifname === undefined
        ? allocation.containerId
        : `${allocation.containerId}${LINE_BREAK}${allocation.ifname}`;
    if (this.#readReservation(allocation.ip) !== expected) return false;
    this.#removeAll([allocation.ip]);
    return true;
  }

  async removeStaleTempFiles(olderThan: Date): Promise<string[]> {
    this.#usable();
    const stale: string[] = [];
    for (const name of this.#readDir().filter(isTempFileName)) {
      const path = join(this.dir, name);
      try {
        const st = lstatSync(path);
        if (st.isFile() && st.mtimeMs < olderThan.getTime()) stale.push(name);
      } catch (err) {
        if (errnoCode(err) !== "ENOENT") throw ioError("lstat", path, err);
      }
    }
    this.#removeAll(stale);
    return stale.sort(compareText);
  }

  #usable(): void {
    if (this.#closed) throw new CniError(CNI_ERROR_CODES.Internal, `disk store ${this.dir} is closed`);
  }

  #readDir(): string[] {
    try {
      return readdirSync(this.dir);
    } catch (err) {
      throw ioError("open", this.dir, err);
    }
  }

  /** One level, regular files named by an address only (contract 10, items 6 and 20). */
  #scan(): ScannedFile[] {
    let entries: Dirent[];
    try {
      entries = readdirSync(this.dir, { withFileTypes: true });
    } catch (err) {
      throw ioError("open", this.dir, err);
    }
    const files: ScannedFile[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || !isAddressName(entry.name)) continue;
      const content = this.#readReservation(entry.name);
      if (content !== undefined) files.push({ name: entry.name, content });
    }
    return files.sort((a, b) => compareText(a.name, b.name));
  }

  /** The trimmed content of reservation `name`, or undefined when it is not a regular file. */
  #readReservation(name: string): string | undefined {
    const content = this.#readFile(name);
    return content === undefined ? undefined : goTrimSpace(content);
  }

  /**
   * The content of `<dir>/<name>` without following a symbolic link; undefined when it does not exist,
   * is a link, or is not a regular file. Other failures throw CniError 5.
   */
  #readFile(name: string): string | undefined {
    const path = join(this.dir, name);
    const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO planted under an address name must not hang the scan.
      fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (err) {
      const code = errnoCode(err);
      if (code === "ENOENT" || code === "ELOOP") return undefined;
      throw ioError("open", path, err);
    }
    try {
      if (!fstatSync(fd).isFile()) return undefined;
      return readFileSync(fd, "utf8");
    } catch (err) {
      throw ioError("read", path, err);
    } finally {
      closeQuietly(fd);
    }
  }

  /**
   * Unlinks every name (a missing one counts as removed), then throws CniError 5 naming each file that
   * could not be removed, so a DEL is retried rather than reported done (contract 10, item 12).
   */
  #removeAll(names: readonly string[]): void {
    const failures: CniError[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        unlinkSync(path);
      } catch (err) {
        if (errnoCode(err) !== "ENOENT") failures.push(ioError("remove", path, err));
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

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Deliberately ignored: closing a descriptor opened read-only cannot lose data.
  }
}
