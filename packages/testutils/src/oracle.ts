import type { DataFile } from "./data-dir.js";

/**
 * The spec versions both Debian's 1.1.1 oracle and our plugin implement (1.1.1 stops at 1.0.0), i.e.
 * the versions the differential tests run every case for.
 */
export const ORACLE_VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"] as const;

/** One of {@link ORACLE_VERSIONS}. */
export type OracleVersion = (typeof ORACLE_VERSIONS)[number];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function reduceRoute(route: unknown): unknown {
  if (!isRecord(route)) return route;
  const out: Record<string, unknown> = {};
  if ("dst" in route) out.dst = route.dst;
  if ("gw" in route) out.gw = route.gw;
  return out;
}

/**
 * Brings an ADD result printed by either binary to the form in which the two are compared, removing
 * exactly the known differences between upstream HEAD (which ours follows) and the 1.1.1 oracle
 * (reference/decisions.md "Baseline and oracle"; contract Appendix A and 2.4):
 * - an empty `dns` object is treated as absent in a 1.x result (HEAD omits it, 1.1.1 prints `{}`);
 * - routes are reduced to `dst`/`gw` wherever a result carries a top-level `routes` list (HEAD keeps
 *   `mtu`, `advmss`, `priority`, `table`, `scope` in 0.3.x, 0.4.0 and 1.x; 1.1.1 drops them).
 * Key order does not matter because callers compare parsed values. Anything that is not a result
 * object (an error object, `undefined`) is returned unchanged. Never throws.
 */
export function normaliseResult(result: unknown): unknown {
  if (!isRecord(result) || !("cniVersion" in result)) return result;
  const out: Record<string, unknown> = { ...result };
  const version = typeof out.cniVersion === "string" ? out.cniVersion : "";
  if (version.startsWith("1.") && isRecord(out.dns) && Object.keys(out.dns).length === 0) delete out.dns;
  if (Array.isArray(out.routes)) out.routes = out.routes.map(reduceRoute);
  return out;
}

/**
 * Brings an error object to the form in which the two binaries' errors are compared: in the details of
 * `incompatible CNI versions`, HEAD's supported list also names `"1.1.0"`, which 1.1.1 does not know
 * (contract 1.4 and Appendix A); that entry is removed. Everything else is returned unchanged. Never throws.
 */
export function normaliseError(error: unknown): unknown {
  if (!isRecord(error) || error.msg !== "incompatible CNI versions" || typeof error.details !== "string") {
    return error;
  }
  return { ...error, details: error.details.replace(/ "1\.1\.0"\]$/, "]") };
}

/**
 * Compares two data dir snapshots ({@link readDataDir}, read with `ignoreDotNames`) the way the
 * differential tests require: the same file names, byte-identical contents, and modes where `ours` grants
 * no permission bit that `reference` does not (HEAD writes 0600 where 1.1.1 writes 0644).
 * Returns one line per difference, empty when the two agree. Never throws.
 */
export function compareDataDirs(
  ours: ReadonlyMap<string, DataFile>,
  reference: ReadonlyMap<string, DataFile>,
): string[] {
  const problems: string[] = [];
  for (const name of reference.keys()) if (!ours.has(name)) problems.push(`missing in ours: ${name}`);
  for (const [name, file] of ours) {
    const ref = reference.get(name);
    if (ref === undefined) {
      problems.push(`only in ours: ${name} = ${JSON.stringify(file.bytes.toString("utf8"))}`);
      continue;
    }
    if (!file.bytes.equals(ref.bytes)) {
      problems.push(
        `content of ${name}: ours ${JSON.stringify(file.bytes.toString("utf8"))}, reference ${JSON.stringify(ref.bytes.toString("utf8"))}`,
      );
    }
    if ((file.mode & ~ref.mode) !== 0) {
      problems.push(
        `mode of ${name}: ours 0${file.mode.toString(8)} grants more than 0${ref.mode.toString(8)}`,
      );
    }
  }
  return problems;
}
