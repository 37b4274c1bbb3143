/**
 * The union of every result format and the rules that tell them apart.
 */

import type { Result } from "./model.js";
import type { Result020 } from "./result-020.js";
import type { Result040 } from "./result-040.js";

/** A result in any spec version's format. */
export type AnyResult = Result | Result040 | Result020;

/**
 * The three result formats, named after upstream's packages: `"100"` for 1.0.0/1.1.0, `"040"` for
 * 0.3.0/0.3.1/0.4.0, `"020"` for 0.1.0/0.2.0 (and `""`).
 */
export type ResultFamily = "100" | "040" | "020";

/** The versions each format accepts, in upstream's order (`""` is 0.1.0 for the 020 format). */
export const FAMILY_VERSIONS: Readonly<Record<ResultFamily, readonly string[]>> = {
  "100": ["1.0.0", "1.1.0"],
  "040": ["0.3.0", "0.3.1", "0.4.0"],
  "020": ["", "0.1.0", "0.2.0"],
};

/** The newest version of each format: a result without `cniVersion` is taken to be this one. */
export const FAMILY_NEWEST: Readonly<Record<ResultFamily, string>> = {
  "100": "1.1.0",
  "040": "0.4.0",
  "020": "0.2.0",
};

/**
 * The format a spec version's results use, `""` counting as 0.1.0; `undefined` for a version no
 * format accepts. Never throws.
 */
export function resultFamilyOf(version: string): ResultFamily | undefined {
  for (const family of ["100", "040", "020"] as const) {
    if (FAMILY_VERSIONS[family].includes(version)) return family;
  }
  return undefined;
}

/**
 * The format of a result object: from its `cniVersion` when that names a known non-empty version,
 * otherwise from its shape (`ip4`/`ip6` for 020, an `ips` entry with `version` for 040, else 100),
 * which is how upstream's typed objects know their format without a version.
 */
export function familyOfResult(result: AnyResult): ResultFamily {
  const byVersion = result.cniVersion === "" ? undefined : resultFamilyOf(result.cniVersion);
  if (byVersion !== undefined) return byVersion;
  if ("ip4" in result || "ip6" in result) return "020";
  if ("ips" in result && result.ips?.some((ip) => "version" in ip)) return "040";
  return "100";
}

/** True for a result in the 1.0.0/1.1.0 format (see {@link familyOfResult} for how it is told). */
export function isCurrentResult(result: AnyResult): result is Result {
  return familyOfResult(result) === "100";
}

/** True for a result in the 0.3.0/0.3.1/0.4.0 format. */
export function isResult040(result: AnyResult): result is Result040 {
  return familyOfResult(result) === "040";
}

/** True for a result in the 0.1.0/0.2.0 format. */
export function isResult020(result: AnyResult): result is Result020 {
  return familyOfResult(result) === "020";
}
