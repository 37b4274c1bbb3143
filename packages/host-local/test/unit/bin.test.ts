// The built entry points: dist/bin.js on Node (the npm bin) and dist/host-local (Bun, standalone).
// Turbo builds the package before its tests.
import { spawnSync } from "node:child_process";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "./support/plugin.js";

const packageDir = join(import.meta.dirname, "..", "..");
const nodeBin = join(packageDir, "dist", "bin.js");
const standalone = join(packageDir, "dist", "host-local");
const tracer = join(import.meta.dirname, "fixtures", "trace-imports.mjs");
const { version } = (await import("../../package.json", { with: { type: "json" } })).default;

const VERSION_DOCUMENT =
  '{"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n';
const ABOUT_TEXT = `CNI host-local plugin cni-ts v${version}\nCNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0\n`;

function run(command: string, args: string[], env: Record<string, string>, input = "") {
  const r = spawnSync(command, args, { env, input, encoding: "utf8", timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function loadedModules(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("TRACE "))
    .map((line) => line.slice("TRACE ".length));
}

describe("module loading on Node (dist/bin.js)", () => {
  it("never loads the operator command line or yargs on the plugin path", () => {
    const r = run(process.execPath, ["--import", tracer, nodeBin], { CNI_COMMAND: "VERSION" });
    expect(r.stdout).toBe(VERSION_DOCUMENT);
    const modules = loadedModules(r.stderr);
    expect(modules.some((url) => url.endsWith("/dist/bin.js"))).toBe(true);
    expect(modules.filter((url) => url.includes("/dist/cli/") || url.includes("/yargs"))).toEqual([]);
  });

  it("loads them when a person runs it with arguments", () => {
    const r = run(process.execPath, ["--import", tracer, nodeBin, "--version"], {});
    expect(r.stdout).toBe(`${version}\n`);
    const modules = loadedModules(r.stderr);
    expect(modules.some((url) => url.endsWith("/dist/cli/main.js"))).toBe(true);
    expect(modules.some((url) => url.includes("/yargs"))).toBe(true);
  });
});

describe.each([
  ["dist/bin.js on Node", process.execPath, [nodeBin]],
  ["dist/host-local (Bun)", standalone, []],
])("%s", (_name, command, prefix) => {
  it.each([
    ["VERSION", { CNI_COMMAND: "VERSION" }, [], { status: 0, stdout: VERSION_DOCUMENT, stderr: "" }],
    ["no CNI_COMMAND: the about text", {}, [], { status: 0, stdout: "", stderr: ABOUT_TEXT }],
    [
      "an empty CNI_COMMAND with no arguments: the about text",
      { CNI_COMMAND: "" },
      [],
      { status: 0, stdout: "", stderr: ABOUT_TEXT },
    ],
    [
      "--version: the embedded package version",
      {},
      ["--version"],
      { status: 0, stdout: `${version}\n`, stderr: "" },
    ],
  ])("%s", (_case, env, args, expected) => {
    expect(run(command, [...prefix, ...args], env)).toEqual(expected);
  });

  it("answers an unknown command with an error object and status 1", () => {
    const r = run(
      command,
      prefix,
      { CNI_COMMAND: "NOPE", CNI_PATH: "/x" },
      '{"cniVersion":"1.1.0","name":"n"}',
    );
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ code: 4, msg: "unknown CNI_COMMAND: NOPE" });
  });
});

describe("dist/host-local copied out of the repository", () => {
  let tmp = "";
  beforeAll(async () => {
    tmp = await makeTempDir("hl-standalone-");
    await copyFile(standalone, join(tmp, "host-local"));
  });
  afterAll(async () => {
    await removeTempDir(tmp);
  });

  it("serves a dual-stack ADD and DEL with no Node and no node_modules around", () => {
    const binary = join(tmp, "host-local");
    const config = JSON.stringify({
      cniVersion: "1.1.0",
      name: "mynet",
      ipam: {
        type: "host-local",
        dataDir: join(tmp, "data"),
        ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]],
      },
    });
    const env = {
      PATH: "/nonexistent",
      CNI_CONTAINERID: "c1",
      CNI_IFNAME: "eth0",
      CNI_NETNS: "/nonexistent/netns",
      CNI_PATH: "/nonexistent",
    };
    const added = spawnSync(binary, [], {
      cwd: tmp,
      env: { ...env, CNI_COMMAND: "ADD" },
      input: config,
      encoding: "utf8",
    });
    expect(added.status).toBe(0);
    expect((JSON.parse(added.stdout) as { ips: unknown }).ips).toEqual([
      { address: "10.1.2.2/24", gateway: "10.1.2.1" },
      { address: "2001:db8:1::2/64", gateway: "2001:db8:1::1" },
    ]);
    const deleted = spawnSync(binary, [], {
      cwd: tmp,
      env: { ...env, CNI_COMMAND: "DEL" },
      input: config,
      encoding: "utf8",
    });
    expect({ status: deleted.status, stdout: deleted.stdout }).toEqual({ status: 0, stdout: "" });
  });
});
