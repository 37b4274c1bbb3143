/**
 * The etcd store (`@cni-ts/etcd-store`) for networks whose config says `"store": {"type": "etcd", ...}`.
 * The executable reaches this module only by dynamic import (see `configuredStoreProvider`), so the
 * disk path never loads it.
 */
import type { EtcdStoreConfig, IpamConfig } from "@cni-ts/allocator";
import type { EtcdStore, EtcdStoreOptions } from "@cni-ts/etcd-store";
import { openEtcdStore } from "@cni-ts/etcd-store";
import { CNI_ERROR_CODES, CniError, toCniError } from "@cni-ts/types";
import type { StoreProvider } from "./store-provider.js";

function etcdConfig(config: IpamConfig): EtcdStoreConfig {
  if (config.store.type !== "etcd") {
    throw new CniError(CNI_ERROR_CODES.Internal, `network ${config.name} does not use an etcd store`);
  }
  return config.store;
}

/**
 * The options of {@link openEtcdStore} for the network `config` names.
 *
 * @throws CniError 999 when `config.store` is not of type etcd.
 */
export function etcdStoreOptions(config: IpamConfig): EtcdStoreOptions {
  const store = etcdConfig(config);
  return {
    endpoints: store.endpoints,
    network: config.name,
    prefix: store.prefix,
    timeoutMs: store.timeoutMs,
    tls: store.tls,
    node: store.node,
  };
}

/**
 * Opens the etcd store of the network `config` names. Contacts nobody yet and creates nothing.
 *
 * @throws CniError 999 when `config.store` is not of type etcd or a TLS config is incomplete; 5 when
 *   a TLS file cannot be read.
 */
export function openConfiguredEtcdStore(config: IpamConfig): Promise<EtcdStore> {
  return openEtcdStore(etcdStoreOptions(config));
}

/**
 * The provider for an etcd-backed network. `openStore` and `openExistingStore` are the same: etcd
 * has nothing to create, and a network nobody used simply has no keys (DEL and CHECK then find
 * nothing, as on disk). `checkUsable` reads the network's keys once, within the config's timeout.
 * The stores' `releaseAllocation` (GC) removes only reservations this host made (`ipam.store.node`,
 * default the host name): a runtime's GC lists its own node's attachments, not the cluster's.
 *
 * The stores reject with CniError 11 while no member answers (see `@cni-ts/etcd-store`);
 * `checkUsable` rejects with CniError 50 `cannot use the etcd store: <reason>` instead, as STATUS must.
 */
export const etcdStoreProvider: StoreProvider = {
  openStore: openConfiguredEtcdStore,
  openExistingStore: openConfiguredEtcdStore,
  async checkUsable(config) {
    let store: EtcdStore | undefined;
    try {
      store = await openConfiguredEtcdStore(config);
      await store.checkReachable();
    } catch (err) {
      throw new CniError(
        CNI_ERROR_CODES.PluginNotAvailable,
        `cannot use the etcd store: ${toCniError(err).message}`,
        { cause: err },
      );
    } finally {
      await store?.close();
    }
  },
};
