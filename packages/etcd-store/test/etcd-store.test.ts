import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EtcdStore } from "../src/index.js";
import { EtcdClient, openEtcdStore } from "../src/index.js";
import { freshNetwork, plantLegacyRecord, sharedCluster } from "./helpers/shared-cluster.js";

const cluster = sharedCluster();

/** Every key under the network's root with its value, as `etcdctl get --prefix` would show them. */
async function dump(endpoints: readonly string[], root: string): Promise<Record<string, string>> {
  const client = new EtcdClient({ endpoints, timeoutMs: 5000, tls: undefined });
  try {
    const kvs = await client.range(root, { prefix: true });
    return Object.fromEntries(kvs.map((kv) => [kv.key.slice(root.length), kv.value]));
  } finally {
    client.close();
  }
}

async function put(endpoints: readonly string[], entries: Record<string, string | null>): Promise<void> {
  const client = new EtcdClient({ endpoints, timeoutMs: 5000, tls: undefined });
  try {
    await client.txn(
      [],
      Object.entries(entries).map(([key, value]) => (value === null ? { delete: key } : { put: key, value })),
    );
  } finally {
    client.close();
  }
}

async function withStore(
  test: (store: EtcdStore, endpoints: readonly string[], network: string) => Promise<void>,
  options: { prefix?: string } = {},
): Promise<void> {
  const { endpoints } = await cluster();
  const network = freshNetwork();
  const store = await openEtcdStore({ endpoints, network, prefix: options.prefix, node: "node-a" });
  try {
    await test(store, endpoints, network);
  } finally {
    await store.close();
  }
}

