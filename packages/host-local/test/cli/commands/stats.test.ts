import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDataDir, type TempDir } from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cli, cliJson, plantNetwork } from "../harness.js";

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDataDir("cni-ts-cli-stats-");
});
afterEach(() => tmp.cleanup());

function writeConfig(name: string, doc: unknown): string {
  const file = join(tmp.path, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

function conf(ranges: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cniVersion: "1.0.0",
    name: "mynet",
    type: "bridge",
    ipam: { type: "host-local", dataDir: join(tmp.path, "data"), ranges, ...extra },
  };
}

describe("stats", () => {
  it.each([
    [
      "a /24 (gateway .1 inside the default range)",
      [[{ subnet: "10.1.2.0/24" }]],
      "10.1.2.1-10.1.2.254",
      253,
    ],
    ["a /30", [[{ subnet: "10.1.2.0/30" }]], "10.1.2.1-10.1.2.2", 1],
    [
      "a range with the gateway outside it",
      [[{ subnet: "10.1.2.0/24", rangeStart: "10.1.2.10", rangeEnd: "10.1.2.19" }]],
      "10.1.2.10-10.1.2.19",
      10,
    ],
    [
      "a range with the gateway inside it",
      [[{ subnet: "10.1.2.0/24", rangeStart: "10.1.2.10", rangeEnd: "10.1.2.19", gateway: "10.1.2.15" }]],
      "10.1.2.10-10.1.2.19",
      9,
    ],
    [
      "two ranges in one set",
      [[{ subnet: "10.1.2.0/29" }, { subnet: "10.1.3.0/29" }]],
      "10.1.2.1-10.1.2.6,10.1.3.1-10.1.3.6",
      10,
    ],
    ["an IPv6 /120", [[{ subnet: "2001:db8::/120" }]], "2001:db8::1-2001:db8::ff", 254],
    [
      "an IPv6 /64 (beyond 2^53: a string)",
      [[{ subnet: "2001:db8::/64" }]],
      "2001:db8::1-2001:db8::ffff:ffff:ffff:ffff",
      "18446744073709551614",
    ],
  ])("capacity of %s", async (_name, ranges, text, capacity) => {
    const file = writeConfig("net.conf", conf(ranges));
    expect(await cliJson(["stats", "--config", file, "--json"])).toEqual({
      network: "mynet",
      dataDir: join(tmp.path, "data"),
      rangeSets: [{ ranges: text, capacity, used: 0, free: capacity }],
      outsideRangeSets: 0,
    });
    // Reading a network never used creates nothing.
    expect(existsSync(join(tmp.path, "data"))).toBe(false);
  });

  it("counts used addresses per set, IPv4 and IPv6, and what lies outside every set", async () => {
    const file = writeConfig("net.conf", conf([[{ subnet: "10.1.2.0/29" }], [{ subnet: "2001:db8::/124" }]]));
    plantNetwork(join(tmp.path, "data"), "mynet", {
      lock: "",
      "last_reserved_ip.0": "10.1.2.3",
      "10.1.2.2": "c1\r\neth0",
      "10.1.2.3": "c2\r\neth0",
      "10.1.2.1": "squatter\r\neth0",
      "2001:db8::2": "c1\r\neth0",
      "10.9.9.9": "old\r\neth0",
      ".10.1.2.4.tmp-1-0": "c3\r\neth0",
    });
    expect(await cliJson(["stats", "--config", file, "--json"])).toEqual({
      network: "mynet",
      dataDir: join(tmp.path, "data"),
      rangeSets: [
        { ranges: "10.1.2.1-10.1.2.6", capacity: 5, used: 2, free: 3 },
        { ranges: "2001:db8::1-2001:db8::f", capacity: 14, used: 1, free: 13 },
      ],
      outsideRangeSets: 1,
    });
  });

  it("prints a usage bar per range set", async () => {
    const file = writeConfig("net.conf", conf([[{ subnet: "10.1.2.0/29" }], [{ subnet: "2001:db8::/64" }]]));
    plantNetwork(join(tmp.path, "data"), "mynet", {
      "10.1.2.2": "c1\r\neth0",
      "10.1.2.3": "c2\r\neth0",
      "2001:db8::2": "c1\r\neth0",
    });
    const run = await cli(["stats", "--config", file]);
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")).toEqual([
      `network mynet (data dir ${join(tmp.path, "data")})`,
      "SET  RANGES                                                 CAPACITY  USED                  FREE  USAGE",
      "  0  10.1.2.1-10.1.2.6                                             5     2                     3  [############..................]  40.0%",
      `  1  2001:db8::1-2001:db8::ffff:ffff:ffff:ffff  18446744073709551614     1  18446744073709551613  [#.............................]  <0.1%`,
      "",
    ]);
  });

  it("uses the host-local entry of a .conflist, with the list's name", async () => {
    const file = writeConfig("net.conflist", {
      cniVersion: "1.1.0",
      name: "listnet",
      plugins: [
        { type: "bridge", ipam: { type: "dhcp" } },
        {
          type: "macvlan",
          ipam: {
            type: "host-local",
            dataDir: join(tmp.path, "data"),
            ranges: [[{ subnet: "10.5.0.0/30" }]],
          },
        },
        { type: "portmap" },
      ],
    });
    plantNetwork(join(tmp.path, "data"), "listnet", { "10.5.0.2": "c1\r\neth0" });
    expect(await cliJson(["stats", "--config", file, "--json"])).toEqual({
      network: "listnet",
      dataDir: join(tmp.path, "data"),
      rangeSets: [{ ranges: "10.5.0.1-10.5.0.2", capacity: 1, used: 1, free: 0 }],
      outsideRangeSets: 0,
    });
  });

  it("takes --data-dir over the config's dataDir", async () => {
    const file = writeConfig("net.conf", conf([[{ subnet: "10.1.2.0/30" }]]));
    plantNetwork(join(tmp.path, "other"), "mynet", { "10.1.2.2": "c1\r\neth0" });
    const doc = await cliJson(["stats", "--config", file, "--data-dir", join(tmp.path, "other"), "--json"]);
    expect(doc).toMatchObject({ dataDir: join(tmp.path, "other"), rangeSets: [{ used: 1, free: 0 }] });
  });

  it.each([
    [
      "a .conflist without a host-local entry",
      "x.conflist",
      { name: "n", plugins: [{ type: "bridge" }] },
      'no plugin in the list has an "ipam" of type "host-local"',
    ],
    [
      "a .conf of another IPAM",
      "x.conf",
      { name: "n", ipam: { type: "dhcp" } },
      'no "ipam" of type "host-local" in the network config',
    ],
    ["a config without a name", "x.conf", { ipam: { type: "host-local" } }, "the network config has no name"],
    ["a config that is not an object", "x.conf", [1, 2], "not a JSON object"],
    [
      "an invalid range",
      "x.conf",
      { name: "n", ipam: { type: "host-local", ranges: [[{ subnet: "10.0.0.0/31" }]] } },
      "invalid range set 0: Network 10.0.0.0/31 too small to allocate from",
    ],
    ["no ranges", "x.conf", { name: "n", ipam: { type: "host-local" } }, "no IP ranges specified"],
    [
      "a 0.2.0 list with two IPv4 sets",
      "x.conflist",
      {
        cniVersion: "0.2.0",
        name: "n",
        plugins: [
          {
            type: "ptp",
            ipam: { type: "host-local", ranges: [[{ subnet: "10.0.0.0/24" }], [{ subnet: "10.1.0.0/24" }]] },
          },
        ],
      },
      "CNI version 0.2.0 does not support more than 1 address per family",
    ],
  ])("fails with exit 1 for %s", async (_name, fileName, doc, message) => {
    const file = writeConfig(fileName, doc);
    const run = await cli(["stats", "--config", file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    // Config validation errors are upstream's texts; reading errors name the file.
    const expected = /^(invalid|no IP|CNI version)/.test(message) ? message : `${file}: ${message}`;
    expect(run.stderr).toBe(`host-local stats: ${expected}\n`);
  });

  it("fails with exit 1 for a file that is not JSON", async () => {
    const file = join(tmp.path, "broken.conf");
    writeFileSync(file, "{ not json");
    expect(await cli(["stats", "--config", file])).toEqual({
      code: 1,
      stdout: "",
      stderr: `host-local stats: ${file}: not valid JSON\n`,
    });
  });
});
