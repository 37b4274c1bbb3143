import { describe, expect, it } from "vitest";
import {
  execFile,
  linkDel,
  linkExists,
  listAddresses,
  netnsDel,
  netnsExec,
  netnsExists,
  netnsPath,
  uniqueName,
  withNetns,
} from "../src/index.js";

describe("uniqueName", () => {
  it.each(["tu", "cnits-", "abcdefghijk"])(
    "gives %s-prefixed names of at most 15 characters, all distinct",
    (p) => {
      const names = Array.from({ length: 20 }, () => uniqueName(p));
      for (const n of names) {
        expect(n.startsWith(p)).toBe(true);
        expect(n.length).toBeLessThanOrEqual(15);
      }
      expect(new Set(names).size).toBe(names.length);
    },
  );

  it("refuses a prefix that leaves no room for randomness", () => {
    expect(() => uniqueName("abcdefghijklm")).toThrow(RangeError);
  });
});

describe("network namespace helpers", { timeout: 30_000 }, () => {
  it("creates a namespace, runs commands inside it, and always deletes it", async () => {
    const name = uniqueName("tu-ns-");
    const seen = await withNetns(name, async (path) => {
      expect(path).toBe(netnsPath(name));
      expect(await netnsExists(name)).toBe(true);
      const lo = await netnsExec(name, ["ip", "-j", "link", "show", "lo"]);
      expect(lo.code).toBe(0);
      await netnsExec(name, ["ip", "link", "set", "lo", "up"]);
      return listAddresses(name);
    });
    expect(seen).toContainEqual({ ifname: "lo", family: "inet", local: "127.0.0.1", prefixlen: 8 });
    expect(await netnsExists(name)).toBe(false);
  });

  it("deletes the namespace when the callback throws", async () => {
    const name = uniqueName("tu-ns-");
    await expect(
      withNetns(name, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await netnsExists(name)).toBe(false);
  });

  it("treats deleting a missing namespace or link as done", async () => {
    await expect(netnsDel(uniqueName("tu-ns-"))).resolves.toBeUndefined();
    await expect(linkDel(uniqueName("tu-br-"))).resolves.toBeUndefined();
  });

  it("sees a link in the host namespace until it is deleted", async () => {
    const name = uniqueName("tu-br-");
    const add = await netnsExec(name, ["true"]); // namespace does not exist: a failure, not a throw
    expect(add.code).not.toBe(0);
    try {
      const created = await execFile("ip", ["link", "add", name, "type", "bridge"]);
      expect(created.code).toBe(0);
      expect(await linkExists(name)).toBe(true);
    } finally {
      await linkDel(name);
    }
    expect(await linkExists(name)).toBe(false);
  });
});
