import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { holdFlock, makeTempDataDir, type TempDir, waitUntil } from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cli, cliJson, plantNetwork } from "../harness.js";

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDataDir("cni-ts-cli-release-");
});
afterEach(() => tmp.cleanup());

const FILES = {
  lock: "",
  "last_reserved_ip.0": "10.1.2.6",
  "10.1.2.2": "c1\r\neth0",
  "2001:db8::2": "c1\r\neth0",
  "10.1.2.3": "c1\r\neth1",
  "10.1.2.4": "c1",
  "10.1.2.5": "c2\r\neth0",
  "10.1.2.6": "c10\r\neth0",
};

function remaining(network = "mynet"): string[] {
  return readdirSync(join(tmp.path, network)).sort();
}

describe("release", () => {
  it.each([
    [
      "one interface, with the container's legacy records (as DEL)",
      ["--ifname", "eth0"],
      [
        { ip: "10.1.2.2", ifname: "eth0" },
        { ip: "10.1.2.4", ifname: "" },
        { ip: "2001:db8::2", ifname: "eth0" },
      ],
      ["10.1.2.3", "10.1.2.5", "10.1.2.6", "last_reserved_ip.0", "lock"],
    ],
    [
      "an interface with no exact records still takes the legacy ones",
      ["--ifname", "eth7"],
      [{ ip: "10.1.2.4", ifname: "" }],
      ["10.1.2.2", "10.1.2.3", "10.1.2.5", "10.1.2.6", "2001:db8::2", "last_reserved_ip.0", "lock"],
    ],
    [
      "every interface when none is given",
      [],
      [
        { ip: "10.1.2.2", ifname: "eth0" },
        { ip: "10.1.2.3", ifname: "eth1" },
        { ip: "10.1.2.4", ifname: "" },
        { ip: "2001:db8::2", ifname: "eth0" },
      ],
      ["10.1.2.5", "10.1.2.6", "last_reserved_ip.0", "lock"],
    ],
  ])("removes %s", async (_name, extra, released, left) => {
    plantNetwork(tmp.path, "mynet", FILES);
    const report = await cliJson([
      "release",
      "--data-dir",
      tmp.path,
      "--network",
      "mynet",
      "--container-id",
      "c1",
      ...extra,
      "--json",
    ]);
    expect(report).toEqual({
      network: "mynet",
      containerId: "c1",
      ifname: extra[1] ?? null,
      released,
    });
    expect(remaining()).toEqual(left);
    // Other containers' files are untouched, byte for byte.
    expect(readFileSync(join(tmp.path, "mynet", "10.1.2.5"), "utf8")).toBe("c2\r\neth0");
  });

  it("is idempotent: a second run releases nothing and succeeds", async () => {
    plantNetwork(tmp.path, "mynet", FILES);
    const args = ["release", "--data-dir", tmp.path, "--network", "mynet", "--container-id", "c2"];
    expect(await cli(args)).toEqual({
      code: 0,
      stderr: "",
      stdout: "released 1 address of container c2 in network mynet:\nADDRESS   IFNAME\n10.1.2.5  eth0\n",
    });
    expect(await cli(args)).toEqual({
      code: 0,
      stderr: "",
      stdout: "nothing to release for container c2 in network mynet\n",
    });
  });

  it("creates nothing for a network that does not exist", async () => {
    const run = await cli(["release", "--data-dir", tmp.path, "--network", "ghost", "--container-id", "c1"]);
    expect(run).toEqual({
      code: 0,
      stderr: "",
      stdout: "nothing to release for container c1 in network ghost\n",
    });
    expect(existsSync(join(tmp.path, "ghost"))).toBe(false);
  });

  it("trims the container ID as upstream does", async () => {
    plantNetwork(tmp.path, "mynet", { "10.1.2.2": "c1\r\neth0" });
    const report = await cliJson([
      "release",
      "--data-dir",
      tmp.path,
      "--network",
      "mynet",
      "--container-id",
      " c1 ",
      "--ifname",
      "eth0",
      "--json",
    ]);
    expect(report).toEqual({
      network: "mynet",
      containerId: "c1",
      ifname: "eth0",
      released: [{ ip: "10.1.2.2", ifname: "eth0" }],
    });
  });

  it("waits for the network's lock", async () => {
    const dir = plantNetwork(tmp.path, "mynet", { lock: "", "10.1.2.2": "c1\r\neth0" });
    const lock = join(dir, "lock");
    const held = await holdFlock(lock);
    try {
      const running = cli(["release", "--data-dir", tmp.path, "--network", "mynet", "--container-id", "c1"]);
      const inode = `:${statSync(lock).ino}`;
      // A pending flock request on the lock file's inode shows that release is waiting for the holder.
      await waitUntil(
        () =>
          readFileSync("/proc/locks", "utf8")
            .split("\n")
            .some((line) => line.includes("->") && line.split(/\s+/).some((f) => f.endsWith(inode))),
        "release to wait for the lock",
      );
      expect(existsSync(join(dir, "10.1.2.2"))).toBe(true);
      await held.release();
      expect((await running).code).toBe(0);
      expect(existsSync(join(dir, "10.1.2.2"))).toBe(false);
    } finally {
      await held.release();
    }
  });

  it("fails with exit 1 and one line for a network name the disk store refuses", async () => {
    plantNetwork(tmp.path, "mynet", { "10.1.2.2": "c1\r\neth0" });
    const run = await cli([
      "release",
      "--data-dir",
      tmp.path,
      "--network",
      "bad/name",
      "--container-id",
      "c1",
    ]);
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: 'host-local release: invalid network name for the disk store: name "bad/name" contains "/"\n',
    });
  });
});
