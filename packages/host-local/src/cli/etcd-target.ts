/**
 * Opening the etcd store a network config names, for `ls`, `release` and `stats --config`. The etcd
 * modules are imported here, on first use, like the plugin does.
 */
import type { IpamConfig } from "@cni-ts/allocator";
import type { EtcdStore } from "@cni-ts/etcd-store";
import type { StoreLocation } from "./store-location.js";

/**
 * Opens the etcd store of `config`'s network (its `ipam.store` must be of type etcd). Contacts nobody
 * until the first call. Rejects with CniError 999 for a config without an etcd store or an incomplete
 * TLS config, 5 for an unreadable TLS file.
 */
export async function openEtcdTarget(config: IpamConfig): Promise<EtcdStore> {
  const { openConfiguredEtcdStore } = await import("../etcd-store-provider.js");
  return openConfiguredEtcdStore(config);
}

/** Where an etcd store keeps the network. Never throws. */
export function etcdLocation(store: EtcdStore): StoreLocation {
  return { type: "etcd", root: store.root, endpoints: store.endpoints };
}
