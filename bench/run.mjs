#!/usr/bin/env node
// Benchmark: our host-local against Debian's upstream binary, whole process, interleaved.
//
// For every data-dir file system, family and store size: prefill two identical data dirs (one per
// binary) in the on-disk format, then repeat warm-up + measured iterations of
//   ADD <new id>  (ours, upstream)   CHECK <prefilled id>  (ours, upstream)   DEL <that new id>  (ours, upstream)
// with the order of the two binaries swapped every iteration, so each pair runs back to back and
// neither always goes first. DEL removes what ADD made, so the store size stays constant.
// Prints a Markdown table on stdout (progress goes to stderr) and writes results/latest.json and
// results/latency.svg. See docs/benchmarks.md.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderLatencyChart } from "./chart.mjs";
import { debianPackageOf, describeMachine, fileSystemOf } from "./machine.mjs";
import { addResultFor, pluginConfig, pluginEnv } from "./plugin-call.mjs";
import { allocationAt, NETWORK_NAME, PREFILL_IFNAME, prefillNetwork } from "./prefill.mjs";
import { formatCount, formatMarkdown, formatMs, summarizeOp } from "./report.mjs";
import { CALL_TIMEOUT_SECONDS, countSyncCalls, createTimer, hasStrace } from "./timer.mjs";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_OURS = join(REPO_ROOT, "packages/host-local/dist/host-local");
const DEFAULT_UPSTREAM = "/usr/lib/cni/host-local";
const ALL_OPS = ["ADD", "DEL", "CHECK"];
const BINARIES = ["ours", "upstream"];

const USAGE = `usage: node bench/run.mjs [options]

  --sizes LIST       store sizes (allocations prefilled)     default 0,1000,20000,50000
  --families LIST    address families: 4, 6                  default 4,6
  --ops LIST         operations measured: ADD, DEL, CHECK    default ADD,DEL,CHECK
  --runs N           measured pairs per size and family      default 20
  --warmup N         unmeasured pairs before those           default 2
  --ours PATH        our plugin                              default packages/host-local/dist/host-local
  --upstream PATH    the reference plugin                    default /usr/lib/cni/host-local
  --fsync-compare    measure every case twice, data dirs on a disk-backed file system and on
                     tmpfs (fsync is free there), and count fsync calls with strace if present
  --timer KIND       auto | exec-timer | spawn               default auto
  --out DIR          where latest.json and latency.svg go    default bench/results
  --help             this text

ADD and DEL always run in pairs (DEL keeps the store size constant); --ops only picks which are
reported. Pass --ours ${DEFAULT_UPSTREAM} for an upstream-against-itself sanity run.`;

class UsageError extends Error {}
class Interrupted extends Error {}

const tempRoots = new Set();
let interruptedBy = null;

function removeTempRoots() {
  for (const root of tempRoots) {
    rmSync(root, { recursive: true, force: true });
    tempRoots.delete(root);
  }
}

function makeTempRoot(base, label) {
  const root = mkdtempSync(join(base, `cni-ts-bench-${label}-`));
  tempRoots.add(root);
  return root;
}

function removeTempRoot(root) {
  rmSync(root, { recursive: true, force: true });
  tempRoots.delete(root);
}

// Samples are taken with spawnSync, which blocks the event loop; yielding after each one lets a
// Ctrl-C (delivered to Node through the loop) stop the run at the next sample and clean up.
async function checkpoint() {
  await new Promise((resolvePromise) => setImmediate(resolvePromise));
  if (interruptedBy !== null) {
    throw new Interrupted(`interrupted by ${interruptedBy}`);
  }
}

function parseList(value, name, parseItem) {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) {
    throw new UsageError(`--${name} needs at least one value`);
  }
  return [...new Set(items.map(parseItem))];
}

function parseCount(value, name, min) {
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  }
  return Number(value);
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string", default: "0,1000,20000,50000" },
      families: { type: "string", default: "4,6" },
      ops: { type: "string", default: ALL_OPS.join(",") },
      runs: { type: "string", default: "20" },
      warmup: { type: "string", default: "2" },
      ours: { type: "string", default: DEFAULT_OURS },
      upstream: { type: "string", default: DEFAULT_UPSTREAM },
      "fsync-compare": { type: "boolean", default: false },
      timer: { type: "string", default: "auto" },
      out: { type: "string", default: join(REPO_ROOT, "bench/results") },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    return { help: true };
  }
  const sizes = parseList(values.sizes, "sizes", (item) =>
    parseCount(item.replaceAll("_", ""), "sizes", 0),
  ).sort((a, b) => a - b);
  const families = parseList(values.families, "families", (item) => {
    if (item !== "4" && item !== "6") {
      throw new UsageError(`--families takes 4 and/or 6, got "${item}"`);
    }
    return Number(item);
  });
  const ops = parseList(values.ops, "ops", (item) => {
    const op = item.toUpperCase();
    if (!ALL_OPS.includes(op)) {
      throw new UsageError(`--ops takes ${ALL_OPS.join(", ")}, got "${item}"`);
    }
    return op;
  });
  if (!["auto", "exec-timer", "spawn"].includes(values.timer)) {
    throw new UsageError(`--timer takes auto, exec-timer or spawn, got "${values.timer}"`);
  }
  return {
    help: false,
    sizes,
    families,
    ops: ALL_OPS.filter((op) => ops.includes(op)),
    runs: parseCount(values.runs, "runs", 1),
    warmup: parseCount(values.warmup, "warmup", 0),
    ours: resolve(values.ours),
    upstream: resolve(values.upstream),
    fsyncCompare: values["fsync-compare"],
    timer: values.timer,
    out: resolve(values.out),
  };
}

