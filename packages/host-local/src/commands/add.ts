/**
 * ADD (contract 5.1): one address from each range set, requested addresses first.
 */
import type { Store } from "@cni-ts/allocator";
import { assignRequestedIps, IpAllocator, loadIpamConfig } from "@cni-ts/allocator";
import type { CmdArgs } from "@cni-ts/skel";
import type { IpConfig, Result } from "@cni-ts/types";
import { CNI_ERROR_CODES, CniError, CURRENT_VERSION, toCniError } from "@cni-ts/types";
import { isEmptyDns, parseResolvConf } from "../dns.js";
import type { StoreProvider } from "../store-provider.js";
import { underLock } from "./store-session.js";

/** The ADD command: resolves to the result in the 1.1.0 model, which skel converts and prints. */
export type AddCommand = (args: CmdArgs) => Promise<Result>;

function addressOf(ipConfig: IpConfig): string {
  const slash = ipConfig.address.indexOf("/");
  return slash < 0 ? ipConfig.address : ipConfig.address.slice(0, slash);
}

/**
 * Releases exactly the addresses this ADD reserved. Upstream releases everything the container's
 * interface holds, which also deletes addresses it held before this ADD (contract 5.3).
 */
async function rollBack(store: Store, reserved: readonly string[], args: CmdArgs): Promise<void> {
  for (const ip of reserved) {
    try {
      await store.release(ip, args.containerId, args.ifName);
    } catch {
      // Deliberately ignored: the ADD's own failure is what the runtime must see, and the runtime
      // follows a failed ADD with a DEL, which removes whatever is left (and reports its I/O errors).
    }
  }
}

function prefixed(err: unknown, prefix: string): CniError {
  const cause = toCniError(err);
  // Keep the code: an I/O failure (5) or an unreachable store (11) stays what it is, only the text
  // gets upstream's prefix. upstream-compat: the prefix wraps the Go `Error()` form (`msg; details`).
  return new CniError(cause.code, `${prefix}${cause.message}`, { cause });
}

/**
 * Builds ADD over `provider`. The command loads and checks the config and `CNI_ARGS`, reads
 * `resolvConf` before anything is created, then, holding the store's lock once for the whole command,
 * reserves one address per range set in order (the set's requested address if one was assigned to
 * it, else the next free one round robin). On any failure it releases only the addresses it reserved
 * itself.
 *
 * The command rejects with: the config's CniError 999 texts; resolv.conf's (`open <path>: ...`);
 * the store's (5 for the file system, 11 when unreachable); `failed to allocate for range <i>: <reason>`
 * (999, or the store's code); `failed to allocate all requested IPs: <ip> <ip>` (999, request order).
 */
export function createAddCommand(provider: StoreProvider): AddCommand {
  return async (args) => {
    const config = loadIpamConfig(args.stdinData, args.args);
    // Before the store is opened: a bad resolvConf path must leave the data dir untouched.
    const dns = config.resolvConf === "" ? undefined : await parseResolvConf(config.resolvConf);
    const assignment = assignRequestedIps(config.rangeSets, config.requestedIps);

    const store = await provider.openStore(config);
    const ips = await underLock(store, async () => {
      const reserved: string[] = [];
      const allocated: IpConfig[] = [];
      for (const [index, rangeSet] of config.rangeSets.entries()) {
        const allocator = new IpAllocator(rangeSet, store, index);
        try {
          const ipConfig = await allocator.get(args.containerId, args.ifName, assignment.perSet[index]);
          allocated.push(ipConfig);
          reserved.push(addressOf(ipConfig));
        } catch (err) {
          await rollBack(store, reserved, args);
          throw prefixed(err, `failed to allocate for range ${index}: `);
        }
      }
      // upstream-compat: checked after the sets, so an allocation failure in a set wins over this one.
      if (assignment.unassigned.length > 0) {
        await rollBack(store, reserved, args);
        throw new CniError(
          CNI_ERROR_CODES.Internal,
          `failed to allocate all requested IPs: ${assignment.unassigned.join(" ")}`,
        );
      }
      return allocated;
    });

    const result: Result = { cniVersion: CURRENT_VERSION, ips };
    if (config.routes.length > 0) result.routes = config.routes;
    if (dns !== undefined && !isEmptyDns(dns)) result.dns = dns;
    return result;
  };
}
