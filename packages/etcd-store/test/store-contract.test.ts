// The allocator's shared Store contract suite, run against the etcd store on a private etcd: the
// same tests the in-memory and disk stores pass.
import { describeStoreContract } from "@cni-ts/allocator/testing";
import { openEtcdStore } from "../src/index.js";
import { freshNetwork, plantLegacyRecord, sharedCluster } from "./helpers/shared-cluster.js";

const cluster = sharedCluster();

describeStoreContract("EtcdStore", async () => {
  const { endpoints } = await cluster();
  const network = freshNetwork();
  const store = await openEtcdStore({ endpoints, network });
  return {
    store,
    cleanup: () => store.close(),
    plantLegacy: (ip, containerId) => plantLegacyRecord(endpoints, network, ip, containerId),
  };
});
