// Fills a host-local network directory with N allocations by writing the on-disk format directly.
//
// Going through the plugin would take one exec per allocation (minutes for 50,000 with upstream,
// whose ADD is O(n)); writing the files takes a second or two. The layout is the one both
// binaries read and write (contract section 6):
//
//   <dataDir>/<network>/<ip>                 "<containerId>\r\n<ifname>", no trailing newline
//   <dataDir>/<network>/last_reserved_ip.0   the last prefilled address, no newline
//   <dataDir>/<network>/lock                 empty
//
// Addresses are taken in the order the round-robin allocator hands them out (from the range start,
// skipping the gateway), so the next ADD after a prefill of N gets allocation N: the benchmark
// measures a store that a real node could have reached.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Network name used in every benchmark config and as the directory name under the data dir. */
export const NETWORK_NAME = "bench";

/** Interface name of every prefilled allocation. */
export const PREFILL_IFNAME = "eth0";

/**
 * The range benchmarked for each family: an IPv4 /16 and an IPv6 /64, gateway first, allocations
 * from the address after the gateway.
 */
export const RANGES = Object.freeze({
  4: Object.freeze({ family: 4, subnet: "10.128.0.0/16", prefixLength: 16, gateway: "10.128.0.1" }),
  6: Object.freeze({ family: 6, subnet: "2001:db8::/64", prefixLength: 64, gateway: "2001:db8::1" }),
});

const FIRST_HOST = Object.freeze({ 4: 0x0a800002n, 6: 0x20010db8000000000000000000000002n });

// The /16 holds 65,533 allocatable addresses after the gateway; keep room for the ADDs that the
// benchmark makes on top of the prefill (one new address per run, released again by DEL, but the
// round-robin cursor still moves forward).
const MAX_PREFILL = Object.freeze({ 4: 60_000, 6: 1_000_000 });

/**
 * Formats an address held as a bigint the way Go's `net.IP.String()` does (the file names both
 * binaries use): dotted decimal for IPv4; for IPv6 lower-case hex groups without leading zeros and
 * the longest run of two or more zero groups (the first one on a tie) written as `::`.
 *
 * @param {bigint} value the address as an unsigned integer
 * @param {4 | 6} family the address family
 * @returns {string} the canonical text
 * @throws {RangeError} when the value does not fit the family
 */
export function formatIp(value, family) {
  const bits = family === 4 ? 32n : 128n;
  if (value < 0n || value >= 1n << bits) {
    throw new RangeError(`address ${value} does not fit IPv${family}`);
  }
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  }
  const groups = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(Number((value >> shift) & 0xffffn));
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < groups.length && groups[end] === 0) {
      end += 1;
    }
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = (list) => list.map((group) => group.toString(16)).join(":");
  // RFC 5952 4.2.2: a single zero group is written out, never shortened to "::".
  if (bestLength < 2) {
    return hex(groups);
  }
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/**
 * The allocation with the given index in a prefill: its address (canonical text) and owner.
 *
 * @param {4 | 6} family the address family
 * @param {number} index zero-based position in allocation order
 * @returns {{ ip: string, containerId: string, ifname: string }} what the file for that index holds
 * @throws {RangeError} when the index is negative or the family unknown
 */
export function allocationAt(family, index) {
  const first = FIRST_HOST[family];
  if (first === undefined) {
    throw new RangeError(`unknown family ${family}: expected 4 or 6`);
  }
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`allocation index must be a non-negative integer, got ${index}`);
  }
  return { ip: formatIp(first + BigInt(index), family), containerId: `c${index}`, ifname: PREFILL_IFNAME };
}

/**
 * Creates `<dataDir>/<NETWORK_NAME>` holding `count` allocations (`c0` .. `c<count-1>`, ifname
 * `eth0`), `last_reserved_ip.0` naming the last one (absent when count is 0) and an empty `lock`.
 * Files that already exist are overwritten; nothing else in the directory is touched.
 *
 * @param {string} dataDir the `ipam.dataDir` the plugin will be given
 * @param {{ family: 4 | 6, count: number }} options address family and number of allocations
 * @returns {{ networkDir: string, count: number, first: string | null, last: string | null }}
 *   the directory written and the first and last prefilled addresses
 * @throws {RangeError} when count is negative, not an integer or larger than the range allows;
 *   any error from the file system (e.g. ENOSPC) as thrown by node:fs
 */
export function prefillNetwork(dataDir, { family, count }) {
  const limit = MAX_PREFILL[family];
  if (limit === undefined) {
    throw new RangeError(`unknown family ${family}: expected 4 or 6`);
  }
  if (!Number.isSafeInteger(count) || count < 0 || count > limit) {
    throw new RangeError(
      `prefill count for IPv${family} must be an integer from 0 to ${limit}, got ${count}`,
    );
  }
  const networkDir = join(dataDir, NETWORK_NAME);
  mkdirSync(networkDir, { recursive: true, mode: 0o755 });
  // 0750 is the mode both binaries create the lock file with (contract 6.1).
  writeFileSync(join(networkDir, "lock"), "", { mode: 0o750 });
  const first = FIRST_HOST[family];
  let last = null;
  for (let index = 0; index < count; index += 1) {
    last = formatIp(first + BigInt(index), family);
    writeFileSync(join(networkDir, last), `c${index}\r\n${PREFILL_IFNAME}`, { mode: 0o600 });
  }
  if (last !== null) {
    writeFileSync(join(networkDir, "last_reserved_ip.0"), last, { mode: 0o600 });
  }
  return { networkDir, count, first: count > 0 ? formatIp(first, family) : null, last };
}
