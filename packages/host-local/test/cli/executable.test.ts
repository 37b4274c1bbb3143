/**
 * The operator command line through the built executables, the way an operator runs them: the
 * Bun-compiled standalone `dist/host-local` and the Node entry `dist/bin.js`, with an explicit
 * environment and no CNI_COMMAND. The data dir is filled by our own plugin (ADD through the same
 * executable) and by upstream's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_PATH, execFile, makeTempDataDir, OURS, runPlugin, type TempDir } from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { networkConfig, upstreamAdd } from "./harness.js";

const PACKAGE_DIR = join(import.meta.dirname, "..", "..");
const VERSION = (JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string })
  .version;
const NODE_BIN = join(PACKAGE_DIR, "dist", "bin.js");

interface Entry {
  name: string;
  run(
    args: readonly string[],
    env?: Record<string, string>,
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** The plugin side of the same executable, for ADDs. */
  binary: string;
}

const ENTRIES: Entry[] = [
  {
    name: "dist/host-local (Bun, standalone)",
    run: (args, env = {}) => execFile(OURS, args, { env: { PATH: DEFAULT_PATH, ...env } }),
    binary: OURS,
  },
  {
    name: "dist/bin.js (Node)",
    run: (args, env = {}) => execFile("node", [NODE_BIN, ...args], { env: { PATH: DEFAULT_PATH, ...env } }),
    binary: NODE_BIN,
  },
];

let tmp: TempDir;
let dataDir: string;
let configFile: string;
let config: Record<string, unknown>;

beforeEach(() => {
  tmp = makeTempDataDir("cni-ts-cli-exe-");
  dataDir = join(tmp.path, "data");
  config = networkConfig("exenet", dataDir, [[{ subnet: "10.7.0.0/29" }], [{ subnet: "2001:db8:7::/120" }]]);
  configFile = join(tmp.path, "exenet.conf");
  writeFileSync(configFile, JSON.stringify(config));
});
afterEach(() => tmp.cleanup());

// `dist/bin.js` is executable itself (`#!/usr/bin/env node`), so both entries run as plugins directly.
async function oursAdd(binary: string, containerId: string, ifname: string): Promise<void> {
  const run = await runPlugin(binary, {
    command: "ADD",
    containerId,
    ifname,
    netns: "/var/run/netns/cni-ts-cli-exe",
    path: "/usr/lib/cni",
    stdin: config,
  });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
}

describe.each(ENTRIES)("$name", (entry) => {
  it("--version prints the package version, --help the commands", async () => {
    expect(await entry.run(["--version"])).toEqual({
      code: 0,
      signal: null,
      stdout: `${VERSION}\n`,
      stderr: "",
    });
    const help = await entry.run(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["ls", "release", "stats", "fsck"])
      expect(help.stdout).toContain(`host-local ${command}`);
  });

  it("is the plugin, not the command line, without arguments or with CNI_COMMAND set", async () => {
    const about = await entry.run([]);
    expect(about.code).toBe(0);
    expect(about.stdout).toBe("");
    expect(about.stderr).toContain(`CNI host-local plugin cni-ts v${VERSION}`);
    const version = await entry.run(["ls", "--json"], { CNI_COMMAND: "VERSION" });
    expect(version.code).toBe(0);
    expect(JSON.parse(version.stdout)).toMatchObject({ cniVersion: "1.1.0" });
  });

  it("exits 2 with one line and the usage for bad usage", async () => {
    const run = await entry.run(["release", "--network", "exenet"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n").slice(0, 3)).toEqual([
      "host-local: Missing required argument: container-id",
      "",
      "Usage: host-local release --network NAME --container-id ID [--ifname IF] [--data-dir DIR] [--json]",
    ]);
  });

  it("ls, stats, release and fsck on a data dir both plugins wrote", async () => {
    await oursAdd(entry.binary, "ours-1", "eth0");
    await upstreamAdd(config, "up-1", "eth0");

    const ls = await entry.run(["ls", "--data-dir", dataDir, "--json"]);
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout)).toEqual([
      { network: "exenet", ip: "10.7.0.2", containerId: "ours-1", ifname: "eth0" },
      { network: "exenet", ip: "10.7.0.3", containerId: "up-1", ifname: "eth0" },
      { network: "exenet", ip: "2001:db8:7::2", containerId: "ours-1", ifname: "eth0" },
      { network: "exenet", ip: "2001:db8:7::3", containerId: "up-1", ifname: "eth0" },
    ]);
    // A pipe is no terminal: no colors, even without NO_COLOR.
    const table = await entry.run(["ls", "--data-dir", dataDir]);
    expect(table.stdout).not.toContain("\u001b[");
    expect(table.stdout.split("\n")[0]).toBe("NETWORK  ADDRESS        CONTAINER ID  IFNAME");

    const stats = await entry.run(["stats", "--config", configFile, "--json"]);
    expect(JSON.parse(stats.stdout)).toEqual({
      network: "exenet",
      dataDir,
      rangeSets: [
        { ranges: "10.7.0.1-10.7.0.6", capacity: 5, used: 2, free: 3 },
        { ranges: "2001:db8:7::1-2001:db8:7::ff", capacity: 254, used: 2, free: 252 },
      ],
      outsideRangeSets: 0,
    });

    writeFileSync(join(dataDir, "exenet", "10.7.0.6"), "");
    const fsck = await entry.run(["fsck", "--data-dir", dataDir, "--json"]);
    expect(fsck.code).toBe(1);
    expect(JSON.parse(fsck.stdout)).toMatchObject({
      problems: [{ network: "exenet", file: "10.7.0.6", kind: "empty-allocation" }],
    });
    const repair = await entry.run(["fsck", "--data-dir", dataDir, "--repair"]);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain("repaired 1 problem(s)");

    const release = await entry.run(["release", "--config", configFile, "--container-id", "up-1", "--json"]);
    expect(release.code).toBe(0);
    expect(JSON.parse(release.stdout)).toEqual({
      network: "exenet",
      containerId: "up-1",
      ifname: null,
      released: [
        { ip: "10.7.0.3", ifname: "eth0" },
        { ip: "2001:db8:7::3", ifname: "eth0" },
      ],
    });
    const after = await entry.run(["ls", "--config", configFile, "--json"]);
    expect((JSON.parse(after.stdout) as { containerId: string }[]).map((r) => r.containerId)).toEqual([
      "ours-1",
      "ours-1",
    ]);
  });
});
