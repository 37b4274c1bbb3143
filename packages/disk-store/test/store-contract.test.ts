// The allocator's shared Store contract suite, run against the disk store: the same tests the
// in-memory store passes, so neither can drift from the other.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeStoreContract } from "@cni-ts/allocator/testing";
import { openDiskStore } from "../src/index.js";
import { makeScratch } from "./helpers/fs-tree.js";

describeStoreContract("DiskStore", async () => {
  const scratch = makeScratch();
  const store = await openDiskStore({ dataDir: scratch.path, network: "net" });
  return {
    store,
    cleanup: async () => {
      await store.close();
      scratch.cleanup();
    },
    // A legacy record as very old upstream versions wrote it: the container ID alone.
    plantLegacy: async (ip, containerId) => writeFileSync(join(store.dir, ip), containerId, { mode: 0o600 }),
  };
});
