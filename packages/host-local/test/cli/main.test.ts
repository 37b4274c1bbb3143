import { makeTempDataDir, type TempDir } from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PLUGIN_VERSION } from "../../src/version.js";
import { cli, plantNetwork } from "./harness.js";

const ANSI = "\u001b[";

describe("help and version", () => {
  it("--help lists every command on stdout and exits 0", async () => {
    const run = await cli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^Usage: host-local <command> \[options\]\n/);
    for (const command of ["ls", "release", "stats", "fsck"]) {
      expect(run.stdout).toContain(`  host-local ${command} `);
    }
  });

  it.each([
    ["ls", ["--data-dir", "--network", "--config", "--json"]],
    ["release", ["--network", "--container-id", "--ifname", "--data-dir", "--config", "--json"]],
    ["stats", ["--config", "--data-dir", "--json"]],
    ["fsck", ["--data-dir", "--network", "--repair", "--json"]],
  ])("%s --help shows the command's usage and options", async (command, options) => {
    const run = await cli([command, "--help"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout.split("\n")[0]).toMatch(new RegExp(`^Usage: host-local ${command}( |$)`));
    for (const option of options) expect(run.stdout).toContain(option);
  });

  it.each([["0.1.0"], ["2.3.4-rc.1"]])("--version prints the embedded version %s", async (version) => {
    expect(await cli(["--version"], { version })).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("--version defaults to the version embedded at build time", async () => {
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: `${PLUGIN_VERSION}\n`, stderr: "" });
  });
});

describe("bad usage exits 2 with one line and the usage on stderr", () => {
  it.each([
    [["frobnicate"], "Unknown argument: frobnicate", "<command>"],
    [["--data-dir", "/x"], "Unknown argument: data-dir", "<command>"],
    [["ls", "extra"], "Unknown argument: extra", "ls"],
    [["ls", "--bogus"], "Unknown argument: bogus", "ls"],
    [["ls", "--data-dir"], "Not enough arguments following: data-dir", "ls"],
    [["ls", "--network", ""], "--network must not be empty", "ls"],
    [["release", "--network", "n"], "Missing required argument: container-id", "release"],
    [["release", "--container-id", "c"], "release needs --network NAME or --config FILE", "release"],
    [["release", "--network", "n", "--container-id", ""], "--container-id must not be empty", "release"],
    [["stats"], "Missing required argument: config", "stats"],
    [["fsck", "--network"], "Not enough arguments following: network", "fsck"],
  ])("%j", async (args, message, usage) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const [first, blank, usageLine] = run.stderr.split("\n");
    expect(first).toBe(`host-local: ${message}`);
    expect(blank).toBe("");
    expect(usageLine).toMatch(new RegExp(`^Usage: host-local ${usage}`));
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("command failures exit 1 with one line on stderr", () => {
  it("stats of a missing config file", async () => {
    const run = await cli(["stats", "--config", "/nonexistent/net.conf"]);
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "host-local stats: cannot read the network config: open /nonexistent/net.conf: no such file or directory\n",
    });
  });
});

describe("colors", () => {
  let tmp: TempDir;
  beforeEach(() => {
    tmp = makeTempDataDir("cni-ts-cli-");
    plantNetwork(tmp.path, "mynet", { "10.1.2.9": "", "10.1.2.2": "c1\r\neth0" });
  });
  afterEach(() => tmp.cleanup());

  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: "1" }, false],
    [true, { NO_COLOR: "" }, false],
    [true, { TERM: "dumb" }, false],
    [true, { TERM: "xterm-256color" }, true],
  ])("tty %s with env %j: colors %s", async (isTty, env, colored) => {
    const run = await cli(["fsck", "--data-dir", tmp.path], { isTty, env });
    expect(run.code).toBe(1);
    expect(run.stdout.includes(ANSI)).toBe(colored);
    expect(run.stdout).toContain("empty-allocation");
  });

  it("never colors JSON, even on a terminal", async () => {
    const run = await cli(["fsck", "--data-dir", tmp.path, "--json"], { isTty: true, env: {} });
    expect(run.stdout).not.toContain(ANSI);
    expect(JSON.parse(run.stdout)).toHaveProperty("problems");
  });
});
