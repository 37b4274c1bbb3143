// The shipped examples work: examples/mynet.conf as is (run from the repository root, so its relative
// resolvConf resolves), and the host-local entry of examples/mynet.conflist the way a runtime derives a
// plugin config from a list (name and one negotiated cniVersion copied in).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDataDir, REPO_ROOT, runPlugin, type TempDir } from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DirPair, type Json, NO_NETNS, OURS, runDifferential } from "./harness.js";

const readJson = (name: string): Json =>
  JSON.parse(readFileSync(join(REPO_ROOT, "examples", name), "utf8")) as Json;

let ours: TempDir;
let reference: TempDir;
let dirs: DirPair;
beforeEach(() => {
  ours = makeTempDataDir("cni-ts-ex-");
  reference = makeTempDataDir("cni-ts-ex-ref-");
  dirs = { ours: ours.path, reference: reference.path };
});
afterEach(() => {
  ours.cleanup();
  reference.cleanup();
});

const withDataDir = (config: Json, dataDir: string): Json => ({
  ...config,
  ipam: { ...(config.ipam as Json), dataDir },
});

describe("examples", { timeout: 60_000 }, () => {
  it("mynet.conf: ADD, CHECK and DEL with DNS from examples/resolv.conf", async () => {
    const config = withDataDir(readJson("mynet.conf"), ours.path);
    const call = {
      containerId: "ex1",
      ifname: "eth0",
      netns: NO_NETNS,
      path: "/opt/cni/bin",
      cwd: REPO_ROOT,
    };
    const add = await runPlugin(OURS, { ...call, command: "ADD", stdin: config });
    expect({ code: add.code, stderr: add.stderr }).toEqual({ code: 0, stderr: "" });
    expect(add.json).toEqual({
      cniVersion: "1.1.0",
      dns: {
        domain: "example.internal",
        nameservers: ["10.22.0.53", "fd00:cafe:22::53"],
        options: ["ndots:5", "timeout:2"],
        search: ["example.internal", "svc.example.internal"],
      },
      ips: [
        { address: "10.22.1.10/16", gateway: "10.22.0.1" },
        { address: "fd00:cafe:22::2/64", gateway: "fd00:cafe:22::1" },
      ],
      routes: [
        { dst: "0.0.0.0/0" },
        { dst: "::/0" },
        { dst: "192.168.0.0/16", gw: "10.22.0.254", mtu: 1400 },
      ],
    });
    const checked = await runPlugin(OURS, {
      ...call,
      command: "CHECK",
      stdin: { ...config, prevResult: add.json },
    });
    expect(checked).toMatchObject({ code: 0, stdout: "" });
    const del = await runPlugin(OURS, { ...call, command: "DEL", stdin: config });
    expect(del).toMatchObject({ code: 0, stdout: "" });
  });

  it("mynet.conflist: the bridge entry's IPAM, negotiated to 1.0.0, answers like upstream", async () => {
    const list = readJson("mynet.conflist");
    const versions = list.cniVersions as string[];
    // A runtime supporting up to 1.0.0 (like Debian's 1.1.1 plugins) picks the highest listed version it knows.
    expect(versions).toContain("1.0.0");
    const entry = (list.plugins as Json[])[0] ?? {};
    const config = (dataDir: string): Json =>
      withDataDir({ ...entry, name: list.name, cniVersion: "1.0.0" }, dataDir);
    const runs = await runDifferential(
      [
        { command: "ADD", containerId: "ex1", ifname: "eth0" },
        { command: "ADD", containerId: "ex2", ifname: "eth0" },
        { command: "CHECK", containerId: "ex1", ifname: "eth0" },
        { command: "DEL", containerId: "ex1", ifname: "eth0" },
        { command: "DEL", containerId: "ex2", ifname: "eth0" },
      ],
      dirs,
      config,
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
  });
});
