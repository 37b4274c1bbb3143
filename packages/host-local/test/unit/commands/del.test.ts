// DEL (contract 7.1) beyond the ADD scenarios: idempotence, other ifnames, legacy records, no state
// created, and failures that must not be swallowed.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorOf, netConf, readTree, reservationsOf, runPlugin, useTestDirs } from "../support/plugin.js";
import { withReadOnlyMount } from "../support/read-only-mount.js";

const dirs = useTestDirs();

const dualStack = () =>
  netConf("1.1.0", {
    dataDir: dirs.dataDir,
    ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]],
  });

describe("DEL", () => {
  it("releases only its own ifname and is idempotent", async () => {
    const config = dualStack();
    expect((await runPlugin({ command: "ADD", config, containerId: "c1", ifname: "eth0" })).status).toBe(0);
    expect((await runPlugin({ command: "ADD", config, containerId: "c1", ifname: "eth1" })).status).toBe(0);
    for (let i = 0; i < 2; i++) {
      expect(await runPlugin({ command: "DEL", config, containerId: "c1", ifname: "eth0" })).toEqual({
        status: 0,
        stdout: "",
        stderr: "",
      });
    }
    expect(await readTree(join(dirs.dataDir, "mynet"))).toStrictEqual({
      "10.1.2.3": "c1\r\neth1",
      "2001:db8:1::3": "c1\r\neth1",
      "last_reserved_ip.0": "10.1.2.3",
      "last_reserved_ip.1": "2001:db8:1::3",
      lock: "",
    });
  });

  it("removes legacy records of the container with two range sets, even next to exact ones", async () => {
    const config = dualStack();
    expect((await runPlugin({ command: "ADD", config, containerId: "c1" })).status).toBe(0);
    await writeFile(join(dirs.dataDir, "mynet", "10.1.2.77"), "c1");
    // upstream-compat: the second set's release finds no exact record left and takes the legacy one.
    expect((await runPlugin({ command: "DEL", config, containerId: "c1" })).status).toBe(0);
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet")))).toEqual({});
  });

  it("never touches last_reserved_ip, even for a container named like the address it holds", async () => {
    const config = netConf("1.1.0", { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" });
    expect((await runPlugin({ command: "ADD", config, containerId: "c1" })).status).toBe(0);
    expect((await runPlugin({ command: "DEL", config, containerId: "10.1.2.2" })).status).toBe(0);
    expect(await readTree(join(dirs.dataDir, "mynet"))).toStrictEqual({
      "10.1.2.2": "c1\r\neth0",
      "last_reserved_ip.0": "10.1.2.2",
      lock: "",
    });
  });

  it("fails like ADD on a broken config or unknown CNI_ARGS", async () => {
    const bad = await runPlugin({ command: "DEL", config: netConf("1.1.0", { dataDir: dirs.dataDir }) });
    expect(errorOf(bad)).toEqual({ code: 999, msg: "no IP ranges specified" });
    const args = await runPlugin({
      command: "DEL",
      config: netConf("1.1.0", { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" }),
      cniArgs: "K8S_POD_NAME=x",
    });
    expect(errorOf(args)).toEqual({ code: 999, msg: 'ARGS: unknown args ["K8S_POD_NAME=x"]' });
  });

  it("creates neither the data dir nor the network dir nor the lock when nothing exists", async () => {
    const config = netConf("1.1.0", { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" });
    expect((await runPlugin({ command: "DEL", config })).status).toBe(0);
    expect(await readTree(dirs.dataDir)).toBeUndefined();
    await mkdir(join(dirs.dataDir, "mynet"), { recursive: true });
    expect((await runPlugin({ command: "DEL", config })).status).toBe(0);
    expect(await readTree(join(dirs.dataDir, "mynet"))).toEqual({ lock: "" });
  });

  it("fails with code 5 naming the file when the data dir is read-only", async () => {
    const mount = join(dirs.tmp, "ro");
    const config = netConf("1.1.0", { dataDir: mount, subnet: "10.1.2.0/24" });
    await withReadOnlyMount(
      mount,
      async () => {
        expect((await runPlugin({ command: "ADD", config })).status).toBe(0);
      },
      async () => {
        const deleted = await runPlugin({ command: "DEL", config });
        expect(deleted.status).toBe(1);
        expect(errorOf(deleted)).toEqual({
          code: 5,
          msg: `remove ${join(mount, "mynet", "10.1.2.2")}: read-only file system`,
        });
        expect(reservationsOf(await readTree(join(mount, "mynet")))).toEqual({ "10.1.2.2": "dummy\r\neth0" });
      },
    );
  });
});
