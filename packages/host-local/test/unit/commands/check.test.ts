// CHECK (contract 7.2, DECISION): prevResult compared with the store when present, upstream's rule
// otherwise; for each version that allows CHECK.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { versionsStartingFrom } from "@cni-ts/types";
import { describe, expect, it } from "vitest";
import type { PluginOutcome } from "../support/plugin.js";
import { errorOf, netConf, readTree, runPlugin, useTestDirs } from "../support/plugin.js";

const dirs = useTestDirs();

const OK = { status: 0, stdout: "", stderr: "" };
const V6_SET = "2001:db8:1::1-2001:db8:1:0:ffff:ffff:ffff:ffff";

describe.each(versionsStartingFrom("0.4.0"))("CHECK, cniVersion %s", (version) => {
  const config = (prevResult?: unknown) =>
    netConf(
      version,
      { dataDir: dirs.dataDir, ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]] },
      prevResult === undefined ? {} : { prevResult },
    );
  const add = async (containerId: string, ifname = "eth0"): Promise<Record<string, unknown>> => {
    const added: PluginOutcome = await runPlugin({ command: "ADD", config: config(), containerId, ifname });
    expect(added.status).toBe(0);
    return JSON.parse(added.stdout) as Record<string, unknown>;
  };
  const check = (containerId: string, prevResult?: unknown, ifname = "eth0") =>
    runPlugin({ command: "CHECK", config: config(prevResult), containerId, ifname });
  // The prevResult of `result` with its IPv4 address replaced (keeping the version's shape).
  const withV4 = (result: Record<string, unknown>, address: string) => {
    const ips = (result.ips as Array<Record<string, unknown>>).map((ip, i) =>
      i === 0 ? { ...ip, address } : ip,
    );
    return { ...result, ips };
  };

  it("passes when prevResult matches what ADD reserved", async () => {
    const prev = await add("c1");
    expect(await check("c1", prev)).toEqual(OK);
  });

  it("without prevResult, passes for an added attachment and fails with upstream's text otherwise", async () => {
    await add("c1");
    expect(await check("c1")).toEqual(OK);
    expect(errorOf(await check("c9"))).toEqual({
      code: 999,
      msg: "host-local: Failed to find address added by container c9",
    });
  });

  it("names the address and its actual owner when prevResult lists a foreign address", async () => {
    await add("c1");
    const foreign = await add("c2");
    expect(errorOf(await check("c1", foreign))).toEqual({
      code: 999,
      msg: "host-local: address 10.1.2.3 of prevResult is held by container c2, ifname eth0, not by container c1, ifname eth0",
    });
  });

  it("names a prevResult address that is not reserved at all", async () => {
    const prev = await add("c1");
    expect(errorOf(await check("c1", withV4(prev, "10.1.2.50/24")))).toEqual({
      code: 999,
      msg: "host-local: address 10.1.2.50 of prevResult is not reserved (expected container c1, ifname eth0)",
    });
  });

  it("ignores prevResult addresses outside its range sets (another plugin's)", async () => {
    const prev = await add("c1");
    const ips = [
      ...(prev.ips as unknown[]),
      { ...(prev.ips as Array<Record<string, unknown>>)[0], address: "192.168.99.5/24" },
    ];
    expect(await check("c1", { ...prev, ips })).toEqual(OK);
  });

  it("fails when a range set holds no reservation of the attachment", async () => {
    const prev = await add("c1");
    await rm(join(dirs.dataDir, "mynet", "2001:db8:1::2"));
    const v4only = { ...prev, ips: (prev.ips as unknown[]).slice(0, 1) };
    expect(errorOf(await check("c1", v4only))).toEqual({
      code: 999,
      msg: `host-local: no address in range set ${V6_SET} is reserved for container c1, ifname eth0`,
    });
  });

  it("counts a legacy record of the container for every ifname, and names a foreign one", async () => {
    const prev = await add("c1");
    await writeFile(join(dirs.dataDir, "mynet", "10.1.2.2"), "c1");
    expect(await check("c1", prev)).toEqual(OK);
    expect(await check("c1", undefined, "eth9")).toEqual(OK);
    await writeFile(join(dirs.dataDir, "mynet", "10.1.2.2"), "c2");
    expect(errorOf(await check("c1", prev)).msg).toBe(
      "host-local: address 10.1.2.2 of prevResult is held by container c2 (legacy record, any ifname), not by container c1, ifname eth0",
    );
  });

  it("never takes last_reserved_ip for a reservation (container named like an address)", async () => {
    await add("c1");
    expect(errorOf(await check("10.1.2.2")).msg).toBe(
      "host-local: Failed to find address added by container 10.1.2.2",
    );
  });

  it("fails for a network never used, and creates nothing", async () => {
    expect(errorOf(await check("c1")).msg).toBe("host-local: Failed to find address added by container c1");
    expect(await readTree(dirs.dataDir)).toBeUndefined();
  });
});

describe("CHECK prevResult parsing", () => {
  it("refuses a prevResult of another version family", async () => {
    const config = netConf(
      "1.1.0",
      { dataDir: dirs.dataDir, subnet: "10.1.2.0/24" },
      {
        prevResult: { cniVersion: "0.2.0", ip4: { ip: "10.1.2.2/24" } },
      },
    );
    const checked = await runPlugin({ command: "CHECK", config });
    expect(checked.status).toBe(1);
    expect(errorOf(checked).msg).toBe(
      'could not parse prevResult: result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion is "0.2.0"',
    );
  });
});
