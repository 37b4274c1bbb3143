/**
 * How the commands reach the store of a network. The plugin uses {@link configuredStoreProvider}: the
 * disk store, or the etcd store when the config's `ipam.store` names one; tests inject a disk store in
 * a temp dir or an in-memory store.
 */
import type { Allocation, IpamConfig, Store } from "@cni-ts/allocator";
import { diskStoreProvider } from "./disk-store-provider.js";

/** The {@link Store} contract plus the two operations GC needs beyond it. */
export interface PluginStore extends Store {
  /**
   * Removes the reservation of `allocation.ip` only if it still holds exactly the owner given (legacy
   * records with `ifname` undefined and ownerless records with `containerId` `""` included), resolving
   * whether it did. Rejects with CniError 5 when the removal fails.
   */
  releaseAllocation(allocation: Allocation): Promise<boolean>;
  /**
   * Removes leftovers of writers killed mid-write that were last modified before `olderThan`, resolving
   * their names. A store without such leftovers resolves `[]`.
   */
  removeStaleTempFiles(olderThan: Date): Promise<string[]>;
}

/** Opens the store of the network an IPAM config names. */
export interface StoreProvider {
  /**
   * Opens the store, creating whatever it needs (ADD). Rejects with CniError 5 when it cannot be
   * created or opened, 11 when it is unreachable.
   */
  openStore(config: IpamConfig): Promise<PluginStore>;
  /**
   * Opens the store only if it already exists, creating nothing; resolves undefined otherwise
   * (DEL, CHECK, GC, STATUS of a network never used). Rejects like {@link StoreProvider.openStore}.
   */
  openExistingStore(config: IpamConfig): Promise<PluginStore | undefined>;
  /**
   * Resolves when ADD could create or open the store and write to it, without changing anything
   * (STATUS). Rejects with CniError 50 naming the problem otherwise.
   */
  checkUsable(config: IpamConfig): Promise<void>;
}

/**
 * The provider `ipam.store` selects: {@link diskStoreProvider} when it is absent or of type `disk`,
 * the etcd provider when it is of type `etcd`. The etcd module (and `@cni-ts/etcd-store` with it) is
 * imported on first use only, so an ADD on disk loads nothing of it. Rejects as the chosen provider does.
 */
export const configuredStoreProvider: StoreProvider = {
  async openStore(config) {
    return (await providerFor(config)).openStore(config);
  },
  async openExistingStore(config) {
    return (await providerFor(config)).openExistingStore(config);
  },
  async checkUsable(config) {
    return (await providerFor(config)).checkUsable(config);
  },
};

async function providerFor(config: IpamConfig): Promise<StoreProvider> {
  if (config.store.type === "disk") return diskStoreProvider;
  const { etcdStoreProvider } = await import("./etcd-store-provider.js");
  return etcdStoreProvider;
}
