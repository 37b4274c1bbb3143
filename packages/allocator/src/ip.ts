/**
 * IP addresses as upstream's Go code sees them: strict parsing like `net.ParseIP`/`net.ParseCIDR`,
 * printing exactly like `net.IP.String()`/`net.IPNet.String()`, and bigint arithmetic.
 *
 * This is the only module that touches ipaddr.js, which prints addresses. Its parser is too lenient
 * for Go's rules (octal, hex and short IPv4 forms, zones, `::1.2.3.4` read as IPv4-mapped), so text
 * is checked against Go's grammar here and only then read: IPv4 by ipaddr.js, IPv6 by the same walk
 * that checks it.
 */
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import ipaddr from "ipaddr.js";

/** Address family: 4 for IPv4, 6 for IPv6. */
export type IpFamily = 4 | 6;

/**
 * One address. `value` is the address as an unsigned integer of 32 (IPv4) or 128 (IPv6) bits.
 * IPv4-mapped IPv6 text (`::ffff:1.2.3.4`) always parses to family 4, as Go's `To4()` does.
 */
export interface Ip {
  readonly family: IpFamily;
  readonly value: bigint;
}

/**
 * A CIDR as Go's `net.ParseCIDR` reads it, with the address kept as written (host bits are not
 * cleared). `maskBits` is the width of the mask Go builds: 32 for dotted IPv4 text, 128 for any
 * IPv6 text, including IPv4-mapped text whose `ip` is family 4 (`::ffff:10.0.0.0/120`).
 */
export interface Cidr {
  readonly ip: Ip;
  readonly prefix: number;
  readonly maskBits: 32 | 128;
}

/** The number of bits of an address of `family`. */
export function ipFamilyBits(family: IpFamily): 32 | 128 {
  return family === 4 ? 32 : 128;
}

function allOnes(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

/** Builds an address from its integer value, which must fit the family; throws a RangeError otherwise. */
export function ipFromValue(family: IpFamily, value: bigint): Ip {
  if (value < 0n || value > allOnes(ipFamilyBits(family))) {
    throw new RangeError(`value does not fit an IPv${family} address`);
  }
  return Object.freeze({ family, value });
}

// Go's IPv4 grammar: exactly four decimal fields, 0-255, no leading zeros, nothing else.
const IPV4_FIELD = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const IPV4_TEXT = new RegExp(`^${IPV4_FIELD}(?:\\.${IPV4_FIELD}){3}$`);
const HEX_DIGIT = /^[0-9a-fA-F]$/;

// Go's IPv6 grammar (net/netip parseIPv6), without zones: groups of one to four hex digits, at most
// one `::` that stands for at least one zero group, and an optional dotted IPv4 tail that fills the
// last 32 bits. Returns the 16 bytes, or undefined where Go refuses the text. (ipaddr.js is not used
// here: it reads `::1.2.3.4` as the IPv4-mapped `::ffff:1.2.3.4`.)
function parseGoIpv6(text: string): number[] | undefined {
  const bytes = new Array<number>(16).fill(0);
  let rest = text;
  let filled = 0; // bytes of the address the text has given so far
  let ellipsis = -1;
  if (rest.startsWith("::")) {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest === "") return bytes;
  }
  while (filled < 16) {
    let digits = 0;
    while (digits < rest.length && HEX_DIGIT.test(rest.charAt(digits))) digits++;
    if (digits === 0 || digits > 4) return undefined;
    if (rest.charAt(digits) === ".") {
      if ((ellipsis < 0 && filled !== 12) || filled + 4 > 16) return undefined;
      if (!IPV4_TEXT.test(rest)) return undefined;
      for (const part of rest.split(".")) bytes[filled++] = Number(part);
      rest = "";
      break;
    }
    const group = Number.parseInt(rest.slice(0, digits), 16);
    bytes[filled++] = group >> 8;
    bytes[filled++] = group & 0xff;
    rest = rest.slice(digits);
    if (rest === "") break;
    if (rest.charAt(0) !== ":" || rest.length === 1) return undefined;
    rest = rest.slice(1);
    if (rest.charAt(0) === ":") {
      if (ellipsis >= 0) return undefined;
      ellipsis = filled;
      rest = rest.slice(1);
      if (rest === "") break;
    }
  }
  if (rest !== "") return undefined;
  if (filled === 16) return ellipsis < 0 ? bytes : undefined;
  if (ellipsis < 0) return undefined;
  // Move what followed the `::` to the end; the zeros in between are what it stands for.
  const tail = bytes.slice(ellipsis, filled);
  bytes.fill(0, ellipsis);
  bytes.splice(16 - tail.length, tail.length, ...tail);
  return bytes;
}

function fromBytes(bytes: readonly number[]): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

