// Shared pieces of the reliability tests (issue #8): a sandbox with a data dir and a sentinel dir beside
// it, a snapshot that proves nothing outside the data dir changed, tmpfs mounts that are always undone,
// plugin calls with a timeout, and the shape every error answer must have.
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import {
  execFile,
  makeTempDataDir,
  oursUnderTest,
  type PluginInvocation,
  type PluginRun,
  runPlugin,
} from "@cni-ts/testutils";
import { expect } from "vitest";

/** The built plugin under test (`packages/host-local/dist/host-local`). */
export const PLUGIN = oursUnderTest();

/** Every plugin call gets this timeout, so a hang fails its test instead of stalling the suite. */
export const CALL_TIMEOUT_MS = 20_000;

/** The network every config names unless a test says otherwise. */
export const NETWORK = "relnet";

/** A `CNI_NETNS` path that does not exist, so the netns self-check (contract 1.6) passes. */
export const NO_NETNS = "/var/run/netns/cni-ts-reliability-absent";

/** Where the plugin falls back to without `dataDir`; no test may ever create anything there. */
export const DEFAULT_DATA_DIR = "/var/lib/cni/networks";

/** A JSON object, as network configs are built. */
export type Json = Record<string, unknown>;

/**
 * A private directory tree for one test:
 * `root/data` (the plugin's data dir), `root/outside` (sentinel files that planted links point at, which
 * must never change) and `root/cwd` (the plugin's working directory).
 */
export interface Sandbox {
  readonly root: string;
  readonly dataDir: string;
  readonly outside: string;
  readonly cwd: string;
  /** `<dataDir>/<NETWORK>`. */
  readonly networkDir: string;
  /** Removes the whole tree (call only after every mount below it is gone). */
  cleanup(): void;
}

/** The content of the sentinel files in `outside`: what a planted link would expose or overwrite. */
export const SENTINEL = {
  "victim-file": "precious\n",
  "victim-owner": "victim\r\neth0",
  "victim-hint": "10.77.0.9",
} as const;

/** Creates a {@link Sandbox} with the sentinel files in place. */
export function makeSandbox(prefix: string): Sandbox {
  const tmp = makeTempDataDir(`cni-ts-rel-${prefix}-`);
  const dataDir = join(tmp.path, "data");
  const outside = join(tmp.path, "outside");
  const cwd = join(tmp.path, "cwd");
  for (const dir of [dataDir, join(outside, "victim-dir"), cwd]) mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(SENTINEL))
    writeFileSync(join(outside, name), text, { mode: 0o644 });
  return {
    root: tmp.path,
    dataDir,
    outside,
    cwd,
    networkDir: join(dataDir, NETWORK),
    cleanup: () => tmp.cleanup(),
  };
}

/**
 * Every entry under `dir` (recursive, not following links) as `relative path → description`: type,
 * permission bits, and for files the size and SHA-256, for links the target. Paths under any of
 * `exclude` (absolute) are left out. A missing `dir` gives an empty map.
 */
