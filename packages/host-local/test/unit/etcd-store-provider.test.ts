// The etcd provider against a private etcd, and the plugin's five commands running over it in-process.
import { loadIpamConfig } from "@cni-ts/allocator";
import type { EtcdCluster } from "@cni-ts/etcd-store/testing";
import { startEtcdCluster } from "@cni-ts/etcd-store/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createPluginCommands, etcdStoreOptions, etcdStoreProvider } from "../../src/index.js";
import { addressesOf, errorOf, netConf, runPlugin } from "./support/plugin.js";

// Private etcd clusters take a few seconds to start on a loaded machine: limits against hangs, not timings.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let cluster: EtcdCluster;
let endpoint = "";
let counter = 0;

beforeAll(async () => {
  cluster = await startEtcdCluster();
  endpoint = cluster.endpoints[0] ?? "";
});
afterAll(async () => {
  await cluster?.cleanup();
});

/** A config of a network nobody used yet, in the test cluster (or at `endpoints`). */
function etcdConf(
  options: { subnet?: string; endpoints?: string[]; timeoutMs?: number; node?: string } = {},
  extra = {},
) {
  counter += 1;
  return {
    ...netConf(
      "1.1.0",
      {
        ranges: [[{ subnet: options.subnet ?? "10.1.2.0/29" }]],
        store: {
          type: "etcd",
          endpoints: options.endpoints ?? [endpoint],
          prefix: "/provider-test",
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          ...(options.node === undefined ? {} : { node: options.node }),
        },
      },
      extra,
    ),
    name: `net${counter}`,
  };
}

const commands = () => createPluginCommands(etcdStoreProvider);

describe("etcdStoreOptions", () => {
  it("maps the config's store and name onto the store's options", () => {
    const config = loadIpamConfig(
      JSON.stringify(
        netConf("1.1.0", {
          subnet: "10.1.2.0/24",
          store: {
            type: "etcd",
            endpoints: ["https://10.0.0.1:2379"],
            timeoutMs: 700,
            tls: { caFile: "/ca.crt", certFile: "/c.crt", keyFile: "/c.key" },
            node: "worker-7",
          },
        }),
      ),
      "",
    );
    expect(etcdStoreOptions(config)).toEqual({
      endpoints: ["https://10.0.0.1:2379"],
      network: "mynet",
      prefix: "/cni-ts",
      timeoutMs: 700,
      tls: { caFile: "/ca.crt", certFile: "/c.crt", keyFile: "/c.key" },
      node: "worker-7",
    });
  });

  it("refuses a config whose store is the disk", () => {
    const config = loadIpamConfig(JSON.stringify(netConf("1.1.0", { subnet: "10.1.2.0/24" })), "");
    expect(() => etcdStoreOptions(config)).toThrow(
      expect.objectContaining({ code: 999, msg: "network mynet does not use an etcd store" }),
    );
  });
});

describe("etcdStoreProvider", () => {
  it("opens the network's keys without creating anything", async () => {
    const config = loadIpamConfig(JSON.stringify(etcdConf()), "");
    const store = await etcdStoreProvider.openExistingStore(config);
    expect(store).toBeDefined();
    expect(await store?.list()).toEqual([]);
    await store?.close();
    await expect(etcdStoreProvider.checkUsable(config)).resolves.toBeUndefined();
  });

  it("answers STATUS's question with code 50 when etcd cannot be reached", async () => {
    const config = loadIpamConfig(JSON.stringify(etcdConf({ endpoints: ["http://127.0.0.1:1"] })), "");
    await expect(etcdStoreProvider.checkUsable(config)).rejects.toMatchObject({
      code: 50,
      msg: "cannot use the etcd store: cannot reach etcd: http://127.0.0.1:1: connection refused",
    });
  });
});

