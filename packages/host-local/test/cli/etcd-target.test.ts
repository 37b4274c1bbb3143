// `ls`, `release` and `stats` with `--config FILE` naming an etcd store: they read and change the
// network's keys in etcd, and `--data-dir` still means the disk store.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openEtcdStore } from "@cni-ts/etcd-store";
import type { EtcdCluster } from "@cni-ts/etcd-store/testing";
import { startEtcdCluster } from "@cni-ts/etcd-store/testing";
import { makeTempDataDir, type TempDir } from "@cni-ts/testutils";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { cli, cliJson, plantNetwork } from "./harness.js";

// Private etcd clusters take a few seconds to start on a loaded machine: limits against hangs, not timings.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let cluster: EtcdCluster;
let endpoint = "";
let tmp: TempDir;
let counter = 0;
let network = "";

beforeAll(async () => {
  cluster = await startEtcdCluster();
  endpoint = cluster.endpoints[0] ?? "";
});
afterAll(async () => {
  await cluster?.cleanup();
});
beforeEach(() => {
  tmp = makeTempDataDir("cni-ts-cli-etcd-");
  counter += 1;
  network = `clinet${counter}`;
});
afterEach(() => tmp.cleanup());

function writeConfig(endpoints: string[] = [endpoint], file = "net.conf"): string {
  const path = join(tmp.path, file);
  writeFileSync(
    path,
    JSON.stringify({
      cniVersion: "1.1.0",
      name: network,
      type: "bridge",
      ipam: {
        type: "host-local",
        dataDir: join(tmp.path, "data"),
        ranges: [[{ subnet: "10.5.0.0/29" }], [{ subnet: "2001:db8:5::/120" }]],
        store: { type: "etcd", endpoints, prefix: "/cli-test", timeoutMs: 2000 },
      },
    }),
  );
  return path;
}

/**
 * Reserves through the etcd store itself, as the plugin on another host would have: `release` must
 * remove them all the same (only GC keeps to its own host's reservations).
 */
async function reserve(entries: Array<[string, string, string, string]>): Promise<void> {
  const store = await openEtcdStore({
    endpoints: [endpoint],
    network,
    prefix: "/cli-test",
    node: "another-host",
  });
  try {
    for (const [id, ifname, ip, set] of entries) expect(await store.reserve(id, ifname, ip, set)).toBe(true);
  } finally {
    await store.close();
  }
}