export function snapshotTree(dir: string, exclude: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (path: string): void => {
    if (exclude.some((e) => path === e || path.startsWith(`${e}/`))) return;
    const st = lstatSync(path);
    const rel = relative(dir, path) || ".";
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.set(rel, `link -> ${readlinkSync(path)}`);
    else if (st.isFile()) {
      const sum = createHash("sha256").update(readFileSync(path)).digest("hex");
      out.set(rel, `file ${mode} ${st.size} ${sum}`);
    } else if (st.isDirectory()) {
      out.set(rel, `dir ${mode}`);
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    } else out.set(rel, `other ${mode}`);
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/**
 * A snapshot of everything a test's plugin calls must leave alone: the sandbox outside its data dir,
 * and the default data dir of the machine.
 */
export function snapshotOutside(box: Sandbox): { sandbox: Map<string, string>; defaultDataDir: boolean } {
  return {
    sandbox: snapshotTree(box.root, [box.dataDir]),
    defaultDataDir: existsSync(DEFAULT_DATA_DIR),
  };
}

/** Runs a program and fails with its stderr when it does not exit 0. */
export async function sh(file: string, args: readonly string[]): Promise<void> {
  const out = await execFile(file, args, { timeoutMs: 20_000 });
  if (out.code !== 0) throw new Error(`${file} ${args.join(" ")}: exit ${out.code}: ${out.stderr}`);
}

/** Mounts a fresh tmpfs on `dir` with the given options (`size=64k`, `nr_inodes=8`, ...). */
export async function mountTmpfs(dir: string, options: string): Promise<void> {
  await sh("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]);
}

/** Remounts the file system at `dir` with `options` (`ro`, `rw`, `rw,size=1m`, ...). */
export async function remount(dir: string, options: string): Promise<void> {
  await sh("mount", ["-o", `remount,${options}`, dir]);
}

/** Unmounts `dir` if something is mounted there (lazily when busy). Never throws. */
export async function unmountQuietly(dir: string): Promise<void> {
  try {
    const out = await execFile("umount", [dir], { timeoutMs: 20_000 });
    if (out.code !== 0 && !/not mounted|no mount point/.test(out.stderr)) {
      await execFile("umount", ["-l", dir], { timeoutMs: 20_000 });
    }
  } catch {
    // Clean-up is best effort: the test's own assertion is what must be reported.
  }
}

/** A network config for host-local (as a runtime hands it to `bridge`, and bridge to IPAM). */
export function netConf(dataDir: string, ipam: Json = {}, top: Json = {}): Json {
  return {
    cniVersion: "1.0.0",
    name: NETWORK,
    type: "bridge",
    ...top,
    ipam: { type: "host-local", ranges: [[{ subnet: "10.77.0.0/24" }]], ...ipam, dataDir },
  };
}

/** A dual-stack config: range set 0 is `10.77.0.0/24`, range set 1 is `2001:db8:77::/64`. */
export function dualStack(dataDir: string, ipam: Json = {}): Json {
  return netConf(dataDir, {
    ranges: [[{ subnet: "10.77.0.0/24" }], [{ subnet: "2001:db8:77::/64" }]],
    ...ipam,
  });
}

/** One plugin call: command, attachment, config, and anything else of {@link PluginInvocation}. */
export interface Call {
  readonly command: string;
  readonly containerId?: string;
  readonly ifname?: string;
  readonly stdin: PluginInvocation["stdin"];
  readonly args?: string;
  readonly env?: PluginInvocation["env"];
  readonly cwd?: string;
}

/** The invocation of `call` the way a runtime makes it, with {@link CALL_TIMEOUT_MS}. */
export function invocation(call: Call): PluginInvocation {
  const inv: PluginInvocation = {
    command: call.command,
    containerId: call.containerId ?? "c1",
    ifname: call.ifname ?? "eth0",
    netns: NO_NETNS,
    path: "/opt/cni/bin",
    stdin: call.stdin,
    timeoutMs: CALL_TIMEOUT_MS,
  };
  if (call.args !== undefined) inv.args = call.args;
  if (call.env !== undefined) inv.env = call.env;
  if (call.cwd !== undefined) inv.cwd = call.cwd;
  return inv;
}

/** Runs the built plugin once (see {@link invocation}). */
export function call(c: Call): Promise<PluginRun> {
  return runPlugin(PLUGIN, invocation(c));
}

// What must never reach an operator: a JavaScript stack frame, an engine's error class or wording, a
// Node error code, or a stringified object.
const LEAKS: readonly RegExp[] = [
  /^\s+at .+(:\d+:\d+\)?|\(native\))$/m,
  /\b(TypeError|RangeError|SyntaxError|ReferenceError|AggregateError)\b/,
  /\bERR_[A-Z_]+\b/i,
  /\bE[A-Z]{3,}: /,
  /\[object \w+\]/,
  /Unexpected (token|end of JSON)|is not a function|Cannot read propert|Maximum call stack/,
  /\bpanic\b|goroutine \d+/,
];

/** The error object of a failed call, checked for its shape (see {@link expectCniError}). */
export interface CniErrorObject {
  code: number;
  msg: string;
  details?: string;
}

/**
 * Asserts that `run` is one clean CNI error: exit status 1, stdout exactly one JSON object with an
 * integer `code`, a non-empty `msg` and optionally `details` (nothing else but `cniVersion`), nothing on
 * stderr, and no stack trace, engine error or raw Node text anywhere. Returns the object.
 */
export function expectCniError(run: PluginRun, context: string, code?: number): CniErrorObject {
  expect({ code: run.code, stderr: run.stderr }, `${context}: exit status and stderr`).toEqual({
    code: 1,
    stderr: "",
  });
  let doc: unknown;
  expect(
    () => {
      doc = JSON.parse(run.stdout);
    },
    `${context}: stdout is one JSON document: ${run.stdout.slice(0, 500)}`,
  ).not.toThrow();
  expect(doc, context).toBeTypeOf("object");
  const obj = doc as Record<string, unknown>;
  expect(
    Object.keys(obj).filter((k) => !["cniVersion", "code", "msg", "details"].includes(k)),
    `${context}: keys`,
  ).toEqual([]);
  expect(Number.isInteger(obj.code), `${context}: code ${String(obj.code)}`).toBe(true);
  expect(typeof obj.msg === "string" && obj.msg.trim() !== "", `${context}: msg`).toBe(true);
  if ("details" in obj) expect(typeof obj.details, `${context}: details`).toBe("string");
  for (const leak of LEAKS) {
    expect(leak.test(run.stdout), `${context}: ${leak} in ${run.stdout.slice(0, 2000)}`).toBe(false);
  }
  if (code !== undefined) expect(obj.code, `${context}: ${run.stdout.slice(0, 500)}`).toBe(code);
  return obj as unknown as CniErrorObject;
}

/**
 * Asserts that `dataDir` holds no reservation and no temp file: only directories, empty `lock` files
 * and round-robin hints (an ADD that reserved and then rolled back keeps the hint it moved, as upstream).
 */
export function expectNoStateIn(dataDir: string, context: string): void {
  const leftovers = [...snapshotTree(dataDir)].filter(
    ([path, state]) =>
      !state.startsWith("dir ") &&
      !(path.endsWith("/lock") && / 0 [0-9a-f]{64}$/.test(state)) &&
      !/\/last_reserved_ip\.\d+$/.test(path),
  );
  expect(leftovers, `${context}: state left in the data dir`).toEqual([]);
}

/** Our temp files (`.<name>.tmp-<pid>-<n>`, reference/decisions.md "The data dir"). */
export const TEMP_FILE = /^\..+\.tmp-(\d+)-\d+$/s;

/** The names in `dir` (one level), byte order; empty when `dir` does not exist. */
export function namesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Temp files in `dir`. */
export function tempFilesIn(dir: string): string[] {
  return namesIn(dir).filter((n) => TEMP_FILE.test(n));
}

/** Reservation files (names that are not `lock`, `last_reserved_ip.*` or dot-names) in `dir`. */
export function reservationsIn(dir: string): string[] {
  return namesIn(dir).filter((n) => n !== "lock" && !n.startsWith("last_reserved_ip.") && !n.startsWith("."));
}

/** The addresses (without prefix length) of an ADD result. */
export function addressesOf(run: PluginRun): string[] {
  const ips = (run.json as { ips?: { address: string }[] } | undefined)?.ips ?? [];
  return ips.map((ip) => ip.address.slice(0, ip.address.indexOf("/")));
}

/** Runs `tasks` with at most `limit` of them in flight; resolves their results in order. */
export async function runBounded<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      const task = tasks[i];
      if (task !== undefined) results[i] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** A small seeded generator, so a failing random run can be reproduced from the seed in its message. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
