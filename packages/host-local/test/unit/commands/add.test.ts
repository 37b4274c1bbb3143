// ADD through skel's dispatch, on a disk store in a temp dir: every host-local scenario of contract 9.5
// for each supported version, the rollback case of 5.3, resolv.conf handling (section 8).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SUPPORTED_VERSIONS } from "@cni-ts/types";
import { describe, expect, it } from "vitest";
import { createAddCommand, createDelCommand, diskStoreProvider } from "../../../src/index.js";
import {
  addressesOf,
  allowsSeveralPerFamily,
  currentResultOf,
  errorOf,
  netConf,
  readTree,
  reservationsOf,
  runPlugin,
  useTestDirs,
  VERSIONED_IPS,
} from "../support/plugin.js";
import { withReadOnlyMount } from "../support/read-only-mount.js";

const dirs = useTestDirs();

describe.each(SUPPORTED_VERSIONS)("ADD, cniVersion %s (contract 9.5)", (version) => {
  it("allocates dual stack with DNS and routes; DEL releases it", async () => {
    const resolvConf = join(dirs.tmp, "resolv.conf");
    await writeFile(resolvConf, "nameserver 192.0.2.3\n");
    const routes = [
      { dst: "0.0.0.0/0" },
      { dst: "::/0" },
      { dst: "192.168.0.0/16", gw: "1.1.1.1" },
      { dst: "2001:db8:2::/64", gw: "2001:db8:3::1" },
    ];
    const config = netConf(version, {
      dataDir: dirs.dataDir,
      resolvConf,
      ranges: [[{ subnet: "10.1.2.0/24" }, { subnet: "10.2.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]],
      routes,
    });

    const added = await runPlugin({ command: "ADD", config });
    expect(added.status).toBe(0);
    expect(added.stdout.includes('"version":')).toBe(VERSIONED_IPS.has(version));
    const result = currentResultOf(added);
    expect(result.ips).toEqual([
      { address: "10.1.2.2/24", gateway: "10.1.2.1" },
      { address: "2001:db8:1::2/64", gateway: "2001:db8:1::1" },
    ]);
    // 0.1.0/0.2.0 keep routes under ip4/ip6, so their order comes back grouped by family.
    expect(result.routes).toHaveLength(4);
    expect(result.routes).toEqual(expect.arrayContaining(routes));
    expect(result.dns).toEqual({ nameservers: ["192.0.2.3"] });

    const dir = join(dirs.dataDir, "mynet");
    expect(await readTree(dir)).toStrictEqual({
      "10.1.2.2": "dummy\r\neth0",
      "2001:db8:1::2": "dummy\r\neth0",
      "last_reserved_ip.0": "10.1.2.2",
      "last_reserved_ip.1": "2001:db8:1::2",
      lock: "",
    });

    const deleted = await runPlugin({ command: "DEL", config });
    expect(deleted).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(reservationsOf(await readTree(dir))).toEqual({});
  });

  it("keeps two networks of one container apart", async () => {
    const net0 = netConf(version, { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" }, { name: "mynet0" });
    const net1 = netConf(version, { dataDir: dirs.dataDir, subnet: "10.2.2.0/24" }, { name: "mynet1" });

    expect(addressesOf(await runPlugin({ command: "ADD", config: net0, ifname: "eth0" }))).toEqual([
      "10.1.2.2/24",
    ]);
    expect(addressesOf(await runPlugin({ command: "ADD", config: net1, ifname: "eth1" }))).toEqual([
      "10.2.2.2/24",
    ]);
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet0")))).toEqual({
      "10.1.2.2": "dummy\r\neth0",
    });
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet1")))).toEqual({
      "10.2.2.2": "dummy\r\neth1",
    });

    expect((await runPlugin({ command: "DEL", config: net0, ifname: "eth0" })).status).toBe(0);
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet0")))).toEqual({});
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet1")))).toEqual({
      "10.2.2.2": "dummy\r\neth1",
    });

    expect((await runPlugin({ command: "DEL", config: net1, ifname: "eth1" })).status).toBe(0);
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet1")))).toEqual({});
  });

  it("refuses a second ADD of the same container and ifname", async () => {
    const config = netConf(version, { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" });
    expect(addressesOf(await runPlugin({ command: "ADD", config }))).toEqual(["10.1.2.2/24"]);

    const again = await runPlugin({ command: "ADD", config });
    expect(again.status).toBe(1);
    expect(errorOf(again)).toEqual({
      code: 999,
      msg: "failed to allocate for range 0: 10.1.2.2 has been allocated to dummy, duplicate allocation is not allowed",
    });

    expect(addressesOf(await runPlugin({ command: "ADD", config, containerId: "testing" }))).toEqual([
      "10.1.2.3/24",
    ]);
    expect((await runPlugin({ command: "ADD", config })).status).toBe(1);

    expect((await runPlugin({ command: "DEL", config })).status).toBe(0);
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet")))).toEqual({
      "10.1.2.3": "testing\r\neth0",
    });
    expect((await runPlugin({ command: "DEL", config, containerId: "testing" })).status).toBe(0);
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet")))).toEqual({});
  });

  it("DEL removes a legacy record holding only the container ID", async () => {
    const config = netConf(version, { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" });
    expect((await runPlugin({ command: "ADD", config })).status).toBe(0);
    await writeFile(join(dirs.dataDir, "mynet", "10.1.2.2"), "dummy");

    expect((await runPlugin({ command: "DEL", config })).status).toBe(0);
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet")))).toEqual({});
  });

  it("DEL of a container never added succeeds and creates nothing", async () => {
    const config = netConf(version, { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" });
    expect(await runPlugin({ command: "DEL", config, containerId: "never" })).toEqual({
      status: 0,
      stdout: "",
      stderr: "",
    });
    expect(await readTree(dirs.dataDir)).toBeUndefined();
  });

  it("trims the container ID like upstream (commands called directly, bypassing skel)", async () => {
    const config = netConf(version, { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" });
    const args = {
      containerId: "   dummy\n ",
      netns: "/some/where",
      ifName: "eth0",
      args: "",
      path: "/opt/cni/bin",
      netnsOverride: "1",
      stdinData: Buffer.from(JSON.stringify(config)),
      config,
      cniVersion: version,
    };
    const result = await createAddCommand(diskStoreProvider)(args);
    expect(result.ips).toEqual([{ address: "10.1.2.2/24", gateway: "10.1.2.1" }]);
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet")))).toEqual({
      "10.1.2.2": "dummy\r\neth0",
    });

    await createDelCommand(diskStoreProvider)(args);
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet")))).toEqual({});
  });

  it("prints no round-robin warning on the first ADD of a fresh network", async () => {
    const added = await runPlugin({
      command: "ADD",
      config: netConf(version, { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" }),
    });
    expect(added.status).toBe(0);
    expect(added.stdout + added.stderr).not.toContain("Error retrieving last reserved ip");
    expect(added.stderr).toBe("");
  });

  it("hands out the address requested in args.cni.ips", async () => {
    const config = netConf(
      version,
      { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" },
      { args: { cni: { ips: ["10.1.2.88"] } } },
    );
    expect(addressesOf(await runPlugin({ command: "ADD", config }))).toEqual(["10.1.2.88/24"]);
  });

  it("hands out two requested addresses of one family from two range sets", async () => {
    const config = netConf(
      version,
      { dataDir: dirs.dataDir, ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "10.1.3.0/24" }]] },
      { args: { cni: { ips: ["10.1.2.88", "10.1.3.77"] } } },
    );
    const added = await runPlugin({ command: "ADD", config });
    if (allowsSeveralPerFamily(version)) {
      expect(addressesOf(added)).toEqual(["10.1.2.88/24", "10.1.3.77/24"]);
    } else {
      expect(errorOf(added)).toEqual({
        code: 999,
        msg: `CNI version ${version} does not support more than 1 address per family`,
      });
    }
  });

  it("hands out requested addresses from a multi-range set and an IPv6 set", async () => {
    const config = netConf(
      version,
      {
        dataDir: dirs.dataDir,
        ranges: [[{ subnet: "172.16.1.0/24" }, { subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/48" }]],
      },
      { args: { cni: { ips: ["10.1.2.88", "2001:db8:1::999"] } } },
    );
    expect(addressesOf(await runPlugin({ command: "ADD", config }))).toEqual([
      "10.1.2.88/24",
      "2001:db8:1::999/48",
    ]);
  });

  it("fails when two requested addresses fall into one range set, and keeps nothing", async () => {
    const config = netConf(
      version,
      { dataDir: dirs.dataDir, ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "10.1.3.0/24" }]] },
      { args: { cni: { ips: ["10.1.2.88", "10.1.2.77"] } } },
    );
    const added = await runPlugin({ command: "ADD", config });
    expect(added.status).toBe(1);
    if (allowsSeveralPerFamily(version)) {
      // Deterministic (upstream picks at random): the first request in order wins the set.
      expect(errorOf(added)).toEqual({ code: 999, msg: "failed to allocate all requested IPs: 10.1.2.77" });
      expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet")))).toEqual({});
    } else {
      expect(errorOf(added).msg).toBe(
        `CNI version ${version} does not support more than 1 address per family`,
      );
    }
  });
});

describe("ADD rollback (contract 5.3, DECISION)", () => {
  it("keeps the addresses the container held before a failed ADD", async () => {
    const config = netConf("1.1.0", {
      dataDir: dirs.dataDir,
      ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8::/64" }]],
    });
    const first = await runPlugin({ command: "ADD", config, containerId: "c6", cniArgs: "IP=10.1.2.90" });
    expect(addressesOf(first)).toEqual(["10.1.2.90/24", "2001:db8::2/64"]);

    // Set 0 takes the requested .91 (upstream checks no duplicate there); set 1 then refuses the
    // duplicate. Upstream's rollback would now delete .91 and also .90 and 2001:db8::2.
    const second = await runPlugin({ command: "ADD", config, containerId: "c6", cniArgs: "IP=10.1.2.91" });
    expect(errorOf(second)).toEqual({
      code: 999,
      msg: "failed to allocate for range 1: 2001:db8::2 has been allocated to c6, duplicate allocation is not allowed",
    });
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet")))).toEqual({
      "10.1.2.90": "c6\r\neth0",
      "2001:db8::2": "c6\r\neth0",
    });
  });

  it("releases every address of the failed ADD when a later set is exhausted", async () => {
    const config = netConf("1.1.0", {
      dataDir: dirs.dataDir,
      ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "10.9.0.0/30" }]],
    });
    expect(addressesOf(await runPlugin({ command: "ADD", config, containerId: "a" }))).toEqual([
      "10.1.2.2/24",
      "10.9.0.2/30",
    ]);
    const failed = await runPlugin({ command: "ADD", config, containerId: "b" });
    expect(errorOf(failed)).toEqual({
      code: 999,
      msg: "failed to allocate for range 1: no IP addresses available in range set: 10.9.0.1-10.9.0.2",
    });
    expect(reservationsOf(await readTree(join(dirs.dataDir, "mynet")))).toEqual({
      "10.1.2.2": "a\r\neth0",
      "10.9.0.2": "a\r\neth0",
    });
  });

  it("refuses a requested gateway with upstream's text", async () => {
    const config = netConf("1.1.0", { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" });
    const added = await runPlugin({ command: "ADD", config, cniArgs: "IP=10.1.2.1" });
    expect(errorOf(added)).toEqual({
      code: 999,
      msg: "failed to allocate for range 0: requested ip 10.1.2.1 is subnet's gateway",
    });
  });
});

