import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const RUN = fileURLToPath(new URL("../run.mjs", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const UPSTREAM = "/usr/lib/cni/host-local";
const scratch = mkdtempSync(join(tmpdir(), "cni-ts-bench-run-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let count = 0;

// Each run gets its own TMPDIR, so what the harness leaves behind can be seen.
function freshDirs() {
  count += 1;
  const tmp = join(scratch, `tmp-${count}`);
  const out = join(scratch, `out-${count}`);
  spawnSync("mkdir", ["-p", tmp]);
  return { tmp, out, env: { ...process.env, TMPDIR: tmp } };
}

function runBench(args, env) {
  return spawnSync(process.execPath, [RUN, ...args], { env, encoding: "utf8" });
}

describe("bench/run.mjs", () => {
  it("runs upstream against itself and writes the table, latest.json and latency.svg, leaving no temp dir", () => {
    const { tmp, out, env } = freshDirs();
    const result = runBench(
      [
        "--sizes",
        "0,40",
        "--families",
        "4,6",
        "--runs",
        "2",
        "--warmup",
        "1",
        "--ours",
        UPSTREAM,
        "--out",
        out,
      ],
      env,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Sanity run/);
    const rows = result.stdout
      .split("\n")
      .filter((line) => /^\| IPv\d \| [\d,]+ \| (ADD|DEL|CHECK) \|/.test(line));
    expect(rows).toHaveLength(2 * 2 * 3);
    expect(result.stdout).toContain("First ADD on each freshly prefilled store");
    expect(rows[0]).toMatch(/^\| IPv4 \| 0 \| ADD \| /);

    const report = JSON.parse(readFileSync(join(out, "latest.json"), "utf8"));
    expect(report.sanity).toBe(true);
    expect(report.settings).toMatchObject({
      sizes: [0, 40],
      families: [4, 6],
      ops: ["ADD", "DEL", "CHECK"],
      runs: 2,
    });
    expect(report.cases.map((entry) => [entry.family, entry.size])).toEqual([
      [4, 0],
      [4, 40],
      [6, 0],
      [6, 40],
    ]);
    for (const entry of report.cases) {
      expect(entry.storeFiles).toEqual({ ours: entry.size + 2, upstream: entry.size + 2 });
      expect(entry.firstAdd.ours.ms).toBeGreaterThan(0);
      expect(entry.firstAdd.upstream.peakKiB).toBeGreaterThan(0);
      for (const summary of Object.values(entry.ops)) {
        expect(summary.ours.samplesMs).toHaveLength(2);
        expect(summary.upstream.samplesMs).toHaveLength(2);
        expect(summary.ratio).toBeGreaterThan(0);
      }
    }
    expect(report.warnings).toEqual([]);
    // Each binary ran from a private copy (the build in the repository may be replaced meanwhile).
    for (const who of ["ours", "upstream"]) {
      expect(report.binaries[who].path).toBe(UPSTREAM);
      expect(report.binaries[who].runPath).not.toBe(UPSTREAM);
      expect(report.binaries[who].sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    // Laid out by the repository's formatter, so committing a fresh run keeps the lint clean.
    const biome = spawnSync(
      join(REPO_ROOT, "node_modules/.bin/biome"),
      ["format", join(out, "latest.json")],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
      },
    );
    expect(biome.status, biome.stdout + biome.stderr).toBe(0);
    expect(readFileSync(join(out, "latency.svg"), "utf8")).toMatch(/^<svg /);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("reports only the operations asked for", () => {
    const { out, env } = freshDirs();
    const result = runBench(
      [
        "--sizes",
        "5",
        "--families",
        "6",
        "--ops",
        "del",
        "--runs",
        "1",
        "--warmup",
        "0",
        "--ours",
        UPSTREAM,
        "--out",
        out,
      ],
      env,
    );
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "latest.json"), "utf8"));
    expect(Object.keys(report.cases[0].ops)).toEqual(["DEL"]);
  });

  it("with --fsync-compare measures on two file systems and counts fsync calls", () => {
    const { out, env } = freshDirs();
    const result = runBench(
      [
        "--sizes",
        "3",
        "--families",
        "4",
        "--runs",
        "1",
        "--warmup",
        "0",
        "--fsync-compare",
        "--ours",
        UPSTREAM,
        "--out",
        out,
      ],
      env,
    );
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "latest.json"), "utf8"));
    const fileSystems = report.cases.map((entry) => entry.fs);
    expect(fileSystems).toHaveLength(2);
    expect(fileSystems.filter((fs) => fs === "tmpfs")).toHaveLength(1);
    expect(report.cases[0].ops.ADD.syncCalls).toEqual({ ours: 0, upstream: 0 });
    expect(result.stdout).toContain("| data dir fs |");
  });

  it.each([
    ["an unknown flag", ["--bogus"], /Unknown option/],
    ["a bad family", ["--families", "5"], /--families takes 4 and\/or 6/],
    ["a bad op", ["--ops", "GC"], /--ops takes ADD, DEL, CHECK/],
    ["zero runs", ["--runs", "0"], /--runs must be an integer >= 1/],
    [
      "a missing plugin",
      ["--ours", "/nonexistent/host-local"],
      /ours plugin not found at \/nonexistent\/host-local/,
    ],
  ])("exits 2 with a usage message on %s", (_label, args, message) => {
    const { out, env } = freshDirs();
    const result = runBench([...args, "--out", out], env);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("usage: node bench/run.mjs");
    expect(existsSync(out)).toBe(false);
  });

  it("stops with exit 1 and the plugin's output when a call fails, leaving no temp dir", () => {
    const { tmp, out, env } = freshDirs();
    const failing = join(scratch, "failing-plugin");
    writeFileSync(failing, '#!/bin/sh\nprintf \'{"code": 999, "msg": "broken"}\'\nexit 1\n', { mode: 0o755 });
    const result = runBench(
      ["--sizes", "0", "--families", "4", "--runs", "1", "--ours", failing, "--out", out],
      env,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("ours ADD failed (IPv4, 0 allocations");
    expect(result.stderr).toContain('exit 1; output: {"code": 999, "msg": "broken"}');
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it("prints its usage with --help", () => {
    const result = runBench(["--help"], process.env);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("--fsync-compare");
  });

  it("stops on SIGINT with exit 130 and removes its temp dirs", async () => {
    const { tmp, out, env } = freshDirs();
    const child = spawn(
      process.execPath,
      [RUN, "--sizes", "2000", "--families", "4", "--runs", "10000", "--ours", UPSTREAM, "--out", out],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    const exitCode = await new Promise((resolve) => {
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
        // Interrupt once measuring has started (temp dirs and prefill exist).
        if (stderr.includes("prefilled") && child.signalCode === null && !child.killed) {
          child.kill("SIGINT");
        }
      });
      child.on("close", (code) => resolve(code));
    });
    expect(exitCode).toBe(130);
    expect(stderr).toContain("interrupted by SIGINT");
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
