/**
 * The etcd store: one network's address pool shared by every host that points at the same etcd
 * cluster, prefix and network name. See key-layout.ts for the keys and the README for the guarantees.
 */
import { hostname } from "node:os";
import { CNI_ERROR_CODES, CniError, goTrimSpace } from "@cni-ts/types";
import type { EtcdCompare, EtcdKeyValue, EtcdOp } from "./etcd-client.js";
import { EtcdClient } from "./etcd-client.js";
import type { OwnerIndexEntry } from "./key-layout.js";
import { checkAddressText, isAddressText, NetworkKeys } from "./key-layout.js";
import type { EtcdOwner } from "./reservation-value.js";
import { parseReservationValue, toReservationValue } from "./reservation-value.js";
import type { EtcdTlsFiles } from "./tls-files.js";
import { readTlsFiles } from "./tls-files.js";

/** The key prefix when the config names none. */
export const DEFAULT_ETCD_PREFIX = "/cni-ts";

/** The bound of every etcd call, in milliseconds, when the config names none. */
export const DEFAULT_ETCD_TIMEOUT_MS = 5000;

/** The largest timeout a timer can wait for (2^31 - 1 ms, about 24.8 days). */
export const MAX_ETCD_TIMEOUT_MS = 2_147_483_647;

// A transaction may hold at most 128 operations by default (etcd's --max-txn-ops); each removal
// takes two deletes and one compare.
const RELEASES_PER_TXN = 32;

/** What {@link openEtcdStore} connects to. */
export interface EtcdStoreOptions {
  /** Member URLs (`http://host:2379`, `https://host:2379`), tried in order. At least one. */
  endpoints: readonly string[];
  /** The network name; its keys live under `<prefix>/<network>/`. */
  network: string;
  /** Key prefix shared by every network; {@link DEFAULT_ETCD_PREFIX} when undefined. */
  prefix?: string | undefined;
  /** Bound of every call in milliseconds; {@link DEFAULT_ETCD_TIMEOUT_MS} when undefined. */
  timeoutMs?: number | undefined;
  /** PEM files for `https` endpoints; the system's CAs and no client certificate when undefined. */
  tls?: EtcdTlsFiles | undefined;
  /**
   * The name this host records with each reservation it makes (the value of the owner-index key), so
   * that GC, which only knows this host's attachments, touches only this host's reservations. The host
   * name when undefined.
   */
  node?: string | undefined;
}

/** Options of {@link EtcdStore.releaseAllocation}. */
export interface ReleaseAllocationOptions {
  /**
   * Remove the record whichever host made it (an operator's `release`). By default only records this
   * host made are removed (GC).
   */
  anyNode?: boolean;
}

/** A reserved address and its holder. */
export interface EtcdAllocation extends EtcdOwner {
  /** Canonical address text. */
  ip: string;
}

/**
 * One network's pool in etcd. It satisfies the `Store` contract of `@cni-ts/allocator` by shape, plus
 * what host-local's GC, STATUS and operator commands need.
 *
 * Every method that talks to etcd rejects with CniError 11 when no member answers within the timeout
 * (or the cluster has no leader), 999 when etcd refuses the request for good (e.g. permission denied),
 * and CniError 999 `etcd store <root> is closed` after {@link EtcdStore.close}. Every change is one
 * etcd transaction: it happens completely or not at all.
 */
