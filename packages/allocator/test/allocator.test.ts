import { CniError } from "@cni-ts/types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Allocation, RangeInit, Store } from "../src/index.js";
import {
  assignRequestedIps,
  formatIp,
  IpAllocator,
  ipFromValue,
  parseCidr,
  parseIp,
  Range,
  RangeSet,
} from "../src/index.js";
import { MemoryStore } from "../src/testing/index.js";

const set = (...subnets: string[]) => RangeSet.canonicalize(subnets.map((s) => ({ subnet: parseCidr(s) })));
const used = (ips: string[]): Allocation[] => ips.map((ip) => ({ ip, containerId: "id", ifname: "eth0" }));

function slash29(bounds: { rangeStart?: string; rangeEnd?: string } = {}): RangeSet {
  const canonical = set("192.168.1.0/29").firstRange;
  return new RangeSet([
    new Range({
      ...canonical,
      ...(bounds.rangeStart ? { rangeStart: parseIp(bounds.rangeStart) } : {}),
      ...(bounds.rangeEnd ? { rangeEnd: parseIp(bounds.rangeEnd) } : {}),
    }),
  ]);
}

async function rejection(promise: Promise<unknown>): Promise<CniError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CniError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

describe("IpAllocator.get, dynamic", () => {
  it.each<[string, string[], string[], string | undefined, string]>([
    ["fresh IPv4", ["10.0.0.0/29"], [], undefined, "10.0.0.2/29"],
    ["fresh IPv6", ["2001:db8:1::0/64"], [], undefined, "2001:db8:1::2/64"],
    ["fresh /30", ["10.0.0.0/30"], [], undefined, "10.0.0.2/30"],
    ["skipping a used address", ["10.0.0.0/29"], ["10.0.0.2"], undefined, "10.0.0.3/29"],
    ["after the last reserved", ["10.0.0.0/29"], [], "10.0.0.5", "10.0.0.6/29"],
    [
      "skipping used after the last reserved",
      ["10.0.0.0/29"],
      ["10.0.0.4", "10.0.0.5"],
      "10.0.0.3",
      "10.0.0.6/29",
    ],
    ["wrapping to the start", ["10.0.0.0/29"], ["10.0.0.6"], "10.0.0.5", "10.0.0.2/29"],
    ["with the last reserved outside the set", ["10.0.0.0/29"], ["10.0.0.2"], "10.0.0.128", "10.0.0.3/29"],
    [
      "full but for the last reserved",
      ["10.0.0.0/29"],
      ["10.0.0.2", "10.0.0.4", "10.0.0.5", "10.0.0.6"],
      "10.0.0.3",
      "10.0.0.3/29",
    ],
    ["from several ranges", ["10.0.0.0/30", "10.0.1.0/30"], [], undefined, "10.0.0.2/30"],
    ["advancing to the next range", ["10.0.0.0/30", "10.0.1.0/30"], [], "10.0.0.2", "10.0.1.2/30"],
    [
      "wrapping to the first range",
      ["10.0.0.0/30", "10.0.1.0/30", "10.0.2.0/30"],
      [],
      "10.0.2.2",
      "10.0.0.2/30",
    ],
    ["with an unparsable hint", ["10.0.0.0/29"], [], "10.0.0.5\n", "10.0.0.2/29"],
  ])("allocates round robin: %s", async (_name, subnets, usedIps, lastIp, expected) => {
    const store = new MemoryStore({
      reservations: used(usedIps),
      lastReserved: lastIp === undefined ? {} : { rangeid: lastIp },
    });
    const result = await new IpAllocator(set(...subnets), store, "rangeid").get("ID", "eth0");
    expect(result.address).toBe(expected);
    expect(await store.lastReservedIp("rangeid")).toBe(expected.split("/")[0]);
  });

  it.each<[string, string[], string[]]>([
    ["a /30 with .2 used", ["10.0.0.0/30"], ["10.0.0.2"]],
    [
      "a /29 with .2 to .6 used",
      ["10.0.0.0/29"],
      ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"],
    ],
    ["two /30s with both .2 used", ["10.0.0.0/30", "10.0.1.0/30"], ["10.0.0.2", "10.0.1.2"]],
  ])("runs out of addresses: %s", async (_name, subnets, usedIps) => {
    const s = set(...subnets);
    const err = await rejection(
      new IpAllocator(s, new MemoryStore({ reservations: used(usedIps) }), 0).get("ID", "eth0"),
    );
    expect(err).toMatchObject({ code: 999, msg: `no IP addresses available in range set: ${s}` });
  });

  it("hands out .2 to .6 of a /29 with its gateway, never the broadcast, then fails", async () => {
    const alloc = new IpAllocator(slash29(), new MemoryStore(), "0");
    for (const host of [2, 3, 4, 5, 6]) {
      expect(await alloc.get(`ID${host}`, "eth0")).toEqual({
        address: `192.168.1.${host}/29`,
        gateway: "192.168.1.1",
      });
    }
    expect(await rejection(alloc.get("ID8", "eth0"))).toMatchObject({
      msg: "no IP addresses available in range set: 192.168.1.1-192.168.1.6",
    });
  });

  it("continues round robin after a release instead of reusing the address", async () => {
    const alloc = new IpAllocator(slash29(), new MemoryStore(), "0");
    expect((await alloc.get("ID", "eth0")).address).toBe("192.168.1.2/29");
    await alloc.release("ID", "eth0");
    expect((await alloc.get("ID", "eth0")).address).toBe("192.168.1.3/29");
  });

  it("refuses a second address in the same set for the same container and ifname", async () => {
    const store = new MemoryStore();
    const alloc = new IpAllocator(set("10.1.2.0/24"), store, "0");
    await alloc.get("c1", "eth0");
    expect(await rejection(alloc.get("c1", "eth0"))).toMatchObject({
      code: 999,
      msg: "10.1.2.2 has been allocated to c1, duplicate allocation is not allowed",
    });
    expect((await alloc.get("c1", "eth1")).address).toBe("10.1.2.3/24");
  });

  it("names the first held address in text order and honours legacy records", async () => {
    const store = new MemoryStore({
      reservations: [
        { ip: "10.1.2.9", containerId: "c1", ifname: "eth0" },
        { ip: "10.1.2.10", containerId: "c1", ifname: undefined },
        { ip: "10.9.0.1", containerId: "c1", ifname: "eth0" },
      ],
    });
    const alloc = new IpAllocator(set("10.1.2.0/24"), store, "0");
    expect((await rejection(alloc.get(" c1 ", "eth0"))).msg).toBe(
      "10.1.2.10 has been allocated to  c1 , duplicate allocation is not allowed",
    );
    expect((await rejection(alloc.get("c1", "eth7"))).msg).toBe(
      "10.1.2.10 has been allocated to c1, duplicate allocation is not allowed",
    );
  });

  it("ignores the container's addresses in other sets", async () => {
    const store = new MemoryStore({
      reservations: [{ ip: "2001:db8::2", containerId: "c1", ifname: "eth0" }],
    });
    const result = await new IpAllocator(set("10.1.2.0/24"), store, 0).get("c1", "eth0");
    expect(result).toEqual({ address: "10.1.2.2/24", gateway: "10.1.2.1" });
  });

  it("passes the store's errors through", async () => {
    const broken: Store = Object.assign(new MemoryStore(), {
      reserve: async () => {
        throw new CniError(5, "write failed");
      },
    });
    expect(await rejection(new IpAllocator(set("10.1.2.0/24"), broken, 0).get("c1", "eth0"))).toMatchObject({
      code: 5,
      msg: "write failed",
    });
  });
});