function toBytes(ip: Ip): number[] {
  const count = ip.family === 4 ? 4 : 16;
  const bytes = new Array<number>(count);
  let v = ip.value;
  for (let i = count - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return bytes;
}

/**
 * Parses `text` like Go's `net.ParseIP`, returning undefined where Go returns nil: IPv4 must be four
 * decimal fields without leading zeros, IPv6 any RFC 4291 form (embedded IPv4 included) without a
 * zone, and no surrounding spaces. IPv4-mapped IPv6 comes back as IPv4. Never throws.
 */
export function tryParseIp(text: string): Ip | undefined {
  // Go decides the family by whichever of '.' and ':' comes first.
  const dot = text.indexOf(".");
  const colon = text.indexOf(":");
  if (dot < 0 && colon < 0) return undefined;
  if (colon < 0 || (dot >= 0 && dot < colon)) {
    if (!IPV4_TEXT.test(text)) return undefined;
    return ipFromValue(4, fromBytes(ipaddr.IPv4.parse(text).toByteArray()));
  }
  const bytes = parseGoIpv6(text);
  if (bytes === undefined) return undefined;
  const value = fromBytes(bytes);
  // Go's To4(): an IPv4-mapped address is IPv4.
  if (value >> 32n === 0xffffn) return ipFromValue(4, value & 0xffffffffn);
  return ipFromValue(6, value);
}

/**
 * Parses `text` like Go's `net.ParseIP` (see {@link tryParseIp}).
 *
 * @throws CniError 999 `invalid IP address: <text>` (Go's text for a bad `net.IP` in JSON).
 */
export function parseIp(text: string): Ip {
  const ip = tryParseIp(text);
  if (ip === undefined) {
    throw new CniError(CNI_ERROR_CODES.Internal, `invalid IP address: ${text}`);
  }
  return ip;
}

/**
 * Parses `<ip>/<prefix>` like Go's `net.ParseCIDR`, keeping host bits, or returns undefined where Go
 * fails. The prefix is decimal digits (leading zeros allowed, as in Go) up to the mask width:
 * 32 for dotted IPv4, 128 for IPv6 text. Never throws.
 */
export function tryParseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const ip = tryParseIp(addressText);
  if (ip === undefined || !/^[0-9]+$/.test(prefixText)) return undefined;
  // IPv4-mapped text is IPv6 to Go's ParseCIDR: its mask is 128 bits wide.
  const maskBits = ip.family === 4 && IPV4_TEXT.test(addressText) ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > maskBits) return undefined;
  return Object.freeze({ ip, prefix, maskBits });
}

/**
 * Parses `<ip>/<prefix>` like Go's `net.ParseCIDR` (see {@link tryParseCidr}).
 *
 * @throws CniError 999 `invalid CIDR address: <text>` (Go's text).
 */
export function parseCidr(text: string): Cidr {
  const cidr = tryParseCidr(text);
  if (cidr === undefined) {
    throw new CniError(CNI_ERROR_CODES.Internal, `invalid CIDR address: ${text}`);
  }
  return cidr;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/**
 * Prints an address exactly like Go's `net.IP.String()`: dotted decimal for IPv4 (and for IPv6 values
 * inside `::ffff:0:0/96`), else lower-case RFC 5952 text where the longest run of two or more zero
 * groups (the first on a tie) becomes `::` and no dotted tail is used (`::1.2.3.4` prints `::102:304`).
 */
export function formatIp(ip: Ip): string {
  if (ip.family === 6 && ip.value >> 32n === 0xffffn) {
    return formatIp(ipFromValue(4, ip.value - MAPPED_PREFIX));
  }
  const address = ipaddr.fromByteArray(toBytes(ip));
  return address.kind() === "ipv6" ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

// Go's networkNumberAndMask: an IPv4 address under a 128-bit mask uses the mask's last 32 bits.
function effectivePrefix(cidr: Cidr): number {
  if (cidr.ip.family === 4 && cidr.maskBits === 128) return Math.max(0, cidr.prefix - 96);
  return cidr.prefix;
}

/**
 * Prints a CIDR exactly like Go's `net.IPNet.String()`: the address as stored (host bits kept) and the
 * prefix length; an IPv4-mapped CIDR prints as IPv4 with the low 32 bits of its mask
 * (`::ffff:10.0.0.0/120` prints `10.0.0.0/24`).
 */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.ip)}/${effectivePrefix(cidr)}`;
}

/** Orders addresses: IPv4 before IPv6, then by value. Returns -1, 0 or 1. */
export function compareIp(a: Ip, b: Ip): -1 | 0 | 1 {
  if (a.family !== b.family) return a.family < b.family ? -1 : 1;
  if (a.value === b.value) return 0;
  return a.value < b.value ? -1 : 1;
}

/** True when both addresses are the same family and value. */
export function ipEquals(a: Ip, b: Ip): boolean {
  return a.family === b.family && a.value === b.value;
}

/** The following address of the same family; the all-ones address wraps to zero. */
export function nextIp(ip: Ip): Ip {
  const max = allOnes(ipFamilyBits(ip.family));
  return ipFromValue(ip.family, ip.value === max ? 0n : ip.value + 1n);
}

/** The preceding address of the same family; zero wraps to the all-ones address. */
export function prevIp(ip: Ip): Ip {
  const max = allOnes(ipFamilyBits(ip.family));
  return ipFromValue(ip.family, ip.value === 0n ? max : ip.value - 1n);
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return allOnes(ipFamilyBits(family) - prefix);
}

/**
 * The network address of `ip` under a prefix of `prefix` bits of its own family (host bits cleared).
 * `prefix` must be between 0 and the family's width.
 */
export function networkAddress(ip: Ip, prefix: number): Ip {
  return ipFromValue(ip.family, ip.value & ~hostMask(ip.family, prefix) & allOnes(ipFamilyBits(ip.family)));
}

/** The last address (all host bits set, the IPv4 broadcast) of `ip`'s network under `prefix` bits. */
export function lastAddress(ip: Ip, prefix: number): Ip {
  return ipFromValue(ip.family, ip.value | hostMask(ip.family, prefix));
}

/**
 * Go's `net.IPNet.Contains`: `ip` has the CIDR's address family and equals its address on the
 * prefix bits.
 */
export function cidrContains(cidr: Cidr, ip: Ip): boolean {
  if (ip.family !== cidr.ip.family) return false;
  const prefix = effectivePrefix(cidr);
  return ipEquals(networkAddress(ip, prefix), networkAddress(cidr.ip, prefix));
}