describe("ADD and the data dir", () => {
  it("keeps code 5 under upstream's prefix when a reservation cannot be written", async () => {
    const mount = join(dirs.tmp, "ro");
    const config = netConf("1.1.0", { dataDir: mount, subnet: "10.1.2.0/24" });
    await withReadOnlyMount(
      mount,
      async () => {
        expect((await runPlugin({ command: "ADD", config, containerId: "a" })).status).toBe(0);
      },
      async () => {
        const failed = errorOf(await runPlugin({ command: "ADD", config, containerId: "b" }));
        expect(failed.code).toBe(5);
        expect(failed.msg).toMatch(/^failed to allocate for range 0: .* read-only file system$/);
        expect(reservationsOf(await readTree(join(mount, "mynet")))).toEqual({ "10.1.2.2": "a\r\neth0" });
      },
    );
  });

  it("fails with code 5 when the data dir is read-only", async () => {
    const mount = join(dirs.tmp, "ro");
    const config = netConf("1.1.0", { dataDir: mount, subnet: "10.1.2.0/24" });
    await withReadOnlyMount(
      mount,
      async () => {},
      async () => {
        expect(errorOf(await runPlugin({ command: "ADD", config }))).toEqual({
          code: 5,
          msg: `mkdir ${join(mount, "mynet")}: read-only file system`,
        });
      },
    );
  });
});

