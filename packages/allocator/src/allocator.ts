/**
 * Allocation of one address from one range set against a {@link Store} (upstream `IPAllocator` in
 * `backend/allocator/allocator.go`), and the assignment of requested addresses to range sets that
 * host-local's ADD does before allocating.
 */
import type { IpConfig } from "@cni-ts/types";
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import type { Ip } from "./ip.js";
import { formatIp, ipEquals, parseIp, tryParseIp } from "./ip.js";
import type { Range } from "./range.js";
import { RangeIter } from "./range-iter.js";
import type { RangeSet } from "./range-set.js";
import type { Store } from "./store.js";

function allocationError(msg: string): CniError {
  return new CniError(CNI_ERROR_CODES.Internal, msg);
}

function toIpConfig(ip: Ip, range: Range): IpConfig {
  return { address: `${formatIp(ip)}/${range.subnet.prefix}`, gateway: formatIp(range.gateway) };
}

/**
 * Hands out addresses of one range set. The caller holds the store's lock around each call, so that
 * the duplicate check and the reservations of one call do not interleave with another process.
 */
export class IpAllocator {
  private readonly rangeId: string;

  /**
   * @param rangeSet the set to allocate from.
   * @param store where reservations live.
   * @param rangeId the set's index in the config (see `loadIpamConfig`), which keys the store's
   *   last reserved address so that round robin survives between calls.
   */
  constructor(
    private readonly rangeSet: RangeSet,
    private readonly store: Store,
    rangeId: string | number,
  ) {
    this.rangeId = String(rangeId);
  }

  /**
   * Reserves an address for (`containerId`, `ifname`) and returns it with the prefix length of its
   * range's subnet and the range's gateway.
   *
   * With `requestedIp`, exactly that address is reserved. Upstream checks no earlier allocation of
   * the container in this case, and neither does this.
   * Without it, the call first refuses a container that already holds an address of this set
   * (legacy records of the container included), then walks the set round robin from the store's last
   * reserved address and reserves the first free candidate.
   *
   * @throws CniError 999 `invalid IP address: <x>` (unparsable request), `<ip> not in range set <set>`,
   *   `requested ip <ip> is subnet's gateway`, `requested IP address <ip> is not available in range
   *   set <set>`, `<ip> has been allocated to <containerId>, duplicate allocation is not allowed`,
   *   `no IP addresses available in range set: <set>`; and whatever the store throws.
   */
  async get(containerId: string, ifname: string, requestedIp?: string): Promise<IpConfig> {
    if (requestedIp !== undefined) return this.getRequested(containerId, ifname, parseIp(requestedIp));

    // SPEC: a container's interface gets at most one address per set.
    for (const held of await this.store.getById(containerId, ifname)) {
      const ip = tryParseIp(held);
      if (ip !== undefined && this.rangeSet.contains(ip)) {
        throw allocationError(
          `${formatIp(ip)} has been allocated to ${containerId}, duplicate allocation is not allowed`,
        );
      }
    }

    const last = await this.store.lastReservedIp(this.rangeId);
    // upstream-compat: an unparsable or foreign hint only costs round robin once.
    const iter = new RangeIter(this.rangeSet, last === undefined ? undefined : tryParseIp(last));
    for (const { ip, range } of iter) {
      if (await this.store.reserve(containerId, ifname, formatIp(ip), this.rangeId)) {
        return toIpConfig(ip, range);
      }
    }
    throw allocationError(`no IP addresses available in range set: ${this.rangeSet}`);
  }

  private async getRequested(containerId: string, ifname: string, ip: Ip): Promise<IpConfig> {
    const range = this.rangeSet.rangeFor(ip);
    if (ipEquals(ip, range.gateway)) {
      throw allocationError(`requested ip ${formatIp(ip)} is subnet's gateway`);
    }
    if (!(await this.store.reserve(containerId, ifname, formatIp(ip), this.rangeId))) {
      throw allocationError(
        `requested IP address ${formatIp(ip)} is not available in range set ${this.rangeSet}`,
      );
    }
    return toIpConfig(ip, range);
  }

  /**
   * Releases every address held by (`containerId`, `ifname`) in the store, legacy records of the
   * container too when it holds no exact record (see {@link Store.releaseById}). Idempotent.
   *
   * @throws whatever the store throws.
   */
  async release(containerId: string, ifname: string): Promise<void> {
    await this.store.releaseById(containerId, ifname);
  }
}

/** How requested addresses were spread over the range sets. */
export interface RequestAssignment {
  /** For each range set, in set order, the requested address it must hand out, if any. */
  readonly perSet: ReadonlyArray<string | undefined>;
  /** Requested addresses no set took, in request order. */
  readonly unassigned: readonly string[];
}

/**
 * Gives each range set, in order, the first still unassigned requested address it contains, so that
 * the outcome depends only on the order of the config (upstream picks by Go map order, i.e. at random
 * when a set contains several requests). Requests no set takes are returned in request order; ADD
 * fails with `failed to allocate all requested IPs: …` when there are any.
 *
 * @param requestedIps canonical address texts, as in `IpamConfig.requestedIps`.
 * @throws CniError 999 `invalid IP address: <x>` for a request that does not parse.
 */
export function assignRequestedIps(
  rangeSets: readonly RangeSet[],
  requestedIps: readonly string[],
): RequestAssignment {
  const pending = requestedIps.map((text) => ({ text, ip: parseIp(text) }));
  const perSet = rangeSets.map((set) => {
    const idx = pending.findIndex((r) => set.contains(r.ip));
    if (idx < 0) return undefined;
    const [taken] = pending.splice(idx, 1);
    return taken?.text;
  });
  return { perSet, unassigned: pending.map((r) => r.text) };
}
