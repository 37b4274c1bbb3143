// etcd going away in the middle of a run: every call fails with code 11 (try again later) while it is
// gone, nothing is half-written, and after it is back allocation goes on with no address given twice.
import { IpAllocator, parseCidr, RangeSet } from "@cni-ts/allocator";
import { describe, expect, it } from "vitest";
import { openEtcdStore } from "../src/index.js";
import { freshNetwork, sharedCluster } from "./helpers/shared-cluster.js";

const cluster = sharedCluster();

const rangeSet = () => RangeSet.canonicalize([{ subnet: parseCidr("10.30.0.0/28") }]);

describe("EtcdStore when etcd stops and comes back", () => {
  it.each([
    ["stopped (connections refused)", "stop", /: connection refused$/],
    ["frozen (connections accepted, never answered)", "pause", /: no answer within 300 ms$/],
  ] as const)("while %s: code 11, then allocation resumes without duplicates", async (_case, how, reason) => {
    const { members } = await cluster();
    const member = members[0];
    if (member === undefined) throw new Error("no member");
    const network = freshNetwork();
    const store = await openEtcdStore({ endpoints: [member.clientUrl], network, timeoutMs: 300 });
    const allocate = (id: string) => new IpAllocator(rangeSet(), store, 0).get(id, "eth0");
    try {
      const before = [await allocate("a1"), await allocate("a2")].map((r) => r.address);

      if (how === "stop") await member.stop();
      else member.pause();
      try {
        for (const id of ["b1", "b2", "b3"]) {
          const err: unknown = await allocate(id).catch((e: unknown) => e);
          expect(err).toMatchObject({ code: 11 });
          expect((err as { msg: string }).msg).toMatch(reason);
        }
        await expect(store.releaseById("a1", "eth0")).rejects.toMatchObject({ code: 11 });
      } finally {
        if (how === "stop") await member.start();
        else member.resume();
      }

      const after = [];
      for (const id of ["c1", "c2", "c3"]) after.push((await allocate(id)).address);
      const all = [...before, ...after];
      expect(new Set(all).size).toBe(all.length);
      const listed = await store.list();
      // The failed calls left nothing behind: exactly the five successful allocations exist.
      expect(listed.map((a) => a.containerId).sort()).toEqual(["a1", "a2", "c1", "c2", "c3"]);
      expect(listed.map((a) => `${a.ip}/28`).sort()).toEqual([...all].sort());
    } finally {
      await store.close();
    }
  });

  it("leaves a transaction cut off by the timeout either applied for its owner or not at all", async () => {
    const { members } = await cluster();
    const member = members[0];
    if (member === undefined) throw new Error("no member");
    const store = await openEtcdStore({
      endpoints: [member.clientUrl],
      network: freshNetwork(),
      timeoutMs: 300,
    });
    try {
      member.pause();
      try {
        await expect(store.reserve("b9", "eth0", "10.30.0.9", "0")).rejects.toMatchObject({ code: 11 });
      } finally {
        member.resume();
      }
      // The member may still apply what it had received: then the address is b9's, never anyone else's,
      // and the DEL a runtime sends after a failed ADD removes it.
      const owner = await store.getOwner("10.30.0.9");
      expect([undefined, "b9"]).toContain(owner?.containerId);
      await store.releaseById("b9", "eth0");
      expect(await store.list()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