describe("ADD and resolv.conf (contract section 8)", () => {
  const example = [
    "# comment",
    "; another",
    "nameserver 192.0.2.3",
    "nameserver   2001:db8::53  extra",
    "domain example.com",
    "domain second.com",
    "search a.example b.example",
    "search c.example",
    "options ndots:5 rotate",
    "nameserver",
    "  options   timeout:1",
    "sortlist 1.2.3.4",
  ].join("\n");

  it("prints the verified example with sorted keys in 1.1.0", async () => {
    const resolvConf = join(dirs.tmp, "resolv.conf");
    await writeFile(resolvConf, example);
    const added = await runPlugin({
      command: "ADD",
      config: netConf("1.1.0", { dataDir: dirs.dataDir, resolvConf, subnet: "10.9.0.0/16" }),
    });
    expect(added.stdout).toBe(
      JSON.stringify(
        {
          cniVersion: "1.1.0",
          dns: {
            domain: "second.com",
            nameservers: ["192.0.2.3", "2001:db8::53"],
            options: ["ndots:5", "rotate", "timeout:1"],
            search: ["a.example", "b.example", "c.example"],
          },
          ips: [{ address: "10.9.0.2/16", gateway: "10.9.0.1" }],
        },
        null,
        4,
      ),
    );
  });

  it("prints dns last, keys in spec order, in 0.3.1", async () => {
    const resolvConf = join(dirs.tmp, "resolv.conf");
    await writeFile(resolvConf, example);
    const added = await runPlugin({
      command: "ADD",
      config: netConf("0.3.1", { dataDir: dirs.dataDir, resolvConf, subnet: "10.9.0.0/16" }),
    });
    const printed = JSON.parse(added.stdout) as Record<string, unknown>;
    expect(Object.keys(printed)).toEqual(["cniVersion", "ips", "dns"]);
    expect(Object.keys(printed.dns as object)).toEqual(["nameservers", "domain", "search", "options"]);
  });

  it.each([
    ["1.1.0", false],
    ["0.4.0", true],
    ["0.2.0", true],
  ])("an empty resolv.conf in %s prints dns: %s", async (version, hasDns) => {
    const resolvConf = join(dirs.tmp, "resolv.conf");
    await writeFile(resolvConf, "# nothing here\n");
    const added = await runPlugin({
      command: "ADD",
      config: netConf(version, { dataDir: dirs.dataDir, resolvConf, subnet: "10.9.0.0/16" }),
    });
    const printed = JSON.parse(added.stdout) as Record<string, unknown>;
    expect("dns" in printed).toBe(hasDns);
    if (hasDns) expect(printed.dns).toEqual({});
  });

  it("fails on a missing resolv.conf before creating anything", async () => {
    const resolvConf = join(dirs.tmp, "missing.conf");
    const added = await runPlugin({
      command: "ADD",
      config: netConf("1.1.0", { dataDir: dirs.dataDir, resolvConf, subnet: "10.9.0.0/16" }),
    });
    expect(errorOf(added)).toEqual({ code: 999, msg: `open ${resolvConf}: no such file or directory` });
    expect(await readTree(dirs.dataDir)).toBeUndefined();
  });
});
