import type { IpamConfig } from "@cni-ts/allocator";
import { loadIpamConfig } from "@cni-ts/allocator";
import { DEFAULT_DATA_DIR } from "@cni-ts/disk-store";
import { readPluginConfig } from "./network-config.js";

/** Where a command works: a data dir (and a network in it when one was named), or an etcd store. */
export type Target =
  | { kind: "disk"; dataDir: string; network: string | undefined }
  /** `config.name` is the network to work on (`--network` when given). */
  | { kind: "etcd"; config: IpamConfig; network: string };

/**
 * Settles the store and network of `ls` and `release`: explicit `--data-dir` and `--network` win;
 * `--config FILE` supplies the network name and the config's store: its `ipam.store` etcd cluster, or
 * else its `ipam.dataDir`. `--data-dir` always means the disk store, whatever the config says. The data
 * dir defaults to `/var/lib/cni/networks`. Throws what {@link readPluginConfig} and `loadIpamConfig`
 * throw for a bad config file.
 */
export function resolveTarget(options: {
  dataDir: string | undefined;
  network: string | undefined;
  config: string | undefined;
}): Target {
  if (options.config === undefined) {
    return { kind: "disk", dataDir: options.dataDir ?? DEFAULT_DATA_DIR, network: options.network };
  }
  const config = loadIpamConfig(readPluginConfig(options.config).stdinData, "");
  const network = options.network ?? config.name;
  if (config.store.type === "etcd" && options.dataDir === undefined) {
    return { kind: "etcd", config: { ...config, name: network }, network };
  }
  return { kind: "disk", dataDir: options.dataDir ?? config.dataDir, network };
}
