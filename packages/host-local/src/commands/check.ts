/**
 * CHECK (contract 7.2, with the DECISION there): is what ADD reserved still reserved?
 */
import type { IpamConfig, Owner } from "@cni-ts/allocator";
import { formatIp, loadIpamConfig, tryParseIp } from "@cni-ts/allocator";
import type { CmdArgs } from "@cni-ts/skel";
import type { Result } from "@cni-ts/types";
import { CNI_ERROR_CODES, CniError, goTrimSpace, parsePrevResult } from "@cni-ts/types";
import type { PluginStore, StoreProvider } from "../store-provider.js";
import { underLock } from "./store-session.js";

/** The CHECK command: resolves when the attachment's reservations are in place. */
export type CheckCommand = (args: CmdArgs) => Promise<void>;

function checkFailed(msg: string): CniError {
  return new CniError(CNI_ERROR_CODES.Internal, msg);
}

function describeOwner(owner: Owner): string {
  if (owner.containerId === "") return "a reservation file without an owner";
  if (owner.ifname === undefined) return `container ${owner.containerId} (legacy record, any ifname)`;
  return `container ${owner.containerId}, ifname ${owner.ifname}`;
}

// A legacy record names only the container, and upstream counts it for every ifname of it.
function isOwnedBy(owner: Owner | undefined, containerId: string, ifname: string): boolean {
  if (owner === undefined || owner.containerId !== goTrimSpace(containerId)) return false;
  return owner.ifname === undefined || owner.ifname === ifname;
}

/**
 * With a prevResult: every address of it that lies in one of our range sets must be reserved for
 * this attachment (addresses outside them belong to other plugins and are ignored), and every range
 * set must hold a reservation of the attachment, since ADD makes one per set.
 */
async function checkAgainstPrevResult(
  store: PluginStore,
  config: IpamConfig,
  prev: Result,
  args: CmdArgs,
): Promise<void> {
  const wanted = `container ${args.containerId}, ifname ${args.ifName}`;
  for (const ipConfig of prev.ips ?? []) {
    const slash = ipConfig.address.indexOf("/");
    const ip = tryParseIp(slash < 0 ? ipConfig.address : ipConfig.address.slice(0, slash));
    if (ip === undefined || !config.rangeSets.some((set) => set.contains(ip))) continue;
    const address = formatIp(ip);
    const owner = await store.getOwner(address);
    if (isOwnedBy(owner, args.containerId, args.ifName)) continue;
    throw checkFailed(
      owner === undefined
        ? `host-local: address ${address} of prevResult is not reserved (expected ${wanted})`
        : `host-local: address ${address} of prevResult is held by ${describeOwner(owner)}, not by ${wanted}`,
    );
  }
  const held = (await store.getById(args.containerId, args.ifName)).flatMap((text) => {
    const ip = tryParseIp(text);
    return ip === undefined ? [] : [ip];
  });
  for (const rangeSet of config.rangeSets) {
    if (!held.some((ip) => rangeSet.contains(ip))) {
      throw checkFailed(`host-local: no address in range set ${rangeSet} is reserved for ${wanted}`);
    }
  }
}

/**
 * Builds CHECK over `provider`. The command loads and checks the config and `CNI_ARGS` like ADD and
 * parses `prevResult` with the config's version. With a prevResult it checks it against the store
 * (see the README); without one it applies upstream's rule: some reservation file (never `lock` or
 * `last_reserved_ip.*`) holds the attachment, legacy container-only records included. Takes the lock
 * for a consistent view; creates nothing.
 *
 * The command rejects with the config's CniError 999 texts; `parsePrevResult`'s errors; the store's;
 * and, 999, `host-local: Failed to find address added by container <ID>` (upstream's text),
 * `host-local: address <ip> of prevResult is not reserved (expected container <ID>, ifname <IF>)`,
 * `host-local: address <ip> of prevResult is held by <owner>, not by container <ID>, ifname <IF>`,
 * `host-local: no address in range set <set> is reserved for container <ID>, ifname <IF>`.
 */
export function createCheckCommand(provider: StoreProvider): CheckCommand {
  return async (args) => {
    const config = loadIpamConfig(args.stdinData, args.args);
    const prev = parsePrevResult(config.prevResult, config.cniVersion);
    const notFound = checkFailed(`host-local: Failed to find address added by container ${args.containerId}`);
    const store = await provider.openExistingStore(config);
    if (store === undefined) throw notFound;
    await underLock(store, async () => {
      if (prev !== undefined) return checkAgainstPrevResult(store, config, prev, args);
      if ((await store.getById(args.containerId, args.ifName)).length === 0) throw notFound;
    });
  };
}
