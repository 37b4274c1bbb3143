// pluginMain with the real process io: the README's example plugin, run as a process under Node
// (bundled with esbuild) and under Bun (from source), the two runtimes a plugin ships with.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { DEFAULT_PATH, makeTempDataDir } from "@cni-ts/testutils";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const EXAMPLE = join(import.meta.dirname, "fixtures", "example-plugin.ts");
// Bun comes from the workspace's install (host-local builds with it); resolved like any package.
const BUN = join(
  dirname(createRequire(import.meta.url).resolve("@oven/bun-linux-x64/package.json")),
  "bin",
  "bun",
);

const temp = makeTempDataDir("cni-ts-skel-main-");
const bundle = join(temp.path, "example-plugin.mjs");
beforeAll(async () => {
  await build({
    entryPoints: [EXAMPLE],
    outfile: bundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "silent",
  });
}, 60_000);
afterAll(() => temp.cleanup());

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface Invocation {
  env: Record<string, string>;
  stdin?: string;
  /** Make the plugin's stdin and stdout non-blocking, and hold the input back a little. */
  nonBlocking?: boolean;
}

function runExample(
  runtime: readonly string[],
  { env, stdin = "", nonBlocking = false }: Invocation,
): Promise<Run> {
  // perl (always present on Debian) flips O_NONBLOCK on the descriptions the plugin inherits.
  const argv = nonBlocking
    ? [
        "perl",
        "-e",
        "use Fcntl; for my $fh (*STDIN, *STDOUT) { fcntl($fh, F_SETFL, fcntl($fh, F_GETFL, 0) | O_NONBLOCK) or die } exec @ARGV or die",
        ...runtime,
      ]
    : runtime;
  const [file = "", ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { PATH: DEFAULT_PATH, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (status) =>
      resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
    child.stdin.on("error", () => undefined);
    if (!nonBlocking) {
      child.stdin.end(stdin);
      return;
    }
    // Hold the input back so the plugin's first reads find nothing (EAGAIN), then send it in two parts.
    void (async () => {
      await delay(150);
      child.stdin.write(stdin.slice(0, stdin.length / 2));
      await delay(50);
      child.stdin.end(stdin.slice(stdin.length / 2));
    })();
  });
}

const ENV = {
  CNI_COMMAND: "ADD",
  CNI_CONTAINERID: "c1",
  CNI_NETNS: "/var/run/netns/example",
  CNI_IFNAME: "eth0",
  CNI_PATH: "/opt/cni/bin",
};
const config = (cniVersion: string, ipam: Record<string, unknown>) =>
  JSON.stringify({ cniVersion, name: "example", ipam: { type: "static-example", ...ipam } });
const ADDRESSES = { addresses: [{ address: "10.10.0.5/24", gateway: "10.10.0.1" }] };

describe.each([
  { runtime: "node", argv: () => [process.execPath, bundle] },
  { runtime: "bun", argv: () => [BUN, "run", EXAMPLE] },
])("the example plugin under $runtime", ({ argv }) => {
  it("answers VERSION with the version document and a newline", async () => {
    const run = await runExample(argv(), { env: { CNI_COMMAND: "VERSION" } });
    expect(run).toEqual({
      status: 0,
      stdout:
        '{"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n',
      stderr: "",
    });
  });

  it("prints the about text without CNI_COMMAND", async () => {
    const run = await runExample(argv(), { env: {} });
    expect(run).toEqual({
      status: 0,
      stdout: "",
      stderr:
        "CNI static-example plugin version 0.1.0\nCNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0\n",
    });
  });

  it("prints an ADD result in the config's version, without a trailing newline", async () => {
    const run = await runExample(argv(), { env: ENV, stdin: config("0.4.0", ADDRESSES) });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      '{\n    "cniVersion": "0.4.0",\n    "ips": [\n        {\n            "version": "4",\n            "address": "10.10.0.5/24",\n            "gateway": "10.10.0.1"\n        }\n    ],\n    "dns": {}\n}',
    );
    expect(run.stderr).toBe("");
  });

  it("prints the command's error and exits 1", async () => {
    const run = await runExample(argv(), { env: ENV, stdin: config("1.0.0", {}) });
    expect(run).toEqual({
      status: 1,
      stdout: '{\n    "code": 7,\n    "msg": "ipam.addresses must list at least one address"\n}',
      stderr: "",
    });
  });

  it("prints skel's own errors and exits 1", async () => {
    const run = await runExample(argv(), {
      env: { ...ENV, CNI_NETNS: "/proc/self/ns/net" },
      stdin: config("1.0.0", ADDRESSES),
    });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      code: 8,
      msg: "plugin's netns and netns from CNI_NETNS should not be the same",
    });
  });

  it("reads a large config to the end and writes a large result completely", async () => {
    const search = Array.from({ length: 20000 }, (_, i) => `d${i}.example.org`);
    const run = await runExample(argv(), {
      env: ENV,
      stdin: config("1.0.0", { ...ADDRESSES, dns: { search } }),
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).dns.search).toEqual(search);
  });

  it("copes with non-blocking stdin and stdout", async () => {
    const search = Array.from({ length: 20000 }, (_, i) => `d${i}.example.org`);
    const run = await runExample(argv(), {
      env: ENV,
      stdin: config("1.0.0", { ...ADDRESSES, dns: { search } }),
      nonBlocking: true,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).dns.search).toEqual(search);
  });
});
