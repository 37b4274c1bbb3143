// Interop: ours and Debian's upstream binary sharing one data dir, as happens when a node is upgraded
// with containers running. They must agree on the file format, the round-robin hint and the flock on
// `lock`, so that neither double-allocates nor loses the other's reservations.
import { join } from "node:path";
import {
  compareDataDirs,
  dataDirContents,
  makeTempDataDir,
  type PluginRun,
  readDataDir,
  runPlugin,
  type TempDir,
} from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  allocationNames,
  type Call,
  comparable,
  describeStep,
  invocation,
  type Json,
  NETWORK,
  netConf,
  OURS,
  REFERENCE,
} from "./harness.js";

const TIMEOUT = 120_000;
const VERSION = "1.0.0";

let shared: TempDir;
let alone: TempDir;
beforeEach(() => {
  shared = makeTempDataDir("cni-ts-shared-");
  alone = makeTempDataDir("cni-ts-alone-");
});
afterEach(() => {
  shared.cleanup();
  alone.cleanup();
});

const call = (command: string, containerId: string, ifname = "eth0"): Call => ({
  command,
  containerId,
  ifname,
});

const ipsOf = (run: PluginRun | undefined): string[] =>
  ((run?.json as { ips?: { address: string }[] } | undefined)?.ips ?? []).map((ip) => ip.address);

describe("both binaries alternating on one data dir", { timeout: TIMEOUT }, () => {
  const ipam: Json = {
    ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]],
    routes: [{ dst: "0.0.0.0/0" }],
  };
  // Round-robin of the binaries over the steps; the same steps run by upstream alone must give the
  // same answers and the same files.
  const steps: Call[] = [
    call("ADD", "c1"),
    call("CHECK", "c1"),
    call("ADD", "c2"),
    call("ADD", "c3"),
    call("ADD", "c2"),
    call("ADD", "c1"),
    call("DEL", "c1"),
    call("CHECK", "c1"),
    call("CHECK", "c2"),
    call("ADD", "c4"),
    call("ADD", "c1", "eth1"),
    call("DEL", "c2"),
    call("DEL", "c2"),
    call("DEL", "c3"),
    call("ADD", "c5"),
    call("DEL", "c1", "eth1"),
  ];

  it.each([
    ["ours first", [OURS, REFERENCE]],
    ["upstream first", [REFERENCE, OURS]],
  ])("%s: every answer and the data dir match upstream running alone", async (_label, binaries) => {
    const mixed: PluginRun[] = [];
    for (const [i, step] of steps.entries()) {
      const binary = binaries[i % 2] ?? OURS;
      const [m, r] = await Promise.all([
        runPlugin(binary, invocation(step, netConf(VERSION, shared.path, ipam), shared.path)),
        runPlugin(REFERENCE, invocation(step, netConf(VERSION, alone.path, ipam), alone.path)),
      ]);
      const what = `${describeStep(i, step)} by ${binary}`;
      expect(comparable(m, shared.path), what).toEqual(comparable(r, alone.path));
      expect(
        compareDataDirs(
          readDataDir(shared.path, { ignoreDotNames: true }),
          readDataDir(alone.path, { ignoreDotNames: true }),
        ),
        what,
      ).toEqual([]);
      mixed.push(m);
    }
    // Round robin continued across the binaries: c1 .2, c2 .3, c3 .4, c4 .5, c1/eth1 .6, c5 .7.
    expect([0, 2, 3, 9, 10, 14].map((i) => ipsOf(mixed[i])[0])).toEqual([
      "10.1.2.2/24",
      "10.1.2.3/24",
      "10.1.2.4/24",
      "10.1.2.5/24",
      "10.1.2.6/24",
      "10.1.2.7/24",
    ]);
    // The duplicate check sees the other binary's reservations.
    expect(mixed[4]?.json).toMatchObject({ code: 999, msg: expect.stringContaining("duplicate allocation") });
    expect(mixed[5]?.json).toMatchObject({ code: 999, msg: expect.stringContaining("duplicate allocation") });
    expect(dataDirContents(readDataDir(join(shared.path, NETWORK), { ignoreDotNames: true }))).toEqual({
      "10.1.2.5": "c4\r\neth0",
      "10.1.2.7": "c5\r\neth0",
      "2001:db8:1::5": "c4\r\neth0",
      "2001:db8:1::7": "c5\r\neth0",
      "last_reserved_ip.0": "10.1.2.7",
      "last_reserved_ip.1": "2001:db8:1::7",
      lock: "",
    });
  });
});

