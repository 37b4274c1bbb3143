// A read-only data dir (issue #8): ADD fails cleanly with code 5, and DEL of an attachment that holds
// addresses fails too (code 5, naming each file), so the runtime retries it; upstream reports success
// there and the address leaks. Once the file system is writable again, the retried DEL releases.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addressesOf,
  call,
  dualStack,
  expectCniError,
  type Json,
  makeSandbox,
  mountTmpfs,
  netConf,
  remount,
  reservationsIn,
  type Sandbox,
  snapshotOutside,
  snapshotTree,
  unmountQuietly,
} from "./harness.js";

let box: Sandbox;
beforeEach(async () => {
  box = makeSandbox("ro");
  await mountTmpfs(box.dataDir, "size=1m,mode=0755");
});
afterEach(async () => {
  await unmountQuietly(box.dataDir);
  box.cleanup();
});

const run = (command: string, id: string, config: Json) => call({ command, containerId: id, stdin: config });

describe("a read-only data dir", { timeout: 60_000 }, () => {
  it.each([
    { what: "single stack", config: netConf },
    { what: "dual stack", config: dualStack },
  ])("$what: ADD fails with code 5 and changes nothing", async ({ config }) => {
    const conf = config(box.dataDir);
    expect((await run("ADD", "before", conf)).code).toBe(0);
    await remount(box.dataDir, "ro");
    const before = snapshotTree(box.dataDir);
    const outside = snapshotOutside(box);

    const err = expectCniError(await run("ADD", "c1", conf), "ADD on a read-only data dir", 5);
    expect(err.msg).toMatch(/^failed to allocate for range 0: open .+: read-only file system$/);
    expect(snapshotTree(box.dataDir)).toEqual(before);
    expect(snapshotOutside(box)).toEqual(outside);
  });

  it("ADD of a network never used fails with code 5 naming the directory it could not create", async () => {
    await remount(box.dataDir, "ro");
    const err = expectCniError(
      await run("ADD", "c1", netConf(box.dataDir)),
      "ADD, read-only, new network",
      5,
    );
    expect(err.msg).toBe(`mkdir ${box.networkDir}: read-only file system`);
    expect(snapshotTree(box.dataDir)).toEqual(new Map([[".", "dir 755"]]));
  });

  it.each([
    { what: "single stack", config: netConf },
    { what: "dual stack", config: dualStack },
  ])(
    "$what: DEL of a holder fails with code 5 naming every file, and succeeds when retried after remount",
    async ({ config }) => {
      const conf = config(box.dataDir);
      const added = await run("ADD", "c1", conf);
      expect(added.code).toBe(0);
      const held = addressesOf(added);
      await remount(box.dataDir, "ro");
      const before = snapshotTree(box.dataDir);

      const err = expectCniError(await run("DEL", "c1", conf), "DEL on a read-only data dir", 5);
      // Every address the attachment holds is named, so an operator sees what is stuck.
      expect(err.msg).toBe(
        held.map((ip) => `remove ${box.networkDir}/${ip}: read-only file system`).join("; "),
      );
      expect(snapshotTree(box.dataDir)).toEqual(before);

      // The runtime retries DEL; once the file system is writable, it releases everything.
      await remount(box.dataDir, "rw");
      const retry = await run("DEL", "c1", conf);
      expect({ code: retry.code, stdout: retry.stdout }).toEqual({ code: 0, stdout: "" });
      expect(reservationsIn(box.networkDir)).toEqual([]);
    },
  );

  it.each([
    { what: "an attachment that holds nothing", id: "nobody", network: true },
    { what: "a network never used", id: "c1", network: false },
  ])("DEL of $what succeeds: there is nothing to remove", async ({ id, network }) => {
    const conf = netConf(box.dataDir);
    if (network) expect((await run("ADD", "c1", conf)).code).toBe(0);
    await remount(box.dataDir, "ro");
    const before = snapshotTree(box.dataDir);

    const del = await run("DEL", id, conf);
    expect({ code: del.code, stdout: del.stdout, stderr: del.stderr }).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
    expect(snapshotTree(box.dataDir)).toEqual(before);
  });

  it("CHECK still reads its reservation, and STATUS reports code 50", async () => {
    const conf = dualStack(box.dataDir);
    expect((await run("ADD", "c1", conf)).code).toBe(0);
    await remount(box.dataDir, "ro");

    const check = await run("CHECK", "c1", conf);
    expect({ code: check.code, stdout: check.stdout }).toEqual({ code: 0, stdout: "" });
    const status = await call({ command: "STATUS", stdin: { ...conf, cniVersion: "1.1.0" } });
    const err = expectCniError(status, "STATUS on a read-only data dir", 50);
    expect(err.msg).toMatch(/^cannot use the data dir: .*read-only file system$/);
  });
});
