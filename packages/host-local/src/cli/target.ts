import { loadIpamConfig } from "@cni-ts/allocator";
import { DEFAULT_DATA_DIR } from "@cni-ts/disk-store";
import { readPluginConfig } from "./network-config.js";

/** Where a command works: a data dir, and a network in it when one was named. */
export interface Target {
  dataDir: string;
  network: string | undefined;
}

/**
 * Settles the data dir and network of `ls` and `release`: explicit `--data-dir` and `--network` win;
 * `--config FILE` supplies the network name and the config's `ipam.dataDir`; the data dir defaults to
 * `/var/lib/cni/networks`. Throws what {@link readPluginConfig} and `loadIpamConfig` throw for a bad
 * config file.
 */
export function resolveTarget(options: {
  dataDir: string | undefined;
  network: string | undefined;
  config: string | undefined;
}): Target {
  if (options.config === undefined) {
    return { dataDir: options.dataDir ?? DEFAULT_DATA_DIR, network: options.network };
  }
  const config = loadIpamConfig(readPluginConfig(options.config).stdinData, "");
  return { dataDir: options.dataDir ?? config.dataDir, network: options.network ?? config.name };
}