export interface EtcdStore {
  /** `<prefix>/<network>/`: the root of every key of the network. */
  readonly root: string;
  /** The endpoints, normalised, in the configured order. */
  readonly endpoints: readonly string[];
  /** The name this host records with its reservations (see {@link EtcdStoreOptions.node}). */
  readonly node: string;
  /**
   * Does nothing (beyond refusing a closed store). Every change is a conditional transaction on the
   * address key itself, so there is nothing to lock: two hosts racing for an address are ordered by
   * etcd, and a lock held across hosts would only add a failure mode (a lease that expires while its
   * holder still works).
   */
  lock(): Promise<void>;
  /** Does nothing, like {@link EtcdStore.lock}. */
  unlock(): Promise<void>;
  /** Drops the connections; every later call rejects. Idempotent. */
  close(): Promise<void>;
  /**
   * In one transaction, if `<root>ips/<ip>` does not exist: creates it holding `<trimmed id>\r\n<ifname>`,
   * creates its owner-index key holding this host's {@link EtcdStore.node} name, and sets the hint of
   * range set `rangeId` to `ip`. Resolves false, changing nothing, when the address is held.
   *
   * @throws CniError 999 for address text that is not canonical. On a timeout the outcome is unknown:
   *   the address may be held by this owner, and DEL removes it.
   */
  reserve(containerId: string, ifname: string, ip: string, rangeId: string): Promise<boolean>;
  /** The hint of range set `rangeId` when it is address text; undefined otherwise. */
  lastReservedIp(rangeId: string): Promise<string | undefined>;
  /**
   * Addresses held by (`containerId`, `ifname`) and the container's legacy records, from the owner
   * index alone (one read of the container's index prefix, no scan); sorted.
   */
  getById(containerId: string, ifname: string): Promise<string[]>;
  /**
   * Removes the records of (`containerId`, `ifname`); when there are none, the container's legacy
   * records (upstream's DEL). Each removal is conditional on the address still holding that owner, so
   * an address another host took in the meantime is never touched. An index entry whose address key
   * is gone (deleted by hand) is removed too. Idempotent.
   */
  releaseById(containerId: string, ifname: string): Promise<void>;
  /** Removes `ip` and its index entry only if it is held by exactly (`containerId`, `ifname`). */
  release(ip: string, containerId: string, ifname: string): Promise<void>;
  /** The holder of `ip`, or undefined when it is free. */
  getOwner(ip: string): Promise<EtcdOwner | undefined>;
  /** Every reserved address of the network with its holder, sorted by address text. */
  list(): Promise<EtcdAllocation[]>;
  /**
   * Removes `allocation.ip` with its index entry only if it still holds exactly the owner given (as
   * {@link EtcdStore.list} reported it) and, unless `options.anyNode`, its index entry names this
   * host's {@link EtcdStore.node}. Resolves whether it did.
   *
   * The pool is shared, but a runtime's GC lists only the attachments of its own node: without the
   * node check, every other node's reservations would look stale to it. So GC removes only what this
   * host reserved; records without a node (hand-written, legacy) are left to DEL and the operator's
   * `release`, which passes `anyNode`.
   */
  releaseAllocation(allocation: EtcdAllocation, options?: ReleaseAllocationOptions): Promise<boolean>;
  /** Resolves `[]`: nothing in etcd is ever written in two steps, so no leftovers exist. */
  removeStaleTempFiles(olderThan: Date): Promise<string[]>;
  /**
   * Resolves when a member answers a read of the network's keys within the timeout (STATUS); rejects
   * like every other call otherwise. Changes nothing.
   */
  checkReachable(): Promise<void>;
}

function byText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

class EtcdStoreImpl implements EtcdStore {
  readonly root: string;
  readonly endpoints: readonly string[];
  readonly node: string;
  readonly #keys: NetworkKeys;
  readonly #client: EtcdClient;
  #closed = false;

  constructor(keys: NetworkKeys, client: EtcdClient, node: string) {
    this.#keys = keys;
    this.#client = client;
    this.root = keys.root;
    this.endpoints = client.endpointList;
    this.node = node;
  }

  #usable(): void {
    if (this.#closed) throw new CniError(CNI_ERROR_CODES.Internal, `etcd store ${this.root} is closed`);
  }

  async lock(): Promise<void> {
    this.#usable();
  }

