/**
 * Test support: a {@link StoreProvider} over one shared `MemoryStore` of `@cni-ts/allocator/testing`,
 * so the commands can run without a file system.
 */
import type { Allocation } from "@cni-ts/allocator";
import { MemoryStore } from "@cni-ts/allocator/testing";
import type { PluginStore, StoreProvider } from "../../../src/index.js";

/** A provider whose store exists once `openStore` ran (as a disk store's directory would). */
export interface MemoryProvider extends StoreProvider {
  readonly store: MemoryStore;
  readonly exists: boolean;
}

/**
 * Creates a provider over a fresh MemoryStore. Each open returns a handle whose `close` releases the
 * lock it took but keeps the shared store usable for the next command.
 */
export function memoryProvider(): MemoryProvider {
  const store = new MemoryStore();
  let exists = false;
  const handle = (): PluginStore => {
    let locked = false;
    return {
      lock: async () => {
        await store.lock();
        locked = true;
      },
      unlock: async () => {
        locked = false;
        await store.unlock();
      },
      close: async () => {
        if (locked) await store.unlock();
        locked = false;
      },
      reserve: (id, ifname, ip, rangeId) => store.reserve(id, ifname, ip, rangeId),
      lastReservedIp: (rangeId) => store.lastReservedIp(rangeId),
      getById: (id, ifname) => store.getById(id, ifname),
      releaseById: (id, ifname) => store.releaseById(id, ifname),
      release: (ip, id, ifname) => store.release(ip, id, ifname),
      getOwner: (ip) => store.getOwner(ip),
      list: () => store.list(),
      async releaseAllocation(allocation: Allocation) {
        // The Store contract can only remove a record by its exact owner.
        if (allocation.ifname === undefined) throw new Error("memory provider: cannot remove legacy records");
        const owner = await store.getOwner(allocation.ip);
        if (owner?.containerId !== allocation.containerId || owner.ifname !== allocation.ifname) return false;
        await store.release(allocation.ip, allocation.containerId, allocation.ifname);
        return true;
      },
      removeStaleTempFiles: async () => [],
    };
  };
  return {
    store,
    get exists() {
      return exists;
    },
    async openStore() {
      exists = true;
      return handle();
    },
    async openExistingStore() {
      return exists ? handle() : undefined;
    },
    async checkUsable() {},
  };
}
