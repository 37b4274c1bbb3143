// End to end: the real upstream `bridge` plugin delegating IPAM to ours, the way a runtime uses
// host-local. Our binary is `host-local` in a temporary CNI bin dir placed before /usr/lib/cni in
// CNI_PATH. Two containers (network namespaces made here) get their addresses through ours, see them on
// eth0, reach each other across the bridge, and DEL gives the addresses back. The bridge gets no address
// (isGateway false) and no masquerading, so the host's forwarding and firewall settings stay untouched.
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import {
  dataDirContents,
  linkDel,
  linkExists,
  listAddresses,
  makeTempDataDir,
  netnsAdd,
  netnsDel,
  netnsExec,
  netnsExists,
  netnsPath,
  type PluginRun,
  readDataDir,
  runPlugin,
  type TempDir,
  UPSTREAM_CNI_DIR,
  uniqueName,
} from "@cni-ts/testutils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allocationNames, OURS } from "./harness.js";

const BRIDGE = join(UPSTREAM_CNI_DIR, "bridge");
const NETWORK = "e2enet";

let work: TempDir;
let cniPath = "";
const bridgeName = uniqueName("cnits-br");
const namespaces = [uniqueName("cnits-a-"), uniqueName("cnits-b-")] as const;
const created: string[] = [];

beforeAll(async () => {
  work = makeTempDataDir("cni-ts-e2e-");
  const bin = join(work.path, "bin");
  mkdirSync(bin);
  symlinkSync(OURS, join(bin, "host-local"));
  cniPath = `${bin}:${UPSTREAM_CNI_DIR}`;
  for (const ns of namespaces) {
    await netnsAdd(ns);
    created.push(ns);
  }
});

afterAll(async () => {
  // Clean up everything even when a test failed half-way: namespaces (their veth ends go with them),
  // the bridge in the host namespace, and the temp dir.
  for (const ns of created) await netnsDel(ns);
  await linkDel(bridgeName);
  work.cleanup();
  for (const ns of created) expect(await netnsExists(ns)).toBe(false);
  expect(await linkExists(bridgeName)).toBe(false);
});

const conf = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  cniVersion: "1.0.0",
  name: NETWORK,
  type: "bridge",
  bridge: bridgeName,
  isGateway: false,
  ipMasq: false,
  ipam: {
    type: "host-local",
    dataDir: join(work.path, "data"),
    ranges: [[{ subnet: "10.250.0.0/24" }], [{ subnet: "2001:db8:250::/64" }]],
    // A route with an explicit gw: bridge's CHECK compares prevResult routes literally with the table.
    routes: [{ dst: "10.251.0.0/16", gw: "10.250.0.1" }],
  },
  ...extra,
});

const bridge = (
  command: string,
  ns: string,
  containerId: string,
  stdin: Record<string, unknown>,
): Promise<PluginRun> =>
  runPlugin(BRIDGE, { command, containerId, ifname: "eth0", netns: netnsPath(ns), path: cniPath, stdin });

interface BridgeResult {
  ips: { address: string; gateway?: string; interface?: number }[];
  interfaces: { name: string; sandbox?: string }[];
}

describe("bridge delegating to our host-local", { timeout: 60_000 }, () => {
  const results: BridgeResult[] = [];

  const addAndVerify = async (i: 0 | 1, id: string, expected: readonly string[]): Promise<void> => {
    const ns = namespaces[i];
    const run = await bridge("ADD", ns, id, conf());
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    const result = run.json as BridgeResult;
    results[i] = result;
    expect(result.ips.map((ip) => ip.address)).toEqual(expected);

    const onEth0 = (await listAddresses(ns))
      .filter((a) => a.ifname === "eth0" && !a.local.startsWith("fe80:"))
      .map((a) => `${a.local}/${a.prefixlen}`);
    expect(onEth0.sort()).toEqual([...expected].sort());

    const routes = await netnsExec(ns, ["ip", "-j", "route", "show", "10.251.0.0/16"]);
    expect(JSON.parse(routes.stdout)).toEqual([
      expect.objectContaining({ dst: "10.251.0.0/16", gateway: "10.250.0.1" }),
    ]);

    const files = dataDirContents(readDataDir(join(work.path, "data", NETWORK), { ignoreDotNames: true }));
    for (const address of expected) expect(files[address.split("/")[0] ?? ""]).toBe(`${id}\r\neth0`);
  };

  it("ADD of the first container configures the addresses ours hands out", async () => {
    await addAndVerify(0, "ctr-a", ["10.250.0.2/24", "2001:db8:250::2/64"]);
  });

  it("CHECK through bridge (with prevResult) succeeds while the bridge has this one port", async () => {
    const prevResult = results[0];
    expect(prevResult).toBeDefined();
    const run = await bridge("CHECK", namespaces[0], "ctr-a", conf({ prevResult }));
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "" });
  });

  it("ADD of the second container gets the next addresses", async () => {
    await addAndVerify(1, "ctr-b", ["10.250.0.3/24", "2001:db8:250::3/64"]);
  });

  it("connects the two containers across the bridge", async () => {
    const ping = await netnsExec(namespaces[0], ["ping", "-c", "1", "-W", "5", "10.250.0.3"]);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    expect(ping.stdout).toContain("1 received");
  });

  it.each([
    [0, "ctr-a", ["10.250.0.3", "2001:db8:250::3"]],
    [1, "ctr-b", []],
  ] as const)(
    "DEL in namespace %i (%s) releases its files and removes the addresses",
    async (i, id, left) => {
      const ns = namespaces[i];
      const run = await bridge("DEL", ns, id, conf({ prevResult: results[i] }));
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "" });
      const files = readDataDir(join(work.path, "data", NETWORK), { ignoreDotNames: true });
      expect(allocationNames(files).sort()).toEqual([...left].sort());
      const onEth0 = (await listAddresses(ns)).filter((a) => a.ifname === "eth0");
      expect(onEth0).toEqual([]);
    },
  );
});