describe("IpAllocator.get, requested", () => {
  it("reserves exactly the requested address and records it as last reserved", async () => {
    const store = new MemoryStore();
    const alloc = new IpAllocator(slash29(), store, 3);
    expect(await alloc.get("ID", "eth0", "192.168.1.5")).toEqual({
      address: "192.168.1.5/29",
      gateway: "192.168.1.1",
    });
    expect(await store.lastReservedIp("3")).toBe("192.168.1.5");
    expect(await store.getOwner("192.168.1.5")).toEqual({ containerId: "ID", ifname: "eth0" });
  });

  it("accepts any text of the address", async () => {
    const alloc = new IpAllocator(set("2001:db8:1::/64"), new MemoryStore(), 0);
    expect((await alloc.get("ID", "eth0", "2001:DB8:1:0::0009")).address).toBe("2001:db8:1::9/64");
    const v4 = new IpAllocator(set("10.1.2.0/24"), new MemoryStore(), 0);
    expect((await v4.get("ID", "eth0", "::ffff:10.1.2.9")).address).toBe("10.1.2.9/24");
  });

  it("does not check earlier allocations of the container (upstream behaviour)", async () => {
    const alloc = new IpAllocator(slash29(), new MemoryStore(), 0);
    await alloc.get("ID", "eth0");
    expect((await alloc.get("ID", "eth0", "192.168.1.5")).address).toBe("192.168.1.5/29");
  });

  it.each<[string, RangeSet, string, string]>([
    [
      "a taken address",
      slash29(),
      "192.168.1.6",
      "requested IP address 192.168.1.6 is not available in range set 192.168.1.1-192.168.1.6",
    ],
    ["the gateway", slash29(), "192.168.1.1", "requested ip 192.168.1.1 is subnet's gateway"],
    [
      "an address after rangeEnd",
      slash29({ rangeEnd: "192.168.1.4" }),
      "192.168.1.5",
      "192.168.1.5 not in range set 192.168.1.1-192.168.1.4",
    ],
    [
      "an address before rangeStart",
      slash29({ rangeStart: "192.168.1.3" }),
      "192.168.1.2",
      "192.168.1.2 not in range set 192.168.1.3-192.168.1.6",
    ],
    ["the broadcast", slash29(), "192.168.1.7", "192.168.1.7 not in range set 192.168.1.1-192.168.1.6"],
    ["another family", slash29(), "2001:db8::1", "2001:db8::1 not in range set 192.168.1.1-192.168.1.6"],
    ["unparsable text", slash29(), "192.168.1.05", "invalid IP address: 192.168.1.05"],
  ])("refuses %s", async (_name, rangeSet, ip, msg) => {
    const store = new MemoryStore({ reservations: used(["192.168.1.6"]) });
    expect(await rejection(new IpAllocator(rangeSet, store, 0).get("ID", "eth0", ip))).toMatchObject({
      code: 999,
      msg,
    });
    expect(await store.lastReservedIp("0")).toBeUndefined();
  });
});

