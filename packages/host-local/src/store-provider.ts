/**
 * How the commands reach the store of a network. The plugin uses the disk store
 * ({@link diskStoreProvider}); tests inject a disk store in a temp dir or an in-memory store.
 */
import type { Allocation, IpamConfig, Store } from "@cni-ts/allocator";

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
