// The built executable (dist/host-local, Bun) on the etcd store: processes posing as several hosts, each
// talking to its own member of a three-member cluster first, race for one small range; one host
// releases what another reserved; etcd stops and comes back in the middle of a run.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EtcdCluster } from "@cni-ts/etcd-store/testing";
import { startEtcdCluster } from "@cni-ts/etcd-store/testing";
import type { PluginRun } from "@cni-ts/testutils";
import { execFile, makeTempDataDir, OURS, runPlugin, type TempDir } from "@cni-ts/testutils";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Private etcd clusters take a few seconds to start on a loaded machine: limits against hangs, not timings.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const NO_NETNS = "/var/run/netns/cni-ts-etcd-absent";
let counter = 0;

type Json = Record<string, unknown>;

/** A network config on the etcd store: `ranges` as in ipam, the store's endpoints in this order. */
function etcdConf(network: string, endpoints: readonly string[], ranges: unknown, store: Json = {}): Json {
  return {
    cniVersion: "1.1.0",
    name: network,
    type: "bridge",
    ipam: {
      type: "host-local",
      // Never used: every host's reservations live in etcd.
      dataDir: "/nonexistent/cni-ts-etcd-test",
      ranges,
      store: { type: "etcd", endpoints, prefix: "/integration", ...store },
    },
  };
}

function call(command: string, config: Json, containerId?: string): Promise<PluginRun> {
  return runPlugin(OURS, {
    command,
    ...(containerId === undefined ? {} : { containerId, ifname: "eth0", netns: NO_NETNS }),
    path: "/opt/cni/bin",
    stdin: config,
  });
}

function addresses(run: PluginRun): string[] {
  const json = run.json as { ips?: { address: string }[] } | undefined;
  return (json?.ips ?? []).map((ip) => ip.address);
}

/** `host-local ls --config <file> --json` through the executable. */
async function lsJson(tmp: TempDir, config: Json): Promise<{ ip: string; containerId: string }[]> {
  const file = join(tmp.path, `ls-${++counter}.conf`);
  writeFileSync(file, JSON.stringify(config));
  const run = await execFile(OURS, ["ls", "--config", file, "--json"]);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  return (JSON.parse(run.stdout) as { ip: string; containerId: string }[]).map(({ ip, containerId }) => ({
    ip,
    containerId,
  }));
}

describe("dist/host-local on a three-member etcd cluster", () => {
  let cluster: EtcdCluster;
  let tmp: TempDir;
  beforeAll(async () => {
    cluster = await startEtcdCluster({ size: 3 });
    tmp = makeTempDataDir("cni-ts-etcd-int-");
  });
  afterAll(async () => {
    await cluster?.cleanup();
    tmp?.cleanup();
  });

  /** Host `h` asks member `h` first, then the others. */
  const hostEndpoints = (h: number) => cluster.endpoints.map((_, i, all) => all[(h + i) % all.length] ?? "");

  it.each([
    [
      "one range set of 8 addresses, 2 taken",
      [[{ subnet: "10.40.0.0/28", rangeStart: "10.40.0.2", rangeEnd: "10.40.0.9" }]],
      6,
      "failed to allocate for range 0: no IP addresses available in range set: 10.40.0.2-10.40.0.9",
    ],
    [
      "a large IPv6 set, then a small IPv4 set whose losers must give their IPv6 address back",
      [
        [{ subnet: "2001:db8:40::/64" }],
        [{ subnet: "10.41.0.0/28", rangeStart: "10.41.0.2", rangeEnd: "10.41.0.9" }],
      ],
      6,
      "failed to allocate for range 1: no IP addresses available in range set: 10.41.0.2-10.41.0.9",
    ],
  ])(
    "24 processes on 3 hosts race for %s: exactly the free count succeed, all distinct",
    async (_case, ranges, free, loss) => {
      const network = `race${++counter}`;
      const conf = (h: number) => etcdConf(network, hostEndpoints(h), ranges);
      for (const id of ["early-1", "early-2"]) expect((await call("ADD", conf(0), id)).code).toBe(0);

      const runs = await Promise.all(
        Array.from({ length: 24 }, (_, i) => call("ADD", conf(i % 3), `h${i % 3}-c${i}`)),
      );
      const winners = runs.flatMap((run, i) =>
        run.code === 0 ? [{ id: `h${i % 3}-c${i}`, ips: addresses(run) }] : [],
      );
      const losers = runs.filter((run) => run.code !== 0);
      expect(winners).toHaveLength(free);
      for (const run of losers) expect(run.json).toEqual({ code: 999, msg: loss });
      const handedOut = winners.flatMap((w) => w.ips);
      expect(new Set(handedOut).size).toBe(handedOut.length);

      // etcd holds exactly the early and winning reservations: nothing of a loser is left behind.
      const listed = await lsJson(tmp, conf(1));
      const expected = [...winners.map((w) => w.id), "early-1", "early-2"];
      const perContainer = ranges.length;
      expect(listed).toHaveLength(expected.length * perContainer);
      expect(new Set(listed.map((a) => a.containerId))).toEqual(new Set(expected));
      expect(new Set(listed.map((a) => a.ip)).size).toBe(listed.length);
    },
  );

  it("lets one host delete what another added, and a third see it gone", async () => {
    const network = `hosts${++counter}`;
    const ranges = [[{ subnet: "10.42.0.0/24" }], [{ subnet: "2001:db8:42::/64" }]];
    const hostA = etcdConf(network, [cluster.endpoints[0] ?? ""], ranges);
    const hostB = etcdConf(network, [cluster.endpoints[1] ?? ""], ranges);
    const hostC = etcdConf(network, [cluster.endpoints[2] ?? ""], ranges);

    const added = await call("ADD", hostA, "c1");
    expect(addresses(added)).toEqual(["10.42.0.2/24", "2001:db8:42::2/64"]);
    expect((await call("CHECK", { ...hostB, prevResult: added.json }, "c1")).code).toBe(0);
    const deleted = await call("DEL", hostB, "c1");
    expect({ code: deleted.code, stdout: deleted.stdout }).toEqual({ code: 0, stdout: "" });
    expect((await call("CHECK", hostC, "c1")).json).toEqual({
      code: 999,
      msg: "host-local: Failed to find address added by container c1",
    });
    expect(await lsJson(tmp, hostC)).toEqual([]);
    // Round robin is shared too: host C continues after the address host A handed out.
    expect(addresses(await call("ADD", hostC, "c2"))).toEqual(["10.42.0.3/24", "2001:db8:42::3/64"]);
  });

  it("GC on each host releases only that host's stale reservations; STATUS sees the whole pool", async () => {
    const network = `gc${++counter}`;
    const ranges = [[{ subnet: "10.43.0.0/29" }]];
    const hostA = etcdConf(network, [cluster.endpoints[0] ?? ""], ranges, { node: "node-a" });
    const hostB = etcdConf(network, [cluster.endpoints[1] ?? ""], ranges, { node: "node-b" });
    for (const id of ["a1", "a2", "a3"]) expect((await call("ADD", hostA, id)).code).toBe(0);
    for (const id of ["b1", "b2"]) expect((await call("ADD", hostB, id)).code).toBe(0);
    expect((await call("STATUS", hostB)).json).toEqual({
      code: 50,
      msg: "no IP addresses available in range set: 10.43.0.1-10.43.0.6",
    });

    // Host B's runtime lists only its own attachments; host A's reservations are not its to judge.
    const gcB = await call("GC", {
      ...hostB,
      "cni.dev/valid-attachments": [{ containerID: "b1", ifname: "eth0" }],
    });
    expect({ code: gcB.code, stdout: gcB.stdout }).toEqual({ code: 0, stdout: "" });
    expect((await lsJson(tmp, hostA)).map((a) => a.containerId).sort()).toEqual(["a1", "a2", "a3", "b1"]);
    const gcA = await call("GC", { ...hostA, "cni.dev/valid-attachments": [] });
    expect(gcA.code).toBe(0);
    expect((await lsJson(tmp, hostA)).map((a) => a.containerId)).toEqual(["b1"]);
    expect((await call("STATUS", hostA)).code).toBe(0);
  });
});

