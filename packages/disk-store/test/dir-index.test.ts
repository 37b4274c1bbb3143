// The reservation index (`.cni-ts-index/`): when it is built and kept, that it always agrees with the
// files it summarises, and that nothing done to the directory or to the index by anyone else (the
// upstream binary, a person, a killed writer, a planted link) makes a locked call answer wrongly.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { IpAllocator, loadIpamConfig } from "@cni-ts/allocator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DiskStore, DiskStoreOptions } from "../src/index.js";
import { DEFAULT_INDEX_THRESHOLD, INDEX_DIR_NAME, openDiskStore } from "../src/index.js";
import type { Scratch } from "./helpers/fs-tree.js";
import { filesIn, makeScratch, modeOf, namesIn } from "./helpers/fs-tree.js";
import {
  bucketHolding,
  dirStamp,
  forgeIndex,
  indexDirOf,
  indexFileNames,
  prefill,
  prefilledIp,
  readIndex,
  reservationsIn,
} from "./helpers/index-files.js";
import { mountRamfs, unmount } from "./helpers/mounts.js";
import { BUN, run, runUpstream } from "./helpers/processes.js";

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

const open = (options: Partial<DiskStoreOptions> = {}): Promise<DiskStore> =>
  openDiskStore({ dataDir: scratch.path, network: "net", ...options });

beforeEach(async () => {
  scratch = makeScratch();
  store = await open();
  dir = store.dir;
});
afterEach(async () => {
  await store.close();
  scratch.cleanup();
});

/** Runs `work` as one locked sequence of calls, as one plugin call does. */
async function locked<T>(work: (s: DiskStore) => Promise<T>, on: DiskStore = store): Promise<T> {
  await on.lock();
  try {
    return await work(on);
  } finally {
    await on.unlock();
  }
}

/** A store of 100 reservations `c<i>` (eth0) whose index a first locked call has built. */
async function indexedStore(): Promise<void> {
  prefill(dir, 100);
  expect(await locked((s) => s.getById("c0", "eth0"))).toEqual([prefilledIp(0)]);
  expectCurrentIndex();
}

/** The index on disk is bound to the directory as it is now and lists exactly its reservations. */
function expectCurrentIndex(netDir = dir): void {
  const index = readIndex(netDir);
  expect(index.stamp).toBe(dirStamp(netDir));
  expect(index.entries).toEqual(reservationsIn(netDir));
  expect(index.count).toBe(Object.keys(index.entries).length);
}

const ip7 = prefilledIp(7);

