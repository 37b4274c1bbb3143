import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { addResultFor, pluginConfig, pluginEnv } from "../plugin-call.mjs";
import { allocationAt, formatIp, NETWORK_NAME, prefillNetwork } from "../prefill.mjs";

const UPSTREAM = "/usr/lib/cni/host-local";
const scratch = mkdtempSync(join(tmpdir(), "cni-ts-bench-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirCount = 0;
const freshDataDir = () => join(scratch, `data-${dirCount++}`);

function callUpstream(command, { family, dataDir, containerId, prevResult }) {
  return spawnSync(UPSTREAM, [], {
    env: pluginEnv({ command, containerId, ifname: "eth0" }),
    input: pluginConfig({ family, dataDir, prevResult }),
    encoding: "utf8",
  });
}

describe("formatIp", () => {
  // File names from contract section 6.2 (Go's net.IP.String()), plus edge cases.
  it.each([
    [0x20010db8000000000000000000000001n, 6, "2001:db8::1"],
    [0x20010db8000000000001000000000001n, 6, "2001:db8::1:0:0:1"],
    [0xfe800000000000000001000000000000n, 6, "fe80::1:0:0:0"],
    [0x00000000000000010000000000000000n, 6, "0:0:0:1::"],
    [0x20010db8000000010001000100010001n, 6, "2001:db8:0:1:1:1:1:1"],
    [0x00000000000000000000000001020304n, 6, "::102:304"],
    [0x20010db8000000000000000000010000n, 6, "2001:db8::1:0"],
    [0x20010db8000000000000000100000000n, 6, "2001:db8::1:0:0"],
    [0n, 6, "::"],
    [1n, 6, "::1"],
    [0x0a800002n, 4, "10.128.0.2"],
    [0xffffffffn, 4, "255.255.255.255"],
  ])("formats %s (IPv%i) as %s", (value, family, expected) => {
    expect(formatIp(value, family)).toBe(expected);
  });

  it.each([
    [1n << 32n, 4],
    [-1n, 6],
    [1n << 128n, 6],
  ])("refuses %s for IPv%i", (value, family) => {
    expect(() => formatIp(value, family)).toThrow(RangeError);
  });
});

describe("allocationAt", () => {
  it.each([
    [4, 0, "10.128.0.2"],
    [4, 253, "10.128.0.255"],
    [4, 254, "10.128.1.0"],
    [6, 0, "2001:db8::2"],
    [6, 0xfffe, "2001:db8::1:0"],
  ])("IPv%i allocation %i is %s", (family, index, ip) => {
    expect(allocationAt(family, index)).toEqual({ ip, containerId: `c${index}`, ifname: "eth0" });
  });
});

describe("prefillNetwork", () => {
  it.each([
    [4, 0],
    [4, 1],
    [4, 300],
    [6, 0],
    [6, 300],
  ])("writes IPv%i with %i allocations in the on-disk format", (family, count) => {
    const dataDir = freshDataDir();
    const result = prefillNetwork(dataDir, { family, count });
    const networkDir = join(dataDir, NETWORK_NAME);
    const ips = Array.from({ length: count }, (_, i) => allocationAt(family, i).ip);

    expect(result).toEqual({ networkDir, count, first: ips[0] ?? null, last: ips.at(-1) ?? null });
    expect(readdirSync(networkDir).sort()).toEqual(
      [...ips, "lock", ...(count > 0 ? ["last_reserved_ip.0"] : [])].sort(),
    );
    expect(readFileSync(join(networkDir, "lock"), "utf8")).toBe("");
    expect(statSync(join(networkDir, "lock")).mode & 0o777).toBe(0o750);
    ips.forEach((ip, i) => {
      expect(readFileSync(join(networkDir, ip), "utf8")).toBe(`c${i}\r\neth0`);
    });
    if (count > 0) {
      expect(readFileSync(join(networkDir, "last_reserved_ip.0"), "utf8")).toBe(ips.at(-1));
    }
  });

  it.each([
    [4, -1],
    [4, 1.5],
    [4, 65_000],
    [5, 1],
  ])("refuses IPv%i with count %s", (family, count) => {
    expect(() => prefillNetwork(freshDataDir(), { family, count })).toThrow(RangeError);
  });
});

describe("a prefilled store read by the upstream binary", () => {
  it.each([
    [4, 0],
    [4, 300],
    [6, 0],
    [6, 300],
  ])(
    "IPv%i, %i allocations: ADD takes the next address, CHECK finds a prefilled owner, DEL undoes the ADD",
    (family, count) => {
      const dataDir = freshDataDir();
      prefillNetwork(dataDir, { family, count });
      const networkDir = join(dataDir, NETWORK_NAME);

      const add = callUpstream("ADD", { family, dataDir, containerId: "bench-new" });
      expect(add.status, add.stdout).toBe(0);
      const next = allocationAt(family, count).ip;
      expect(JSON.parse(add.stdout).ips[0].address).toBe(addResultFor(family, next).ips[0].address);
      expect(readFileSync(join(networkDir, next), "utf8")).toBe("bench-new\r\neth0");

      if (count > 0) {
        const target = allocationAt(family, Math.floor(count / 2));
        const check = callUpstream("CHECK", {
          family,
          dataDir,
          containerId: target.containerId,
          prevResult: addResultFor(family, target.ip),
        });
        expect(check.status, check.stdout).toBe(0);
      }

      const del = callUpstream("DEL", { family, dataDir, containerId: "bench-new" });
      expect(del.status, del.stdout).toBe(0);
      expect(readdirSync(networkDir)).toHaveLength(count + 2);
      expect(readdirSync(networkDir)).not.toContain(next);
    },
  );
});
