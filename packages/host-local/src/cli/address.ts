import { compareIp, formatIp, type Ip, tryParseIp } from "@cni-ts/allocator";

/**
 * Orders address texts numerically: IPv4 before IPv6, then by value (`10.0.0.9` before `10.0.0.10`,
 * which text order gets wrong). Texts that are not addresses go last, in byte order. Never throws.
 */
export function compareAddressText(a: string, b: string): number {
  const x = tryParseIp(a);
  const y = tryParseIp(b);
  if (x !== undefined && y !== undefined) {
    const c = compareIp(x, y);
    if (c !== 0) return c;
  } else if (x !== undefined) {
    return -1;
  } else if (y !== undefined) {
    return 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The address `text` names, parsed like Go's `net.ParseIP`; undefined when it is not one. */
export function parseAddressName(text: string): { ip: Ip; canonical: string } | undefined {
  const ip = tryParseIp(text);
  return ip === undefined ? undefined : { ip, canonical: formatIp(ip) };
}
