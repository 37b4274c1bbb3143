/**
 * The command line against a data dir that Debian's upstream `host-local` (the oracle) wrote: both
 * binaries share the on-disk format and the lock, so every command must read, and `release` must
 * change, upstream's files exactly as upstream's own DEL would.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDataDir, runPlugin, type TempDir, UPSTREAM_HOST_LOCAL } from "@cni-ts/testutils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, cliJson, networkConfig, upstreamAdd } from "./harness.js";

let tmp: TempDir;
let dataDir: string;
let configFile: string;
let config: Record<string, unknown>;

async function upstreamCheck(containerId: string, ifname: string): Promise<number> {
  const run = await runPlugin(UPSTREAM_HOST_LOCAL, {
    command: "CHECK",
    containerId,
    ifname,
    netns: "/var/run/netns/cni-ts-cli-test",
    path: "/usr/lib/cni",
    stdin: config,
  });
  return run.code;
}

beforeAll(async () => {
  tmp = makeTempDataDir("cni-ts-cli-upstream-");
  dataDir = join(tmp.path, "data");
  config = networkConfig("upnet", dataDir, [[{ subnet: "10.1.2.0/29" }], [{ subnet: "2001:db8:1::/120" }]]);
  configFile = join(tmp.path, "upnet.conf");
  writeFileSync(configFile, JSON.stringify(config));
  await upstreamAdd(config, "c1", "eth0");
  await upstreamAdd(config, "c1", "eth1");
  await upstreamAdd(config, "c2", "eth0");
  await upstreamAdd(config, "c3", "eth0");
  // A legacy record, as very old upstream versions wrote it: only the container ID.
  writeFileSync(join(dataDir, "upnet", "10.1.2.5"), "c3");
});
afterAll(() => tmp.cleanup());

describe("a data dir written by upstream's binary", () => {
  it("ls lists every allocation, IPv4 before IPv6, the legacy one with ifname ''", async () => {
    expect(await cliJson(["ls", "--data-dir", dataDir, "--json"])).toEqual([
      { network: "upnet", ip: "10.1.2.2", containerId: "c1", ifname: "eth0" },
      { network: "upnet", ip: "10.1.2.3", containerId: "c1", ifname: "eth1" },
      { network: "upnet", ip: "10.1.2.4", containerId: "c2", ifname: "eth0" },
      { network: "upnet", ip: "10.1.2.5", containerId: "c3", ifname: "" },
      { network: "upnet", ip: "2001:db8:1::2", containerId: "c1", ifname: "eth0" },
      { network: "upnet", ip: "2001:db8:1::3", containerId: "c1", ifname: "eth1" },
      { network: "upnet", ip: "2001:db8:1::4", containerId: "c2", ifname: "eth0" },
      { network: "upnet", ip: "2001:db8:1::5", containerId: "c3", ifname: "eth0" },
    ]);
  });

  it("ls --config finds the network and data dir through the config", async () => {
    const rows = (await cliJson(["ls", "--config", configFile, "--json"])) as unknown[];
    expect(rows).toHaveLength(8);
    expect(rows[0]).toEqual({ network: "upnet", ip: "10.1.2.2", containerId: "c1", ifname: "eth0" });
  });

  it("fsck finds no problem, and --repair changes nothing", async () => {
    expect(await cli(["fsck", "--data-dir", dataDir])).toEqual({
      code: 0,
      stderr: "",
      stdout: `ok: no problems in 1 network under ${dataDir}\n`,
    });
    expect(await cliJson(["fsck", "--data-dir", dataDir, "--repair", "--json"])).toEqual({
      problems: [],
      repaired: [],
    });
  });

  it("stats counts upstream's allocations per range set", async () => {
    expect(await cliJson(["stats", "--config", configFile, "--json"])).toEqual({
      network: "upnet",
      dataDir,
      rangeSets: [
        { ranges: "10.1.2.1-10.1.2.6", capacity: 5, used: 4, free: 1 },
        { ranges: "2001:db8:1::1-2001:db8:1::ff", capacity: 254, used: 4, free: 250 },
      ],
      outsideRangeSets: 0,
    });
  });

  it("release works like upstream's DEL, and upstream keeps working after it", async () => {
    expect(
      await cliJson([
        "release",
        "--config",
        configFile,
        "--container-id",
        "c1",
        "--ifname",
        "eth0",
        "--json",
      ]),
    ).toEqual({
      network: "upnet",
      containerId: "c1",
      ifname: "eth0",
      released: [
        { ip: "10.1.2.2", ifname: "eth0" },
        { ip: "2001:db8:1::2", ifname: "eth0" },
      ],
    });
    // Upstream no longer finds c1/eth0, still finds c1/eth1.
    expect(await upstreamCheck("c1", "eth0")).toBe(1);
    expect(await upstreamCheck("c1", "eth1")).toBe(0);

    expect(
      await cliJson([
        "release",
        "--data-dir",
        dataDir,
        "--network",
        "upnet",
        "--container-id",
        "c3",
        "--ifname",
        "eth0",
        "--json",
      ]),
    ).toEqual({
      network: "upnet",
      containerId: "c3",
      ifname: "eth0",
      released: [
        { ip: "10.1.2.5", ifname: "" },
        { ip: "2001:db8:1::5", ifname: "eth0" },
      ],
    });

    // Round robin continues after upstream's last reservation (.5), then wraps to the freed .2.
    await upstreamAdd(config, "c4", "eth0");
    await upstreamAdd(config, "c5", "eth0");
    const rows = (await cliJson(["ls", "--data-dir", dataDir, "--json"])) as {
      ip: string;
      containerId: string;
    }[];
    expect(rows.filter((r) => r.containerId === "c4" || r.containerId === "c5")).toEqual([
      { network: "upnet", ip: "10.1.2.2", containerId: "c5", ifname: "eth0" },
      { network: "upnet", ip: "10.1.2.6", containerId: "c4", ifname: "eth0" },
      { network: "upnet", ip: "2001:db8:1::6", containerId: "c4", ifname: "eth0" },
      { network: "upnet", ip: "2001:db8:1::7", containerId: "c5", ifname: "eth0" },
    ]);
    expect((await cli(["fsck", "--data-dir", dataDir])).code).toBe(0);
  });
});