describe("40 concurrent ADDs split between the binaries", { timeout: TIMEOUT }, () => {
  // Exactly 40 addresses per family, gateways outside the ranges.
  const ipam: Json = {
    ranges: [
      [{ subnet: "10.3.0.0/24", rangeStart: "10.3.0.10", rangeEnd: "10.3.0.49" }],
      [{ subnet: "2001:db8:3::/64", rangeStart: "2001:db8:3::10", rangeEnd: "2001:db8:3::37" }],
    ],
  };
  const ids = Array.from({ length: 40 }, (_, i) => `ctr${i}`);
  const binaryFor = (i: number): string => (i % 2 === 0 ? OURS : REFERENCE);

  it("all succeed with distinct addresses, the files agree, then both report exhaustion", async () => {
    const config = netConf(VERSION, shared.path, ipam);
    const runs = await Promise.all(
      ids.map((id, i) => runPlugin(binaryFor(i), invocation(call("ADD", id), config, shared.path))),
    );
    for (const [i, run] of runs.entries()) {
      expect({ id: ids[i], code: run.code, stdout: run.code === 0 ? "" : run.stdout }).toEqual({
        id: ids[i],
        code: 0,
        stdout: "",
      });
    }
    const v4 = runs.map((r) => ipsOf(r)[0]);
    const v6 = runs.map((r) => ipsOf(r)[1]);
    expect(new Set(v4).size).toBe(40);
    expect(new Set(v6).size).toBe(40);

    const files = readDataDir(join(shared.path, NETWORK), { ignoreDotNames: true });
    const names = allocationNames(files);
    expect(names).toHaveLength(80);
    // Every reservation file belongs to the container whose result names that address.
    const owners = dataDirContents(files);
    for (const [i, run] of runs.entries()) {
      for (const address of ipsOf(run)) {
        expect(owners[address.split("/")[0] ?? ""], address).toBe(`${ids[i]}\r\neth0`);
      }
    }
    const expectedV4 = Array.from({ length: 40 }, (_, k) => `10.3.0.${10 + k}`);
    const expectedV6 = Array.from({ length: 40 }, (_, k) => `2001:db8:3::${(0x10 + k).toString(16)}`);
    expect(names.sort()).toEqual([...expectedV4, ...expectedV6].sort());
    expect(expectedV4).toContain(owners["last_reserved_ip.0"]);
    expect(expectedV6).toContain(owners["last_reserved_ip.1"]);
    expect(owners.lock).toBe("");

    // The range is exhausted: both binaries say so, in the same words, and change nothing.
    const exhausted = {
      code: 999,
      msg: "failed to allocate for range 0: no IP addresses available in range set: 10.3.0.10-10.3.0.49",
    };
    for (const binary of [OURS, REFERENCE]) {
      const run = await runPlugin(binary, invocation(call("ADD", "late"), config, shared.path));
      expect({ binary, code: run.code, json: run.json }).toEqual({ binary, code: 1, json: exhausted });
    }
    expect(allocationNames(readDataDir(join(shared.path, NETWORK), { ignoreDotNames: true }))).toHaveLength(
      80,
    );

    // Releasing through the other binary than the one that allocated empties the range again.
    const dels = await Promise.all(
      ids.map((id, i) => runPlugin(binaryFor(i + 1), invocation(call("DEL", id), config, shared.path))),
    );
    expect(dels.map((d) => d.code)).toEqual(ids.map(() => 0));
    expect(allocationNames(readDataDir(join(shared.path, NETWORK), { ignoreDotNames: true }))).toEqual([]);
  });
});
