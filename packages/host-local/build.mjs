#!/usr/bin/env node
// Second half of `npm run build` (after `tsc -b`):
//  1. embeds the package version into the Node build (dist/version.js), as a define would;
//  2. compiles the standalone executable dist/host-local with Bun (`--compile --bytecode`), which is what
//     gets copied into a CNI bin dir: no Node, no node_modules needed next to it. It is compiled twice:
//     the first executable runs ADD, DEL and VERSION on a scratch data dir to record which bytecode
//     they use, and the second is laid out in that order.
// koffi stays external: the disk store imports it dynamically and only on Node; under Bun it uses bun:ffi.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const here = import.meta.dirname;

class BuildError extends Error {}

function fail(message) {
  throw new BuildError(message);
}
const repoRoot = join(here, "..", "..");
const { version } = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
const versionLiteral = JSON.stringify(version);

// 0. tsc -b never deletes the output of a source file that was removed or renamed; such leftovers would
// ship in the npm package. Drop every emitted file whose source is gone.
const distDir = join(here, "dist");
for (const entry of readdirSync(distDir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const match = /^(.*)\.(?:js|js\.map|d\.ts|d\.ts\.map)$/.exec(entry.name);
  if (match === null) continue;
  const relativeDir = relative(distDir, entry.parentPath);
  if (!existsSync(join(here, "src", relativeDir, `${match[1]}.ts`)))
    rmSync(join(entry.parentPath, entry.name));
}

// 1. The define for Node: replace the identifier everywhere in the emitted module. `typeof "0.1.0"` is
// still valid JavaScript, so the result equals what a bundler's define produces.
const versionJs = join(here, "dist", "version.js");
writeFileSync(versionJs, readFileSync(versionJs, "utf8").replace(/\bCNI_TS_VERSION\b/g, versionLiteral));
chmodSync(join(here, "dist", "bin.js"), 0o755);

// 2. The standalone executable, written under a temporary name and renamed, so an interrupted build
// never leaves a truncated dist/host-local behind.
const bun = join(repoRoot, "node_modules", "@oven", "bun-linux-x64", "bin", "bun");
if (!existsSync(bun)) {
  console.error(`build.mjs: Bun not found at ${bun}; run npm ci at the repository root`);
  process.exit(1);
}
const out = join(here, "dist", "host-local");
const tmp = `${out}.tmp-${process.pid}`;

const TRAINING_COMMANDS = ["ADD", "DEL", "VERSION"];

// Runs the first executable for the calls a runtime makes, on a scratch data dir that is removed
// afterwards, and returns the order files it wrote (most important first), kept beside `tmp`.
function trainingOrder() {
  const scratch = mkdtempSync(join(tmpdir(), "cni-ts-build-"));
  try {
    const config = JSON.stringify({
      cniVersion: "1.1.0",
      name: "train",
      ipam: { type: "host-local", dataDir: join(scratch, "data"), ranges: [[{ subnet: "10.1.0.0/24" }]] },
    });
    return TRAINING_COMMANDS.map((command) => {
      const order = join(scratch, `${command}.order`);
      const run = spawnSync(tmp, [], {
        env: {
          CNI_COMMAND: command,
          CNI_CONTAINERID: "train",
          CNI_IFNAME: "eth0",
          CNI_NETNS: join(scratch, "no-netns"),
          CNI_PATH: scratch,
          BUN_BYTECODE_ORDER_OUT: order,
        },
        input: config,
        encoding: "utf8",
      });
      if (run.status !== 0 || !existsSync(order)) {
        fail(`the training ${command} failed (status ${run.status}):\n${run.stdout}${run.stderr}`);
      }
      const kept = `${tmp}.${command}.order`;
      copyFileSync(order, kept);
      return kept;
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// Compiles the executable to `tmp`, with `extraArgs` after the usual flags.
function compileTo(extraArgs) {
  const compile = spawnSync(
    bun,
    [
      "build",
      "--compile",
      "--bytecode",
      // The operator CLI (yargs and all) is a second entry point in its own chunk, loaded only by the
      // dynamic import in bin.ts. In one chunk it cost the plugin path about 2 ms of start-up although
      // it was never evaluated (measured as child CPU time, 100 interleaved runs).
      "--splitting",
      // ESM, not Bun's default CommonJS for bytecode: yargs and our modules use import.meta.
      "--format=esm",
      "--minify",
      // A compiled Bun program by default reads `bunfig.toml` (whose `preload` runs code) and `.env`
      // (which sets environment variables) from its working directory. A plugin runs in whatever
      // directory the runtime has, so neither may change what it does; skipping them also saves the
      // directory walk at start-up (child CPU 11.3 -> 10.9 ms for ADD, 100 interleaved runs).
      "--no-compile-autoload-bunfig",
      "--no-compile-autoload-dotenv",
      // A plugin call runs for milliseconds: compiling hot functions with the JIT there mostly costs
      // CPU and memory that are never paid back. Ten times the usual tier-up thresholds took ADD from
      // 12.3 to 10.4 ms child CPU and 42.6 to 39.6 MiB peak RSS on an empty store (80 interleaved
      // runs), and kept the index rebuild over 50,000 files as fast as before (380 against 386 ms);
      // 1000x and more made that rebuild 15-25% slower.
      "--compile-jit-policy=10",
      "--external",
      "koffi",
      "--define",
      `CNI_TS_VERSION=${versionLiteral}`,
      "--outfile",
      tmp,
      join(here, "src", "bin.ts"),
      join(here, "src", "cli", "main.ts"),
      ...extraArgs,
    ],
    { cwd: here, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  // Bun reports some failures (e.g. "Failed to generate bytecode") on stderr with exit status 0 and
  // still writes an executable, so check both, then run the result once.
  if (compile.status !== 0 || /\berror\b/i.test(compile.stderr)) {
    fail(`bun build failed (status ${compile.status}):\n${compile.stderr}`);
  }
  chmodSync(tmp, 0o755);
}

try {
  compileTo([]);
  // A second compile lays the bytecode out in the order a real ADD, DEL and VERSION use it (Bun's
  // --bytecode-order, fed with the order files the first executable writes when BUN_BYTECODE_ORDER_OUT
  // is set), so a call faults in fewer pages: peak RSS 39.0 -> 38.2 MiB for ADD and DEL on an empty
  // store, CPU unchanged (120 interleaved runs of fresh copies). Nothing is needed at run time.
  compileTo([`--bytecode-order=${trainingOrder().join(",")}`]);
  const smoke = spawnSync(tmp, [], { env: { CNI_COMMAND: "VERSION" }, encoding: "utf8" });
  if (smoke.status !== 0 || !smoke.stdout.startsWith('{"cniVersion":"1.1.0"')) {
    fail(`the compiled executable does not answer VERSION:\n${smoke.stdout}${smoke.stderr}`);
  }
  renameSync(tmp, out);
} catch (err) {
  if (!(err instanceof BuildError)) throw err;
  console.error(`build.mjs: ${err.message}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { force: true });
  for (const command of TRAINING_COMMANDS) rmSync(`${tmp}.${command}.order`, { force: true });
}
if (process.exitCode !== 1)
  console.log(`build.mjs: dist/host-local ${version} (Bun standalone), dist/bin.js (Node)`);
