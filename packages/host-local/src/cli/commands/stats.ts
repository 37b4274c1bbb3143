import { type IpamConfig, loadIpamConfig, type Range, type RangeSet, tryParseIp } from "@cni-ts/allocator";
import { openExistingDiskStore } from "@cni-ts/disk-store";
import { etcdLocation, openEtcdTarget } from "../etcd-target.js";
import { readPluginConfig } from "../network-config.js";
import type { StoreLocation } from "../store-location.js";
import { describeLocation } from "../store-location.js";
import type { Style } from "../style.js";
import { renderTable } from "../table.js";

/** Capacity and use of one range set. Counts are bigints: an IPv6 set can hold 2^64 addresses and more. */
export interface RangeSetStats {
  /** The set's index in the config: the `<n>` of its `last_reserved_ip.<n>`. */
  index: number;
  /** The set as upstream's messages print it, e.g. `10.1.2.1-10.1.2.254`. */
  ranges: string;
  /** Addresses the allocator can hand out: every range's span, less the range's own gateway if inside it. */
  capacity: bigint;
  /** Allocation files naming one of those addresses. */
  used: bigint;
  /** `capacity - used`. */
  free: bigint;
}

/** What `stats` found for one network config. */
export interface StatsReport {
  network: string;
  /** The data dir counted in, or the network's etcd store. */
  location: StoreLocation;
  rangeSets: RangeSetStats[];
  /** Allocations of the network that lie in no range set (left over from an earlier config). */
  outsideRangeSets: number;
}

/** The addresses of `range` the allocator may hand out (its iterator skips the range's own gateway). */
export function rangeCapacity(range: Range): bigint {
  const span = range.rangeEnd.value - range.rangeStart.value + 1n;
  return range.contains(range.gateway) ? span - 1n : span;
}

function isAllocatable(set: RangeSet, text: string): boolean {
  const ip = tryParseIp(text);
  if (ip === undefined) return false;
  const range = set.ranges.find((r) => r.contains(ip));
  return range !== undefined && !(range.gateway.family === ip.family && range.gateway.value === ip.value);
}

/** The reserved addresses of the network and where they were read. */
async function readAllocations(
  config: IpamConfig,
  dataDir: string | undefined,
): Promise<{ names: string[]; location: StoreLocation }> {
  // --data-dir always means the disk store, whatever ipam.store says.
  if (dataDir === undefined && config.store.type === "etcd") {
    const store = await openEtcdTarget(config);
    try {
      return { names: (await store.list()).map((a) => a.ip), location: etcdLocation(store) };
    } finally {
      await store.close();
    }
  }
  const root = dataDir ?? config.dataDir;
  const location: StoreLocation = { type: "disk", dataDir: root };
  const store = await openExistingDiskStore({ dataDir: root, network: config.name });
  if (store === undefined) return { names: [], location };
  try {
    return { names: (await store.list()).map((a) => a.ip), location };
  } finally {
    await store.close();
  }
}

/**
 * Reads the network config `file` (a `.conf`, or a `.conflist` whose host-local entry is used), and
 * counts, per range set, the allocatable addresses and the reservations in the config's store: its
 * etcd cluster when `ipam.store` names one, else its data dir (`dataDir`, when given, always means a
 * data dir). Reads only: takes no lock and creates nothing.
 *
 * Rejects with the config errors of `loadIpamConfig` (CniError 999, upstream's texts), CniError 5/6/7
 * when the file cannot be read, is not JSON, or has no host-local IPAM, CniError 5 when the network
 * directory cannot be read, and the etcd store's errors (11 when no member answers in time).
 */
export async function collectStats(file: string, dataDir?: string): Promise<StatsReport> {
  const plugin = readPluginConfig(file);
  const config = loadIpamConfig(plugin.stdinData, "");
  const { names, location } = await readAllocations(config, dataDir);
  const rangeSets = config.rangeSets.map((set, index) => {
    const capacity = set.ranges.reduce((sum, r) => sum + rangeCapacity(r), 0n);
    const used = BigInt(names.filter((n) => isAllocatable(set, n)).length);
    return { index, ranges: set.toString(), capacity, used, free: capacity > used ? capacity - used : 0n };
  });
  const outsideRangeSets = names.filter((n) => {
    const ip = tryParseIp(n);
    return ip === undefined || !config.rangeSets.some((s) => s.contains(ip));
  }).length;
  return { network: config.name, location, rangeSets, outsideRangeSets };
}

// JSON has no bigint: a count that a double holds exactly stays a number, a larger one becomes a
// decimal string, so no consumer silently loses precision.
function jsonCount(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

/** The `stats --json` document, with a final newline. */
export function statsJson(report: StatsReport): string {
  const where =
    report.location.type === "disk"
      ? { dataDir: report.location.dataDir }
      : { etcd: { root: report.location.root, endpoints: report.location.endpoints } };
  const doc = {
    network: report.network,
    ...where,
    rangeSets: report.rangeSets.map((s) => ({
      ranges: s.ranges,
      capacity: jsonCount(s.capacity),
      used: jsonCount(s.used),
      free: jsonCount(s.free),
    })),
    outsideRangeSets: report.outsideRangeSets,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const BAR_WIDTH = 30;

/**
 * `[#####.........]  12.5%`: the used share of a set. Any use shows at least one mark and the share
 * is rounded down, so a set is shown full (and 100.0%) only when it is.
 */
export function usageBar(used: bigint, capacity: bigint): { bar: string; percent: string; share: number } {
  if (capacity === 0n) return { bar: `[${"-".repeat(BAR_WIDTH)}]`, percent: "-", share: 1 };
  let marks = Number((used * BigInt(BAR_WIDTH)) / capacity);
  if (used > 0n && marks === 0) marks = 1;
  const tenths = (used * 1000n) / capacity;
  const percent = used > 0n && tenths === 0n ? "<0.1%" : `${tenths / 10n}.${tenths % 10n}%`;
  return {
    bar: `[${"#".repeat(marks)}${".".repeat(BAR_WIDTH - marks)}]`,
    percent,
    share: Number(tenths) / 1000,
  };
}

/** The `stats` table for people: one line per range set with its usage bar. */
export function renderStats(report: StatsReport, style: Style): string {
  const rows = report.rangeSets.map((s) => {
    const { bar, percent, share } = usageBar(s.used, s.capacity);
    const paint = share >= 0.9 ? style.red : share >= 0.7 ? style.yellow : style.green;
    return [
      String(s.index),
      s.ranges,
      s.capacity.toString(),
      s.used.toString(),
      s.free.toString(),
      { text: `${bar} ${percent.padStart(6)}`, paint },
    ];
  });
  const where =
    report.location.type === "disk"
      ? `data dir ${report.location.dataDir}`
      : describeLocation(report.location);
  const head = `network ${report.network} (${where})\n`;
  const table = renderTable(
    [
      { header: "SET", align: "right" },
      { header: "RANGES" },
      { header: "CAPACITY", align: "right" },
      { header: "USED", align: "right" },
      { header: "FREE", align: "right" },
      { header: "USAGE" },
    ],
    rows,
    style,
  );
  const outside =
    report.outsideRangeSets === 0
      ? ""
      : `${report.outsideRangeSets} allocation(s) lie outside every range set of this config\n`;
  return head + table + outside;
}
