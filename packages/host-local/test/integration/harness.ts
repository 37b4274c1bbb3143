// Shared pieces of the integration tests: which binaries are compared, the network configs they are
// fed, and the step runner of the differential and interop tests.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  compareDataDirs,
  type DataFile,
  normaliseError,
  normaliseResult,
  oursUnderTest,
  type PluginInvocation,
  type PluginRun,
  readDataDir,
  runPlugin,
  UPSTREAM_HOST_LOCAL,
} from "@cni-ts/testutils";
import { expect } from "vitest";

/** Our plugin (dist/host-local), or the binary CNI_TS_OURS names while a harness is being proven. */
export const OURS = oursUnderTest();

/** Debian's upstream binary, the oracle. */
export const REFERENCE = UPSTREAM_HOST_LOCAL;

/** The network name every config uses unless a step says otherwise. */
export const NETWORK = "mynet";

/** A CNI_NETNS path that does not exist, so HEAD's netns self-check (contract 1.6) passes. */
export const NO_NETNS = "/var/run/netns/cni-ts-integration-absent";

/** A JSON object, as network configs are built. */
export type Json = Record<string, unknown>;

/** A network config for host-local, the way a runtime hands one to `bridge` and bridge to IPAM. */
export function netConf(cniVersion: string, dataDir: string, ipam: Json, top: Json = {}): Json {
  return {
    cniVersion,
    name: NETWORK,
    type: "bridge",
    ...top,
    ipam: { type: "host-local", dataDir, ...ipam },
  };
}

/** One plugin call of a scenario. */
export interface Call {
  readonly kind?: "call";
  readonly command: string;
  readonly containerId?: string;
  readonly ifname?: string;
  /** `CNI_ARGS`. */
  readonly args?: string;
  /** `CNI_NETNS`; default {@link NO_NETNS}; `null` leaves it unset. */
  readonly netns?: string | null;
  /** `CNI_PATH`; default `/opt/cni/bin`; `null` leaves it unset. */
  readonly path?: string | null;
  /** Builds this call's stdin from the scenario config and the binary's data dir (default: the config). */
  readonly config?: (base: Json, dataDir: string) => Json | string;
}

/** A change both data dirs get between calls (e.g. a legacy reservation file). */
export interface Mutation {
  readonly kind: "mutate";
  readonly label: string;
  /** Called with each binary's network directory (`<dataDir>/mynet`). */
  readonly apply: (networkDir: string) => void;
}

/** One step of a scenario. */
export type Step = Call | Mutation;

/** The invocation of `call` against a data dir. */
export function invocation(call: Call, config: Json, dataDir: string): PluginInvocation {
  const inv: PluginInvocation = {
    command: call.command,
    stdin: call.config === undefined ? config : call.config(config, dataDir),
  };
  if (call.containerId !== undefined) inv.containerId = call.containerId;
  if (call.ifname !== undefined) inv.ifname = call.ifname;
  if (call.args !== undefined) inv.args = call.args;
  const netns = call.netns === undefined ? NO_NETNS : call.netns;
  if (netns !== null) inv.netns = netns;
  const path = call.path === undefined ? "/opt/cni/bin" : call.path;
  if (path !== null) inv.path = path;
  return inv;
}

// Go's log package prefixes "YYYY/MM/DD HH:MM:SS ".
const GO_LOG_TIME = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} /gm;

