import type { IpamConfig } from "@cni-ts/allocator";
import { openExistingDiskStore } from "@cni-ts/disk-store";
import { compareAddressText } from "../address.js";
import { readDataDirEntries } from "../data-dir.js";
import { errorText } from "../error-text.js";
import { etcdLocation, openEtcdTarget } from "../etcd-target.js";
import type { StoreLocation } from "../store-location.js";
import { describeLocation } from "../store-location.js";
import type { Style } from "../style.js";
import { renderTable } from "../table.js";

/** One allocation as `ls --json` prints it. */
export interface AllocationRow {
  network: string;
  ip: string;
  /** `""` for an allocation file with no content (fsck reports those). */
  containerId: string;
  /** `""` for a legacy file that names only the container. */
  ifname: string;
}

/** What `ls` found. */
export interface LsReport {
  /** The data dir, or the etcd store of one network. */
  location: StoreLocation;
  /** False when the data dir does not exist (nothing was ever allocated there); true for etcd. */
  dataDirExists: boolean;
  /** Sorted by network (byte order), then address (IPv4 before IPv6, numerically). */
  rows: AllocationRow[];
  /** Networks that could not be read, with the reason; the others are listed anyway. */
  errors: { network: string; message: string }[];
}

/**
 * Lists every allocation under `dataDir` (only `network`'s when given), without taking locks: each
 * allocation file is published complete (ours by link(2), upstream's are tiny single writes), so a
 * listing is a consistent snapshot per file. Creates nothing. Throws CniError 5 when the data dir
 * itself cannot be read; a network that cannot be read is reported in `errors` instead.
 */
export async function listAllocations(dataDir: string, network?: string): Promise<LsReport> {
  const entries = readDataDirEntries(dataDir, network);
  const report: LsReport = {
    location: { type: "disk", dataDir },
    dataDirExists: entries !== undefined,
    rows: [],
    errors: [],
  };
  for (const entry of entries ?? []) {
    if (entry.type === "other") continue;
    try {
      const store = await openExistingDiskStore({ dataDir, network: entry.name });
      if (store === undefined) continue;
      try {
        const allocations = await store.list();
        const rows = allocations.map((a) => ({
          network: entry.name,
          ip: a.ip,
          containerId: a.containerId,
          ifname: a.ifname ?? "",
        }));
        report.rows.push(...rows.sort((x, y) => compareAddressText(x.ip, y.ip)));
      } finally {
        await store.close();
      }
    } catch (err) {
      report.errors.push({ network: entry.name, message: errorText(err, { path: entry.path, op: "open" }) });
    }
  }
  return report;
}

/**
 * Lists the allocations of the network `config` names in its etcd store (`ipam.store` of type etcd),
 * reading the network's address keys once. Rejects with the store's errors: CniError 11 when no etcd
 * member answers in time, 999 when etcd refuses, 5 for an unreadable TLS file.
 */
export async function listEtcdAllocations(config: IpamConfig): Promise<LsReport> {
  const store = await openEtcdTarget(config);
  try {
    const rows = (await store.list()).map((a) => ({
      network: config.name,
      ip: a.ip,
      containerId: a.containerId,
      ifname: a.ifname ?? "",
    }));
    rows.sort((x, y) => compareAddressText(x.ip, y.ip));
    return { location: etcdLocation(store), dataDirExists: true, rows, errors: [] };
  } finally {
    await store.close();
  }
}

/** The `ls` table for people, or a one-line note when there is nothing to list. */
export function renderLs(report: LsReport, style: Style): string {
  if (report.rows.length === 0) {
    const where = describeLocation(report.location);
    return report.dataDirExists
      ? `no allocations under ${where}\n`
      : `no allocations: ${where} does not exist\n`;
  }
  const rows = report.rows.map((r) => [
    r.network,
    r.ip,
    r.containerId === "" ? { text: "(empty file)", paint: style.red } : r.containerId,
    r.ifname === "" ? { text: "(legacy: any)", paint: style.dim } : r.ifname,
  ]);
  return renderTable(
    [{ header: "NETWORK" }, { header: "ADDRESS" }, { header: "CONTAINER ID" }, { header: "IFNAME" }],
    rows,
    style,
  );
}

/** The `ls --json` document: the array of rows, pretty-printed, with a final newline. */
export function lsJson(report: LsReport): string {
  return `${JSON.stringify(report.rows, null, 2)}\n`;
}
