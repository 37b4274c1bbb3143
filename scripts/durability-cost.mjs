#!/usr/bin/env node
// What durability costs on this machine (docs/durability.md): the raw price of fsync(2) on a file and on
// its directory, in the exact sequence a reservation uses (temp file, write, [fsync], close, link,
// unlink temp, [fsync dir]) and a release uses (unlink, [fsync dir]); and the whole-process time of our
// plugin's ADD and DEL with the data dir on a disk-backed file system and on tmpfs, where fsync is free.
// With --loop (root), the plugin also runs on two fresh ext4 file systems in loop-mounted image files
// on the disk, one mounted normally and one with `dirsync`, which makes every directory change durable
// before the call returns: the most a plugin that syncs its directory could cost.
//
//   node scripts/durability-cost.mjs [--n 300] [--plugin-runs 40] [--disk DIR] [--tmpfs DIR] [--loop]
//                                    [--plugin PATH]
//
// Prints Markdown tables. Everything it creates (temp dirs, images, mounts) is removed at the end.
import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statfsSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const REPO_ROOT = join(import.meta.dirname, "..");
const USAGE =
  "usage: node scripts/durability-cost.mjs [--n 300] [--plugin-runs 40] [--disk DIR] [--tmpfs DIR] [--loop] [--plugin PATH]";