describe("IpAllocator.release", () => {
  it("releases every address of the container and ifname, legacy ones when no exact one is left", async () => {
    const store = new MemoryStore({
      reservations: [
        { ip: "10.1.2.2", containerId: "c1", ifname: "eth0" },
        { ip: "10.1.2.3", containerId: "c1", ifname: "eth1" },
        { ip: "10.1.2.4", containerId: "c1", ifname: undefined },
      ],
    });
    const alloc = new IpAllocator(set("10.1.2.0/24"), store, 0);
    await alloc.release("c1", "eth0");
    expect((await store.list()).map((a) => a.ip)).toEqual(["10.1.2.3", "10.1.2.4"]);
    await alloc.release("c1", "eth0");
    expect((await store.list()).map((a) => a.ip)).toEqual(["10.1.2.3"]);
  });
});

describe("assignRequestedIps", () => {
  const sets = [set("10.1.2.0/24"), set("10.1.3.0/24"), set("2001:db8:1::/64")];

  it.each<[string, string[], Array<string | undefined>, string[]]>([
    ["no requests", [], [undefined, undefined, undefined], []],
    [
      "one per set, out of order",
      ["2001:db8:1::9", "10.1.3.77", "10.1.2.88"],
      ["10.1.2.88", "10.1.3.77", "2001:db8:1::9"],
      [],
    ],
    [
      "two in one set: the first wins",
      ["10.1.2.88", "10.1.2.77"],
      ["10.1.2.88", undefined, undefined],
      ["10.1.2.77"],
    ],
    [
      "outside every set",
      ["192.168.0.1", "10.1.3.5", "10.1.2.0"],
      [undefined, "10.1.3.5", undefined],
      ["192.168.0.1", "10.1.2.0"],
    ],
    ["a gateway (refused later, by get)", ["10.1.2.1"], ["10.1.2.1", undefined, undefined], []],
  ])("assigns %s", (_name, requests, perSet, unassigned) => {
    expect(assignRequestedIps(sets, requests)).toEqual({ perSet, unassigned });
  });

  it("refuses unparsable text", () => {
    expect(() => assignRequestedIps(sets, ["10.1.2.010"])).toThrow(
      expect.objectContaining({ code: 999, msg: "invalid IP address: 10.1.2.010" }),
    );
  });
});

// --- Properties -----------------------------------------------------------------------------------

interface Layout {
  rangeSet: RangeSet;
  /** What the allocator may hand out: each range's span less that range's gateway. */
  allocatable: string[];
  /** Network and broadcast addresses of every range. */
  edges: string[];
  gateways: string[];
}