describe("dist/host-local when etcd stops and comes back", () => {
  let cluster: EtcdCluster;
  let tmp: TempDir;
  beforeAll(async () => {
    cluster = await startEtcdCluster();
    tmp = makeTempDataDir("cni-ts-etcd-outage-");
  });
  afterAll(async () => {
    await cluster?.cleanup();
    tmp?.cleanup();
  });

  it.each([
    ["stopped: connections refused", "stop", ": connection refused"],
    ["frozen: connections accepted, never answered", "pause", ": no answer within 500 ms"],
  ] as const)("%s: code 11 meanwhile (50 from STATUS), no duplicates after", async (_case, how, reason) => {
    const member = cluster.members[0];
    if (member === undefined) throw new Error("no member");
    const network = `outage${++counter}`;
    const conf = etcdConf(network, cluster.endpoints, [[{ subnet: "10.44.0.0/28" }]], { timeoutMs: 500 });
    const handedOut: string[] = [];
    for (const id of ["a1", "a2", "a3"]) handedOut.push(...addresses(await call("ADD", conf, id)));

    if (how === "stop") await member.stop();
    else member.pause();
    try {
      const cannotReach = `cannot reach etcd: ${member.clientUrl}${reason}`;
      const during = await Promise.all(["b1", "b2", "b3"].map((id) => call("ADD", conf, id)));
      for (const run of during) {
        expect(run.json).toEqual({ code: 11, msg: `failed to allocate for range 0: ${cannotReach}` });
      }
      expect((await call("DEL", conf, "a1")).json).toEqual({ code: 11, msg: cannotReach });
      expect((await call("STATUS", conf)).json).toEqual({
        code: 50,
        msg: `cannot use the etcd store: ${cannotReach}`,
      });
    } finally {
      if (how === "stop") await member.start();
      else member.resume();
    }

    for (const id of ["c1", "c2", "c3"]) {
      const run = await call("ADD", conf, id);
      expect(run.code).toBe(0);
      handedOut.push(...addresses(run));
    }
    expect(new Set(handedOut).size).toBe(handedOut.length);
    const listed = await lsJson(tmp, conf);
    expect(listed.map((a) => a.containerId).sort()).toEqual(["a1", "a2", "a3", "c1", "c2", "c3"]);
    expect(listed.map((a) => `${a.ip}/28`).sort()).toEqual([...handedOut].sort());
  });
});