/** What of a run the differential tests compare, with the data dir path and known differences removed. */
export interface Comparable {
  code: number;
  /** The parsed and normalised document, or the raw text when stdout is not JSON. */
  stdout: unknown;
  /**
   * The exact bytes, where 1.1.1 and HEAD print alike: error objects (except the version list in
   * `incompatible CNI versions`) and 0.x results whose routes have only `dst`/`gw`. Otherwise `null`
   * (1.x results: 1.1.1 does not sort keys; see reference/decisions.md).
   */
  bytes: string | null;
  stderr: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function printedAlike(json: unknown): boolean {
  if (!isRecord(json)) return false;
  if ("code" in json) return json.msg !== "incompatible CNI versions";
  const version = json.cniVersion;
  if (typeof version !== "string" || !version.startsWith("0.")) return false;
  const routes = Array.isArray(json.routes) ? (json.routes as unknown[]) : [];
  return routes.every((r) => isRecord(r) && Object.keys(r).every((k) => k === "dst" || k === "gw"));
}

/** Reduces a run to {@link Comparable}: parsed and normalised JSON (or the raw text), stderr without log times. */
export function comparable(run: PluginRun, dataDir: string): Comparable {
  const text = run.stdout.replaceAll(dataDir, "<dataDir>");
  let stdout: unknown = text;
  let bytes: string | null = text;
  if (text !== "") {
    try {
      const json = JSON.parse(text) as unknown;
      stdout = normaliseError(normaliseResult(json));
      if (!printedAlike(json)) bytes = null;
    } catch {
      // Not JSON: compare the raw text.
    }
  }
  return {
    code: run.code,
    stdout,
    bytes,
    stderr: run.stderr.replaceAll(dataDir, "<dataDir>").replace(GO_LOG_TIME, ""),
  };
}

/** A data dir for each of the two binaries. */
export interface DirPair {
  readonly ours: string;
  readonly reference: string;
}

/** Describes a step for assertion messages. */
export function describeStep(i: number, step: Step): string {
  if (step.kind === "mutate") return `step ${i}: ${step.label}`;
  return `step ${i}: ${step.command} ${step.containerId ?? "-"}/${step.ifname ?? "-"}${step.args === undefined ? "" : ` CNI_ARGS=${step.args}`}`;
}

/**
 * Runs `steps` against both binaries, each on its own data dir, and after every step asserts the same
 * exit status, the same normalised stdout and stderr, and equivalent data dirs (names, bytes, modes no
 * looser than the reference's; dot-names ignored). Returns our runs, one per call, for further checks.
 */
export async function runDifferential(
  steps: readonly Step[],
  dirs: DirPair,
  config: (dataDir: string) => Json,
): Promise<PluginRun[]> {
  const ours: PluginRun[] = [];
  for (const [i, step] of steps.entries()) {
    const what = describeStep(i, step);
    if (step.kind === "mutate") {
      for (const root of [dirs.ours, dirs.reference]) {
        mkdirSync(join(root, NETWORK), { recursive: true });
        step.apply(join(root, NETWORK));
      }
    } else {
      const [o, r] = await Promise.all([
        runPlugin(OURS, invocation(step, config(dirs.ours), dirs.ours)),
        runPlugin(REFERENCE, invocation(step, config(dirs.reference), dirs.reference)),
      ]);
      expect(comparable(o, dirs.ours), what).toEqual(comparable(r, dirs.reference));
      ours.push(o);
    }
    const oursFiles = readDataDir(dirs.ours, { ignoreDotNames: true });
    const problems = compareDataDirs(
      oursFiles,
      withoutUnusedLocks(readDataDir(dirs.reference, { ignoreDotNames: true }), oursFiles),
    );
    expect(problems, `${what}: data dirs differ`).toEqual([]);
  }
  return ours;
}

/**
 * Ours does not create a network's directory and `lock` for a DEL or CHECK of a network that has no
 * store yet, where upstream does (contract 10, item 13; a row of the host-local README's differences
 * table). So a reference network directory holding nothing but an empty `lock`, while ours has no such
 * directory, counts as the same state. Nothing else is exempted.
 */
export function withoutUnusedLocks(
  reference: ReadonlyMap<string, DataFile>,
  ours: ReadonlyMap<string, DataFile>,
): Map<string, DataFile> {
  const out = new Map(reference);
  const networks = new Set([...reference.keys()].map((name) => name.split("/")[0] ?? ""));
  for (const network of networks) {
    const inReference = [...reference.keys()].filter((name) => name.startsWith(`${network}/`));
    const inOurs = [...ours.keys()].filter((name) => name.startsWith(`${network}/`));
    const lock = reference.get(`${network}/lock`);
    if (inOurs.length === 0 && inReference.length === 1 && lock !== undefined && lock.bytes.length === 0) {
      out.delete(`${network}/lock`);
    }
  }
  return out;
}

/** Writes a legacy (container-id-only) reservation file, as very old versions did. */
export function legacyReservation(ip: string, containerId: string): Mutation {
  return {
    kind: "mutate",
    label: `legacy reservation ${ip} = ${containerId}`,
    apply: (dir) => writeFileSync(join(dir, ip), containerId),
  };
}

/** The allocation file names (IP-named files) in a data dir snapshot of one network. */
export function allocationNames(files: ReadonlyMap<string, unknown>): string[] {
  return [...files.keys()].filter(
    (n) => n !== "lock" && !n.startsWith("last_reserved_ip.") && !n.startsWith("."),
  );
}