// One to three IPv4 ranges in distinct /24s, each a /26 to /30 with bounds inside the subnet's
// usable span and a gateway anywhere in the subnet.
const layoutArb: fc.Arbitrary<Layout> = fc
  .array(
    fc.record({
      prefix: fc.integer({ min: 26, max: 30 }),
      startOffset: fc.nat(),
      length: fc.nat(),
      gatewayOffset: fc.option(fc.nat(), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((specs) => {
    const inits: RangeInit[] = [];
    const edges: string[] = [];
    specs.forEach((spec, i) => {
      const size = 2 ** (32 - spec.prefix);
      const network = (10n << 24n) | (BigInt(i) << 8n);
      const start = 1 + (spec.startOffset % (size - 2));
      const end = start + (spec.length % (size - 1 - start));
      const at = (offset: number) => ipFromValue(4, network + BigInt(offset));
      inits.push({
        subnet: parseCidr(`${formatIp(at(0))}/${spec.prefix}`),
        rangeStart: at(start),
        rangeEnd: at(end),
        gateway: spec.gatewayOffset === undefined ? undefined : at(spec.gatewayOffset % size),
      });
      edges.push(formatIp(at(0)), formatIp(at(size - 1)));
    });
    const rangeSet = RangeSet.canonicalize(inits);
    const allocatable: string[] = [];
    for (const r of rangeSet.ranges) {
      for (let v = r.rangeStart.value; v <= r.rangeEnd.value; v++) {
        if (v !== r.gateway.value) allocatable.push(formatIp(ipFromValue(4, v)));
      }
    }
    return { rangeSet, allocatable, edges, gateways: rangeSet.ranges.map((r) => formatIp(r.gateway)) };
  });

const hostOf = (address: string) => address.split("/")[0] ?? "";

describe("IpAllocator properties", () => {
  it("never hands out a network, broadcast or gateway address, nor one outside the set", async () => {
    await fc.assert(
      fc.asyncProperty(layoutArb, fc.nat({ max: 80 }), async (layout, count) => {
        const alloc = new IpAllocator(layout.rangeSet, new MemoryStore(), 0);
        for (let i = 0; i < Math.min(count, layout.allocatable.length); i++) {
          const ip = hostOf((await alloc.get(`c${i}`, "eth0")).address);
          expect(layout.edges).not.toContain(ip);
          expect(layout.gateways).not.toContain(ip);
          expect(layout.allocatable).toContain(ip);
        }
      }),
    );
  });

  it("never hands out an address that is held, across gets and releases", async () => {
    const op = fc.oneof(
      fc.constant({ kind: "get" as const }),
      fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(layoutArb, fc.array(op, { maxLength: 60 }), async (layout, ops) => {
        const alloc = new IpAllocator(layout.rangeSet, new MemoryStore(), 0);
        const held = new Map<string, string>(); // container -> address
        let next = 0;
        for (const o of ops) {
          if (o.kind === "release") {
            const victims = [...held.keys()];
            const victim = victims[o.pick % Math.max(1, victims.length)];
            if (victim === undefined) continue;
            await alloc.release(victim, "eth0");
            held.delete(victim);
          } else if (held.size < layout.allocatable.length) {
            const id = `c${next++}`;
            const ip = hostOf((await alloc.get(id, "eth0")).address);
            expect([...held.values()]).not.toContain(ip);
            held.set(id, ip);
          } else {
            await expect(alloc.get(`c${next++}`, "eth0")).rejects.toMatchObject({ code: 999 });
          }
        }
      }),
    );
  });

  it("offers every free address once before repeating one", async () => {
    await fc.assert(
      fc.asyncProperty(layoutArb, fc.array(fc.nat(), { maxLength: 5 }), async (layout, taken) => {
        const busy = [...new Set(taken.map((t) => layout.allocatable[t % layout.allocatable.length] ?? ""))];
        const free = layout.allocatable.filter((ip) => !busy.includes(ip));
        fc.pre(free.length > 0);
        const alloc = new IpAllocator(layout.rangeSet, new MemoryStore({ reservations: used(busy) }), 0);
        const seen: string[] = [];
        for (let i = 0; i <= free.length; i++) {
          seen.push(hostOf((await alloc.get("crash-looping", "eth0")).address));
          await alloc.release("crash-looping", "eth0");
        }
        expect([...seen.slice(0, free.length)].sort()).toEqual([...free].sort());
        expect(seen[free.length]).toBe(seen[0]);
      }),
    );
  });

  it("gets an address again once one was released from a full set", async () => {
    await fc.assert(
      fc.asyncProperty(layoutArb, fc.nat(), async (layout, pick) => {
        fc.pre(layout.allocatable.length > 0);
        const alloc = new IpAllocator(layout.rangeSet, new MemoryStore(), 0);
        const given: string[] = [];
        for (let i = 0; i < layout.allocatable.length; i++)
          given.push(hostOf((await alloc.get(`c${i}`, "eth0")).address));
        await expect(alloc.get("late", "eth0")).rejects.toMatchObject({ code: 999 });
        const victim = pick % given.length;
        await alloc.release(`c${victim}`, "eth0");
        expect(hostOf((await alloc.get("late", "eth0")).address)).toBe(given[victim]);
      }),
    );
  });
});