const { values } = parseArgs({
  options: {
    n: { type: "string", default: "300" },
    "plugin-runs": { type: "string", default: "40" },
    disk: { type: "string", default: tmpdir() },
    tmpfs: { type: "string", default: "/dev/shm" },
    loop: { type: "boolean", default: false },
    plugin: { type: "string", default: join(REPO_ROOT, "packages/host-local/dist/host-local") },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const N = Number(values.n);
const PLUGIN_RUNS = Number(values["plugin-runs"]);

// statfs f_type values of the file systems worth naming.
const FS_NAMES = new Map([
  [0xef53, "ext4"],
  [0x01021994, "tmpfs"],
  [0x58465342, "xfs"],
  [0x9123683e, "btrfs"],
  [0x794c7630, "overlayfs"],
]);
const fsName = (dir) => {
  const type = statfsSync(dir).type;
  return FS_NAMES.get(type) ?? `0x${type.toString(16)}`;
};

const temps = [];
const mounts = [];
function cleanUp() {
  for (const dir of mounts.splice(0)) {
    try {
      execFileSync("umount", [dir], { stdio: "ignore" });
    } catch {
      // Deliberately ignored: the temp dir removal below reports nothing either; a busy mount stays.
    }
  }
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}
const tempIn = (base, label) => {
  const dir = mkdtempSync(join(base, `cni-ts-durability-${label}-`));
  temps.push(dir);
  return dir;
};

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const fmt = (x) => (x < 0.1 ? x.toFixed(3) : x.toFixed(2));

function syncDir(dir) {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const addressName = (i) => `10.0.${i >> 8}.${i & 255}`;

/** One reservation as the disk store's atomicWrite makes it, with the syncs chosen; its milliseconds. */
function reserve(dir, i, { syncFile, syncDirectory }) {
  const name = join(dir, addressName(i));
  const temp = join(dir, `.${addressName(i)}.tmp-${process.pid}-${i}`);
  const start = process.hrtime.bigint();
  const fd = openSync(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  writeSync(fd, `c${i}\r\neth0`);
  if (syncFile) fsyncSync(fd);
  closeSync(fd);
  linkSync(temp, name);
  unlinkSync(temp);
  if (syncDirectory) syncDir(dir);
  return ms(start);
}

/** One release (a DEL of one address), with or without the directory sync; its milliseconds. */
function release(dir, i, { syncDirectory }) {
  const start = process.hrtime.bigint();
  unlinkSync(join(dir, addressName(i)));
  if (syncDirectory) syncDir(dir);
  return ms(start);
}

const RESERVE_VARIANTS = [
  ["reserve: temp, write, close, link, unlink temp (no sync)", { syncFile: false, syncDirectory: false }],
  ["reserve: + fsync(file) before link (what ADD does now)", { syncFile: true, syncDirectory: false }],
  ["reserve: + fsync(file) + fsync(dir) after link", { syncFile: true, syncDirectory: true }],
];
const RELEASE_VARIANTS = [
  ["release: unlink (what DEL does now)", { syncDirectory: false }],
  ["release: unlink + fsync(dir)", { syncDirectory: true }],
];

const ROUNDS = 3;

/**
 * Each variant runs in blocks of N/ROUNDS calls in a fresh directory, the order of the variants reversed
 * every round. (Interleaving single calls would make one variant's journal commit stall the next
 * variant's metadata changes and blur the difference.)
 */
function rawCosts(base) {
  const per = Math.max(1, Math.floor(N / ROUNDS));
  const reserveTimes = RESERVE_VARIANTS.map(() => []);
  const releaseTimes = RELEASE_VARIANTS.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    const order = (list) => (round % 2 === 0 ? [...list.entries()] : [...list.entries()].reverse());
    for (const [v, [, opts]] of order(RESERVE_VARIANTS)) {
      const dir = tempIn(base, "raw");
      for (let i = 0; i < per; i++) reserveTimes[v].push(reserve(dir, i, opts));
    }
    for (const [v, [, opts]] of order(RELEASE_VARIANTS)) {
      // Untimed set-up: the files to release, made durable first so no earlier work is pending.
      const dir = tempIn(base, "raw");
      for (let i = 0; i < per; i++) reserve(dir, i, { syncFile: false, syncDirectory: false });
      syncDir(dir);
      for (let i = 0; i < per; i++) releaseTimes[v].push(release(dir, i, opts));
    }
  }
  const row = (label, times) => [label, quantile(times, 0.5), quantile(times, 0.9)];
  return [
    ...RESERVE_VARIANTS.map(([label], v) => row(label, reserveTimes[v])),
    ...RELEASE_VARIANTS.map(([label], v) => row(label, releaseTimes[v])),
  ];
}

/** Whole-process ADD and DEL times of the plugin, alternating between the data-dir bases given. */
function pluginCosts(bases) {
  if (!existsSync(values.plugin)) return bases.map(() => []);
  const setups = bases.map((base) => ({
    config: JSON.stringify({
      cniVersion: "1.0.0",
      name: "durability",
      type: "bridge",
      ipam: { type: "host-local", dataDir: tempIn(base, "plugin"), ranges: [[{ subnet: "10.88.0.0/16" }]] },
    }),
    times: { ADD: [], DEL: [] },
  }));
  for (let i = -3; i < PLUGIN_RUNS; i++) {
    for (const { config, times } of setups) {
      for (const command of ["ADD", "DEL"]) {
        const env = {
          PATH: "/usr/bin:/bin",
          CNI_COMMAND: command,
          CNI_CONTAINERID: `d${i + 3}`,
          CNI_IFNAME: "eth0",
          CNI_NETNS: "/var/run/netns/cni-ts-durability-absent",
          CNI_PATH: "/opt/cni/bin",
        };
        const start = process.hrtime.bigint();
        const run = spawnSync(values.plugin, [], { env, input: config, timeout: 20_000 });
        const t = ms(start);
        if (run.status !== 0) throw new Error(`${command} failed: ${run.stdout} ${run.stderr}`);
        // The first iterations warm the page cache and the binary; they are not counted.
        if (i >= 0) times[command].push(t);
      }
    }
  }
  return setups.map(({ times }) =>
    ["ADD", "DEL"].map((c) => [
      `plugin ${c}, whole process (spawnSync)`,
      quantile(times[c], 0.5),
      quantile(times[c], 0.9),
    ]),
  );
}

/** A fresh ext4 file system in an image file under `base`, loop-mounted with `options`; its mount point. */
function loopExt4(base, options) {
  const dir = tempIn(base, "loop");
  const image = join(dir, "image");
  const mountPoint = join(dir, "mnt");
  mkdirSync(mountPoint);
  execFileSync("truncate", ["-s", "256M", image]);
  execFileSync("mkfs.ext4", ["-q", "-F", image], { stdio: "ignore" });
  execFileSync("mount", ["-o", `loop,${options}`, image, mountPoint]);
  mounts.push(mountPoint);
  return mountPoint;
}

const targets = [values.disk, values.tmpfs]
  .filter((d) => existsSync(d))
  .map((dir) => ({ label: `${fsName(dir)} (${dir})`, dir }));
const loops = values.loop
  ? [
      { label: "ext4 in a loop image, defaults", dir: loopExt4(values.disk, "defaults") },
      { label: "ext4 in a loop image, dirsync", dir: loopExt4(values.disk, "dirsync") },
    ]
  : [];
const plugin = pluginCosts([...targets, ...loops].map((t) => t.dir));
const raw = targets.map((t) => rawCosts(t.dir));

function table(title, columns) {
  console.log(title);
  console.log("");
  console.log(`| operation | ${columns.map((c) => `${c.label} median | p90`).join(" | ")} |`);
  console.log(`| --- | ${columns.map(() => "---: | ---:").join(" | ")} |`);
  for (const [i, [label]] of columns[0].rows.entries()) {
    const cells = columns.map(({ rows }) => `${fmt(rows[i][1])} | ${fmt(rows[i][2])}`);
    console.log(`| ${label} | ${cells.join(" | ")} |`);
  }
  console.log("");
}

table(
  `Raw file-system calls, ${N} iterations each, milliseconds`,
  targets.map((t, i) => ({ label: t.label, rows: raw[i] })),
);
if (plugin[0].length > 0) {
  table(
    `The plugin (${values.plugin}), ${PLUGIN_RUNS} ADD/DEL pairs per data dir, interleaved, milliseconds`,
    [...targets, ...loops].map((t, i) => ({ label: t.label, rows: plugin[i] })),
  );
}
