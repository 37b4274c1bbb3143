/**
 * An in-memory {@link Store} with the disk store's semantics (upstream `backend/disk`), for tests of
 * code that allocates. It runs the shared contract suite like every other store.
 */
import { CNI_ERROR_CODES, CniError, goTrimSpace } from "@cni-ts/types";
import type { Allocation, Owner, Store } from "../store.js";

function byText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** What a {@link MemoryStore} starts with. */
export interface MemoryStoreOptions {
  /** Existing reservations; an `ifname` of undefined makes a legacy record (container only). */
  reservations?: Iterable<Allocation>;
  /** Last reserved address per range set id. */
  lastReserved?: Readonly<Record<string, string>>;
}

/**
 * A complete in-memory {@link Store}.
 *
 * - Container IDs are stored with surrounding whitespace removed (Go's `TrimSpace`), as upstream does.
 * - A legacy record (owner `ifname` undefined) belongs to every ifname of its container: `getById`
 *   returns it, and `releaseById` removes it when the container/ifname has no exact record.
 * - `lock` is a fair mutex: a second `lock()` waits until `unlock()`. `close` releases it; every call
 *   after `close` rejects with CniError 11.
 */
export class MemoryStore implements Store {
  private readonly records = new Map<string, Owner>();
  private readonly hints = new Map<string, string>();
  private locked = false;
  private readonly waiters: Array<() => void> = [];
  private closed = false;

  /** A store holding `options.reservations` and `options.lastReserved`, nothing else. */
  constructor(options: MemoryStoreOptions = {}) {
    for (const { ip, containerId, ifname } of options.reservations ?? []) {
      this.records.set(ip, { containerId: goTrimSpace(containerId), ifname });
    }
    for (const [rangeId, ip] of Object.entries(options.lastReserved ?? {})) this.hints.set(rangeId, ip);
  }

  private check(): void {
    if (this.closed) throw new CniError(CNI_ERROR_CODES.TryAgainLater, "store is closed");
  }

  /**
   * Adds a legacy record: `ip` held by `containerId` for every ifname, as very old upstream wrote it.
   *
   * @throws CniError 11 after {@link MemoryStore.close}, like every method.
   */
  async plantLegacy(ip: string, containerId: string): Promise<void> {
    this.check();
    this.records.set(ip, { containerId: goTrimSpace(containerId), ifname: undefined });
  }

  /** See {@link Store.lock}: waits, in call order, while another caller holds the lock. */
  async lock(): Promise<void> {
    this.check();
    if (!this.locked) {
      this.locked = true;
      return;
    }
    // unlock() hands the lock straight to the first waiter.
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** See {@link Store.unlock}: hands the lock to the next waiter; a no-op when nobody holds it. */
  async unlock(): Promise<void> {
    const next = this.waiters.shift();
    if (next !== undefined) next();
    else this.locked = false;
  }

  /** See {@link Store.close}. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.locked = false;
    // Whoever still waits gets the lock of a closed store; their next call rejects.
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** See {@link Store.reserve}. */
  async reserve(containerId: string, ifname: string, ip: string, rangeId: string): Promise<boolean> {
    this.check();
    if (this.records.has(ip)) return false;
    this.records.set(ip, { containerId: goTrimSpace(containerId), ifname });
    this.hints.set(rangeId, ip);
    return true;
  }

  /** See {@link Store.lastReservedIp}. */
  async lastReservedIp(rangeId: string): Promise<string | undefined> {
    this.check();
    return this.hints.get(rangeId);
  }

  private matching(containerId: string, ifname: string | undefined): string[] {
    const id = goTrimSpace(containerId);
    return [...this.records]
      .filter(([, owner]) => owner.containerId === id && owner.ifname === ifname)
      .map(([ip]) => ip);
  }

  /** See {@link Store.getById}. */
  async getById(containerId: string, ifname: string): Promise<string[]> {
    this.check();
    return [...this.matching(containerId, ifname), ...this.matching(containerId, undefined)].sort(byText);
  }

  /** See {@link Store.releaseById}. */
  async releaseById(containerId: string, ifname: string): Promise<void> {
    this.check();
    const exact = this.matching(containerId, ifname);
    // upstream-compat: legacy records go only when the container/ifname had no exact record.
    const doomed = exact.length > 0 ? exact : this.matching(containerId, undefined);
    for (const ip of doomed) this.records.delete(ip);
  }

  /** See {@link Store.release}. */
  async release(ip: string, containerId: string, ifname: string): Promise<void> {
    this.check();
    const owner = this.records.get(ip);
    if (owner !== undefined && owner.containerId === goTrimSpace(containerId) && owner.ifname === ifname) {
      this.records.delete(ip);
    }
  }

  /** See {@link Store.getOwner}. */
  async getOwner(ip: string): Promise<Owner | undefined> {
    this.check();
    const owner = this.records.get(ip);
    return owner === undefined ? undefined : { ...owner };
  }

  /** See {@link Store.list}. */
  async list(): Promise<Allocation[]> {
    this.check();
    return [...this.records]
      .sort(([a], [b]) => byText(a, b))
      .map(([ip, owner]) => ({ ip, containerId: owner.containerId, ifname: owner.ifname }));
  }
}
