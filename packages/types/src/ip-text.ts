/**
 * Just enough IP address handling to decode results the way upstream's Go types do: strict parsing
 * (Go's `net.ParseIP` / `net.ParseCIDR`, which refuse octal, hex and short IPv4 forms and zones) and
 * printing (`net.IP.String()` / `net.IPNet.String()`).
 *
 * This package is the dependency-free leaf, so it cannot use the allocator's ipaddr.js wrapper. This
 * module is internal: it is not re-exported from the package entry.
 */

/** A parsed address: 4 bytes for a dotted IPv4 literal, 16 for any IPv6 literal (mapped ones too). */
export interface ParsedIp {
  readonly bytes: Uint8Array;
}

/** A parsed `address/prefix` with the host bits kept, as upstream's `types.ParseCIDR` returns it. */
export interface ParsedCidr {
  readonly ip: ParsedIp;
  /** Prefix length, relative to the address length of the literal (32 for IPv4, 128 for IPv6). */
  readonly prefix: number;
}

const DECIMAL = /^[0-9]+$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    // upstream-compat: Go's parser takes 1-3 decimal digits, no leading zero, at most 255.
    if (part.length === 0 || part.length > 3 || !DECIMAL.test(part)) return undefined;
    if (part.length > 1 && part.startsWith("0")) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    out[i] = value;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  // Zones (`fe80::1%eth0`) are refused by net.ParseIP, so no `%` handling at all.
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const hasEllipsis = halves.length === 2;
  const pieces = (half: string): string[] => (half === "" ? [] : half.split(":"));
  const head = pieces(halves[0] ?? "");
  const tail = hasEllipsis ? pieces(halves[1] ?? "") : [];
  const all = [...head, ...tail];
  // An embedded IPv4 literal may only end the text (`::ffff:1.2.3.4`, never `1.2.3.4::`).
  const lastPiece = hasEllipsis ? tail.length - 1 + head.length : head.length - 1;
  const bytes: number[] = [];
  for (const [i, piece] of all.entries()) {
    if (i === lastPiece && piece.includes(".") && (!hasEllipsis || tail.length > 0)) {
      const v4 = parseIpv4(piece);
      if (v4 === undefined) return undefined;
      bytes.push(...v4);
      continue;
    }
    if (!HEX_GROUP.test(piece)) return undefined;
    const value = Number.parseInt(piece, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  const headBytes = head.reduce((n, piece) => n + (piece.includes(".") ? 4 : 2), 0);
  if (hasEllipsis) {
    // upstream-compat: `::` must stand for at least one group of zeros.
    if (bytes.length > 14) return undefined;
    const zeros = new Array<number>(16 - bytes.length).fill(0);
    bytes.splice(headBytes, 0, ...zeros);
  } else if (bytes.length !== 16) {
    return undefined;
  }
  return Uint8Array.from(bytes);
}

/** Parses an address like Go's `net.ParseIP`; `undefined` when Go would return nil. */
export function parseIpText(text: string): ParsedIp | undefined {
  const bytes = text.includes(":") ? parseIpv6(text) : parseIpv4(text);
  return bytes === undefined ? undefined : { bytes };
}

/**
 * Parses `address/prefix` like Go's `net.ParseCIDR`, keeping the host bits; `undefined` when Go
 * reports `invalid CIDR address`. The prefix is decimal digits (leading zeros allowed, no sign).
 */
export function parseCidrText(text: string): ParsedCidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIpText(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === undefined || !DECIMAL.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > ip.bytes.length * 8) return undefined;
  return { ip, prefix };
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** The 4 IPv4 bytes when the address is IPv4 or IPv4-mapped IPv6 (Go's `To4()`), else undefined. */
function toIpv4(ip: ParsedIp): Uint8Array | undefined {
  if (ip.bytes.length === 4) return ip.bytes;
  const mapped = V4_MAPPED_PREFIX.every((b, i) => ip.bytes[i] === b);
  return mapped ? ip.bytes.slice(12) : undefined;
}

/** True when Go's `To4()` is non-nil: an IPv4 address, or an IPv4-mapped IPv6 one. */
export function isIpv4(ip: ParsedIp): boolean {
  return toIpv4(ip) !== undefined;
}

/** Go's `net.IP.String()`: dotted IPv4 (mapped addresses too), else RFC 5952 IPv6. */
export function formatIpText(ip: ParsedIp): string {
  const v4 = toIpv4(ip);
  if (v4 !== undefined) return Array.from(v4).join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i] ?? 0) << 8) | (ip.bytes[i + 1] ?? 0));
  // The first longest run of two or more zero groups becomes `::`.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
  }
  const hex = (g: number): string => g.toString(16);
  if (bestStart < 0) return groups.map(hex).join(":");
  const head = groups.slice(0, bestStart).map(hex).join(":");
  const tail = groups
    .slice(bestStart + bestLength)
    .map(hex)
    .join(":");
  return `${head}::${tail}`;
}

/**
 * Go's `net.IPNet.String()` for what `types.ParseCIDR` returns: the address with its host bits,
 * then the prefix. An IPv4-mapped address with an IPv6 prefix prints as IPv4 with the prefix's
 * last 32 bits, as Go does.
 */
export function formatCidrText(cidr: ParsedCidr): string {
  if (cidr.ip.bytes.length === 16 && isIpv4(cidr.ip)) {
    return `${formatIpText(cidr.ip)}/${Math.max(0, cidr.prefix - 96)}`;
  }
  return `${formatIpText(cidr.ip)}/${cidr.prefix}`;
}

/**
 * The family upstream's converters assign to an address or CIDR text: 4 when the address part is
 * IPv4 or IPv4-mapped. Text that does not parse is classed by whether it has a colon (upstream only
 * ever holds parsed addresses, so this only matters for hand-built results).
 */
export function ipFamilyOf(text: string): 4 | 6 {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIpText(address);
  if (ip === undefined) return address.includes(":") ? 6 : 4;
  return isIpv4(ip) ? 4 : 6;
}
