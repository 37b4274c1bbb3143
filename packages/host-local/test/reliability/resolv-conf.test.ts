// An odd `resolvConf` (issue #8, "never a hang"): a path to an endless device, a FIFO nobody writes to,
// or a huge file must not make ADD hang or eat the node's memory. ADD reads at most 1 MiB of it and
// never waits for a writer; the data dir is untouched when it fails, as resolv.conf is read before
// the store is opened. A path the kernel cannot take (a NUL byte) is worded like upstream's error.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  call,
  expectCniError,
  makeSandbox,
  netConf,
  type Sandbox,
  sh,
  snapshotOutside,
  snapshotTree,
} from "./harness.js";

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox("resolv");
});
afterEach(() => box.cleanup());

const MIB = 1024 * 1024;
const add = (resolvConf: string) =>
  call({ command: "ADD", stdin: netConf(box.dataDir, { resolvConf }), cwd: box.cwd });

describe("resolvConf that is not an ordinary resolv.conf", { timeout: 60_000 }, () => {
  it.each([
    { what: "an endless device", path: () => "/dev/zero" },
    {
      what: "a regular file over 1 MiB",
      path: () => {
        const path = join(box.root, "huge-resolv.conf");
        writeFileSync(path, "# padding line\n".repeat(Math.ceil((2 * MIB) / 15)));
        return path;
      },
    },
  ])("$what: ADD fails with one error naming the file and the limit", async ({ path }) => {
    const file = path();
    const outside = snapshotOutside(box);
    const err = expectCniError(await add(file), `resolvConf ${file}`, 999);
    expect(err.msg).toBe(`read ${file}: larger than 1048576 bytes; resolvConf must name a resolv.conf file`);
    expect(snapshotTree(box.dataDir)).toEqual(new Map([[".", "dir 755"]]));
    expect(snapshotOutside(box)).toEqual(outside);
  });

  it("a file of exactly 1 MiB is still read", async () => {
    const path = join(box.root, "big-resolv.conf");
    const head = "nameserver 192.0.2.53\n";
    writeFileSync(path, `${head}${"#".repeat(MIB - head.length - 1)}\n`);
    const run = await add(path);
    expect({ code: run.code, stderr: run.stderr }, run.stdout).toEqual({ code: 0, stderr: "" });
    expect((run.json as { dns?: unknown }).dns).toEqual({ nameservers: ["192.0.2.53"] });
  });

  it.each([
    { what: "a FIFO nobody writes to", make: async (p: string) => sh("mkfifo", [p]) },
    { what: "/dev/null", make: async () => undefined },
  ])("$what: ADD does not wait and answers without dns", async ({ what, make }) => {
    const path = what === "/dev/null" ? "/dev/null" : join(box.root, "resolv.fifo");
    await make(path);
    const run = await add(path);
    expect({ code: run.code, stderr: run.stderr }, run.stdout).toEqual({ code: 0, stderr: "" });
    expect(run.json).not.toHaveProperty("dns");
  });

  it("a path with a NUL byte fails with Go's text for it, not a runtime's error code", async () => {
    const path = `${box.outside}/res\u0000olv.conf`;
    const err = expectCniError(await add(path), "resolvConf with NUL", 999);
    // upstream-compat: Go refuses such a path with EINVAL before any system call.
    expect(err.msg).toBe(`open ${path}: invalid argument`);
    expect(snapshotTree(box.dataDir)).toEqual(new Map([[".", "dir 755"]]));
  });
});
