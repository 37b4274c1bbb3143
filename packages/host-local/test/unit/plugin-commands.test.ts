// The end-to-end session of contract 5.5, on the disk store (checking every file) and on an in-memory
// store injected through the same factory.
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPluginCommands, diskStoreProvider } from "../../src/index.js";
import { memoryProvider } from "./support/memory-provider.js";
import { makeTempDir, readTree, removeTempDir, runPlugin } from "./support/plugin.js";

let tmp = "";
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(tmp);
});

const sessionConfig = (dataDir: string) => ({
  cniVersion: "1.1.0",
  name: "mynet",
  type: "bridge",
  ipam: {
    type: "host-local",
    dataDir,
    ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]],
    routes: [{ dst: "0.0.0.0/0" }],
  },
});

const printed = (v4: string, v6: string) =>
  JSON.stringify(
    {
      cniVersion: "1.1.0",
      ips: [
        { address: `${v4}/24`, gateway: "10.1.2.1" },
        { address: `${v6}/64`, gateway: "2001:db8:1::1" },
      ],
      routes: [{ dst: "0.0.0.0/0" }],
    },
    null,
    4,
  );

const steps = [
  { call: ["ADD", "c1", "eth0"], stdout: printed("10.1.2.2", "2001:db8:1::2"), status: 0 },
  {
    call: ["ADD", "c1", "eth0"],
    stdout: JSON.stringify(
      {
        code: 999,
        msg: "failed to allocate for range 0: 10.1.2.2 has been allocated to c1, duplicate allocation is not allowed",
      },
      null,
      4,
    ),
    status: 1,
  },
  { call: ["ADD", "c1", "eth1"], stdout: printed("10.1.2.3", "2001:db8:1::3"), status: 0 },
  { call: ["CHECK", "c1", "eth0"], stdout: "", status: 0 },
  {
    call: ["CHECK", "c9", "eth0"],
    stdout: JSON.stringify(
      { code: 999, msg: "host-local: Failed to find address added by container c9" },
      null,
      4,
    ),
    status: 1,
  },
  { call: ["DEL", "c1", "eth0"], stdout: "", status: 0 },
  { call: ["DEL", "c1", "eth0"], stdout: "", status: 0 },
  { call: ["ADD", "c2", "eth0"], stdout: printed("10.1.2.4", "2001:db8:1::4"), status: 0 },
] as const;

describe("the session of contract 5.5", () => {
  it("prints what upstream prints and leaves upstream's files, on the disk store", async () => {
    const dataDir = join(tmp, "hl-example");
    const outcomes = [];
    for (const step of steps) {
      const [command, containerId, ifname] = step.call;
      outcomes.push(await runPlugin({ command, containerId, ifname, config: sessionConfig(dataDir) }));
    }
    expect(outcomes).toEqual(steps.map((s) => ({ status: s.status, stdout: s.stdout, stderr: "" })));
    expect(await readTree(join(dataDir, "mynet"))).toStrictEqual({
      "10.1.2.3": "c1\r\neth1",
      "10.1.2.4": "c2\r\neth0",
      "2001:db8:1::3": "c1\r\neth1",
      "2001:db8:1::4": "c2\r\neth0",
      "last_reserved_ip.0": "10.1.2.4",
      "last_reserved_ip.1": "2001:db8:1::4",
      lock: "",
    });
  });

  it("behaves the same on an injected in-memory store", async () => {
    const provider = memoryProvider();
    const commands = createPluginCommands(provider);
    const outcomes = [];
    for (const step of steps) {
      const [command, containerId, ifname] = step.call;
      outcomes.push(
        await runPlugin({ command, containerId, ifname, config: sessionConfig("/nonexistent") }, commands),
      );
    }
    expect(outcomes).toEqual(steps.map((s) => ({ status: s.status, stdout: s.stdout, stderr: "" })));
    expect(await provider.store.list()).toEqual([
      { ip: "10.1.2.3", containerId: "c1", ifname: "eth1" },
      { ip: "10.1.2.4", containerId: "c2", ifname: "eth0" },
      { ip: "2001:db8:1::3", containerId: "c1", ifname: "eth1" },
      { ip: "2001:db8:1::4", containerId: "c2", ifname: "eth0" },
    ]);
  });

  it("uses the disk store by default (createPluginCommands wires all five commands)", () => {
    expect(Object.keys(createPluginCommands(diskStoreProvider)).sort()).toEqual([
      "add",
      "check",
      "del",
      "gc",
      "status",
    ]);
  });
});