function requireExecutable(path, role) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    const hint =
      role === "ours"
        ? " Build it first (npm run bench does), or pass --ours PATH (--ours /usr/lib/cni/host-local for a sanity run)."
        : " Install Debian's containernetworking-plugins or pass --upstream PATH.";
    throw new UsageError(`${role} plugin not found at ${path}.${hint}`);
  }
  if (!stats.isFile() || (stats.mode & 0o111) === 0) {
    throw new UsageError(`${role} plugin at ${path} is not an executable file`);
  }
}

// The data-dir file systems to measure on: os.tmpdir() always; with --fsync-compare also one of the
// other kind (tmpfs if tmpdir is disk-backed, a disk-backed dir if tmpdir is tmpfs).
function dataDirBases(fsyncCompare) {
  const primary = tmpdir();
  const bases = [{ base: primary, fs: fileSystemOf(primary) }];
  if (!fsyncCompare) {
    return bases;
  }
  const candidates = bases[0].fs === "tmpfs" ? ["/var/tmp", REPO_ROOT] : ["/dev/shm", "/run/shm"];
  for (const candidate of candidates) {
    try {
      const fs = fileSystemOf(candidate);
      if ((fs === "tmpfs") !== (bases[0].fs === "tmpfs")) {
        bases.push({ base: candidate, fs });
        return bases;
      }
    } catch {
      // Not present on this machine: try the next candidate.
    }
  }
  throw new UsageError(
    `--fsync-compare needs a ${bases[0].fs === "tmpfs" ? "disk-backed" : "tmpfs"} directory besides ${primary}; tried ${candidates.join(", ")}`,
  );
}

