import { existsSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "@cni-ts/allocator";
import { isCniError } from "@cni-ts/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DiskStore } from "../src/index.js";
import { DEFAULT_DATA_DIR, isTempFileName, openDiskStore, openExistingDiskStore } from "../src/index.js";
import type { Scratch, Tree } from "./helpers/fs-tree.js";
import { filesIn, makeScratch, modeOf, namesIn, plantTree } from "./helpers/fs-tree.js";
import { mountTmpfs, remountReadOnly, unmount } from "./helpers/mounts.js";
import { BUN, run, runUpstream } from "./helpers/processes.js";

// Modes are asserted under the usual umask 022 (contract 6.1: the umask applies to every create).
let savedUmask = 0;
beforeAll(() => {
  savedUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(savedUmask);
});

let scratch: Scratch;
let store: DiskStore;
let dir: string;

beforeEach(async () => {
  scratch = makeScratch();
  store = await openDiskStore({ dataDir: scratch.path, network: "net" });
  dir = store.dir;
});
afterEach(async () => {
  await store.close();
  scratch.cleanup();
});

/** Plants files in the network directory. */
const plant = (tree: Tree): void => plantTree(dir, tree);

/** What the network directory holds apart from the lock file. */
const contents = (): Record<string, string> => {
  const { lock, ...rest } = filesIn(dir);
  expect(lock).toBe("");
  return rest;
};

describe("layout", () => {
  it("satisfies the allocator's Store interface", () => {
    const asStore: Store = store;
    expect(asStore).toBe(store);
  });

  it("creates <dataDir>/<network> with its parents (0755) and an empty lock file (0750)", async () => {
    const dataDir = join(scratch.path, "a", "b");
    const other = await openDiskStore({ dataDir, network: "mynet" });
    expect(other.dir).toBe(join(dataDir, "mynet"));
    expect([modeOf(join(scratch.path, "a")), modeOf(dataDir), modeOf(other.dir)]).toEqual([
      0o755, 0o755, 0o755,
    ]);
    expect(namesIn(other.dir)).toEqual(["lock"]);
    expect(modeOf(join(other.dir, "lock"))).toBe(0o750);
    expect(readFileSync(join(other.dir, "lock"), "utf8")).toBe("");
    await other.close();
  });

  it.each([undefined, ""])("falls back to DEFAULT_DATA_DIR for the data dir %j", async (dataDir) => {
    expect(DEFAULT_DATA_DIR).toBe("/var/lib/cni/networks");
    // Read-only on purpose: a network name nobody uses, so nothing is created in the real directory.
    const network = `cni-ts-disk-store-test-${process.pid}`;
    expect(await openExistingDiskStore({ dataDir, network })).toBeUndefined();
    expect(existsSync(join(DEFAULT_DATA_DIR, network))).toBe(false);
  });

  it("keeps an existing network directory and lock file as they are", async () => {
    writeFileSync(join(dir, "10.1.2.2"), "c1\r\neth0");
    const again = await openDiskStore({ dataDir: scratch.path, network: "net" });
    expect(contents()).toEqual({ "10.1.2.2": "c1\r\neth0" });
    await again.close();
  });

  it("writes the contract's dual-stack dump byte for byte (contract 6.1)", async () => {
    expect(await store.reserve("c1", "eth0", "10.1.2.2", "0")).toBe(true);
    expect(await store.reserve("c1", "eth0", "2001:db8:1::2", "1")).toBe(true);
    expect(filesIn(dir)).toEqual({
      "10.1.2.2": "c1\r\neth0",
      "2001:db8:1::2": "c1\r\neth0",
      "last_reserved_ip.0": "10.1.2.2",
      "last_reserved_ip.1": "2001:db8:1::2",
      lock: "",
    });
    expect(namesIn(dir).map((n) => [n, modeOf(join(dir, n))])).toEqual([
      ["10.1.2.2", 0o600],
      ["2001:db8:1::2", 0o600],
      ["last_reserved_ip.0", 0o600],
      ["last_reserved_ip.1", 0o600],
      ["lock", 0o750],
    ]);
  });

  it("writes the same files as upstream's binary for the same ADD (dual stack)", async () => {
    const upstreamDir = join(scratch.path, "upstream");
    const added = await runUpstream("ADD", upstreamDir, "c1", "eth0", ["10.1.2.0/24", "2001:db8:1::/64"]);
    expect(added.code, added.stdout).toBe(0);
    await store.reserve("c1", "eth0", "10.1.2.2", "0");
    await store.reserve("c1", "eth0", "2001:db8:1::2", "1");
    expect(filesIn(dir)).toEqual(filesIn(join(upstreamDir, "net")));
  });
});

describe("network names", () => {
  it.each([
    ["", "name is empty"],
    [".", 'name "." is not a directory name'],
    ["..", 'name ".." is not a directory name'],
    ["a/b", 'name "a/b" contains "/"'],
    ["../escape", 'name "../escape" contains "/"'],
    ["a\0b", "name contains a NUL byte"],
  ])("refuses %j with code 999 and creates nothing", async (network, reason) => {
    const dataDir = join(scratch.path, "fresh");
    await expect(openDiskStore({ dataDir, network })).rejects.toMatchObject({
      code: 999,
      msg: `invalid network name for the disk store: ${reason}`,
    });
    await expect(openExistingDiskStore({ dataDir, network })).rejects.toMatchObject({ code: 999 });
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each(["net-1", "my.net", "net_1", "...", "a b"])("accepts %j", async (network) => {
    const other = await openDiskStore({ dataDir: scratch.path, network });
    expect(other.dir).toBe(join(scratch.path, network));
    await other.close();
  });
});

describe("refusing what it did not create", () => {
  it("refuses a network directory that is a symbolic link (code 5), writing nothing through it", async () => {
    const outside = join(scratch.path, "outside");
    mkdirSync(outside);
    symlinkSync(outside, join(scratch.path, "linked"));
    for (const open of [openDiskStore, openExistingDiskStore]) {
      await expect(open({ dataDir: scratch.path, network: "linked" })).rejects.toMatchObject({
        code: 5,
        msg: `network directory ${join(scratch.path, "linked")} is a symbolic link; refusing to use it`,
      });
    }
    expect(namesIn(outside)).toEqual([]);
  });

  it("refuses a network path that is a file (code 5, Go's mkdir text)", async () => {
    writeFileSync(join(scratch.path, "file"), "x");
    await expect(openDiskStore({ dataDir: scratch.path, network: "file" })).rejects.toMatchObject({
      code: 5,
      msg: `mkdir ${join(scratch.path, "file")}: not a directory`,
    });
  });

  it("words a data dir holding a NUL byte as upstream's binary does (invalid argument)", async () => {
    const dataDir = join(scratch.path, "x\u0000y");
    const ours = await openDiskStore({ dataDir, network: "net" }).catch((e: unknown) => e);
    const upstream = await runUpstream("ADD", dataDir, "c1", "eth0");
    expect(JSON.parse(upstream.stdout)).toEqual({ code: 999, msg: `mkdir ${dataDir}: invalid argument` });
    expect(ours).toMatchObject({ code: 5, msg: `mkdir ${dataDir}: invalid argument` });
  });

  it.each([
    ["a regular file as the data dir", (p: string) => writeFileSync(p, "x"), (p: string) => p],
    [
      "a file as a parent of the data dir",
      (p: string) => writeFileSync(p, "x"),
      (p: string) => join(p, "deeper"),
    ],
  ])("words a mkdir failure exactly as upstream's binary (%s)", async (_what, plant, dataDirOf) => {
    const blocker = join(scratch.path, "blocker");
    plant(blocker);
    const dataDir = dataDirOf(blocker);
    const ours = await openDiskStore({ dataDir, network: "net" }).catch((e: unknown) => e);
    const upstream = await runUpstream("ADD", dataDir, "c1", "eth0");
    expect(JSON.parse(upstream.stdout)).toEqual({ code: 999, msg: `mkdir ${blocker}: not a directory` });
    expect(ours).toMatchObject({ code: 5, msg: `mkdir ${blocker}: not a directory` });
  });

  it.each([
    [
      "a symbolic link",
      (lock: string) => symlinkSync(join(scratch.path, "target"), lock),
      "too many levels of symbolic links",
    ],
    ["a directory", (lock: string) => mkdirSync(lock), "is a directory"],
  ])("refuses a lock file that is %s (code 5)", async (_what, plant, reason) => {
    const netDir = join(scratch.path, "other");
    mkdirSync(netDir);
    plant(join(netDir, "lock"));
    await expect(openDiskStore({ dataDir: scratch.path, network: "other" })).rejects.toMatchObject({
      code: 5,
      msg: `open ${join(netDir, "lock")}: ${reason}`,
    });
    expect(existsSync(join(scratch.path, "target"))).toBe(false);
  });
});

describe("openExistingDiskStore", () => {
  it("resolves undefined and creates nothing when the network directory does not exist", async () => {
    expect(
      await openExistingDiskStore({ dataDir: join(scratch.path, "none"), network: "net" }),
    ).toBeUndefined();
    expect(await openExistingDiskStore({ dataDir: scratch.path, network: "absent" })).toBeUndefined();
    expect(existsSync(join(scratch.path, "none"))).toBe(false);
    expect(existsSync(join(scratch.path, "absent"))).toBe(false);
  });

  it("opens an existing network directory, creating only the lock file", async () => {
    mkdirSync(join(scratch.path, "used"));
    writeFileSync(join(scratch.path, "used", "10.1.2.2"), "c1\r\neth0");
    const existing = await openExistingDiskStore({ dataDir: scratch.path, network: "used" });
    expect(await existing?.list()).toEqual([{ ip: "10.1.2.2", containerId: "c1", ifname: "eth0" }]);
    expect(namesIn(join(scratch.path, "used"))).toEqual(["10.1.2.2", "lock"]);
    await existing?.close();
  });
});

describe("reserve", () => {
  it("trims the container ID like Go's TrimSpace, keeps the ifname as given", async () => {
    expect(await store.reserve(" \t c1 \n", "eth0", "10.1.2.2", "0")).toBe(true);
    expect(contents()).toEqual({ "10.1.2.2": "c1\r\neth0", "last_reserved_ip.0": "10.1.2.2" });
  });

  it("reports a taken address as false and changes nothing", async () => {
    await store.reserve("c1", "eth0", "10.1.2.2", "0");
    await store.reserve("c1", "eth0", "10.1.2.3", "0");
    expect(await store.reserve("c2", "eth0", "10.1.2.2", "0")).toBe(false);
    expect(contents()).toEqual({
      "10.1.2.2": "c1\r\neth0",
      "10.1.2.3": "c1\r\neth0",
      "last_reserved_ip.0": "10.1.2.3",
    });
  });

  it.each([
    ["2001:db8::1"],
    ["2001:db8:a::1"],
    ["2001:db8::1:0:0:1"],
    ["fe80::1:0:0:0"],
    ["0:0:0:1::"],
    ["2001:db8:0:1:1:1:1:1"],
    ["::102:304"],
    ["1.2.3.4"],
  ])("uses the canonical name %s as given (contract 6.2)", async (ip) => {
    expect(await store.reserve("c1", "eth0", ip, "1")).toBe(true);
    expect(contents()).toEqual({ [ip]: "c1\r\neth0", "last_reserved_ip.1": ip });
    expect(await store.getById("c1", "eth0")).toEqual([ip]);
  });

  it.each(["10.1.2", "../10.1.2.2", "10.1.2.2/24", "fe80::1%eth0", ".10.1.2.2", "", "lock"])(
    "refuses the non-address %j with code 999",
    async (ip) => {
      await expect(store.reserve("c1", "eth0", ip, "0")).rejects.toMatchObject({ code: 999 });
      await expect(store.getOwner(ip)).rejects.toMatchObject({ code: 999 });
      await expect(store.release(ip, "c1", "eth0")).rejects.toMatchObject({ code: 999 });
      expect(contents()).toEqual({});
    },
  );

  it.each(["", "a/b", "../../x", "a\0"])("refuses the range id %j with code 999", async (rangeId) => {
    await expect(store.reserve("c1", "eth0", "10.1.2.2", rangeId)).rejects.toMatchObject({ code: 999 });
    await expect(store.lastReservedIp(rangeId)).rejects.toMatchObject({ code: 999 });
    expect(contents()).toEqual({});
  });

  it("leaves no temp file behind", async () => {
    await store.reserve("c1", "eth0", "10.1.2.2", "0");
    await store.reserve("c2", "eth0", "10.1.2.2", "0");
    await store.reserve("c2", "eth0", "10.1.2.3", "0");
    expect(namesIn(dir).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("keeps the reservation when last_reserved_ip cannot be written (the hint only steers)", async () => {
    plant({ "last_reserved_ip.0": { dir: { occupied: "x" } } });
    expect(await store.reserve("c1", "eth0", "10.1.2.2", "0")).toBe(true);
    expect(await store.getOwner("10.1.2.2")).toEqual({ containerId: "c1", ifname: "eth0" });
    expect(namesIn(dir)).toEqual(["10.1.2.2", "last_reserved_ip.0", "lock"]);
  });

  it("replaces last_reserved_ip as a whole file with mode 0600", async () => {
    plant({ "last_reserved_ip.0": "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe" });
    await store.reserve("c1", "eth0", "10.1.2.2", "0");
    expect(readFileSync(join(dir, "last_reserved_ip.0"), "utf8")).toBe("10.1.2.2");
    expect(modeOf(join(dir, "last_reserved_ip.0"))).toBe(0o600);
  });
});

describe("lastReservedIp", () => {
  it.each([
    ["10.1.2.3", "10.1.2.3"],
    ["2001:db8::3", "2001:db8::3"],
    ["10.1.2.3\n", undefined],
    [" 10.1.2.3", undefined],
    ["garbage", undefined],
    ["", undefined],
    ["fe80::1%eth0", undefined],
    ["10.1.2.03", undefined],
  ])("reads %j as %j (no trimming, like upstream)", async (content, expected) => {
    plant({ "last_reserved_ip.0": content });
    expect(await store.lastReservedIp("0")).toBe(expected);
  });

  it("is undefined when missing, a directory, or a symbolic link (even to a valid address)", async () => {
    writeFileSync(join(scratch.path, "outside"), "10.9.9.9");
    plant({
      "last_reserved_ip.1": { dir: {} },
      "last_reserved_ip.2": { symlink: join(scratch.path, "outside") },
    });
    expect(await Promise.all(["0", "1", "2"].map((id) => store.lastReservedIp(id)))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

// Legacy files hold only the container ID; empty files are ownerless (upstream's crash window).
const mixed: Tree = {
  "10.1.2.2": "c1\r\neth0",
  "10.1.2.3": "c1\r\neth1",
  "10.1.2.4": "c1",
  "10.1.2.5": "c2\r\neth0",
  "10.1.2.6": "",
  "10.1.2.7": "  c3\r\neth0 \n",
  "2001:db8::2": "c1\r\neth0",
  "last_reserved_ip.0": "10.1.2.7",
  "last_reserved_ip.1": "2001:db8::2",
  ".10.1.2.9.tmp-1-0": "c1\r\neth0",
  "not-an-ip": "c1\r\neth0",
  "fe80::1%eth0": "c1\r\neth0",
  sub: { dir: { "10.1.2.8": "c1\r\neth0" } },
};

describe("getById", () => {
  beforeEach(() => plant(mixed));

  it.each([
    ["c1", "eth0", ["10.1.2.2", "10.1.2.4", "2001:db8::2"]],
    ["c1", "eth1", ["10.1.2.3", "10.1.2.4"]],
    ["c1", "eth9", ["10.1.2.4"]],
    [" c1\t", "eth0", ["10.1.2.2", "10.1.2.4", "2001:db8::2"]],
    ["c2", "eth0", ["10.1.2.5"]],
    ["c2", "eth1", []],
    ["c3", "eth0", ["10.1.2.7"]],
    ["c4", "eth0", []],
  ])(
    "(%j, %j) finds %j: exact and legacy records, top level, address names only",
    async (id, ifname, ips) => {
      expect(await store.getById(id, ifname)).toEqual(ips);
    },
  );
});

describe("releaseById", () => {
  beforeEach(() => plant(mixed));

  it("removes the exact records and keeps the legacy one while an exact one existed", async () => {
    await store.releaseById("c1", "eth0");
    expect(await store.getById("c1", "eth0")).toEqual(["10.1.2.4"]);
    expect(existsSync(join(dir, "10.1.2.2"))).toBe(false);
    expect(existsSync(join(dir, "2001:db8::2"))).toBe(false);
    expect(existsSync(join(dir, "10.1.2.4"))).toBe(true);
    expect(existsSync(join(dir, "10.1.2.3"))).toBe(true);
  });

  it("removes the legacy record when no exact record exists (upstream's second pass)", async () => {
    await store.releaseById("c1", "eth9");
    expect(existsSync(join(dir, "10.1.2.4"))).toBe(false);
    expect(namesIn(dir)).toContain("10.1.2.2");
    expect(namesIn(dir)).toContain("10.1.2.3");
  });

  it("never touches files that are not top-level address names", async () => {
    await store.releaseById("c1", "eth0");
    await store.releaseById("c1", "eth0");
    await store.releaseById("c1", "eth1");
    expect(filesIn(dir)).toMatchObject({
      ".10.1.2.9.tmp-1-0": "c1\r\neth0",
      "not-an-ip": "c1\r\neth0",
      "fe80::1%eth0": "c1\r\neth0",
      "last_reserved_ip.0": "10.1.2.7",
    });
    expect(readFileSync(join(dir, "sub", "10.1.2.8"), "utf8")).toBe("c1\r\neth0");
  });

  it("is idempotent", async () => {
    await store.releaseById("c2", "eth0");
    const after = contents();
    await store.releaseById("c2", "eth0");
    expect(contents()).toEqual(after);
    expect(after["10.1.2.5"]).toBeUndefined();
  });
});

describe("a container ID that is an address (contract 10, item 6)", () => {
  beforeEach(() => plant({ "last_reserved_ip.0": "10.1.2.2", "10.1.2.9": "other\r\neth0" }));

  it("is not found through last_reserved_ip", async () => {
    expect(await store.getById("10.1.2.2", "eth0")).toEqual([]);
    expect(await store.getById("", "")).toEqual([]);
  });

  it("does not delete last_reserved_ip or the lock on release", async () => {
    await store.releaseById("10.1.2.2", "eth0");
    await store.releaseById("", "");
    expect(contents()).toEqual({ "last_reserved_ip.0": "10.1.2.2", "10.1.2.9": "other\r\neth0" });
  });

  it("works as an ordinary ID", async () => {
    expect(await store.reserve("10.1.2.2", "eth0", "10.1.2.3", "0")).toBe(true);
    expect(await store.getById("10.1.2.2", "eth0")).toEqual(["10.1.2.3"]);
    await store.releaseById("10.1.2.2", "eth0");
    expect(contents()).toEqual({ "last_reserved_ip.0": "10.1.2.3", "10.1.2.9": "other\r\neth0" });
  });
});

describe("release", () => {
  beforeEach(() => plant(mixed));

  it.each([
    ["10.1.2.2", "c1", "eth0", true],
    ["10.1.2.2", " c1 ", "eth0", true],
    ["10.1.2.2", "c1", "eth1", false],
    ["10.1.2.2", "c2", "eth0", false],
    ["10.1.2.4", "c1", "eth0", false],
    ["10.1.2.6", "", "", false],
    ["10.1.2.7", "c3", "eth0", true],
    ["10.1.2.99", "c1", "eth0", false],
  ])("release(%j, %j, %j) removes the file: %s (exact owner only)", async (ip, id, ifname, removed) => {
    const before = namesIn(dir);
    await store.release(ip, id, ifname);
    expect(namesIn(dir)).toEqual(removed ? before.filter((n) => n !== ip) : before);
  });
});

describe("getOwner and list", () => {
  beforeEach(() => plant(mixed));

  it.each([
    ["10.1.2.2", { containerId: "c1", ifname: "eth0" }],
    ["10.1.2.4", { containerId: "c1", ifname: undefined }],
    ["10.1.2.6", { containerId: "", ifname: undefined }],
    ["10.1.2.7", { containerId: "c3", ifname: "eth0" }],
    ["10.1.2.8", undefined],
    ["10.1.2.99", undefined],
  ])("getOwner(%j) is %j", async (ip, owner) => {
    expect(await store.getOwner(ip)).toEqual(owner);
  });

  it("lists every top-level reservation, ownerless ones included, sorted", async () => {
    expect(await store.list()).toEqual([
      { ip: "10.1.2.2", containerId: "c1", ifname: "eth0" },
      { ip: "10.1.2.3", containerId: "c1", ifname: "eth1" },
      { ip: "10.1.2.4", containerId: "c1", ifname: undefined },
      { ip: "10.1.2.5", containerId: "c2", ifname: "eth0" },
      { ip: "10.1.2.6", containerId: "", ifname: undefined },
      { ip: "10.1.2.7", containerId: "c3", ifname: "eth0" },
      { ip: "2001:db8::2", containerId: "c1", ifname: "eth0" },
    ]);
  });

  it("lists nothing for an empty network", async () => {
    const empty = await openDiskStore({ dataDir: scratch.path, network: "empty" });
    expect(await empty.list()).toEqual([]);
    await empty.close();
  });

  it("splits at the first line break and trims like Go (U+0085 yes, U+FEFF no)", async () => {
    plant({
      "10.1.3.1": "c1\r\neth0\r\nextra",
      "10.1.3.2": "\u0085c1\r\neth0\u00a0",
      "10.1.3.3": "\ufeffc1",
    });
    expect(await store.getOwner("10.1.3.1")).toEqual({ containerId: "c1", ifname: "eth0\r\nextra" });
    expect(await store.getOwner("10.1.3.2")).toEqual({ containerId: "c1", ifname: "eth0" });
    expect(await store.getOwner("10.1.3.3")).toEqual({ containerId: "\ufeffc1", ifname: undefined });
  });
});

describe("releaseAllocation", () => {
  beforeEach(() => plant(mixed));

  it.each([
    [{ ip: "10.1.2.2", containerId: "c1", ifname: "eth0" }, true],
    [{ ip: "10.1.2.4", containerId: "c1", ifname: undefined }, true],
    [{ ip: "10.1.2.6", containerId: "", ifname: undefined }, true],
    [{ ip: "10.1.2.7", containerId: "c3", ifname: "eth0" }, true],
    [{ ip: "10.1.2.2", containerId: "c1", ifname: undefined }, false],
    [{ ip: "10.1.2.4", containerId: "c1", ifname: "eth0" }, false],
    [{ ip: "10.1.2.5", containerId: "c1", ifname: "eth0" }, false],
    [{ ip: "10.1.2.99", containerId: "c1", ifname: "eth0" }, false],
  ])("releaseAllocation(%j) removes it: %s (compare and delete)", async (allocation, removed) => {
    const before = namesIn(dir);
    expect(await store.releaseAllocation(allocation)).toBe(removed);
    expect(namesIn(dir)).toEqual(removed ? before.filter((n) => n !== allocation.ip) : before);
  });

  it("releases everything list() reports", async () => {
    for (const allocation of await store.list()) expect(await store.releaseAllocation(allocation)).toBe(true);
    expect(await store.list()).toEqual([]);
  });
});

describe("temp files", () => {
  it.each([
    [".10.1.2.2.tmp-123-0", true],
    [".last_reserved_ip.0.tmp-1-99", true],
    [".2001:db8::1.tmp-7-3", true],
    ["10.1.2.2.tmp-123-0", false],
    [".cni-ts-index", false],
    [".10.1.2.2.tmp-123", false],
    [".10.1.2.2.tmp-x-0", false],
  ])("isTempFileName(%j) is %s", (name, expected) => {
    expect(isTempFileName(name)).toBe(expected);
  });

  it("removes temp files older than the given time, and nothing else", async () => {
    plant({
      ".10.1.2.2.tmp-1-0": "c1\r\neth0",
      ".10.1.2.3.tmp-1-1": "c2\r\neth0",
      ".last_reserved_ip.0.tmp-1-2": "10.1.2.2",
      ".cni-ts-index": "x",
      "10.1.2.4": "c4\r\neth0",
    });
    const old = new Date(Date.now() - 60_000);
    for (const name of [".10.1.2.2.tmp-1-0", ".last_reserved_ip.0.tmp-1-2", "10.1.2.4"]) {
      utimesSync(join(dir, name), old, old);
    }
    const cutoff = new Date(Date.now() - 30_000);
    expect(await store.removeStaleTempFiles(cutoff)).toEqual([
      ".10.1.2.2.tmp-1-0",
      ".last_reserved_ip.0.tmp-1-2",
    ]);
    expect(namesIn(dir)).toEqual([".10.1.2.3.tmp-1-1", ".cni-ts-index", "10.1.2.4", "lock"]);
  });
});

describe("symbolic links planted in the network directory", () => {
  let outside: string;
  beforeEach(() => {
    outside = join(scratch.path, "outside");
    plantTree(outside, { target: "c1\r\neth0", hint: "10.1.2.200" });
    plant({
      "10.1.2.2": { symlink: join(outside, "target") },
      "10.1.2.3": { symlink: join(outside, "missing") },
      "last_reserved_ip.0": { symlink: join(outside, "hint") },
    });
  });

  it("never reads through them", async () => {
    expect(await store.getOwner("10.1.2.2")).toBeUndefined();
    expect(await store.getById("c1", "eth0")).toEqual([]);
    expect(await store.list()).toEqual([]);
    expect(await store.lastReservedIp("0")).toBeUndefined();
  });

  it("never writes or removes through them", async () => {
    expect(await store.reserve("c1", "eth0", "10.1.2.2", "0")).toBe(false);
    expect(await store.reserve("c1", "eth0", "10.1.2.3", "0")).toBe(false);
    expect(await store.reserve("c1", "eth0", "10.1.2.4", "0")).toBe(true);
    await store.releaseById("c1", "eth1");
    await store.release("10.1.2.2", "c1", "eth0");
    expect(filesIn(outside)).toEqual({ target: "c1\r\neth0", hint: "10.1.2.200" });
    expect(existsSync(join(outside, "missing"))).toBe(false);
    // The hint link itself was replaced by a regular file; its target is untouched.
    expect(filesIn(dir)).toEqual({ "10.1.2.4": "c1\r\neth0", "last_reserved_ip.0": "10.1.2.4", lock: "" });
    expect(namesIn(dir)).toEqual(["10.1.2.2", "10.1.2.3", "10.1.2.4", "last_reserved_ip.0", "lock"]);
  });
});

describe("after close", () => {
  it.each([
    ["lock", (s: DiskStore) => s.lock()],
    ["reserve", (s: DiskStore) => s.reserve("c1", "eth0", "10.1.2.2", "0")],
    ["list", (s: DiskStore) => s.list()],
    ["releaseById", (s: DiskStore) => s.releaseById("c1", "eth0")],
  ])("%s rejects with code 999", async (_name, call) => {
    await store.close();
    await expect(call(store)).rejects.toMatchObject({ code: 999, msg: `disk store ${dir} is closed` });
    expect(contents()).toEqual({});
  });
});

describe("sharing one data dir with upstream's binary", () => {
  it("sees upstream's reservations and releases them", async () => {
    expect((await runUpstream("ADD", scratch.path, "c1", "eth0")).code).toBe(0);
    expect(await store.list()).toEqual([{ ip: "10.1.2.2", containerId: "c1", ifname: "eth0" }]);
    expect(await store.lastReservedIp("0")).toBe("10.1.2.2");
    await store.releaseById("c1", "eth0");
    expect(contents()).toEqual({ "last_reserved_ip.0": "10.1.2.2" });
  });

  it("lets upstream continue round robin from our hint and release our reservations", async () => {
    await store.reserve("c1", "eth0", "10.1.2.7", "0");
    const added = await runUpstream("ADD", scratch.path, "c2", "eth0");
    expect(added.code, added.stdout).toBe(0);
    expect(await store.getOwner("10.1.2.8")).toEqual({ containerId: "c2", ifname: "eth0" });
    expect((await runUpstream("DEL", scratch.path, "c1", "eth0")).code).toBe(0);
    expect((await runUpstream("CHECK", scratch.path, "c1", "eth0")).code).toBe(1);
    expect(await store.list()).toEqual([{ ip: "10.1.2.8", containerId: "c2", ifname: "eth0" }]);
  });

  it("ignores our temp files, and upstream ignores them too", async () => {
    plant({ ".10.1.2.2.tmp-1-0": "c1\r\neth0" });
    expect((await runUpstream("ADD", scratch.path, "c2", "eth0")).code).toBe(0);
    expect(await store.getOwner("10.1.2.2")).toEqual({ containerId: "c2", ifname: "eth0" });
    expect(await store.list()).toHaveLength(1);
  });
});

describe("racing processes", () => {
  it("gives each address to exactly one of several processes reserving at once, without the lock", async () => {
    const ips = Array.from({ length: 40 }, (_, i) => `10.1.4.${i + 1}`);
    const entry = join(import.meta.dirname, "fixtures", "reserve-child.ts");
    const ids = ["r1", "r2", "r3", "r4"];
    const outcomes = await Promise.all(ids.map((id) => run(BUN, [entry, scratch.path, "net", id, ...ips])));
    const won = outcomes.map((o) => o.stdout.split("\n").filter((l) => l !== ""));
    expect(outcomes.map((o) => o.code)).toEqual([0, 0, 0, 0]);
    expect(won.flat().sort()).toEqual([...ips].sort());
    const owners = Object.fromEntries((await store.list()).map((a) => [a.ip, a.containerId]));
    ids.forEach((id, i) => {
      for (const ip of won[i] ?? []) expect(owners[ip]).toBe(id);
    });
    expect(namesIn(dir).filter((n) => n.startsWith("."))).toEqual([]);
  });
});

describe("file-system failures (code 5, message naming the file)", () => {
  let mountPoint: string;
  let onTmpfs: DiskStore | undefined;
  beforeEach(async () => {
    mountPoint = join(scratch.path, "mnt");
    await mountTmpfs(mountPoint, "64k");
    onTmpfs = undefined;
  });
  afterEach(async () => {
    await onTmpfs?.close();
    await unmount(mountPoint);
  });

  it("rejects releases on a read-only file system instead of reporting success", async () => {
    onTmpfs = await openDiskStore({ dataDir: mountPoint, network: "net" });
    await onTmpfs.reserve("c1", "eth0", "10.1.2.2", "0");
    await onTmpfs.reserve("c1", "eth0", "2001:db8::2", "1");
    await remountReadOnly(mountPoint);
    const netDir = join(mountPoint, "net");
    await expect(onTmpfs.releaseById("c1", "eth0")).rejects.toMatchObject({
      code: 5,
      msg: `remove ${netDir}/10.1.2.2: read-only file system; remove ${netDir}/2001:db8::2: read-only file system`,
    });
    await expect(onTmpfs.release("10.1.2.2", "c1", "eth0")).rejects.toMatchObject({
      code: 5,
      msg: `remove ${netDir}/10.1.2.2: read-only file system`,
    });
    expect(await onTmpfs.getById("c1", "eth0")).toEqual(["10.1.2.2", "2001:db8::2"]);
  });

  it("rejects a reservation on a read-only file system, leaving nothing", async () => {
    onTmpfs = await openDiskStore({ dataDir: mountPoint, network: "net" });
    await remountReadOnly(mountPoint);
    const err = await onTmpfs.reserve("c1", "eth0", "10.1.2.2", "0").catch((e: unknown) => e);
    expect(isCniError(err)).toBe(true);
    expect(err).toMatchObject({ code: 5 });
    expect((err as Error).message).toMatch(
      /^open .*\/net\/\.10\.1\.2\.2\.tmp-\d+-\d+: read-only file system$/,
    );
    expect(namesIn(join(mountPoint, "net"))).toEqual(["lock"]);
  });

  it("rejects creating a network directory on a read-only file system with Go's mkdir text", async () => {
    await remountReadOnly(mountPoint);
    await expect(openDiskStore({ dataDir: join(mountPoint, "a"), network: "net" })).rejects.toMatchObject({
      code: 5,
      msg: `mkdir ${mountPoint}/a: read-only file system`,
    });
  });

  it("rejects a reservation on a full disk, leaving no temp file and the old state intact", async () => {
    onTmpfs = await openDiskStore({ dataDir: mountPoint, network: "net" });
    await onTmpfs.reserve("c1", "eth0", "10.1.2.2", "0");
    // Fill what is left; the filler itself ends with ENOSPC.
    await run("dd", ["if=/dev/zero", `of=${join(mountPoint, "filler")}`, "bs=4k"]);
    const err = await onTmpfs.reserve("c2", "eth0", "10.1.2.3", "0").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 5 });
    expect((err as Error).message).toMatch(
      /^write .*\/net\/\.10\.1\.2\.3\.tmp-\d+-\d+: no space left on device$/,
    );
    expect(filesIn(join(mountPoint, "net"))).toEqual({
      "10.1.2.2": "c1\r\neth0",
      "last_reserved_ip.0": "10.1.2.2",
      lock: "",
    });
  });
});