  async unlock(): Promise<void> {
    this.#usable();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }

  async reserve(containerId: string, ifname: string, ip: string, rangeId: string): Promise<boolean> {
    this.#usable();
    checkAddressText(ip);
    const id = goTrimSpace(containerId);
    const ipKey = this.#keys.ip(ip);
    const { succeeded } = await this.#client.txn(
      [{ key: ipKey, absent: true }],
      [
        { put: ipKey, value: toReservationValue({ containerId: id, ifname }) },
        { put: this.#keys.owner(id, ifname, ip), value: this.node },
        { put: this.#keys.lastReserved(rangeId), value: ip },
      ],
    );
    return succeeded;
  }

  async lastReservedIp(rangeId: string): Promise<string | undefined> {
    this.#usable();
    const [kv] = await this.#client.range(this.#keys.lastReserved(rangeId));
    if (kv === undefined) return undefined;
    return isAddressText(kv.value) ? kv.value : undefined;
  }

  async #indexOf(id: string): Promise<OwnerIndexEntry[]> {
    const kvs = await this.#client.range(this.#keys.ownersOf(id), { prefix: true });
    return kvs.flatMap((kv) => this.#keys.parseOwner(id, kv.key) ?? []);
  }

  async getById(containerId: string, ifname: string): Promise<string[]> {
    this.#usable();
    const id = goTrimSpace(containerId);
    const ips = (await this.#indexOf(id))
      .filter((e) => e.ifname === undefined || e.ifname === ifname)
      .map((e) => e.ip);
    return [...new Set(ips)].sort(byText);
  }

  async releaseById(containerId: string, ifname: string): Promise<void> {
    this.#usable();
    const id = goTrimSpace(containerId);
    const index = await this.#indexOf(id);
    const exact = index.filter((e) => e.ifname === ifname);
    // upstream-compat: legacy records go only when the container/ifname had no exact record.
    const doomed = exact.length > 0 ? exact : index.filter((e) => e.ifname === undefined);
    for (let i = 0; i < doomed.length; i += RELEASES_PER_TXN) {
      await this.#releaseEntries(id, doomed.slice(i, i + RELEASES_PER_TXN));
    }
  }

  /** Removes index entries with their addresses: all at once when every address still holds its owner. */
  async #releaseEntries(id: string, entries: readonly OwnerIndexEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const compares: EtcdCompare[] = entries.map((e) => ({
      key: this.#keys.ip(e.ip),
      equals: toReservationValue({ containerId: id, ifname: e.ifname }),
    }));
    const deletes: EtcdOp[] = entries.flatMap((e) => [{ delete: this.#keys.ip(e.ip) }, { delete: e.key }]);
    if ((await this.#client.txn(compares, deletes)).succeeded) return;
    // Some address no longer holds what its index entry says: go one by one, so the others still go.
    for (const [i, entry] of entries.entries()) {
      const compare = compares[i];
      if (compare === undefined) continue;
      const ipKey = this.#keys.ip(entry.ip);
      const removed = await this.#client.txn([compare], [{ delete: ipKey }, { delete: entry.key }]);
      if (removed.succeeded) continue;
      // The address key is gone (deleted by hand): the index entry points nowhere and goes too. An
      // address held by someone else keeps its key, and this entry stays for an operator to see.
      await this.#client.txn([{ key: ipKey, absent: true }], [{ delete: entry.key }]);
    }
  }

  async release(ip: string, containerId: string, ifname: string): Promise<void> {
    this.#usable();
    checkAddressText(ip);
    const id = goTrimSpace(containerId);
    const ipKey = this.#keys.ip(ip);
    await this.#client.txn(
      [{ key: ipKey, equals: toReservationValue({ containerId: id, ifname }) }],
      [{ delete: ipKey }, { delete: this.#keys.owner(id, ifname, ip) }],
    );
  }

  async getOwner(ip: string): Promise<EtcdOwner | undefined> {
    this.#usable();
    checkAddressText(ip);
    const [kv] = await this.#client.range(this.#keys.ip(ip));
    return kv === undefined ? undefined : parseReservationValue(kv.value);
  }

  #toAllocation(kv: EtcdKeyValue): EtcdAllocation[] {
    const ip = this.#keys.ipOf(kv.key);
    return ip === undefined ? [] : [{ ip, ...parseReservationValue(kv.value) }];
  }

  async list(): Promise<EtcdAllocation[]> {
    this.#usable();
    const kvs = await this.#client.range(this.#keys.ips, { prefix: true });
    return kvs.flatMap((kv) => this.#toAllocation(kv)).sort((a, b) => byText(a.ip, b.ip));
  }

  async releaseAllocation(
    allocation: EtcdAllocation,
    options: ReleaseAllocationOptions = {},
  ): Promise<boolean> {
    this.#usable();
    checkAddressText(allocation.ip);
    const ipKey = this.#keys.ip(allocation.ip);
    const compares: EtcdCompare[] = [{ key: ipKey, equals: toReservationValue(allocation) }];
    const ops: EtcdOp[] = [{ delete: ipKey }];
    // A value without an owner (written by hand) has no index entry, and so no node either.
    const ownerKey =
      allocation.containerId === ""
        ? undefined
        : this.#keys.owner(allocation.containerId, allocation.ifname, allocation.ip);
    if (ownerKey !== undefined) ops.push({ delete: ownerKey });
    if (options.anyNode !== true) {
      if (ownerKey === undefined) return false;
      compares.push({ key: ownerKey, equals: this.node });
    }
    const { succeeded } = await this.#client.txn(compares, ops);
    return succeeded;
  }

  async removeStaleTempFiles(_olderThan: Date): Promise<string[]> {
    this.#usable();
    return [];
  }

  async checkReachable(): Promise<void> {
    this.#usable();
    await this.#client.range(this.#keys.root, { prefix: true, limit: 1 });
  }
}

/**
 * Opens the pool of `options.network` in the etcd cluster at `options.endpoints`. Reads the TLS files
 * now; contacts etcd only on the first call, and creates nothing.
 *
 * @throws CniError 999 for endpoints that are not http(s) URLs, a timeout that is not a positive
 *   integer, an empty node name, or a TLS config with only one of certFile and keyFile; CniError 5 when
 *   a TLS file cannot be read (`cannot read etcd TLS file: open <path>: <reason>`).
 */
export async function openEtcdStore(options: EtcdStoreOptions): Promise<EtcdStore> {
  const node = options.node ?? hostname();
  if (node === "") throw new CniError(CNI_ERROR_CODES.Internal, "etcd store node name must not be empty");
  const timeoutMs = options.timeoutMs ?? DEFAULT_ETCD_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_ETCD_TIMEOUT_MS) {
    throw new CniError(
      CNI_ERROR_CODES.Internal,
      `etcd timeout must be a whole number of milliseconds from 1 to ${MAX_ETCD_TIMEOUT_MS}, not ${timeoutMs}`,
    );
  }
  const tls = options.tls === undefined ? undefined : await readTlsFiles(options.tls);
  const client = new EtcdClient({ endpoints: options.endpoints, timeoutMs, tls });
  const keys = new NetworkKeys(options.prefix ?? DEFAULT_ETCD_PREFIX, options.network);
  return new EtcdStoreImpl(keys, client, node);
}
