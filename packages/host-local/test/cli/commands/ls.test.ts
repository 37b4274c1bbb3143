import { existsSync } from "node:fs";
import { join } from "node:path";
import { makeTempDataDir, type TempDir } from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cli, cliJson, plantNetwork } from "../harness.js";

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDataDir("cni-ts-cli-ls-");
});
afterEach(() => tmp.cleanup());

describe("ls", () => {
  it("sorts by network, then address numerically with IPv4 before IPv6", async () => {
    plantNetwork(tmp.path, "net-b", { "10.0.0.1": "b1\r\neth0" });
    plantNetwork(tmp.path, "net-a", {
      "2001:db8::1:0": "v6b\r\neth0",
      "10.0.0.10": "ten\r\neth0",
      "2001:db8::a": "v6a\r\neth1",
      "10.0.0.9": "nine\r\neth0",
      "9.255.255.255": "low\r\neth0",
    });
    expect(await cliJson(["ls", "--data-dir", tmp.path, "--json"])).toEqual([
      { network: "net-a", ip: "9.255.255.255", containerId: "low", ifname: "eth0" },
      { network: "net-a", ip: "10.0.0.9", containerId: "nine", ifname: "eth0" },
      { network: "net-a", ip: "10.0.0.10", containerId: "ten", ifname: "eth0" },
      { network: "net-a", ip: "2001:db8::a", containerId: "v6a", ifname: "eth1" },
      { network: "net-a", ip: "2001:db8::1:0", containerId: "v6b", ifname: "eth0" },
      { network: "net-b", ip: "10.0.0.1", containerId: "b1", ifname: "eth0" },
    ]);
  });

  it("shows legacy files with ifname '' and empty files with containerId ''", async () => {
    plantNetwork(tmp.path, "mynet", {
      "10.1.2.3": "legacy-id",
      "10.1.2.4": "",
      "10.1.2.5": "  c5\r\neth0\n",
    });
    expect(await cliJson(["ls", "--data-dir", tmp.path, "--json"])).toEqual([
      { network: "mynet", ip: "10.1.2.3", containerId: "legacy-id", ifname: "" },
      { network: "mynet", ip: "10.1.2.4", containerId: "", ifname: "" },
      { network: "mynet", ip: "10.1.2.5", containerId: "c5", ifname: "eth0" },
    ]);
  });

  it("lists only allocation files: not lock, last_reserved_ip, dot-names or other names", async () => {
    plantNetwork(tmp.path, "mynet", {
      lock: "",
      "last_reserved_ip.0": "10.1.2.2",
      ".10.1.2.7.tmp-123-0": "c7\r\neth0",
      ".cni-ts-index": "x",
      notes: "c1\r\neth0",
      "10.1.2.2": "c1\r\neth0",
    });
    expect(await cliJson(["ls", "--data-dir", tmp.path, "--json"])).toEqual([
      { network: "mynet", ip: "10.1.2.2", containerId: "c1", ifname: "eth0" },
    ]);
  });

  it.each([
    ["net-b", [{ network: "net-b", ip: "10.0.0.1", containerId: "b1", ifname: "eth0" }]],
    ["missing", []],
  ])("--network %s lists only that network and creates nothing", async (network, expected) => {
    plantNetwork(tmp.path, "net-a", { "10.0.0.2": "a1\r\neth0" });
    plantNetwork(tmp.path, "net-b", { "10.0.0.1": "b1\r\neth0" });
    expect(await cliJson(["ls", "--data-dir", tmp.path, "--network", network, "--json"])).toEqual(expected);
    expect(existsSync(join(tmp.path, "missing"))).toBe(false);
  });

  it("prints a table for people", async () => {
    plantNetwork(tmp.path, "mynet", {
      "10.1.2.2": "c1\r\neth0",
      "10.1.2.3": "old",
      "2001:db8::2": "c1\r\neth0",
    });
    expect(await cli(["ls", "--data-dir", tmp.path])).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "NETWORK  ADDRESS      CONTAINER ID  IFNAME\n" +
        "mynet    10.1.2.2     c1            eth0\n" +
        "mynet    10.1.2.3     old           (legacy: any)\n" +
        "mynet    2001:db8::2  c1            eth0\n",
    });
  });

  it.each([
    ["an empty data dir", (dir: string) => dir, (dir: string) => `no allocations under ${dir}\n`],
    [
      "a missing data dir",
      (dir: string) => join(dir, "nope"),
      (dir: string) => `no allocations: ${join(dir, "nope")} does not exist\n`,
    ],
  ])("says so for %s, and prints [] with --json", async (_name, dataDir, message) => {
    expect(await cli(["ls", "--data-dir", dataDir(tmp.path)])).toEqual({
      code: 0,
      stdout: message(tmp.path),
      stderr: "",
    });
    expect(await cliJson(["ls", "--data-dir", dataDir(tmp.path), "--json"])).toEqual([]);
  });

  it("reports a network it cannot read on stderr, lists the others, and exits 1", async () => {
    plantNetwork(tmp.path, "good", { "10.0.0.2": "c1\r\neth0" });
    plantNetwork(tmp.path, "", { evil: { symlink: join(tmp.path, "good") } });
    const run = await cli(["ls", "--data-dir", tmp.path, "--json"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([
      { network: "good", ip: "10.0.0.2", containerId: "c1", ifname: "eth0" },
    ]);
    expect(run.stderr).toBe(
      `host-local ls: network evil: network directory ${join(tmp.path, "evil")} is a symbolic link; refusing to use it\n`,
    );
  });

  it("fails with exit 1 when the data dir is not a directory", async () => {
    plantNetwork(tmp.path, "", { file: "x" });
    const run = await cli(["ls", "--data-dir", join(tmp.path, "file")]);
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `host-local ls: cannot read the data dir: open ${join(tmp.path, "file")}: not a directory\n`,
    });
  });
});
