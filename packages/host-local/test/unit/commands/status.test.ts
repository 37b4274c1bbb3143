// STATUS (spec 1.1.0; contract 7.4, DECISION): code 50 when an ADD could not be served.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorOf, netConf, readTree, runPlugin, useTestDirs } from "../support/plugin.js";
import { withReadOnlyMount } from "../support/read-only-mount.js";

const dirs = useTestDirs();

const OK = { status: 0, stdout: "", stderr: "" };
const exhausted = (set: string) => ({ code: 50, msg: `no IP addresses available in range set: ${set}` });

const conf = (ranges: unknown, root = dirs.dataDir, version = "1.1.0") =>
  netConf(version, { dataDir: root, ranges });
const status = (config: unknown) => runPlugin({ command: "STATUS", config });
const add = async (config: unknown, containerId: string) =>
  expect((await runPlugin({ command: "ADD", config, containerId })).status).toBe(0);

describe("STATUS", () => {
  it("reports ready before anything was allocated, and creates nothing", async () => {
    expect(await status(conf([[{ subnet: "10.0.0.0/30" }]]))).toEqual(OK);
    expect(await readTree(dirs.dataDir)).toBeUndefined();
  });

  it("reports the exhausted set with code 50, and ready again after a DEL frees an address", async () => {
    const config = conf([[{ subnet: "10.0.0.0/30" }]]);
    await add(config, "a");
    expect(errorOf(await status(config))).toEqual(exhausted("10.0.0.1-10.0.0.2"));
    expect((await runPlugin({ command: "DEL", config, containerId: "a" })).status).toBe(0);
    expect(await status(config)).toEqual(OK);
  });

  it.each([
    ["IPv4", [[{ subnet: "10.0.0.0/30" }], [{ subnet: "2001:db8::/64" }]], 1, "10.0.0.1-10.0.0.2"],
    ["IPv6", [[{ subnet: "10.0.0.0/24" }], [{ subnet: "2001:db8::/126" }]], 2, "2001:db8::1-2001:db8::3"],
  ])("names the one full family of a dual-stack config (%s full)", async (_family, ranges, adds, set) => {
    const config = conf(ranges);
    for (let i = 0; i < adds; i++) {
      expect(await status(config)).toEqual(OK);
      await add(config, `c${i}`);
    }
    expect(errorOf(await status(config))).toEqual(exhausted(set));
  });

  it("counts every range of a set before calling it exhausted", async () => {
    const config = conf([[{ subnet: "10.0.0.0/30" }, { subnet: "10.0.1.0/30" }]]);
    await add(config, "a");
    expect(await status(config)).toEqual(OK);
    await add(config, "b");
    expect(errorOf(await status(config))).toEqual(exhausted("10.0.0.1-10.0.0.2,10.0.1.1-10.0.1.2"));
  });

  it("counts the gateway out only when it lies inside the range", async () => {
    const config = conf([
      [{ subnet: "10.0.0.0/29", rangeStart: "10.0.0.2", rangeEnd: "10.0.0.3", gateway: "10.0.0.1" }],
    ]);
    await add(config, "a");
    expect(await status(config)).toEqual(OK);
    await add(config, "b");
    expect(errorOf(await status(config))).toEqual(exhausted("10.0.0.2-10.0.0.3"));
  });

  it("ignores a reservation file planted on the gateway address", async () => {
    await mkdir(join(dirs.dataDir, "mynet"), { recursive: true });
    await writeFile(join(dirs.dataDir, "mynet", "10.0.0.1"), "x\r\neth0");
    expect(await status(conf([[{ subnet: "10.0.0.0/30" }]]))).toEqual(OK);
  });

  it("reports code 50 when the data dir is read-only", async () => {
    const mount = join(dirs.tmp, "ro");
    const config = conf([[{ subnet: "10.0.0.0/24" }]], mount);
    await withReadOnlyMount(
      mount,
      async () => {
        await add(config, "a");
      },
      async () => {
        expect(errorOf(await status(config))).toEqual({
          code: 50,
          msg: `cannot use the data dir: access ${join(mount, "mynet")}: read-only file system`,
        });
      },
    );
  });

  it("reports code 50 when the network directory could not be created", async () => {
    const readOnlyParent = join(dirs.tmp, "ro");
    await withReadOnlyMount(
      readOnlyParent,
      async () => {},
      async () => {
        expect(
          errorOf(await status(conf([[{ subnet: "10.0.0.0/24" }]], join(readOnlyParent, "a", "b")))),
        ).toEqual({
          code: 50,
          msg: `cannot use the data dir: access ${readOnlyParent}: read-only file system`,
        });
      },
    );
  });

  it("reports code 50 when a regular file stands in the data dir's path", async () => {
    await writeFile(join(dirs.tmp, "file"), "");
    const root = join(dirs.tmp, "file", "data");
    expect(errorOf(await status(conf([[{ subnet: "10.0.0.0/24" }]], root)))).toEqual({
      code: 50,
      msg: `cannot use the data dir: lstat ${join(root, "mynet")}: not a directory`,
    });
  });

  it("is refused by skel for a config older than 1.1.0", async () => {
    expect(errorOf(await status(conf([[{ subnet: "10.0.0.0/24" }]], dirs.dataDir, "1.0.0")))).toEqual({
      code: 1,
      msg: "config version does not allow STATUS",
    });
  });
});
