// Many allocators on separate connections, spread over a three-member cluster as if each ran on its
// own host, race for one small range with no lock: every address goes to exactly one of them.
import { IpAllocator, parseCidr, RangeSet } from "@cni-ts/allocator";
import { describe, expect, it } from "vitest";
import type { EtcdStore } from "../src/index.js";
import { openEtcdStore } from "../src/index.js";
import { freshNetwork, sharedCluster } from "./helpers/shared-cluster.js";

const cluster = sharedCluster({ size: 3 });

// 10.20.0.0/28 hands out .2 to .14: 13 addresses (the gateway .1 and broadcast .15 never).
const rangeSet = () => RangeSet.canonicalize([{ subnet: parseCidr("10.20.0.0/28") }]);
const CAPACITY = 13;

async function openHosts(endpoints: readonly string[], network: string, count: number): Promise<EtcdStore[]> {
  // Host i talks to member i mod 3 first, so writes arrive through every member.
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      openEtcdStore({ endpoints: [endpoints[i % endpoints.length] ?? ""], network }),
    ),
  );
}

describe("EtcdStore under contention across members", () => {
  it.each([
    ["more contenders than addresses", 20, 0],
    ["contenders for what is left after earlier allocations", 12, 5],
  ])("%s: exactly the free count succeed, all distinct", async (_case, contenders, taken) => {
    const { endpoints } = await cluster();
    const network = freshNetwork();
    const hosts = await openHosts(endpoints, network, contenders);
    try {
      const first = hosts[0];
      if (first === undefined) throw new Error("no host");
      for (let i = 0; i < taken; i++) await new IpAllocator(rangeSet(), first, 0).get(`early-${i}`, "eth0");

      const outcomes = await Promise.allSettled(
        hosts.map((store, i) => new IpAllocator(rangeSet(), store, 0).get(`c${i}`, "eth0")),
      );
      const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value.address] : []));
      const lost = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
      const free = CAPACITY - taken;
      expect(won).toHaveLength(Math.min(free, contenders));
      expect(new Set(won).size).toBe(won.length);
      for (const reason of lost) {
        expect(reason).toMatchObject({
          code: 999,
          msg: "no IP addresses available in range set: 10.20.0.1-10.20.0.14",
        });
      }
      const listed = await first.list();
      expect(listed).toHaveLength(taken + won.length);
      expect(new Set(listed.map((a) => a.ip)).size).toBe(listed.length);
      // Every winner holds exactly the address it was told, as the index says too.
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status !== "fulfilled") continue;
        const ip = outcome.value.address.replace("/28", "");
        expect(await first.getOwner(ip)).toEqual({ containerId: `c${i}`, ifname: "eth0" });
        expect(await first.getById(`c${i}`, "eth0")).toEqual([ip]);
      }
    } finally {
      await Promise.all(hosts.map((h) => h.close()));
    }
  });

  it("lets a host release what another host reserved", async () => {
    const { endpoints } = await cluster();
    const network = freshNetwork();
    const [a, b] = await openHosts(endpoints, network, 2);
    if (a === undefined || b === undefined) throw new Error("no hosts");
    try {
      const got = await new IpAllocator(rangeSet(), a, 0).get("c1", "eth0");
      expect(got.address).toBe("10.20.0.2/28");
      await new IpAllocator(rangeSet(), b, 0).release("c1", "eth0");
      expect(await a.list()).toEqual([]);
      // Round robin continues across hosts: the next address, not the one just freed.
      expect((await new IpAllocator(rangeSet(), b, 0).get("c2", "eth0")).address).toBe("10.20.0.3/28");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
