export type { AtomicWriteOptions } from "./atomic-write.js";
export { atomicWrite, isTempFileName } from "./atomic-write.js";
export type { DiskAllocation, DiskOwner, DiskStore, DiskStoreOptions } from "./disk-store.js";
export {
  DEFAULT_DATA_DIR,
  DEFAULT_INDEX_THRESHOLD,
  openDiskStore,
  openExistingDiskStore,
} from "./disk-store.js";
export type { FileLock, FlockOperation, FlockOptions } from "./file-lock.js";
export { flockFile, openFileLock } from "./file-lock.js";
export { INDEX_DIR_NAME } from "./index-format.js";
