import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";

/** Name of the lock file in a network directory (upstream's name). */
export const LOCK_FILE_NAME = "lock";

/** Prefix of the round-robin hint files: `last_reserved_ip.<rangeId>` (upstream's name). */
export const LAST_RESERVED_IP_PREFIX = "last_reserved_ip.";

const DOT = 0x2e;
const COLON = 0x3a;

/** The value of an ASCII hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * True when `text[start, end)` is a dotted IPv4 literal as Go's parser takes it: four decimal fields
 * of 1-3 digits, at most 255, no leading zero (so no octal, hex or short forms).
 */
function isIpv4Text(text: string, start: number, end: number): boolean {
  let fields = 0;
  let i = start;
  while (fields < 4) {
    const fieldStart = i;
    let value = 0;
    while (i < end && i - fieldStart < 4) {
      const digit = text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
      i++;
    }
    const length = i - fieldStart;
    if (length === 0 || length > 3 || value > 255) return false;
    if (length > 1 && text.charCodeAt(fieldStart) === 0x30) return false;
    fields++;
    if (fields < 4) {
      if (i >= end || text.charCodeAt(i) !== DOT) return false;
      i++;
    }
  }
  return i === end;
}

/**
 * True when `text` is an IPv6 literal as Go's parser takes it: hex groups of 1-4 digits, at most one
 * `::` that stands for at least one group of zeros, an optional dotted IPv4 literal as the last 4
 * bytes, and no zone.
 */
function isIpv6Text(text: string): boolean {
  const end = text.length;
  let bytes = 0;
  let ellipsis = false;
  let i = 0;
  if (end >= 2 && text.charCodeAt(0) === COLON && text.charCodeAt(1) === COLON) {
    ellipsis = true;
    i = 2;
    if (i === end) return true;
  }
  while (i < end) {
    const groupStart = i;
    while (i < end && i - groupStart < 5 && hexValue(text.charCodeAt(i)) >= 0) i++;
    const length = i - groupStart;
    if (i < end && text.charCodeAt(i) === DOT) {
      // An embedded IPv4 literal ends the text and fills the last 4 bytes.
      if ((!ellipsis && bytes !== 12) || bytes > 12) return false;
      if (!isIpv4Text(text, groupStart, end)) return false;
      bytes += 4;
      break;
    }
    if (length === 0 || length > 4) return false;
    bytes += 2;
    if (bytes > 16) return false;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (ellipsis) return false;
      ellipsis = true;
      i++;
      if (i === end) break;
    } else if (i === end) {
      // A single trailing colon.
      return false;
    }
  }
  // upstream-compat: `::` must stand for at least one group of zeros.
  return ellipsis ? bytes <= 14 : bytes === 16;
}

/**
 * True when `name` is a reservation file name: it parses as an IP address the way Go's `net.ParseIP`
 * accepts one (no leading zeros in IPv4, mapped and embedded IPv4 forms allowed, no zone); dot-names
 * are ours, never addresses. This is what keeps `lock`, `last_reserved_ip.*` and our temp files out
 * of every scan (upstream compares their contents too, contract section 10 item 6).
 *
 * A scanner of its own rather than `node:net`'s `isIP`: loading `node:net` cost the plugin about 2 ms
 * of start-up in Bun, and this runs once per file of a scanned directory.
 */
export function isAddressName(name: string): boolean {
  if (name.length === 0 || name.charCodeAt(0) === DOT) return false;
  return name.includes(":") ? isIpv6Text(name) : isIpv4Text(name, 0, name.length);
}

/**
 * Throws CniError 999 unless `network` can be used as one directory name below the data dir: not
 * empty, not `.` or `..`, without `/` or NUL. Anything else could address a directory outside
 * `<dataDir>/`.
 */
export function checkNetworkName(network: string): void {
  const problem =
    network === ""
      ? "is empty"
      : network === "." || network === ".."
        ? `"${network}" is not a directory name`
        : network.includes("/")
          ? `"${network}" contains "/"`
          : network.includes("\0")
            ? "contains a NUL byte"
            : undefined;
  if (problem !== undefined) {
    throw new CniError(CNI_ERROR_CODES.Internal, `invalid network name for the disk store: name ${problem}`);
  }
}

/** Throws CniError 999 unless `ip` is a reservation file name ({@link isAddressName}). */
export function checkAddressName(ip: string): void {
  if (!isAddressName(ip)) {
    throw new CniError(CNI_ERROR_CODES.Internal, `invalid IP address for the disk store: "${ip}"`);
  }
}

/**
 * Throws CniError 999 unless `rangeId` keeps `last_reserved_ip.<rangeId>` a plain file name in the
 * network directory (not empty, no `/`, no NUL).
 */
export function checkRangeId(rangeId: string): void {
  if (rangeId === "" || rangeId.includes("/") || rangeId.includes("\0")) {
    throw new CniError(CNI_ERROR_CODES.Internal, `invalid range id for the disk store: "${rangeId}"`);
  }
}
