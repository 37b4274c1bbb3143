// A full data dir (issue #8): a small tmpfs as dataDir, filled with a file of our own. A failing ADD
// answers one CNI error, code 5 (I/O failure), and leaves no temp file and no partial reservation;
// once space is freed, ADD works again. Both ways a file system fills up are covered: no free blocks
// (writing the content fails) and no free inodes (creating any file fails).
import { closeSync, openSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addressesOf,
  call,
  dualStack,
  expectCniError,
  type Json,
  makeSandbox,
  mountTmpfs,
  namesIn,
  netConf,
  remount,
  reservationsIn,
  type Sandbox,
  snapshotOutside,
  snapshotTree,
  TEMP_FILE,
  tempFilesIn,
  unmountQuietly,
} from "./harness.js";

const FILLER = "filler";

let box: Sandbox;
beforeEach(async () => {
  box = makeSandbox("full");
  await mountTmpfs(box.dataDir, "size=64k,nr_inodes=64,mode=0755");
});
afterEach(async () => {
  await unmountQuietly(box.dataDir);
  box.cleanup();
});

/** Fills the data dir's file system with one file until exactly `leave` blocks are free. */
function fillBlocks(leave: number): void {
  const { bavail, bsize } = statfsSync(box.dataDir);
  writeFileSync(join(box.dataDir, FILLER), Buffer.alloc(Math.max(0, bavail - leave) * bsize));
  expect(statfsSync(box.dataDir).bavail, "free blocks after filling").toBe(leave);
}

/** Creates empty files until no inode is left; returns their paths. */
function fillInodes(): string[] {
  const made: string[] = [];
  for (let i = 0; ; i++) {
    const path = join(box.dataDir, `${FILLER}-${i}`);
    try {
      closeSync(openSync(path, "wx"));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code, "what ended the inode filling").toBe("ENOSPC");
      return made;
    }
    made.push(path);
  }
}

function freeSpace(inodeFillers: readonly string[] = []): void {
  rmSync(join(box.dataDir, FILLER), { force: true });
  for (const path of inodeFillers) rmSync(path, { force: true });
}

const add = (id: string, config: Json) => call({ command: "ADD", containerId: id, stdin: config });
const del = (id: string, config: Json) => call({ command: "DEL", containerId: id, stdin: config });

