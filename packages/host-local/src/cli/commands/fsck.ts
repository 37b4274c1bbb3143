import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { type DiskStore, isTempFileName, openExistingDiskStore } from "@cni-ts/disk-store";
import { goTrimSpace } from "@cni-ts/types";
import { errnoCode, goPathErrorText } from "../../go-error-text.js";
import { parseAddressName } from "../address.js";
import { checkAllocationContent } from "../allocation-content.js";
import { compareNames, readDataDirEntries } from "../data-dir.js";
import { errorText } from "../error-text.js";
import type { Style } from "../style.js";
import { renderTable } from "../table.js";

/** Every kind of problem fsck reports, with what `--repair` does about it. */
export const PROBLEM_KINDS = {
  /** An allocation file with no content (upstream leaves one when killed between create and write). Repaired: removed. */
  "empty-allocation": true,
  /** An allocation file whose content is neither `<id>\r\n<ifname>` nor a legacy container ID. Repaired: removed. */
  "malformed-allocation": true,
  /** Our temp file `.<name>.tmp-<pid>-<n>` left by a killed writer. Repaired: removed. */
  "leftover-temp-file": true,
  /** A `last_reserved_ip.<n>` file that does not hold an address. Repaired: removed (it is only a hint). */
  "bad-last-reserved-ip": true,
  /** An address name that is not Go's canonical text (`2001:DB8::1`); upstream reads it, we never write it. */
  "non-canonical-name": false,
  /** A name that is neither an address, `lock`, `last_reserved_ip.<n>` nor one of ours. */
  "unknown-name": false,
  /** A dot-name that is not ours (ours: `.cni-ts-index` and temp files). */
  "foreign-dot-name": false,
  /** A symbolic link, which no writer creates and the disk store never follows. */
  symlink: false,
  /** An address name that is a directory, FIFO, socket or device rather than a file. */
  "not-a-regular-file": false,
  /** A file (or the network directory) that cannot be read. */
  "unreadable-file": false,
  /** `lock` cannot be opened and locked, so neither plugin can work in this network. */
  "unreadable-lock": false,
} as const;

/** The kind of a {@link Problem}; see {@link PROBLEM_KINDS}. */
export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** One problem in a data dir. */
export interface Problem {
  network: string;
  /** The file's name inside the network directory; `""` for the network directory itself. */
  file: string;
  kind: ProblemKind;
  /** What exactly is wrong, for people. */
  detail: string;
}

/** What `fsck` found and fixed. */
export interface FsckReport {
  dataDir: string;
  dataDirExists: boolean;
  /** The networks checked, in byte order. */
  networks: string[];
  /** Problems that remain (after repair, when asked), by network then file name. */
  problems: Problem[];
  /** Problems `--repair` fixed. */
  repaired: Problem[];
}

/** Options of {@link fsckDataDir}. */
export interface FsckOptions {
  dataDir: string;
  /** Only this network. */
  network?: string | undefined;
  /** Fix what is safe to fix (see {@link PROBLEM_KINDS}). */
  repair: boolean;
}

const LAST_RESERVED_IP = /^last_reserved_ip\.[0-9]+$/;
const OUR_INDEX = ".cni-ts-index";
const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Reads a regular file without following a link or blocking on a FIFO; undefined when it is not one. */
function readRegular(path: string): Buffer | undefined {
  const fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  try {
    return fstatSync(fd).isFile() ? readFileSync(fd) : undefined;
  } finally {
    closeSync(fd);
  }
}

