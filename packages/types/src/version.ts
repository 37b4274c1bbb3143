/**
 * CNI spec versions: the supported list, parsing and comparison (upstream `pkg/version`), and the
 * VERSION document.
 */

import { goQuote } from "./go-quote.js";
import { encodeJson } from "./print-json.js";

/** Every spec version this library speaks, oldest first (upstream HEAD's `version.All`). */
export const SUPPORTED_VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] as const;

/** One of {@link SUPPORTED_VERSIONS}. */
export type SupportedVersion = (typeof SUPPORTED_VERSIONS)[number];

/** The spec version this library implements, printed as `cniVersion` by VERSION (upstream `version.Current()`). */
export const CURRENT_VERSION = "1.1.0";

/** A parsed spec version. */
export interface Version {
  major: number;
  minor: number;
  micro: number;
}

/** True when `value` is exactly one of {@link SUPPORTED_VERSIONS} (`""` is not). */
export function isSupportedVersion(value: string): value is SupportedVersion {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(value);
}

const INT64_MAX = 9223372036854775807n;
const UINT64_MAX = 18446744073709551615n;

/**
 * Go's `strconv.Atoi` on a 64-bit platform: optional sign, then decimal digits (leading zeros
 * allowed). Returns the value or the text of Go's error.
 */
function atoi(text: string): bigint | string {
  const negative = text.startsWith("-");
  const digits = text.startsWith("-") || text.startsWith("+") ? text.slice(1) : text;
  const syntax = `strconv.Atoi: parsing ${goQuote(text)}: invalid syntax`;
  const range = `strconv.Atoi: parsing ${goQuote(text)}: value out of range`;
  if (digits === "") return syntax;
  let value = 0n;
  for (const char of digits) {
    if (char < "0" || char > "9") return syntax;
    value = value * 10n + BigInt(char.charCodeAt(0) - 48);
    // upstream-compat: Go stops at the first overflow, so "99999999999999999999x" is a range error.
    if (value > UINT64_MAX) return range;
  }
  if (negative ? value > INT64_MAX + 1n : value > INT64_MAX) return range;
  return negative ? -value : value;
}

interface ExactVersion {
  major: bigint;
  minor: bigint;
  micro: bigint;
}

function parseExact(version: string): ExactVersion {
  // upstream-compat: a missing version is the first spec version, 0.1.0.
  if (version === "") return { major: 0n, minor: 1n, micro: 0n };
  const parts = version.split(".");
  if (parts.length >= 4) throw new Error(`invalid version ${goQuote(version)}: too many parts`);
  const names = ["major", "minor", "micro"] as const;
  const values = [0n, 0n, 0n];
  for (const [i, part] of parts.entries()) {
    const value = atoi(part);
    if (typeof value === "string") {
      throw new Error(`failed to convert ${names[i]} version part ${goQuote(part)}: ${value}`);
    }
    values[i] = value;
  }
  return { major: values[0] ?? 0n, minor: values[1] ?? 0n, micro: values[2] ?? 0n };
}

/**
 * Parses a spec version like upstream's `ParseVersion`: `""` is 0.1.0; up to three `.`-separated
 * decimal parts (optional sign, leading zeros allowed), missing parts are 0 (`"1"` is 1.0.0).
 *
 * @throws {Error} a plain Error with upstream's text: `invalid version "1.2.3.4": too many parts`,
 *   or `failed to convert major version part "abc": strconv.Atoi: parsing "abc": invalid syntax`
 *   (`minor`/`micro` likewise; `value out of range` for numbers beyond 64 bits).
 */
export function parseVersion(version: string): Version {
  const exact = parseExact(version);
  return { major: Number(exact.major), minor: Number(exact.minor), micro: Number(exact.micro) };
}

/**
 * Compares two spec versions numerically by (major, minor, micro): -1 when `a` is older, 0 when
 * equal, 1 when newer.
 *
 * @throws {Error} {@link parseVersion}'s error for the first side that does not parse.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const left = parseExact(a);
  const right = parseExact(b);
  for (const key of ["major", "minor", "micro"] as const) {
    if (left[key] < right[key]) return -1;
    if (left[key] > right[key]) return 1;
  }
  return 0;
}

/**
 * True when `version` is `min` or newer (upstream `GreaterThanOrEqualTo`), e.g. CHECK needs 0.4.0.
 *
 * @throws {Error} {@link parseVersion}'s error when either side does not parse.
 */
export function versionAtLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}

/**
 * The supported versions from `min` on, inclusive (upstream `VersionsStartingFrom`); empty when
 * `min` is not one of {@link SUPPORTED_VERSIONS}. Never throws.
 */
export function versionsStartingFrom(min: string): SupportedVersion[] {
  const start = (SUPPORTED_VERSIONS as readonly string[]).indexOf(min);
  return start < 0 ? [] : SUPPORTED_VERSIONS.slice(start);
}

/**
 * The VERSION command's stdout: compact JSON `{"cniVersion":"1.1.0","supportedVersions":[...]}`
 * followed by one `\n`, exactly as upstream's encoder writes it. `supportedVersions` is left out
 * when the list is empty (upstream's `omitempty`). Never throws.
 */
export function printVersionInfo(cniVersion: string, supported: readonly string[]): string {
  const info: { cniVersion: string; supportedVersions?: readonly string[] } = { cniVersion };
  if (supported.length > 0) info.supportedVersions = supported;
  return `${encodeJson(info, "")}\n`;
}