describe("ADD on a full data dir", { timeout: 60_000 }, () => {
  // Each case: what is on disk before the disk fills up, and how it fills up.
  describe.each([
    { store: "a network used before", prefill: true, config: netConf },
    { store: "a network never used", prefill: false, config: netConf },
    { store: "a dual-stack network used before", prefill: true, config: dualStack },
  ])("$store", ({ prefill, config }) => {
    it.each([
      { fill: "no free blocks", inodes: false },
      { fill: "no free inodes", inodes: true },
    ])("$fill: one code-5 error, nothing partial, and ADD works once space is freed", async ({ inodes }) => {
      const conf = config(box.dataDir);
      if (prefill) expect((await add("before", conf)).code).toBe(0);
      let fillers: string[] = [];
      if (inodes) fillers = fillInodes();
      else fillBlocks(0);
      const dataBefore = snapshotTree(box.dataDir);
      const outsideBefore = snapshotOutside(box);

      const failed = await add("c1", conf);
      const err = expectCniError(failed, "ADD on a full disk", 5);
      expect(err.msg).toMatch(/: no space left on device$/);

      // Nothing was left behind: a used store is exactly as before; a network never used has at most
      // its directory and the empty lock (upstream creates both too), never a temp file or reservation.
      if (prefill) expect(snapshotTree(box.dataDir)).toEqual(dataBefore);
      else expect(namesIn(box.networkDir).filter((n) => n !== "lock")).toEqual([]);
      expect(snapshotOutside(box)).toEqual(outsideBefore);

      freeSpace(fillers);
      const retry = await add("c1", conf);
      expect({ code: retry.code, stderr: retry.stderr }, retry.stdout).toEqual({ code: 0, stderr: "" });
      const ips = addressesOf(retry);
      expect(ips.length).toBe((conf.ipam as { ranges: unknown[] }).ranges.length);
      for (const ip of ips) expect(reservationsIn(box.networkDir)).toContain(ip);
      expect(tempFilesIn(box.networkDir)).toEqual([]);
    });
  });

  // From 64 reservations on, the store keeps an index it rewrites at the end of each locked call
  // (disk-store README): a full disk must not turn that into a failure or a leftover either.
  it.each([
    { fill: "no free blocks", inodes: false },
    { fill: "no free inodes", inodes: true },
  ])(
    "an indexed network, $fill: ADD fails cleanly, DEL works, nothing is left behind",
    async ({ inodes }) => {
      await remount(box.dataDir, "rw,size=1m,nr_inodes=400");
      const conf = netConf(box.dataDir);
      expect((await add("c0", conf)).code).toBe(0);
      for (let i = 10; i < 90; i++) writeFileSync(join(box.networkDir, `10.77.0.${i}`), `p${i}\r\neth0`);
      expect(addressesOf(await add("c1", conf))).toEqual(["10.77.0.3"]);
      expect(namesIn(box.networkDir)).toContain(".cni-ts-index");
      let fillers: string[] = [];
      if (inodes) fillers = fillInodes();
      else fillBlocks(0);
      const before = snapshotTree(box.dataDir);

      expectCniError(await add("c2", conf), "ADD on a full disk with an index", 5);
      expect(snapshotTree(box.dataDir)).toEqual(before);

      // DEL needs no space; the index catches up (or is rebuilt) whether or not it could be written.
      const released = await del("p15", conf);
      expect({ code: released.code, stdout: released.stdout }).toEqual({ code: 0, stdout: "" });
      expect(reservationsIn(box.networkDir)).not.toContain("10.77.0.15");
      expect(
        [...snapshotTree(box.dataDir).keys()].filter((p) => TEMP_FILE.test(p.split("/").pop() ?? "")),
      ).toEqual([]);

      freeSpace(fillers);
      expect(addressesOf(await add("c2", conf))).toEqual(["10.77.0.4"]);
      expect((await call({ command: "CHECK", containerId: "p20", stdin: conf })).code).toBe(0);
      expectCniError(await call({ command: "CHECK", containerId: "p15", stdin: conf }), "CHECK of p15", 999);
      expect((await del("c1", conf)).code).toBe(0);
      expect(reservationsIn(box.networkDir)).toHaveLength(81);
    },
  );

  it("room for one file: a dual-stack ADD rolls its first address back and answers code 5", async () => {
    const conf = dualStack(box.dataDir);
    expect((await add("before", conf)).code).toBe(0);
    // One free block: the IPv4 reservation fits, its hint and the IPv6 reservation do not.
    fillBlocks(1);
    const before = snapshotTree(box.dataDir);

    const failed = await add("c1", conf);
    const err = expectCniError(failed, "dual-stack ADD with room for one file", 5);
    expect(err.msg).toMatch(/^failed to allocate for range 1: .*: no space left on device$/);
    expect(snapshotTree(box.dataDir)).toEqual(before);
  });

  it("room for the reservation but not its hint: ADD succeeds and keeps the old hint", async () => {
    const conf = netConf(box.dataDir);
    const first = await add("before", conf);
    expect(first.code).toBe(0);
    fillBlocks(1);
    const hint = snapshotTree(box.networkDir).get("last_reserved_ip.0");

    // reference/decisions.md "The data dir": the reservation stands, the old hint stays (it only steers
    // round robin), and no temp file of the failed hint write is left.
    const run = await add("c1", conf);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    const [ip] = addressesOf(run);
    expect(ip).toBe("10.77.0.3");
    expect(reservationsIn(box.networkDir)).toEqual(["10.77.0.2", "10.77.0.3"]);
    expect(snapshotTree(box.networkDir).get("last_reserved_ip.0")).toBe(hint);
    expect(tempFilesIn(box.networkDir)).toEqual([]);
  });

  it("DEL still releases on a full disk, and the freed address is handed out again", async () => {
    const conf = dualStack(box.dataDir);
    const held = await add("c1", conf);
    expect(held.code).toBe(0);
    fillBlocks(0);

    const run = await del("c1", conf);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
    expect(reservationsIn(box.networkDir)).toEqual([]);

    freeSpace();
    const again = await add("c2", netConf(box.dataDir, { ranges: [[{ subnet: "10.77.0.0/30" }]] }));
    expect(addressesOf(again)).toEqual(["10.77.0.2"]);
  });
});

// STATUS (CNI 1.1) says whether an ADD could be served; on a full file system it could not.
describe("STATUS on a full data dir", { timeout: 60_000 }, () => {
  const status = (config: Json) =>
    call({ command: "STATUS", containerId: "", stdin: { ...config, cniVersion: "1.1.0" } });

  it.each([
    { store: "a network used before", prefill: true, fill: "blocks", inodes: false },
    { store: "a network used before", prefill: true, fill: "inodes", inodes: true },
    { store: "a network never used", prefill: false, fill: "blocks", inodes: false },
    { store: "a network never used", prefill: false, fill: "inodes", inodes: true },
  ])(
    "$store, no free $fill: code 50 naming it, nothing written, ready once space is freed",
    async ({ prefill, fill, inodes }) => {
      const conf = netConf(box.dataDir);
      if (prefill) expect((await add("before", conf)).code).toBe(0);
      const ready = await status(conf);
      expect({ code: ready.code, stdout: ready.stdout }).toEqual({ code: 0, stdout: "" });

      let fillers: string[] = [];
      if (inodes) fillers = fillInodes();
      else fillBlocks(0);
      const before = snapshotTree(box.dataDir);
      const err = expectCniError(await status(conf), `STATUS with no free ${fill}`, 50);
      // The directory judged is the network's own, or for a network never used the data dir, where ADD
      // would create it.
      const judged = prefill ? box.networkDir : box.dataDir;
      expect(err.msg).toBe(`cannot use the data dir: ${judged}: no space left on device (no free ${fill})`);
      expect(snapshotTree(box.dataDir)).toEqual(before);

      freeSpace(fillers);
      const again = await status(conf);
      expect({ code: again.code, stdout: again.stdout }).toEqual({ code: 0, stdout: "" });
    },
  );
});