// Content quoted for a one-line detail: JSON escapes keep control characters visible and harmless.
function quote(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  return text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}…` : JSON.stringify(text);
}

function typeName(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  return st.isDirectory() ? "a directory" : st.isFIFO() ? "a FIFO" : st.isSocket() ? "a socket" : "a device";
}

/** Classifies one entry of a network directory; `started` separates leftovers from writes in flight. */
function checkEntry(dir: string, network: string, name: string, started: number): Problem[] {
  const path = join(dir, name);
  const problem = (kind: ProblemKind, detail: string): Problem[] => [{ network, file: name, kind, detail }];
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch (err) {
    // Removed since the directory was read (a concurrent DEL when fsck runs without the lock).
    if (errnoCode(err) === "ENOENT") return [];
    return problem("unreadable-file", goPathErrorText(err, path, "lstat"));
  }
  if (st.isSymbolicLink()) {
    let target = "?";
    try {
      target = readlinkSync(path);
    } catch {
      // Only decorates the message; the link is reported either way.
    }
    return problem("symlink", `symbolic link to ${target}; neither plugin follows it`);
  }

  if (name === "lock") {
    if (!st.isFile()) return problem("unreadable-lock", `lock is ${typeName(st)}, not a file`);
    try {
      readRegular(path);
    } catch (err) {
      return problem("unreadable-lock", goPathErrorText(err, path, "open"));
    }
    return [];
  }

  if (name.startsWith(".")) {
    if (name === OUR_INDEX) return [];
    if (isTempFileName(name)) {
      // A temp file younger than this run belongs to a write in flight (only possible without the lock).
      if (st.mtimeMs >= started) return [];
      return problem("leftover-temp-file", "temp file of a writer that did not finish (killed)");
    }
    return problem("foreign-dot-name", "a dot-name that cni-ts does not use");
  }

  if (LAST_RESERVED_IP.test(name)) {
    if (!st.isFile()) return problem("bad-last-reserved-ip", `${typeName(st)}, not a file`);
    let bytes: Buffer | undefined;
    try {
      bytes = readRegular(path);
    } catch (err) {
      return problem("bad-last-reserved-ip", goPathErrorText(err, path, "open"));
    }
    // upstream-compat: read without trimming, so a trailing newline makes the hint unusable.
    if (bytes !== undefined && parseAddressName(bytes.toString("utf8")) === undefined) {
      return problem("bad-last-reserved-ip", `holds ${quote(bytes)}, not an address`);
    }
    return [];
  }

  const address = parseAddressName(name);
  if (address === undefined) {
    const what = st.isFile() ? "a file" : typeName(st);
    return problem("unknown-name", `${what} named neither an address, lock nor last_reserved_ip.<n>`);
  }
  if (!st.isFile()) return problem("not-a-regular-file", `${typeName(st)} named by an address`);
  const found: Problem[] = [];
  if (address.canonical !== name) {
    found.push(
      ...problem("non-canonical-name", `the canonical name of this address is ${address.canonical}`),
    );
  }
  let bytes: Buffer | undefined;
  try {
    bytes = readRegular(path);
  } catch (err) {
    return [...found, ...problem("unreadable-file", goPathErrorText(err, path, "open"))];
  }
  if (bytes === undefined) return found;
  const verdict = checkAllocationContent(bytes);
  if (verdict.kind === "empty") found.push(...problem("empty-allocation", "the allocation file is empty"));
  if (verdict.kind === "malformed") {
    found.push(...problem("malformed-allocation", `${verdict.reason}: ${quote(bytes)}`));
  }
  return found;
}

function scanNetwork(dir: string, network: string, started: number): Problem[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    return [{ network, file: "", kind: "unreadable-file", detail: goPathErrorText(err, dir, "open") }];
  }
  return names.sort(compareNames).flatMap((name) => checkEntry(dir, network, name, started));
}

// The fix for one repairable problem, under the network's lock. Each re-checks the file first, so a
// file that changed since the scan is left alone; the rescan afterwards decides what remains.
async function repairOne(store: DiskStore, problem: Problem, started: Date): Promise<void> {
  const path = join(store.dir, problem.file);
  switch (problem.kind) {
    case "empty-allocation":
    case "malformed-allocation": {
      // The disk store removes the file only if it still holds exactly these (trimmed) bytes.
      const content = readRegular(path);
      if (content === undefined) return;
      const trimmed = goTrimSpace(content.toString("utf8"));
      const at = trimmed.indexOf("\r\n");
      await store.releaseAllocation(
        at < 0
          ? { ip: problem.file, containerId: trimmed, ifname: undefined }
          : { ip: problem.file, containerId: trimmed.slice(0, at), ifname: trimmed.slice(at + 2) },
      );
      return;
    }
    case "leftover-temp-file":
      await store.removeStaleTempFiles(started);
      return;
    case "bad-last-reserved-ip": {
      const content = readRegular(path);
      if (content !== undefined && parseAddressName(content.toString("utf8")) === undefined) unlinkSync(path);
      return;
    }
    default:
      return;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    // Missing, or its directory unreadable: either way there is no lock file to complain about.
    return false;
  }
}

const key = (p: Problem): string => `${p.file}\0${p.kind}`;

interface NetworkResult {
  problems: Problem[];
  repaired: Problem[];
}

async function checkNetwork(
  dataDir: string,
  network: string,
  repair: boolean,
  started: Date,
): Promise<NetworkResult> {
  const dir = join(dataDir, network);
  let store: DiskStore | undefined;
  let lockFailure: string | undefined;
  try {
    store = await openExistingDiskStore({ dataDir, network });
    await store?.lock();
  } catch (err) {
    // Checked without the lock then; the scan below says what is wrong with the lock file.
    lockFailure = errorText(err, { path: join(dir, "lock"), op: "open" });
    await store?.close();
    store = undefined;
  }
  try {
    const found = scanNetwork(dir, network, started.getTime());
    // A lock that cannot be taken is a problem unless it merely does not exist yet (a read-only file
    // system refuses to create it; either plugin creates it on first use).
    if (
      lockFailure !== undefined &&
      exists(join(dir, "lock")) &&
      !found.some((p) => p.file === "lock" || p.file === "")
    ) {
      found.push({ network, file: "lock", kind: "unreadable-lock", detail: lockFailure });
    }
    if (!repair || store === undefined || !found.some((p) => PROBLEM_KINDS[p.kind])) {
      return { problems: found, repaired: [] };
    }
    const unfixed: Problem[] = [];
    for (const problem of found.filter((p) => PROBLEM_KINDS[p.kind])) {
      try {
        await repairOne(store, problem, started);
      } catch (err) {
        const where = { path: join(dir, problem.file), op: "remove" };
        unfixed.push({ ...problem, detail: `${problem.detail} (repair failed: ${errorText(err, where)})` });
      }
    }
    const remaining = scanNetwork(dir, network, started.getTime());
    const left = new Set(remaining.map(key));
    const failed = new Map(unfixed.map((p) => [key(p), p]));
    return {
      problems: remaining.map((p) => failed.get(key(p)) ?? p),
      repaired: found.filter((p) => !left.has(key(p))),
    };
  } finally {
    if (store !== undefined) await store.close();
  }
}

/**
 * Checks every network directory under `options.dataDir` (or only `options.network`) for files that
 * neither plugin wrote or that a crash left behind, each network under its lock (taken through the
 * disk store, which creates a missing `lock` file) so the result is a consistent snapshot. With
 * `repair`, fixes the repairable kinds of {@link PROBLEM_KINDS} under that lock and scans again: it
 * never removes a valid allocation. A network whose lock cannot be taken is checked without it and
 * not repaired.
 *
 * Throws CniError 5 when the data dir itself cannot be read; a missing data dir has no problems.
 */
export async function fsckDataDir(options: FsckOptions): Promise<FsckReport> {
  const started = new Date();
  const entries = readDataDirEntries(options.dataDir, options.network);
  const report: FsckReport = {
    dataDir: options.dataDir,
    dataDirExists: entries !== undefined,
    networks: [],
    problems: [],
    repaired: [],
  };
  for (const entry of entries ?? []) {
    if (entry.type === "other") continue;
    report.networks.push(entry.name);
    if (entry.type === "symlink") {
      report.problems.push({
        network: entry.name,
        file: "",
        kind: "symlink",
        detail: "the network directory is a symbolic link; the disk store refuses to use it",
      });
      continue;
    }
    const result = await checkNetwork(options.dataDir, entry.name, options.repair, started);
    report.problems.push(...result.problems);
    report.repaired.push(...result.repaired);
  }
  return report;
}

/** The `fsck --json` document: `{problems, repaired}`, with a final newline. */
export function fsckJson(report: FsckReport): string {
  return `${JSON.stringify({ problems: report.problems, repaired: report.repaired }, null, 2)}\n`;
}

/** The `fsck` report for people: a table of problems (repaired ones marked) and a summary line. */
export function renderFsck(report: FsckReport, repairAsked: boolean, style: Style): string {
  const rows = [
    ...report.repaired.map((p) => ({ p, fixed: true })),
    ...report.problems.map((p) => ({ p, fixed: false })),
  ]
    .sort((a, b) => compareNames(a.p.network, b.p.network) || compareNames(a.p.file, b.p.file))
    .map(({ p, fixed }) => [
      p.network,
      p.file === "" ? "." : p.file,
      fixed ? { text: p.kind, paint: style.green } : { text: p.kind, paint: style.red },
      fixed ? "repaired" : !PROBLEM_KINDS[p.kind] ? "manual" : repairAsked ? "failed" : "--repair",
      p.detail,
    ]);
  const n = report.networks.length;
  const where = report.dataDirExists
    ? `${n} network${n === 1 ? "" : "s"} under ${report.dataDir}`
    : `${report.dataDir} (does not exist)`;
  if (rows.length === 0) return `${style.green("ok")}: no problems in ${where}\n`;
  const table = renderTable(
    [
      { header: "NETWORK" },
      { header: "FILE" },
      { header: "PROBLEM" },
      { header: "ACTION" },
      { header: "DETAIL" },
    ],
    rows,
    style,
  );
  const remaining = report.problems.length;
  const summary =
    remaining === 0
      ? `${style.green("ok")}: repaired ${report.repaired.length} problem(s) in ${where}\n`
      : `${style.red("problems")}: ${remaining} remain in ${where}` +
        (report.repaired.length > 0 ? ` (${report.repaired.length} repaired)` : "") +
        (repairAsked || !report.problems.some((p) => PROBLEM_KINDS[p.kind])
          ? "\n"
          : "; --repair fixes the kinds that are safe to fix\n");
  return table + summary;
}