describe("building and keeping the index", () => {
  it.each([0, 1, DEFAULT_INDEX_THRESHOLD - 1])("keeps none for a store of %i reservations", async (n) => {
    prefill(dir, n);
    await locked(async (s) => {
      await s.getById("c0", "eth0");
      await s.reserve("new", "eth0", "10.1.0.1", "0");
      await s.releaseById("new", "eth0");
    });
    expect(namesIn(dir)).not.toContain(INDEX_DIR_NAME);
  });

  it(`builds it when a locked call finds ${DEFAULT_INDEX_THRESHOLD} reservations`, async () => {
    prefill(dir, DEFAULT_INDEX_THRESHOLD);
    expect(await locked((s) => s.getById("c5", "eth0"))).toEqual([prefilledIp(5)]);
    expectCurrentIndex();
    expect(readIndex(dir).count).toBe(DEFAULT_INDEX_THRESHOLD);
  });

  it.each<[string, (s: DiskStore) => Promise<unknown>]>([
    ["reserve", (s: DiskStore) => s.reserve("new", "eth0", "10.1.0.1", "0")],
    ["reserve of a taken address", (s: DiskStore) => s.reserve("new", "eth0", ip7, "0")],
    ["releaseById", (s: DiskStore) => s.releaseById("c7", "eth0")],
    ["releaseById of a container holding nothing", (s: DiskStore) => s.releaseById("none", "eth0")],
    ["release", (s: DiskStore) => s.release(ip7, "c7", "eth0")],
    [
      "releaseAllocation",
      (s: DiskStore) => s.releaseAllocation({ ip: ip7, containerId: "c7", ifname: "eth0" }),
    ],
    ["removeStaleTempFiles", (s: DiskStore) => s.removeStaleTempFiles(new Date(Date.now() + 60_000))],
    [
      "getOwner and lastReservedIp",
      async (s: DiskStore) => [await s.getOwner(ip7), await s.lastReservedIp("0")],
    ],
    [
      "a whole dual-stack ADD and DEL",
      async (s: DiskStore) => {
        await s.getById("new", "eth0");
        await s.reserve("new", "eth0", "10.1.0.1", "0");
        await s.getById("new", "eth0");
        await s.reserve("new", "eth0", "2001:db8::1", "1");
        await s.releaseById("c8", "eth0");
        await s.releaseById("c8", "eth0");
      },
    ],
  ])("keeps it current through a locked %s", async (_name, call) => {
    writeFileSync(join(dir, ".10.9.9.9.tmp-1-0"), "old\r\neth0");
    await indexedStore();
    await locked(call);
    expectCurrentIndex();
  });

  it("rewrites nothing after a scan that found the index right (DEL of a container holding nothing)", async () => {
    await indexedStore();
    const inodes = () => indexFileNames(dir).map((n) => [n, lstatSync(join(indexDirOf(dir), n)).ino]);
    const before = inodes();
    await locked((s) => s.releaseById("none", "eth0"));
    await locked((s) => s.list());
    expect(inodes()).toEqual(before);
    expectCurrentIndex();
  });

  it("leaves it alone without the lock, and rebuilds it at the next locked call", async () => {
    await indexedStore();
    const state = readFileSync(join(indexDirOf(dir), "state"), "utf8");
    expect(await store.reserve("new", "eth0", "10.1.0.1", "0")).toBe(true);
    await store.releaseById("c7", "eth0");
    expect(readFileSync(join(indexDirOf(dir), "state"), "utf8")).toBe(state);
    expect(readIndex(dir).stamp).not.toBe(dirStamp(dir));
    expect(await locked((s) => s.getById("new", "eth0"))).toEqual(["10.1.0.1"]);
    expectCurrentIndex();
  });

  it.each([
    ["keeps it above half the threshold", 50, true],
    ["removes it below half the threshold", 70, false],
  ])("%s when a rebuild finds the store shrunk", async (_name, removed, kept) => {
    await indexedStore();
    for (let i = 0; i < removed; i++) unlinkSync(join(dir, prefilledIp(i)));
    expect(await locked((s) => s.getById("c99", "eth0"))).toEqual([prefilledIp(99)]);
    expect(existsSync(indexDirOf(dir))).toBe(kept);
    if (kept) expectCurrentIndex();
  });

  it.each([
    [0, 0, true],
    [Number.POSITIVE_INFINITY, 100, false],
  ])("with indexThreshold %d and %i reservations keeps one: %s", async (indexThreshold, n, kept) => {
    const other = await open({ network: "other", indexThreshold });
    prefill(other.dir, n);
    await locked((s) => s.reserve("new", "eth0", "10.1.0.1", "0"), other);
    await locked((s) => s.getById("new", "eth0"), other);
    expect(existsSync(indexDirOf(other.dir))).toBe(kept);
    if (kept) expectCurrentIndex(other.dir);
    await other.close();
  });

  it("writes a 0700 dot-directory of 0600 files that upstream cannot take for reservations", async () => {
    writeFileSync(join(dir, "10.1.0.1"), "odd\tid\\\r\neth0\r\nmore");
    await indexedStore();
    expect(lstatSync(indexDirOf(dir)).isDirectory()).toBe(true);
    expect(modeOf(indexDirOf(dir))).toBe(0o700);
    const names = indexFileNames(dir);
    expect(names).toContain("state");
    for (const name of names) {
      const text = readFileSync(join(indexDirOf(dir), name), "utf8");
      expect([name, modeOf(join(indexDirOf(dir), name)), isIP(name)]).toEqual([name, 0o600, 0]);
      // upstream's ReleaseByID removes files holding exactly `<id>\r\n<ifname>`, wherever they are.
      expect(text).not.toContain("\r");
      expect(text).toMatch(/^# cni-ts-index v1 [a-z0-9-]+\n./s);
    }
  });
});

describe("one index for both runtimes", () => {
  const child = (...args: string[]) =>
    run(BUN, [join(import.meta.dirname, "fixtures", "index-child.ts"), scratch.path, "net", ...args]);
  const stateInode = () => lstatSync(join(indexDirOf(dir), "state")).ino;

  it("is read by the compiled plugin's runtime (Bun) as Node wrote it, and the other way round", async () => {
    await indexedStore();
    // A read-only locked call rewrites nothing when it finds the index valid (checksums included).
    const written = stateInode();
    expect(await child("get", "c7")).toMatchObject({ code: 0, stdout: `["${ip7}"]\n` });
    expect(stateInode()).toBe(written);
    expect(await child("reserve", "new", "10.1.0.1")).toMatchObject({ code: 0, stdout: "true\n" });
    expectCurrentIndex();
    const rewritten = stateInode();
    expect(await locked((s) => s.getById("new", "eth0"))).toEqual(["10.1.0.1"]);
    expect(stateInode()).toBe(rewritten);
  });
});

describe("contents of every kind", () => {
  const odd = {
    "10.1.0.1": "tab\there\r\neth0",
    "10.1.0.2": "back\\slash\r\neth\\r0",
    "10.1.0.3": "legacy",
    "10.1.0.4": "",
    "10.1.0.5": "multi\r\neth0\r\nextra",
    "10.1.0.6": "ünï\r\ncodé ✓",
    "10.1.0.7": "line\nbreak\r\neth0",
    "2001:db8::7": "c7\r\neth1",
  };

  it.each([
    ["tab\there", "eth0", ["10.1.0.1"]],
    ["back\\slash", "eth\\r0", ["10.1.0.2"]],
    ["legacy", "any", ["10.1.0.3"]],
    ["", "", ["10.1.0.4"]],
    ["multi", "eth0\r\nextra", ["10.1.0.5"]],
    ["ünï", "codé ✓", ["10.1.0.6"]],
    ["line\nbreak", "eth0", ["10.1.0.7"]],
    ["c7", "eth1", ["2001:db8::7"]],
    ["c7", "eth0", [ip7]],
  ])("finds (%j, %j) through the index as a scan does", async (id, ifname, expected) => {
    for (const [ip, content] of Object.entries(odd)) writeFileSync(join(dir, ip), content);
    await indexedStore();
    expect(await locked((s) => s.getById(id, ifname))).toEqual(expected);
    expect(await store.getById(id, ifname)).toEqual(expected);
    await locked((s) => s.releaseById(id, ifname));
    expect(await store.getById(id, ifname)).toEqual([]);
    expectCurrentIndex();
  });
});

describe("an index out of date", () => {
  it.each([
    [
      "a reservation created",
      () => writeFileSync(join(dir, "10.1.0.9"), "ghost\r\neth0"),
      "ghost",
      ["10.1.0.9"],
    ],
    ["a reservation removed", () => unlinkSync(join(dir, ip7)), "c7", []],
    ["a reservation renamed", () => renameSync(join(dir, ip7), join(dir, "10.1.0.9")), "c7", ["10.1.0.9"]],
    [
      "a reservation replaced by a rename over it",
      () => {
        writeFileSync(join(dir, ".swap"), "ghost\r\neth0");
        renameSync(join(dir, ".swap"), join(dir, ip7));
      },
      "ghost",
      [ip7],
    ],
  ])("notices %s by someone else, answers from the files and rebuilds", async (_what, change, id, held) => {
    await indexedStore();
    change();
    expect(await locked((s) => s.getById(id, "eth0"))).toEqual(held);
    expectCurrentIndex();
    await locked((s) => s.releaseById(id, "eth0"));
    expect(await store.getById(id, "eth0")).toEqual([]);
    expectCurrentIndex();
  });

  it("never hands back an address whose file was rewritten in place for another owner", async () => {
    await indexedStore();
    const stamp = dirStamp(dir);
    writeFileSync(join(dir, ip7), "ghost\r\neth0");
    expect(dirStamp(dir)).toBe(stamp);
    // The index still says c7; reading the file before answering catches it, and the index is rebuilt.
    expect(await locked((s) => s.getById("c7", "eth0"))).toEqual([]);
    await locked((s) => s.releaseById("c7", "eth0"));
    expect(readFileSync(join(dir, ip7), "utf8")).toBe("ghost\r\neth0");
    expectCurrentIndex();
    expect(await locked((s) => s.getById("ghost", "eth0"))).toEqual([ip7]);
  });

  it("still releases an address rewritten in place for the container being deleted", async () => {
    await indexedStore();
    writeFileSync(join(dir, ip7), "ghost\r\neth0");
    // A lookup trusts the index's miss (the README's residual risk: nothing told it about the file)...
    expect(await locked((s) => s.getById("ghost", "eth0"))).toEqual([]);
    // ...but DEL confirms a miss with a full scan, so it never leaves an allocation behind.
    await locked((s) => s.releaseById("ghost", "eth0"));
    expect(existsSync(join(dir, ip7))).toBe(false);
    expectCurrentIndex();
  });
});

describe("sharing the directory with upstream's binary", () => {
  const rangeSet = () => {
    const config = loadIpamConfig(
      JSON.stringify({
        cniVersion: "1.0.0",
        name: "net",
        ipam: { type: "host-local", ranges: [[{ subnet: "10.1.2.0/24" }]] },
      }),
      "",
    );
    const [set] = config.rangeSets;
    if (set === undefined) throw new Error("no range set");
    return set;
  };
  const add = (id: string) => locked((s) => new IpAllocator(rangeSet(), s, 0).get(id, "eth0"));

  it("our DEL removes what upstream reserved and our ADD never hands out an address twice", async () => {
    await indexedStore();
    expect((await runUpstream("ADD", scratch.path, "up1", "eth0")).code).toBe(0);
    expect(await locked((s) => s.getById("up1", "eth0"))).toEqual(["10.1.2.2"]);
    // The same attachment again, and a new one: no duplicate, and not upstream's address.
    await expect(add("up1")).rejects.toMatchObject({ code: 999, msg: expect.stringContaining("duplicate") });
    expect((await add("ours")).address).toBe("10.1.2.3/24");
    expect((await runUpstream("ADD", scratch.path, "up2", "eth0")).code).toBe(0);
    expect(await store.getOwner("10.1.2.4")).toEqual({ containerId: "up2", ifname: "eth0" });
    await locked((s) => s.releaseById("up2", "eth0"));
    expect(existsSync(join(dir, "10.1.2.4"))).toBe(false);
    expectCurrentIndex();
  });

  it("upstream's recursive walks neither count nor remove index files", async () => {
    await indexedStore();
    const before = indexFileNames(dir);
    expect((await runUpstream("DEL", scratch.path, "c7", "eth0")).code).toBe(0);
    expect((await runUpstream("CHECK", scratch.path, "c7", "eth0")).code).toBe(1);
    expect((await runUpstream("CHECK", scratch.path, "c8", "eth0")).code).toBe(0);
    expect(indexFileNames(dir)).toEqual(before);
    expect(existsSync(join(dir, ip7))).toBe(false);
    expect(await locked((s) => s.getById("c7", "eth0"))).toEqual([]);
    expectCurrentIndex();
  });
});

describe("damage and interrupted writes", () => {
  const indexFile = (name: string) => join(indexDirOf(dir), name);
  it.each([
    [
      "a bucket rewritten without its state (a kill in between)",
      () => {
        const bucket = indexFile(bucketHolding(dir, ip7));
        writeFileSync(bucket, readFileSync(bucket, "utf8").replace(`${ip7}\tc7\\r\\neth0\n`, ""));
      },
    ],
    ["a truncated bucket", () => truncateSync(indexFile(bucketHolding(dir, ip7)), 20)],
    ["a missing bucket", () => unlinkSync(indexFile(bucketHolding(dir, ip7)))],
    ["garbage in the state", () => writeFileSync(indexFile("state"), "garbage")],
    ["a truncated state", () => truncateSync(indexFile("state"), 100)],
    ["no state", () => unlinkSync(indexFile("state"))],
    [
      "a bucket that is a directory",
      () => {
        const bucket = indexFile(bucketHolding(dir, ip7));
        unlinkSync(bucket);
        mkdirSync(bucket);
      },
    ],
  ])("answers from the files after %s and rebuilds", async (_what, damage) => {
    await indexedStore();
    damage();
    writeFileSync(indexFile(".bucket-00.tmp-1-0"), "left by a killed writer");
    expect(await locked((s) => s.getById("c7", "eth0"))).toEqual([ip7]);
    expectCurrentIndex();
    expect(indexFileNames(dir).filter((n) => n !== "state" && !/^bucket-[0-9a-f]{2}$/.test(n))).toEqual([]);
    await locked((s) => s.releaseById("c7", "eth0"));
    expect(existsSync(join(dir, ip7))).toBe(false);
    expectCurrentIndex();
  });

  it("rebuilds after a kill that left new buckets and the state of before the change", async () => {
    await indexedStore();
    const oldState = readFileSync(join(indexDirOf(dir), "state"), "utf8");
    await locked((s) => s.releaseById("c7", "eth0"));
    writeFileSync(join(indexDirOf(dir), "state"), oldState);
    expect(await locked((s) => s.getById("c8", "eth0"))).toEqual([prefilledIp(8)]);
    expect(await locked((s) => s.getById("c7", "eth0"))).toEqual([]);
    expectCurrentIndex();
  });

  it("verifies every address even a forged, valid-looking index names", async () => {
    await indexedStore();
    forgeIndex(dir, { ...reservationsIn(dir), [ip7]: "ghost\r\neth0", "10.1.0.9": "ghost\r\neth0" });
    expect(await locked((s) => s.getById("ghost", "eth0"))).toEqual([]);
    expectCurrentIndex();
  });
});

describe("symbolic links planted in the index", () => {
  // A forged index that would make a lookup of c7 miss if the store trusted it: c7's bucket exists
  // (another ifname of c7) but holds no eth0 record.
  const claims = (): Record<string, string> => {
    const { [ip7]: _dropped, ...rest } = reservationsIn(dir);
    return { ...rest, "10.1.0.9": "c7\r\neth9" };
  };
  let outside: string;
  beforeEach(async () => {
    outside = join(scratch.path, "outside");
    mkdirSync(outside);
    await indexedStore();
  });

  it("trusts a miss of an index at its place (the control for the cases below)", async () => {
    forgeIndex(dir, claims());
    expect(await locked((s) => s.getById("c7", "eth0"))).toEqual([]);
    // DEL confirms the miss with a scan, so even this index cannot make it leave c7's address.
    await locked((s) => s.releaseById("c7", "eth0"));
    expect(existsSync(join(dir, ip7))).toBe(false);
  });

  it("never follows an index directory that is a link, and replaces the link", async () => {
    renameSync(indexDirOf(dir), join(scratch.path, "old-index"));
    symlinkSync(outside, indexDirOf(dir));
    forgeIndex(dir, claims(), outside);
    const planted = filesIn(outside);
    expect(await locked((s) => s.getById("c7", "eth0"))).toEqual([ip7]);
    expect(filesIn(outside)).toEqual(planted);
    expect(lstatSync(indexDirOf(dir)).isDirectory()).toBe(true);
    expectCurrentIndex();
  });

  it.each([
    ["the state", () => "state"],
    ["a bucket", () => bucketHolding(dir, "10.1.0.9")],
  ])("never reads %s through a link, and replaces the link", async (_what, nameOf) => {
    forgeIndex(dir, claims());
    const name = nameOf();
    renameSync(join(indexDirOf(dir), name), join(outside, name));
    symlinkSync(join(outside, name), join(indexDirOf(dir), name));
    const planted = filesIn(outside);
    expect(await locked((s) => s.getById("c7", "eth0"))).toEqual([ip7]);
    expect(filesIn(outside)).toEqual(planted);
    expectCurrentIndex();
  });

  it("replaces a regular file holding the index's name", async () => {
    const other = await open({ network: "other" });
    prefill(other.dir, 100);
    writeFileSync(indexDirOf(other.dir), "not an index");
    expect(await locked((s) => s.getById("c7", "eth0"), other)).toEqual([ip7]);
    expectCurrentIndex(other.dir);
    await other.close();
  });
});

describe("coarse timestamps (ramfs has no multigrain timestamps)", () => {
  let mountPoint: string;
  let onRamfs: DiskStore;
  beforeEach(async () => {
    mountPoint = join(scratch.path, "ram");
    await mountRamfs(mountPoint);
    onRamfs = await openDiskStore({ dataDir: mountPoint, network: "net" });
    prefill(onRamfs.dir, 100);
    await locked((s) => s.getById("c0", "eth0"), onRamfs);
  });
  afterEach(async () => {
    await onRamfs.close();
    await unmount(mountPoint);
  });

  it("sees a reservation another writer makes right after our unlock, within the same clock tick", async () => {
    const seen: string[][] = [];
    for (let i = 1; i <= 20; i++) {
      await locked((s) => s.reserve(`ours${i}`, "eth0", `10.2.0.${i}`, "0"), onRamfs);
      writeFileSync(join(onRamfs.dir, `10.3.0.${i}`), `ghost${i}\r\neth0`);
      seen.push(await locked((s) => s.getById(`ghost${i}`, "eth0"), onRamfs));
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => [`10.3.0.${i + 1}`]));
    expectCurrentIndex(onRamfs.dir);
  });

  it("writes the state only once the clock has passed the directory's stamp", async () => {
    await locked((s) => s.releaseById("c7", "eth0"), onRamfs);
    const [, , mtimeNs = "", ctimeNs = ""] = (readIndex(onRamfs.dir).stamp ?? "").split(" ");
    const state = lstatSync(join(indexDirOf(onRamfs.dir), "state"), { bigint: true });
    expect(state.mtimeNs > BigInt(mtimeNs) && state.mtimeNs > BigInt(ctimeNs)).toBe(true);
  });
});

describe("a large store", () => {
  it("answers like a scan with 20,000 reservations", { timeout: 120_000 }, async () => {
    prefill(dir, 20_000);
    expect(await locked((s) => s.getById("c19999", "eth0"))).toEqual([prefilledIp(19_999)]);
    expect(readIndex(dir).count).toBe(20_000);
    await locked(async (s) => {
      expect(await s.getById("c12345", "eth0")).toEqual([prefilledIp(12_345)]);
      expect(await s.getById("c12345", "eth1")).toEqual([]);
      await s.releaseById("c12345", "eth0");
      expect(await s.getById("c12345", "eth0")).toEqual([]);
      expect(await s.reserve("new", "eth0", prefilledIp(12_345), "0")).toBe(true);
      expect(await s.reserve("new", "eth1", prefilledIp(12_346), "0")).toBe(false);
      expect(await s.getById("new", "eth0")).toEqual([prefilledIp(12_345)]);
    });
    expectCurrentIndex();
    expect(await locked((s) => s.getById("new", "eth0"))).toEqual([prefilledIp(12_345)]);
  });
});
