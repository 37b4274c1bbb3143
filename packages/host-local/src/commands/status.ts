/**
 * STATUS (spec 1.1.0; contract 7.4 with the DECISION there): could an ADD be served right now?
 */
import type { Allocation, Range, RangeSet } from "@cni-ts/allocator";
import { formatIp, ipEquals, loadIpamConfig, tryParseIp } from "@cni-ts/allocator";
import type { CmdArgs } from "@cni-ts/skel";
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import type { StoreProvider } from "../store-provider.js";
import { withoutLock } from "./store-session.js";

/** The STATUS command: resolves when ADD could be served. */
export type StatusCommand = (args: CmdArgs) => Promise<void>;

/** Addresses the iterator may hand out in `range`: the whole range, without its gateway. */
function capacityOf(range: Range): bigint {
  const size = range.rangeEnd.value - range.rangeStart.value + 1n;
  return range.contains(range.gateway) ? size - 1n : size;
}

/**
 * True when some address of the set is neither reserved nor its range's gateway: counts the
 * reservations in each range instead of probing addresses one by one.
 */
function hasFreeAddress(rangeSet: RangeSet, reserved: ReadonlySet<string>): boolean {
  return rangeSet.ranges.some((range) => {
    let used = 0n;
    for (const text of reserved) {
      const ip = tryParseIp(text);
      if (ip !== undefined && range.contains(ip) && !ipEquals(ip, range.gateway)) used++;
    }
    return used < capacityOf(range);
  });
}

function canonicalAddresses(allocations: readonly Allocation[]): Set<string> {
  const addresses = new Set<string>();
  for (const { ip } of allocations) {
    const parsed = tryParseIp(ip);
    // Two spellings of one address (files written by another tool) count once.
    if (parsed !== undefined) addresses.add(formatIp(parsed));
  }
  return addresses;
}

/**
 * Builds STATUS over `provider`. The command loads and checks the config like ADD, checks without
 * changing anything that the store could be created or opened and written, then that every range set
 * has at least one free address. Takes no lock: the answer is informational and may be stale anyway.
 *
 * The command rejects with the config's CniError 999 texts; CniError 50 naming the problem when the
 * store is unusable (e.g. `cannot use the data dir: access <dir>: read-only file system`); CniError 50
 * `no IP addresses available in range set: <set>` for the first exhausted set; the store's errors.
 */
export function createStatusCommand(provider: StoreProvider): StatusCommand {
  return async (args) => {
    const config = loadIpamConfig(args.stdinData, args.args);
    await provider.checkUsable(config);
    const store = await provider.openExistingStore(config);
    const reserved = canonicalAddresses(
      store === undefined ? [] : await withoutLock(store, () => store.list()),
    );
    for (const rangeSet of config.rangeSets) {
      if (!hasFreeAddress(rangeSet, reserved)) {
        throw new CniError(
          CNI_ERROR_CODES.PluginNotAvailable,
          `no IP addresses available in range set: ${rangeSet}`,
        );
      }
    }
  };
}
