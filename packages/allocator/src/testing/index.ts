/**
 * `@cni-ts/allocator/testing`: an in-memory store and the shared Store contract suite (vitest).
 */
export type { MemoryStoreOptions } from "./memory-store.js";
export { MemoryStore } from "./memory-store.js";
export type { StoreFixture } from "./store-contract.js";
export { describeStoreContract } from "./store-contract.js";
