import type { Allocation, IpamConfig } from "@cni-ts/allocator";
import { openExistingDiskStore } from "@cni-ts/disk-store";
import { goTrimSpace } from "@cni-ts/types";
import type { PluginStore } from "../../store-provider.js";
import { compareAddressText } from "../address.js";
import { openEtcdTarget } from "../etcd-target.js";
import type { Style } from "../style.js";
import { renderTable } from "../table.js";

/** What `release` is asked to remove. */
export interface ReleaseRequest {
  dataDir: string;
  network: string;
  containerId: string;
  /** Only this interface's allocations (plus the container's legacy ones); undefined: every interface. */
  ifname: string | undefined;
}

/** What `release` removed. */
export interface ReleaseReport {
  network: string;
  containerId: string;
  /** `null` when every interface was asked for. */
  ifname: string | null;
  /** The removed allocations, by address; `ifname` is `""` for a legacy record. */
  released: { ip: string; ifname: string }[];
}

// Which records belong to the attachment: with an ifname, its exact records and the container's legacy
// ones (legacy records stand for every ifname; upstream's DEL removes them too); without, every record
// of the container.
function belongs(a: Allocation, id: string, ifname: string | undefined): boolean {
  if (a.containerId !== id || id === "") return false;
  return ifname === undefined || a.ifname === undefined || a.ifname === ifname;
}

/** What {@link releaseFromStore} needs of a store: the disk store and the etcd store both have it. */
export type ReleasableStore = Pick<PluginStore, "lock" | "unlock" | "close" | "list" | "releaseAllocation">;

/**
 * Removes the allocations of (`containerId`, `ifname`) from `store` under its lock (a no-op for etcd,
 * whose removals are conditional transactions), each only if it still holds what the listing saw, and
 * closes the store. `store` undefined (a network that does not exist) releases nothing. Rejects with
 * the store's errors.
 */
export async function releaseFromStore(
  store: ReleasableStore | undefined,
  request: Omit<ReleaseRequest, "dataDir">,
): Promise<ReleaseReport> {
  const id = goTrimSpace(request.containerId);
  const report: ReleaseReport = {
    network: request.network,
    containerId: id,
    ifname: request.ifname ?? null,
    released: [],
  };
  if (store === undefined) return report;
  try {
    await store.lock();
    try {
      for (const allocation of await store.list()) {
        if (!belongs(allocation, id, request.ifname)) continue;
        if (await store.releaseAllocation(allocation)) {
          report.released.push({ ip: allocation.ip, ifname: allocation.ifname ?? "" });
        }
      }
    } finally {
      await store.unlock();
    }
  } finally {
    await store.close();
  }
  report.released.sort((a, b) => compareAddressText(a.ip, b.ip));
  return report;
}

/**
 * Removes the allocations of (`containerId`, `ifname`) in one network of a data dir under the
 * network's lock, each only if its file still holds what the listing saw. Idempotent: a missing
 * network or nothing to remove is success, and nothing is created then.
 *
 * Rejects with CniError 5 when the network directory, its lock or a file cannot be used (the message
 * names it), 999 for an invalid network name.
 */
export async function releaseAttachment(request: ReleaseRequest): Promise<ReleaseReport> {
  const store = await openExistingDiskStore({ dataDir: request.dataDir, network: request.network });
  return releaseFromStore(store, request);
}

/**
 * Removes the allocations of (`containerId`, `ifname`) in the etcd store of the network `config`
 * names, whichever host reserved them; each removal is a transaction conditional on the address still
 * holding that owner.
 * Idempotent. Rejects with CniError 11 when no etcd member answers in time, 999 when etcd refuses,
 * 5 for an unreadable TLS file.
 */
export async function releaseEtcdAttachment(
  config: IpamConfig,
  request: { containerId: string; ifname: string | undefined },
): Promise<ReleaseReport> {
  const store = await openEtcdTarget(config);
  // An operator releases a container whichever host reserved its addresses (GC only takes its own).
  const anyHost: ReleasableStore = {
    lock: () => store.lock(),
    unlock: () => store.unlock(),
    close: () => store.close(),
    list: () => store.list(),
    releaseAllocation: (allocation) => store.releaseAllocation(allocation, { anyNode: true }),
  };
  return releaseFromStore(anyHost, { network: config.name, ...request });
}

/** The `release` summary for people. */
export function renderRelease(report: ReleaseReport, style: Style): string {
  const who =
    report.ifname === null ? `container ${report.containerId}` : `${report.containerId}/${report.ifname}`;
  if (report.released.length === 0) return `nothing to release for ${who} in network ${report.network}\n`;
  const n = report.released.length;
  const head = `released ${n} address${n === 1 ? "" : "es"} of ${who} in network ${report.network}:\n`;
  const rows = report.released.map((r) => [
    r.ip,
    r.ifname === "" ? { text: "(legacy: any)", paint: style.dim } : r.ifname,
  ]);
  return head + renderTable([{ header: "ADDRESS" }, { header: "IFNAME" }], rows, style);
}

/** The `release --json` document, with a final newline. */
export function releaseJson(report: ReleaseReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
