// The compiled plugin is standalone: a copy of dist/host-local in a temp dir outside the repository,
// run with an environment whose PATH has no node (nor anything else), answers VERSION and does a
// dual-stack ADD and DEL (reference/decisions.md "Packages and dependencies").
import { chmodSync, copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  dataDirContents,
  makeTempDataDir,
  REPO_ROOT,
  readDataDir,
  runPlugin,
  type TempDir,
} from "@cni-ts/testutils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NETWORK, NO_NETNS, netConf, OURS } from "./harness.js";

let place: TempDir;
let binary = "";
let emptyBin = "";
beforeAll(() => {
  place = makeTempDataDir("cni-ts-standalone-");
  expect(place.path.startsWith(REPO_ROOT)).toBe(false);
  binary = join(place.path, "cni-bin", "host-local");
  mkdirSync(join(place.path, "cni-bin"));
  copyFileSync(OURS, binary);
  chmodSync(binary, 0o755);
  emptyBin = join(place.path, "empty-bin");
  mkdirSync(emptyBin);
});
afterAll(() => place.cleanup());

// Nothing but the CNI variables and a PATH in which no program, node included, can be found.
const isolated = (): Record<string, string | undefined> => ({ PATH: emptyBin });

describe("the compiled plugin, copied out of the repository", { timeout: 60_000 }, () => {
  it("has no node in reach", () => {
    expect(existsSync(join(emptyBin, "node"))).toBe(false);
  });

  it("answers VERSION", async () => {
    const run = await runPlugin(binary, { command: "VERSION", env: isolated(), cwd: place.path, stdin: "" });
    expect(run).toMatchObject({
      code: 0,
      stdout:
        '{"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n',
      stderr: "",
    });
  });

  it("does a dual-stack ADD and DEL", async () => {
    const dataDir = join(place.path, "data");
    const config = netConf("1.1.0", dataDir, {
      ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]],
      routes: [{ dst: "0.0.0.0/0" }],
    });
    const call = {
      containerId: "c1",
      ifname: "eth0",
      netns: NO_NETNS,
      path: "/opt/cni/bin",
      env: isolated(),
    };
    const add = await runPlugin(binary, { ...call, command: "ADD", cwd: place.path, stdin: config });
    expect({ code: add.code, stderr: add.stderr }).toEqual({ code: 0, stderr: "" });
    expect(add.json).toEqual({
      cniVersion: "1.1.0",
      ips: [
        { address: "10.1.2.2/24", gateway: "10.1.2.1" },
        { address: "2001:db8:1::2/64", gateway: "2001:db8:1::1" },
      ],
      routes: [{ dst: "0.0.0.0/0" }],
    });
    expect(dataDirContents(readDataDir(join(dataDir, NETWORK), { ignoreDotNames: true }))).toEqual({
      "10.1.2.2": "c1\r\neth0",
      "2001:db8:1::2": "c1\r\neth0",
      "last_reserved_ip.0": "10.1.2.2",
      "last_reserved_ip.1": "2001:db8:1::2",
      lock: "",
    });

    const del = await runPlugin(binary, { ...call, command: "DEL", cwd: place.path, stdin: config });
    expect(del).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect(dataDirContents(readDataDir(join(dataDir, NETWORK), { ignoreDotNames: true }))).toEqual({
      "last_reserved_ip.0": "10.1.2.2",
      "last_reserved_ip.1": "2001:db8:1::2",
      lock: "",
    });
  });
});