// dist/host-local is rebuilt in place while others work on the repository: each binary is copied
// into the run's work dir first and the copy is what runs, so every row of one run measures one
// build (its sha256 is recorded). Upstream is copied too, so both start from the same kind of path.
function snapshotBinary(path, who, workDir, timer) {
  const realpath = realpathSync(path);
  const runPath = join(workDir, `${who}-${basename(realpath)}`);
  copyFileSync(realpath, runPath);
  chmodSync(runPath, 0o755);
  const version = timer.run(runPath, {
    env: pluginEnv({ command: "VERSION", containerId: "", ifname: "" }),
    input: "",
  });
  const about = timer.run(runPath, { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" }, input: "" });
  return {
    path,
    realpath,
    runPath,
    bytes: statSync(runPath).size,
    sha256: sha256Of(runPath),
    debianPackage: debianPackageOf(realpath),
    version: version.stdout.trim(),
    about: about.stderr.trim(),
  };
}

function sha256Of(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function round2(value) {
  return Math.round(value * 100) / 100;
}

// results/latest.json is committed, and the repository's lint (biome) checks JSON layout too:
// let the repository's own formatter lay it out so a fresh run leaves `npm run lint` clean.
function formatWithRepoFormatter(file) {
  const biome = join(REPO_ROOT, "node_modules/.bin/biome");
  if (statSync(biome, { throwIfNoEntry: false }) === undefined) {
    return;
  }
  // biome.json decides; a file outside the repository is formatted with its settings all the same.
  spawnSync(biome, ["format", "--write", "--colors=off", file], { cwd: REPO_ROOT, stdio: "ignore" });
}

// The checkout's commit, for the record (the working tree may hold uncommitted changes).
function repoCommit() {
  const result = spawnSync("git", ["-C", REPO_ROOT, "rev-parse", "HEAD"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

function describeFailure(who, op, context, sample) {
  let status = sample.exitCode === null ? `killed by ${sample.signal}` : `exit ${sample.exitCode}`;
  if (sample.signal === "SIGKILL" && sample.ms >= CALL_TIMEOUT_SECONDS * 1000) {
    status = `timed out after ${CALL_TIMEOUT_SECONDS} s`;
  }
  const output = `${sample.stdout}${sample.stderr}`.trim().slice(0, 600);
  return `${who} ${op} failed (${context}): ${status}; output: ${output || "(none)"}`;
}

async function runCase({ base, fs, family, size, options, timer, binaries, strace }) {
  const context = `IPv${family}, ${formatCount(size)} allocations, ${fs}`;
  const root = makeTempRoot(base, `v${family}-${size}`);
  const dataDirs = { ours: join(root, "ours"), upstream: join(root, "upstream") };
  const prefillStart = performance.now();
  for (const who of BINARIES) {
    prefillNetwork(dataDirs[who], { family, count: size });
  }
  const prefillMs = performance.now() - prefillStart;
  process.stderr.write(
    `[${context}] prefilled 2 x ${formatCount(size)} in ${(prefillMs / 1000).toFixed(1)} s; `,
  );

  const samples = {};
  for (const op of ALL_OPS) {
    samples[op] = { ours: { samplesMs: [], rssKiB: [] }, upstream: { samplesMs: [], rssKiB: [] } };
  }
  const measureCheck = options.ops.includes("CHECK");
  // With nothing prefilled, CHECK looks at the container this iteration's ADD created.
  const checkTarget = size > 0 ? allocationAt(family, Math.floor(size / 2)) : null;
  const total = options.warmup + options.runs;

  const firstAdd = {};
  const call = (who, op, containerId, ifname, prevResult, iteration) => {
    const measured = iteration >= options.warmup;
    // Iteration 0 is the first contact with the prefilled store (for ours, possibly building an
    // index): reported on its own, kept out of the steady-state peak memory. The spawn timer can
    // only measure memory outside timed samples, so it does so on the other warm-up iterations.
    const steadyState = iteration > 0;
    const sample = timer.run(binaries[who].runPath, {
      env: pluginEnv({ command: op, containerId, ifname }),
      input: pluginConfig({ family, dataDir: dataDirs[who], prevResult }),
      withMemory: steadyState && !measured,
    });
    if (sample.exitCode !== 0) {
      throw new Error(describeFailure(who, op, context, sample));
    }
    if (steadyState && sample.maxRssKiB !== null) {
      samples[op][who].rssKiB.push(sample.maxRssKiB);
    }
    if (measured) {
      samples[op][who].samplesMs.push(sample.ms);
    }
    // The very first call on a freshly prefilled store: for ours it includes building whatever
    // index it keeps (the prefill writes allocations only, as upstream would have left them).
    if (op === "ADD" && firstAdd[who] === undefined) {
      firstAdd[who] = { ms: sample.ms, peakKiB: sample.maxRssKiB };
    }
    return sample;
  };

  for (let iteration = 0; iteration < total; iteration += 1) {
    const order = iteration % 2 === 0 ? BINARIES : [...BINARIES].reverse();
    const containerId = `bench-${iteration}`;
    const added = {};
    for (const who of order) {
      const sample = call(who, "ADD", containerId, PREFILL_IFNAME, undefined, iteration);
      try {
        added[who] = JSON.parse(sample.stdout);
      } catch {
        throw new Error(`${who} ADD printed no JSON result (${context}): ${sample.stdout.slice(0, 300)}`);
      }
      await checkpoint();
    }
    if (measureCheck) {
      for (const who of order) {
        if (checkTarget === null) {
          call(who, "CHECK", containerId, PREFILL_IFNAME, added[who], iteration);
        } else {
          const prevResult = addResultFor(family, checkTarget.ip);
          call(who, "CHECK", checkTarget.containerId, checkTarget.ifname, prevResult, iteration);
        }
        await checkpoint();
      }
    }
    for (const who of order) {
      call(who, "DEL", containerId, PREFILL_IFNAME, undefined, iteration);
      await checkpoint();
    }
  }

  const warnings = [];
  // Everything that is not ours alone (dot-names are ours, see decisions.md) must be back to the
  // prefill plus lock and last_reserved_ip.0; otherwise DEL did not undo ADD and the store grew.
  const storeFiles = {};
  for (const who of BINARIES) {
    const names = readdirSync(join(dataDirs[who], NETWORK_NAME)).filter((name) => !name.startsWith("."));
    storeFiles[who] = names.length;
    if (names.length !== size + 2) {
      warnings.push(
        `${who}, ${context}: ${names.length} entries in the network dir after the runs, expected ${size + 2}; DEL may not undo ADD`,
      );
    }
  }

  let syncCalls = null;
  if (strace) {
    syncCalls = {};
    const containerId = "bench-strace";
    for (const who of BINARIES) {
      const traceFile = join(root, `strace-${who}.log`);
      const one = (op, id, ifname, prevResult) => {
        rmSync(traceFile, { force: true });
        const result = countSyncCalls(binaries[who].runPath, {
          env: pluginEnv({ command: op, containerId: id, ifname }),
          input: pluginConfig({ family, dataDir: dataDirs[who], prevResult }),
          traceFile,
        });
        if (result.exitCode !== 0) {
          throw new Error(`${who} ${op} failed under strace (${context}): exit ${result.exitCode}`);
        }
        return result;
      };
      const add = one("ADD", containerId, PREFILL_IFNAME, undefined);
      const check =
        checkTarget === null
          ? one("CHECK", containerId, PREFILL_IFNAME, JSON.parse(add.stdout))
          : one("CHECK", checkTarget.containerId, checkTarget.ifname, addResultFor(family, checkTarget.ip));
      const del = one("DEL", containerId, PREFILL_IFNAME, undefined);
      syncCalls[who] = { ADD: add.calls, CHECK: check.calls, DEL: del.calls };
    }
  }

  removeTempRoot(root);
  const ops = {};
  for (const op of options.ops) {
    ops[op] = summarizeOp({ size, op, ...samples[op] });
    if (syncCalls !== null) {
      ops[op].syncCalls = { ours: syncCalls.ours[op], upstream: syncCalls.upstream[op] };
    }
  }
  process.stderr.write(
    `${options.ops.map((op) => `${op} ${formatMs(ops[op].ours.medianMs)} / ${formatMs(ops[op].upstream.medianMs)} ms`).join(", ")}\n`,
  );
  return {
    entry: { fs, family, size, prefillMs: Math.round(prefillMs), storeFiles, firstAdd, ops },
    warnings,
  };
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  requireExecutable(options.ours, "ours");
  requireExecutable(options.upstream, "upstream");
  const bases = dataDirBases(options.fsyncCompare);
  const strace = options.fsyncCompare && hasStrace();

  const startedAt = new Date();
  // Other work on a shared 2-core machine shows in every sample; the load average says how much.
  const loadAtStart = loadavg()[0];
  const workDir = makeTempRoot(tmpdir(), "work");
  const timer = createTimer({ workDir, prefer: options.timer });
  const binaries = {
    ours: snapshotBinary(options.ours, "ours", workDir, timer),
    upstream: snapshotBinary(options.upstream, "upstream", workDir, timer),
  };
  const sanity = binaries.ours.realpath === binaries.upstream.realpath;
  process.stderr.write(
    `${sanity ? "sanity run (ours is the upstream binary); " : ""}timer: ${timer.description}; data dirs on ${bases.map((entry) => `${entry.fs} (${entry.base})`).join(" and ")}\n`,
  );

  const cases = [];
  const warnings = [];
  if (options.fsyncCompare && !strace) {
    warnings.push("strace not found: fsync calls were not counted");
  }
  for (const { base, fs } of bases) {
    for (const family of options.families) {
      for (const size of options.sizes) {
        const result = await runCase({ base, fs, family, size, options, timer, binaries, strace });
        cases.push(result.entry);
        warnings.push(...result.warnings);
      }
    }
  }
  const finishedAt = new Date();
  const report = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    loadAverage1m: { start: round2(loadAtStart), end: round2(loadavg()[0]) },
    machine: describeMachine(),
    repoCommit: repoCommit(),
    settings: {
      sizes: options.sizes,
      families: options.families,
      ops: options.ops,
      runs: options.runs,
      warmup: options.warmup,
      timer: timer.description,
      timerKind: timer.kind,
      fsyncCompare: options.fsyncCompare,
      dataDirs: bases,
    },
    binaries,
    sanity,
    cases,
    warnings,
  };
  mkdirSync(options.out, { recursive: true });
  const resultsFile = join(options.out, "latest.json");
  writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
  formatWithRepoFormatter(resultsFile);
  writeFileSync(join(options.out, "latency.svg"), renderLatencyChart(report));
  process.stdout.write(formatMarkdown(report));
  process.stderr.write(
    `wrote ${join(options.out, "latest.json")} and latency.svg in ${report.durationS} s\n`,
  );
  return 0;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (interruptedBy !== null) {
      // A second Ctrl-C while cleanup is slow: stop waiting, still removing what we can.
      removeTempRoots();
      process.exit(130);
    }
    interruptedBy = signal;
  });
}
// Last line of defence for exits that skip the finally below (process.exit elsewhere).
process.on("exit", removeTempRoots);

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`bench: ${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
  } else if (error instanceof Interrupted || interruptedBy !== null) {
    process.stderr.write(`\nbench: interrupted by ${interruptedBy}; temporary data dirs removed\n`);
    process.exitCode = 130;
  } else if (typeof error?.code === "string" && error.code.startsWith("ERR_PARSE_ARGS")) {
    process.stderr.write(`bench: ${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
} finally {
  removeTempRoots();
}