describe("operator commands on an etcd store", () => {
  it("ls --config lists the network's allocations in etcd", async () => {
    const file = writeConfig();
    await reserve([
      ["c1", "eth0", "10.5.0.2", "0"],
      ["c1", "eth0", "2001:db8:5::2", "1"],
      ["c2", "net1", "10.5.0.10", "0"],
    ]);
    expect(await cliJson(["ls", "--config", file, "--json"])).toEqual([
      { network, ip: "10.5.0.2", containerId: "c1", ifname: "eth0" },
      { network, ip: "10.5.0.10", containerId: "c2", ifname: "net1" },
      { network, ip: "2001:db8:5::2", containerId: "c1", ifname: "eth0" },
    ]);
    const table = await cli(["ls", "--config", file]);
    expect({ code: table.code, stderr: table.stderr }).toEqual({ code: 0, stderr: "" });
    expect(
      table.stdout
        .trimEnd()
        .split("\n")
        .map((line) => line.split(/ {2,}/)),
    ).toEqual([
      ["NETWORK", "ADDRESS", "CONTAINER ID", "IFNAME"],
      [network, "10.5.0.2", "c1", "eth0"],
      [network, "10.5.0.10", "c2", "net1"],
      [network, "2001:db8:5::2", "c1", "eth0"],
    ]);
  });

  it("ls --config says where it looked when the network has nothing", async () => {
    const file = writeConfig();
    expect(await cli(["ls", "--config", file])).toEqual({
      code: 0,
      stderr: "",
      stdout: `no allocations under etcd /cli-test/${network}/ at ${endpoint}\n`,
    });
  });

  it("release --config removes one attachment's addresses from etcd", async () => {
    const file = writeConfig();
    await reserve([
      ["c1", "eth0", "10.5.0.2", "0"],
      ["c1", "eth0", "2001:db8:5::2", "1"],
      ["c1", "eth1", "10.5.0.3", "0"],
      ["c2", "eth0", "10.5.0.4", "0"],
    ]);
    expect(
      await cliJson(["release", "--config", file, "--container-id", "c1", "--ifname", "eth0", "--json"]),
    ).toEqual({
      network,
      containerId: "c1",
      ifname: "eth0",
      released: [
        { ip: "10.5.0.2", ifname: "eth0" },
        { ip: "2001:db8:5::2", ifname: "eth0" },
      ],
    });
    expect(await cliJson(["ls", "--config", file, "--json"])).toEqual([
      { network, ip: "10.5.0.3", containerId: "c1", ifname: "eth1" },
      { network, ip: "10.5.0.4", containerId: "c2", ifname: "eth0" },
    ]);
    const again = await cli(["release", "--config", file, "--container-id", "c1", "--ifname", "eth0"]);
    expect(again).toEqual({
      code: 0,
      stderr: "",
      stdout: `nothing to release for c1/eth0 in network ${network}\n`,
    });
  });

  it("stats --config counts the reservations in etcd", async () => {
    const file = writeConfig();
    await reserve([
      ["c1", "eth0", "10.5.0.2", "0"],
      ["c2", "eth0", "10.5.0.3", "0"],
      ["c3", "eth0", "10.9.9.9", "0"],
    ]);
    expect(await cliJson(["stats", "--config", file, "--json"])).toEqual({
      network,
      etcd: { root: `/cli-test/${network}/`, endpoints: [endpoint] },
      rangeSets: [
        { ranges: "10.5.0.1-10.5.0.6", capacity: 5, used: 2, free: 3 },
        { ranges: "2001:db8:5::1-2001:db8:5::ff", capacity: 254, used: 0, free: 254 },
      ],
      outsideRangeSets: 1,
    });
    const text = await cli(["stats", "--config", file]);
    expect(text.stdout.split("\n")[0]).toBe(`network ${network} (etcd /cli-test/${network}/ at ${endpoint})`);
  });

  it.each([
    ["ls", ["ls"]],
    ["release", ["release", "--container-id", "c1"]],
    ["stats", ["stats"]],
  ])("%s --data-dir reads the disk store even when the config names etcd", async (_name, args) => {
    const file = writeConfig();
    await reserve([["c1", "eth0", "10.5.0.2", "0"]]);
    plantNetwork(join(tmp.path, "disk"), network, { "10.5.0.6": "d1\r\neth0" });
    const run = await cli([...args, "--config", file, "--data-dir", join(tmp.path, "disk"), "--json"]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("10.5.0.2");
    if (args[0] === "ls")
      expect(JSON.parse(run.stdout)).toEqual([
        { network, ip: "10.5.0.6", containerId: "d1", ifname: "eth0" },
      ]);
    if (args[0] === "stats")
      expect(JSON.parse(run.stdout)).toMatchObject({ dataDir: join(tmp.path, "disk") });
    if (args[0] === "release") expect(JSON.parse(run.stdout)).toMatchObject({ released: [] });
  });

  it.each([
    ["ls", ["ls"]],
    ["release", ["release", "--container-id", "c1"]],
    ["stats", ["stats"]],
  ])("%s fails with one line naming etcd when it cannot be reached", async (name, args) => {
    const file = writeConfig(["http://127.0.0.1:1"]);
    expect(await cli([...args, "--config", file])).toEqual({
      code: 1,
      stdout: "",
      stderr: `host-local ${name}: cannot reach etcd: http://127.0.0.1:1: connection refused\n`,
    });
  });
});