describe("EtcdStore: keys in etcd", () => {
  it("writes the address, its index entry and the hint in one transaction", () =>
    withStore(async (store, endpoints) => {
      expect(await store.reserve(" c1 ", "eth0", "10.1.2.2", "0")).toBe(true);
      expect(await store.reserve("c1", "eth0", "2001:db8:1::2", "1")).toBe(true);
      expect(await dump(endpoints, store.root)).toEqual({
        "ips/10.1.2.2": "c1\r\neth0",
        "ips/2001:db8:1::2": "c1\r\neth0",
        "owners/c1/eth0/10.1.2.2": "node-a",
        "owners/c1/eth0/2001:db8:1::2": "node-a",
        "last/0": "10.1.2.2",
        "last/1": "2001:db8:1::2",
      });
    }));

  it("removes an address together with its index entry, keeping the hint", () =>
    withStore(async (store, endpoints) => {
      await store.reserve("c1", "eth0", "10.1.2.2", "0");
      await store.reserve("c1", "eth1", "10.1.2.3", "0");
      await store.releaseById("c1", "eth0");
      expect(await dump(endpoints, store.root)).toEqual({
        "ips/10.1.2.3": "c1\r\neth1",
        "owners/c1/eth1/10.1.2.3": "node-a",
        "last/0": "10.1.2.3",
      });
      await store.release("10.1.2.3", "c1", "eth1");
      expect(await dump(endpoints, store.root)).toEqual({ "last/0": "10.1.2.3" });
    }));

  it("escapes IDs and ifnames that could break the layout", () =>
    withStore(async (store, endpoints) => {
      await store.reserve("a/b", "x y", "10.1.2.2", "0");
      expect(await dump(endpoints, store.root)).toMatchObject({ "owners/a%2Fb/x%20y/10.1.2.2": "node-a" });
      expect(await store.getById("a/b", "x y")).toEqual(["10.1.2.2"]);
      expect(await store.getById("a", "b")).toEqual([]);
    }));

  it("keeps networks and prefixes apart", async () => {
    const { endpoints } = await cluster();
    const network = freshNetwork();
    const a = await openEtcdStore({ endpoints, network });
    const b = await openEtcdStore({ endpoints, network: `${network}-b` });
    const c = await openEtcdStore({ endpoints, network, prefix: "/other-cluster" });
    try {
      expect(await a.reserve("c1", "eth0", "10.1.2.2", "0")).toBe(true);
      expect(await b.reserve("c2", "eth0", "10.1.2.2", "0")).toBe(true);
      expect(await c.reserve("c3", "eth0", "10.1.2.2", "0")).toBe(true);
      expect(await a.list()).toEqual([{ ip: "10.1.2.2", containerId: "c1", ifname: "eth0" }]);
      expect(await c.getOwner("10.1.2.2")).toEqual({ containerId: "c3", ifname: "eth0" });
      expect(c.root).toBe(`/other-cluster/${network}/`);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it("lists values written by hand as upstream would read such files, and skips stray keys", () =>
    withStore(async (store, endpoints) => {
      await put(endpoints, {
        [`${store.root}ips/10.1.2.7`]: "",
        [`${store.root}ips/10.1.2.8`]: " c8 \r\neth0\n",
        [`${store.root}ips/not-an-address`]: "c9\r\neth0",
      });
      expect(await store.list()).toEqual([
        { ip: "10.1.2.7", containerId: "", ifname: undefined },
        // Trimmed as a whole, like upstream's file: the space before CR LF stays with the ID.
        { ip: "10.1.2.8", containerId: "c8 ", ifname: "eth0" },
      ]);
    }));

  it("ignores a hint that is not address text", () =>
    withStore(async (store, endpoints) => {
      await put(endpoints, { [`${store.root}last/0`]: "10.1.2.2\n" });
      expect(await store.lastReservedIp("0")).toBeUndefined();
    }));
});

describe("EtcdStore: owner index", () => {
  it("drops an index entry whose address key was deleted by hand, and leaves another owner's address", () =>
    withStore(async (store, endpoints) => {
      await store.reserve("c1", "eth0", "10.1.2.2", "0");
      await store.reserve("c1", "eth0", "10.1.2.3", "0");
      // By hand: 10.1.2.2 deleted, 10.1.2.3 handed to c2 without touching c1's index.
      await put(endpoints, {
        [`${store.root}ips/10.1.2.2`]: null,
        [`${store.root}ips/10.1.2.3`]: "c2\r\neth0",
      });
      expect(await store.getById("c1", "eth0")).toEqual(["10.1.2.2", "10.1.2.3"]);
      await store.releaseById("c1", "eth0");
      expect(await dump(endpoints, store.root)).toEqual({
        "ips/10.1.2.3": "c2\r\neth0",
        "owners/c1/eth0/10.1.2.3": "node-a",
        "last/0": "10.1.2.3",
      });
    }));

  it("releases more records than one transaction may hold", () =>
    withStore(async (store, endpoints) => {
      for (let i = 2; i < 82; i++) await store.reserve("c1", "eth0", `10.1.2.${i}`, "0");
      expect(await store.getById("c1", "eth0")).toHaveLength(80);
      await store.releaseById("c1", "eth0");
      expect(await dump(endpoints, store.root)).toEqual({ "last/0": "10.1.2.81" });
    }));
});

describe("EtcdStore: releaseAllocation", () => {
  it.each([
    ["an exact record this host made", { containerId: "c1", ifname: "eth0" }, "mine", true],
    ["an exact record another host made", { containerId: "c1", ifname: "eth0" }, "theirs", false],
    ["a legacy record", { containerId: "c1", ifname: undefined }, "legacy", false],
    ["a value without an owner", { containerId: "", ifname: undefined }, "ownerless", false],
  ] as const)("removes %s for GC: %s, and any of them with anyNode", (_case, owner, made, forGc) =>
    withStore(async (store, endpoints, network) => {
      if (made === "mine") await store.reserve("c1", "eth0", "10.1.2.2", "0");
      if (made === "theirs") {
        const other = await openEtcdStore({ endpoints, network, node: "node-b" });
        await other.reserve("c1", "eth0", "10.1.2.2", "0");
        await other.close();
      }
      if (made === "legacy") await plantLegacyRecord(endpoints, network, "10.1.2.2", "c1");
      if (made === "ownerless") await put(endpoints, { [`${store.root}ips/10.1.2.2`]: "" });

      const wrongOwner = { ip: "10.1.2.2", containerId: "other", ifname: "eth0" };
      expect(await store.releaseAllocation(wrongOwner, { anyNode: true })).toBe(false);
      const [listed] = await store.list();
      expect(listed).toEqual({ ip: "10.1.2.2", ...owner });
      if (listed === undefined) return;
      expect(await store.releaseAllocation(listed)).toBe(forGc);
      if (!forGc) expect(await store.releaseAllocation(listed, { anyNode: true })).toBe(true);
      expect(await store.releaseAllocation(listed, { anyNode: true })).toBe(false);
      const left = Object.keys(await dump(endpoints, store.root));
      expect(left.filter((k) => k.startsWith("ips/") || k.startsWith("owners/"))).toEqual([]);
    }),
  );

  it("records the host name when no node is given", async () => {
    const { endpoints } = await cluster();
    const store = await openEtcdStore({ endpoints, network: freshNetwork() });
    try {
      expect(store.node).toBe(hostname());
      await store.reserve("c1", "eth0", "10.1.2.2", "0");
      expect(await dump(endpoints, store.root)).toMatchObject({ "owners/c1/eth0/10.1.2.2": hostname() });
    } finally {
      await store.close();
    }
  });

  it("refuses an empty node name", async () => {
    await expect(
      openEtcdStore({ endpoints: ["http://127.0.0.1:2379"], network: "n", node: "" }),
    ).rejects.toMatchObject({
      code: 999,
      msg: "etcd store node name must not be empty",
    });
  });
});

describe("EtcdStore: lifecycle and checks", () => {
  it("has no temp files and a no-op lock", () =>
    withStore(async (store) => {
      await store.lock();
      await store.lock();
      expect(await store.removeStaleTempFiles(new Date())).toEqual([]);
      await store.unlock();
      await expect(store.checkReachable()).resolves.toBeUndefined();
    }));

  it("refuses every call once closed", async () => {
    const { endpoints } = await cluster();
    const store = await openEtcdStore({ endpoints, network: freshNetwork() });
    await store.close();
    await store.close();
    await expect(store.list()).rejects.toMatchObject({
      code: 999,
      msg: `etcd store ${store.root} is closed`,
    });
    await expect(store.lock()).rejects.toMatchObject({ code: 999 });
  });

  it.each([
    ["an address with a slash", "10.1.2.2/24"],
    ["a name", "host"],
  ])("refuses %s as address text", (_case, ip) =>
    withStore(async (store) => {
      await expect(store.reserve("c1", "eth0", ip, "0")).rejects.toMatchObject({
        code: 999,
        msg: `invalid address ${JSON.stringify(ip)}`,
      });
    }),
  );

  it.each([
    [0, "etcd timeout must be a whole number of milliseconds from 1 to 2147483647, not 0"],
    [1.5, "etcd timeout must be a whole number of milliseconds from 1 to 2147483647, not 1.5"],
    [2 ** 31, "etcd timeout must be a whole number of milliseconds from 1 to 2147483647, not 2147483648"],
  ])("refuses the timeout %s", async (timeoutMs, msg) => {
    await expect(
      openEtcdStore({ endpoints: ["http://127.0.0.1:2379"], network: "n", timeoutMs }),
    ).rejects.toMatchObject({ code: 999, msg });
  });

  it("reports etcd that is not there with code 11 from every call", async () => {
    const store = await openEtcdStore({ endpoints: ["http://127.0.0.1:1"], network: "n", timeoutMs: 1000 });
    try {
      for (const call of [
        () => store.reserve("c1", "eth0", "10.1.2.2", "0"),
        () => store.getById("c1", "eth0"),
        () => store.releaseById("c1", "eth0"),
        () => store.list(),
        () => store.checkReachable(),
      ]) {
        await expect(call()).rejects.toMatchObject({
          code: 11,
          msg: "cannot reach etcd: http://127.0.0.1:1: connection refused",
        });
      }
    } finally {
      await store.close();
    }
  });
});

describe("openEtcdStore: TLS files", () => {
  it("reads the TLS files when opening, before contacting etcd", async () => {
    const dir = await mkdtemp(join(tmpdir(), "etcd-tls-"));
    try {
      const missing = join(dir, "missing-ca.crt");
      await expect(
        openEtcdStore({ endpoints: ["https://127.0.0.1:1"], network: "n", tls: { caFile: missing } }),
      ).rejects.toMatchObject({
        code: 5,
        msg: `cannot read etcd TLS file: open ${missing}: no such file or directory`,
      });
      await expect(
        openEtcdStore({ endpoints: ["https://127.0.0.1:1"], network: "n", tls: { certFile: "/x.crt" } }),
      ).rejects.toMatchObject({ code: 999, msg: "etcd TLS needs both certFile and keyFile, or neither" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
