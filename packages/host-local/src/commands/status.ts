/**
 * STATUS (spec 1.1.0; contract 7.4 with the DECISION there): could an ADD be served right now?
 */
import type { Allocation, Ip, Range, RangeSet } from "@cni-ts/allocator";
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
function hasFreeAddress(rangeSet: RangeSet, reserved: readonly Ip[]): boolean {
  return rangeSet.ranges.some((range) => {
    let used = 0n;
    for (const ip of reserved) {
      if (range.contains(ip) && !ipEquals(ip, range.gateway)) used++;
    }
    return used < capacityOf(range);
  });
}

/** The reserved addresses, each once: two spellings of one address (another tool's files) count once. */
function reservedAddresses(allocations: readonly Allocation[]): Ip[] {
  const byText = new Map<string, Ip>();
  for (const { ip } of allocations) {
    const parsed = tryParseIp(ip);
    if (parsed !== undefined) byText.set(formatIp(parsed), parsed);
  }
  return [...byText.values()];
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
    const reserved = reservedAddresses(
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
