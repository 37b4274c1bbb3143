// The allocator's shared Store contract suite, run against the disk store: the same tests the
// in-memory store passes, so neither can drift from the other. The suite holds the lock in every
// test; the second run keeps an index from the first reservation on, so every answer goes through it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeStoreContract } from "@cni-ts/allocator/testing";
import { describe } from "vitest";
import { openDiskStore } from "../src/index.js";
import { makeScratch } from "./helpers/fs-tree.js";

describe.each([
  ["DiskStore", undefined],
  ["DiskStore with an index at any size", 0],
])("%s", (name, indexThreshold) => {
  describeStoreContract(name, async () => {
    const scratch = makeScratch();
    const store = await openDiskStore({ dataDir: scratch.path, network: "net", indexThreshold });
    return {
      store,
      cleanup: async () => {
        await store.close();
        scratch.cleanup();
      },
      // A legacy record as very old upstream versions wrote it: the container ID alone.
      plantLegacy: async (ip, containerId) =>
        writeFileSync(join(store.dir, ip), containerId, { mode: 0o600 }),
    };
  });
});
