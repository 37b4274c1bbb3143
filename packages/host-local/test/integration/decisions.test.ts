// Where ours deliberately differs from the 1.1.1 oracle (HEAD behaviour, or a DECISION of the
// contract), the differential tests leave the case out; these black-box runs of the built binary pin
// ours down instead. Each case names the contract section it follows.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataDirContents, makeTempDataDir, readDataDir, runPlugin, type TempDir } from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { allocationNames, type Call, invocation, type Json, NETWORK, netConf, OURS } from "./harness.js";

let data: TempDir;
beforeEach(() => {
  data = makeTempDataDir("cni-ts-decisions-");
});
afterEach(() => data.cleanup());

const dualStack: Json = { ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]] };
const run = (call: Call, config: Json) => runPlugin(OURS, invocation(call, config, data.path));
const network = (): string => join(data.path, NETWORK);
const files = (): Record<string, string> => dataDirContents(readDataDir(network(), { ignoreDotNames: true }));

describe("ours where it differs from upstream 1.1.1", { timeout: 60_000 }, () => {
  it("accepts cniVersion 1.1.0 (contract 2.1)", async () => {
    const r = await run(
      { command: "ADD", containerId: "c1", ifname: "eth0" },
      netConf("1.1.0", data.path, dualStack),
    );
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      cniVersion: "1.1.0",
      ips: [{ address: "10.1.2.2/24" }, { address: "2001:db8:1::2/64" }],
    });
  });

  it("rolls back only what the failed ADD reserved (contract 5.3 DECISION)", async () => {
    const config = netConf("1.0.0", data.path, dualStack);
    const first = await run(
      { command: "ADD", containerId: "c6", ifname: "eth0", args: "IP=10.1.2.90" },
      config,
    );
    expect(first.code).toBe(0);
    // Set 0 takes the requested .91 (no duplicate check on that path), set 1 refuses the duplicate.
    const second = await run(
      { command: "ADD", containerId: "c6", ifname: "eth0", args: "IP=10.1.2.91" },
      config,
    );
    expect(second.json).toEqual({
      code: 999,
      msg: "failed to allocate for range 1: 2001:db8:1::2 has been allocated to c6, duplicate allocation is not allowed",
    });
    expect(allocationNames(readDataDir(network())).sort()).toEqual(["10.1.2.90", "2001:db8:1::2"]);
  });

  it.each([
    ["runtimeConfig.ips", { runtimeConfig: { ips: [null] } }],
    ["args.cni.ips", { args: { cni: { ips: [null] } } }],
  ])("answers a null in %s with an error object instead of crashing (contract 3.2)", async (_where, top) => {
    const r = await run(
      { command: "ADD", containerId: "c1", ifname: "eth0" },
      netConf("1.0.0", data.path, dualStack, top),
    );
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 999 });
    expect(r.stderr).toBe("");
  });

  it("rejects a rangeStart beyond the default rangeEnd (contract 4.4 DECISION)", async () => {
    const config = netConf("1.0.0", data.path, {
      ranges: [[{ subnet: "10.0.0.0/24", rangeStart: "10.0.0.255" }]],
    });
    const r = await run({ command: "ADD", containerId: "c1", ifname: "eth0" }, config);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({
      code: 999,
      msg: expect.stringContaining("invalid range set 0: RangeStart 10.0.0.255"),
    });
  });

  it("checks CNI_NETNS before allocating (contract 1.6 DECISION): one error document, nothing reserved", async () => {
    const r = await run(
      { command: "ADD", containerId: "c1", ifname: "eth0", netns: "/proc/self/ns/net" },
      netConf("1.0.0", data.path, dualStack),
    );
    expect({ code: r.code, json: r.json }).toEqual({
      code: 1,
      json: { code: 8, msg: "plugin's netns and netns from CNI_NETNS should not be the same" },
    });
    const reserved = existsSync(network()) ? allocationNames(readDataDir(network())) : [];
    expect(reserved).toEqual([]);
  });

  it("GC releases what no valid attachment owns (contract 7.3)", async () => {
    const config = netConf("1.1.0", data.path, { ranges: [[{ subnet: "10.1.2.0/24" }]] });
    mkdirSync(network());
    writeFileSync(join(network(), "10.1.2.2"), "a\r\neth0");
    writeFileSync(join(network(), "10.1.2.3"), "b\r\neth0");
    writeFileSync(join(network(), "10.1.2.4"), "c");
    const noList = await runPlugin(OURS, { command: "GC", path: "/opt/cni/bin", stdin: config });
    expect({ code: noList.code, stdout: noList.stdout }).toEqual({ code: 0, stdout: "" });
    expect(allocationNames(readDataDir(network())).sort()).toEqual(["10.1.2.2", "10.1.2.3", "10.1.2.4"]);

    const valid = [
      { containerID: "a", ifname: "eth0" },
      { containerID: "c", ifname: "net1" },
    ];
    const gc = await runPlugin(OURS, {
      command: "GC",
      path: "/opt/cni/bin",
      stdin: { ...config, "cni.dev/valid-attachments": valid },
    });
    expect({ code: gc.code, stdout: gc.stdout }).toEqual({ code: 0, stdout: "" });
    const left = files();
    delete left.lock;
    expect(left).toEqual({ "10.1.2.2": "a\r\neth0", "10.1.2.4": "c" });
  });

  it.each(["DEL", "CHECK"])(
    "%s of a network without a store creates nothing (contract 10, item 13)",
    async (command) => {
      const r = await run(
        { command, containerId: "c1", ifname: "eth0" },
        netConf("1.0.0", data.path, dualStack),
      );
      expect(r.code).toBe(command === "DEL" ? 0 : 1);
      expect(existsSync(network())).toBe(false);
    },
  );

  it("STATUS reports an exhausted range with code 50 (contract 7.4)", async () => {
    const config = netConf("1.1.0", data.path, { ranges: [[{ subnet: "10.0.0.0/30" }]] });
    const ready = await runPlugin(OURS, { command: "STATUS", path: "/opt/cni/bin", stdin: config });
    expect({ code: ready.code, stdout: ready.stdout }).toEqual({ code: 0, stdout: "" });
    expect((await run({ command: "ADD", containerId: "c1", ifname: "eth0" }, config)).code).toBe(0);
    const full = await runPlugin(OURS, { command: "STATUS", path: "/opt/cni/bin", stdin: config });
    expect({ code: full.code, json: full.json }).toEqual({
      code: 1,
      json: { code: 50, msg: "no IP addresses available in range set: 10.0.0.1-10.0.0.2" },
    });
  });
});
