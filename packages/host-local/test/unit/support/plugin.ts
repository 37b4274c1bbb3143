/**
 * Test support: run the plugin's commands through skel's `dispatch` with fake io, temp data dirs,
 * and a snapshot of a network directory.
 */
import { lstat, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PluginCommands } from "@cni-ts/skel";
import { dispatch } from "@cni-ts/skel";
import type { AnyResult, Result } from "@cni-ts/types";
import { SUPPORTED_VERSIONS, toCurrentResult } from "@cni-ts/types";
import { afterEach, beforeEach } from "vitest";
import { ABOUT, createPluginCommands, diskStoreProvider } from "../../../src/index.js";

/** One plugin invocation as a runtime makes it. */
export interface PluginCall {
  command: "ADD" | "DEL" | "CHECK" | "GC" | "STATUS" | "VERSION" | "";
  /** Default `dummy` for ADD, DEL and CHECK. */
  containerId?: string;
  /** Default `eth0` for ADD, DEL and CHECK. */
  ifname?: string;
  /** `CNI_ARGS`. */
  cniArgs?: string;
  /** The network config: an object is sent as JSON, a string as is. */
  config: unknown;
}

/** What the plugin did. */
export interface PluginOutcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `call` against `commands` (default: the real commands on the disk store). */
export async function runPlugin(
  call: PluginCall,
  commands: PluginCommands = createPluginCommands(diskStoreProvider),
): Promise<PluginOutcome> {
  const attachment = call.command === "ADD" || call.command === "DEL" || call.command === "CHECK";
  const env: Record<string, string> = {
    CNI_COMMAND: call.command,
    CNI_PATH: "/opt/cni/bin",
    CNI_NETNS_OVERRIDE: "1",
  };
  if (attachment) {
    env.CNI_CONTAINERID = call.containerId ?? "dummy";
    env.CNI_IFNAME = call.ifname ?? "eth0";
    env.CNI_NETNS = "/some/where";
  }
  if (call.cniArgs !== undefined) env.CNI_ARGS = call.cniArgs;
  const stdin = typeof call.config === "string" ? call.config : JSON.stringify(call.config);
  let stdout = "";
  let stderr = "";
  const status = await dispatch(
    commands,
    { supportedVersions: SUPPORTED_VERSIONS, about: ABOUT },
    {
      env,
      readStdin: () => Buffer.from(stdin, "utf8"),
      writeStdout: (text) => {
        stdout += text;
      },
      writeStderr: (text) => {
        stderr += text;
      },
    },
  );
  return { status, stdout, stderr };
}

/** The error object of a failed call. */
export function errorOf(outcome: PluginOutcome): { code: number; msg: string; details?: string } {
  return JSON.parse(outcome.stdout) as { code: number; msg: string; details?: string };
}

/** The result of a successful ADD, converted up to the 1.1.0 model whatever version it was printed in. */
export function currentResultOf(outcome: PluginOutcome): Result {
  if (outcome.status !== 0) throw new Error(`the call failed: ${outcome.stdout}`);
  return toCurrentResult(JSON.parse(outcome.stdout) as AnyResult);
}

/** The addresses of a result, in order. */
export function addressesOf(outcome: PluginOutcome): string[] {
  return (currentResultOf(outcome).ips ?? []).map((ip) => ip.address);
}

/** A fresh temp directory; remove it with {@link removeTempDir}. */
export function makeTempDir(prefix = "hl-unit-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes a directory made by {@link makeTempDir}. */
export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** The directories of one test: its temp dir, and `dataDir` (not created) inside it. */
export interface TestDirs {
  readonly tmp: string;
  readonly dataDir: string;
}

/**
 * Gives every test of the calling file a fresh temp dir, made before each test and removed after it.
 * The returned object is updated in place; read its fields inside the tests.
 */
export function useTestDirs(): TestDirs {
  const dirs = { tmp: "", dataDir: "" };
  beforeEach(async () => {
    dirs.tmp = await makeTempDir();
    dirs.dataDir = join(dirs.tmp, "data");
  });
  afterEach(async () => {
    await removeTempDir(dirs.tmp);
  });
  return dirs;
}

/** Every file of a directory (one level) with its content; undefined when the directory does not exist. */
export async function readTree(dir: string): Promise<Record<string, string> | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const tree: Record<string, string> = {};
  for (const name of names.sort()) {
    if ((await lstat(join(dir, name))).isFile()) tree[name] = await readFile(join(dir, name), "utf8");
  }
  return tree;
}

/** The same tree without the files upstream also keeps beside the reservations. */
export function reservationsOf(tree: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tree ?? {}).filter(([name]) => name !== "lock" && !name.startsWith("last_reserved_ip.")),
  );
}

/** A network config for `cniVersion` with host-local IPAM settings `ipam` (type filled in). */
export function netConf(
  cniVersion: string,
  ipam: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return { cniVersion, name: "mynet", type: "ipvlan", ...extra, ipam: { type: "host-local", ...ipam } };
}

/** Versions that print `version` in each IP (0.3.x, 0.4.0). */
export const VERSIONED_IPS = new Set(["0.3.0", "0.3.1", "0.4.0"]);

/** Versions that allow several addresses of one family (0.3.0 and later). */
export function allowsSeveralPerFamily(version: string): boolean {
  return version !== "0.1.0" && version !== "0.2.0";
}
