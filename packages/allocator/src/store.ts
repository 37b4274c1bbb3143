/**
 * The storage contract the allocator works against. The consumer owns its interface (as upstream's
 * `backend/store.go`): `@cni-ts/disk-store` and any other store satisfy it by shape, and the shared
 * contract suite in `@cni-ts/allocator/testing` runs against each of them.
 *
 * Addresses cross this interface as canonical text (Go's `net.IP.String()`: `10.1.2.2`,
 * `2001:db8::2`), which is also the disk store's file name, so a store needs no IP library.
 */

/** Who holds an address. `ifname` is undefined for a legacy record that names only the container. */
export interface Owner {
  containerId: string;
  ifname: string | undefined;
}

/** One reserved address and its owner. */
export interface Allocation extends Owner {
  /** Canonical address text. */
  ip: string;
}

/**
 * A pool of reserved addresses for one network.
 *
 * Callers hold {@link Store.lock} around every sequence of calls that must not interleave with
 * another process (an ADD's reservations, a DEL, a GC). Methods reject with a `CniError` (code 5 for
 * an I/O failure, 11 for a store that is unreachable or timing out) and never leave a partial record.
 */
export interface Store {
  /** Takes the network's exclusive lock, waiting for other holders. */
  lock(): Promise<void>;
  /** Releases the lock taken by {@link Store.lock}. */
  unlock(): Promise<void>;
  /** Releases the lock if held and frees every resource; the store is unusable afterwards. */
  close(): Promise<void>;
  /**
   * Records `ip` as held by (`containerId`, `ifname`) if nobody holds it, and then remembers it as the
   * last reserved address of range set `rangeId`. Resolves false, changing nothing, when `ip` is taken.
   * The record is created atomically: it either exists complete or not at all.
   */
  reserve(containerId: string, ifname: string, ip: string, rangeId: string): Promise<boolean>;
  /** The last address reserved in range set `rangeId`, or undefined when unknown or unreadable. */
  lastReservedIp(rangeId: string): Promise<string | undefined>;
  /**
   * Addresses held by (`containerId`, `ifname`), including legacy records that name only the
   * container (upstream treats those as held by every ifname of it). Sorted by their canonical text.
   */
  getById(containerId: string, ifname: string): Promise<string[]>;
  /**
   * Removes every address held by (`containerId`, `ifname`). Legacy records of the container are
   * removed too when no exact record existed, as upstream's DEL does. Idempotent.
   */
  releaseById(containerId: string, ifname: string): Promise<void>;
  /** Removes `ip` only if it is held by exactly (`containerId`, `ifname`); used to roll back an ADD. */
  release(ip: string, containerId: string, ifname: string): Promise<void>;
  /** The holder of `ip`, or undefined when it is free. */
  getOwner(ip: string): Promise<Owner | undefined>;
  /** Every reserved address with its owner, sorted by canonical text. */
  list(): Promise<Allocation[]>;
}