describe("the plugin's commands over etcd", () => {
  it("runs ADD, CHECK, DEL, GC and STATUS like on disk", async () => {
    const config = etcdConf();
    const add = (containerId: string) => runPlugin({ command: "ADD", containerId, config }, commands());
    expect(addressesOf(await add("c1"))).toEqual(["10.1.2.2/29"]);
    expect(addressesOf(await add("c2"))).toEqual(["10.1.2.3/29"]);
    expect(errorOf(await add("c1"))).toEqual({
      code: 999,
      msg: "failed to allocate for range 0: 10.1.2.2 has been allocated to c1, duplicate allocation is not allowed",
    });
    expect((await runPlugin({ command: "CHECK", containerId: "c1", config }, commands())).status).toBe(0);
    expect((await runPlugin({ command: "DEL", containerId: "c1", config }, commands())).status).toBe(0);
    expect(errorOf(await runPlugin({ command: "CHECK", containerId: "c1", config }, commands()))).toEqual({
      code: 999,
      msg: "host-local: Failed to find address added by container c1",
    });
    // Round robin continues after .3, as on disk.
    expect(addressesOf(await add("c3"))).toEqual(["10.1.2.4/29"]);
    const gc = {
      ...config,
      "cni.dev/valid-attachments": [{ containerID: "c3", ifname: "eth0" }],
    };
    expect((await runPlugin({ command: "GC", config: gc }, commands())).status).toBe(0);
    expect(addressesOf(await add("c4"))).toEqual(["10.1.2.5/29"]);
    expect(addressesOf(await add("c5"))).toEqual(["10.1.2.6/29"]);
    expect((await runPlugin({ command: "STATUS", config }, commands())).status).toBe(0);
    expect(addressesOf(await add("c6"))).toEqual(["10.1.2.2/29"]);
    expect(addressesOf(await add("c7"))).toEqual(["10.1.2.3/29"]);
    expect(errorOf(await runPlugin({ command: "STATUS", config }, commands()))).toEqual({
      code: 50,
      msg: "no IP addresses available in range set: 10.1.2.1-10.1.2.6",
    });
  });

  it("GC on one node releases only that node's stale reservations of the shared pool", async () => {
    const base = etcdConf();
    const onNode = (node: string, extra: Record<string, unknown> = {}) => {
      const ipam = base.ipam as Record<string, unknown>;
      return { ...base, ...extra, ipam: { ...ipam, store: { ...(ipam.store as object), node } } };
    };
    const add = (node: string, containerId: string) =>
      runPlugin({ command: "ADD", containerId, config: onNode(node) }, commands());
    expect(addressesOf(await add("node-a", "a1"))).toEqual(["10.1.2.2/29"]);
    expect(addressesOf(await add("node-a", "a2"))).toEqual(["10.1.2.3/29"]);
    expect(addressesOf(await add("node-b", "b1"))).toEqual(["10.1.2.4/29"]);
    // node-a's runtime knows only its own containers, and a2 is gone.
    const gc = onNode("node-a", { "cni.dev/valid-attachments": [{ containerID: "a1", ifname: "eth0" }] });
    expect((await runPlugin({ command: "GC", config: gc }, commands())).status).toBe(0);
    const store = await etcdStoreProvider.openExistingStore(loadIpamConfig(JSON.stringify(base), ""));
    expect((await store?.list())?.map((a) => a.containerId)).toEqual(["a1", "b1"]);
    await store?.close();
  });

  it.each([
    [
      "ADD",
      {
        code: 11,
        msg: "failed to allocate for range 0: cannot reach etcd: http://127.0.0.1:1: connection refused",
      },
    ],
    ["DEL", { code: 11, msg: "cannot reach etcd: http://127.0.0.1:1: connection refused" }],
    ["CHECK", { code: 11, msg: "cannot reach etcd: http://127.0.0.1:1: connection refused" }],
    [
      "STATUS",
      {
        code: 50,
        msg: "cannot use the etcd store: cannot reach etcd: http://127.0.0.1:1: connection refused",
      },
    ],
  ] as const)("answers %s with the spec's code when etcd cannot be reached", async (command, error) => {
    const config = etcdConf({ endpoints: ["http://127.0.0.1:1"] });
    expect(errorOf(await runPlugin({ command, config }, commands()))).toEqual(error);
  });
});
