import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Ip } from "../src/index.js";
import {
  cidrContains,
  compareIp,
  formatCidr,
  formatIp,
  ipEquals,
  ipFromValue,
  lastAddress,
  networkAddress,
  nextIp,
  parseCidr,
  parseIp,
  prevIp,
  tryParseCidr,
  tryParseIp,
} from "../src/index.js";

const v4 = (text: string): Ip => parseIp(text);

// Go's net.IP.String() for IPv6, written out independently of the implementation under test.
function goIpv6String(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

describe("formatIp", () => {
  it.each([
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:DB8:a::1", "2001:db8:a::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["fe80::1:0:0:0", "fe80::1:0:0:0"],
    ["0:0:0:1::", "0:0:0:1::"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["::1.2.3.4", "::102:304"],
    ["::ffff:1.2.3.4", "1.2.3.4"],
    ["::FFFF:0102:0304", "1.2.3.4"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["1:0:0:2:0:0:3:4", "1::2:0:0:3:4"],
    ["10.1.2.3", "10.1.2.3"],
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
  ])("prints %s as Go does: %s", (input, expected) => {
    expect(formatIp(parseIp(input))).toBe(expected);
  });

  it("prints an IPv6 value inside ::ffff:0:0/96 as IPv4, like Go", () => {
    expect(formatIp(ipFromValue(6, (0xffffn << 32n) | 0x0a000001n))).toBe("10.0.0.1");
  });

  it("matches Go's rule for every IPv6 value", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        fc.pre(value >> 32n !== 0xffffn);
        expect(formatIp(ipFromValue(6, value))).toBe(goIpv6String(value));
      }),
    );
  });

  it("matches Go's rule for IPv6 values made of few distinct groups", () => {
    const group = fc.constantFrom(0, 0, 0, 1, 0xffff);
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
        fc.pre(value >> 32n !== 0xffffn);
        expect(formatIp(ipFromValue(6, value))).toBe(goIpv6String(value));
      }),
    );
  });
});

describe("parseIp", () => {
  it.each([
    ["010.1.2.3", "leading zero"],
    ["1.2.3.04", "leading zero in the last field"],
    ["1.2.3", "three fields"],
    ["1.2.3.4.5", "five fields"],
    ["0x1.2.3.4", "hex field"],
    ["1.2.3.256", "field above 255"],
    ["1..2.3", "empty field"],
    ["1.2.3.4.", "trailing dot"],
    [" 1.2.3.4", "leading space"],
    ["1.2.3.4 ", "trailing space"],
    ["16909060", "a single number"],
    ["fe80::1%eth0", "zone"],
    ["::1%", "empty zone"],
    ["1:2:3:4:5:6:7:8:9", "nine groups"],
    ["1:2:3:4:5:6:7", "seven groups"],
    ["1::2::3", "two ellipses"],
    ["1:2:3:4:5:6:7::8", "ellipsis standing for no group"],
    ["12345::", "five hex digits"],
    ["::g", "not hex"],
    [":1::", "single leading colon"],
    ["1:", "trailing colon"],
    ["::1.2.3", "short embedded IPv4"],
    ["::1.2.3.04", "embedded IPv4 with leading zero"],
    ["1.2.3.4::", "IPv4 first"],
    ["1:2:3:4:5:6:7:1.2.3.4", "embedded IPv4 past the end"],
    ["1:2:3:4:5:1.2.3.4", "embedded IPv4 too early"],
    ["", "empty"],
    ["localhost", "a name"],
  ])("refuses %j (%s) like Go's net.ParseIP", (text) => {
    expect(tryParseIp(text)).toBeUndefined();
    expect(() => parseIp(text)).toThrow(
      expect.objectContaining({ code: 999, msg: `invalid IP address: ${text}` }),
    );
  });

  it.each([
    ["1.2.3.4", 4, 0x01020304n],
    ["0.0.0.0", 4, 0n],
    ["::ffff:10.0.0.1", 4, 0x0a000001n],
    ["::1.2.3.4", 6, 0x01020304n],
    ["1::1.2.3.4", 6, (1n << 112n) | 0x01020304n],
    ["1:2:3:4:5:6:1.2.3.4", 6, 0x0001000200030004000500060102_0304n],
    ["FE80::ABCD", 6, (0xfe80n << 112n) | 0xabcdn],
    ["0000:0000::0001", 6, 1n],
    ["1:2:3:4:5:6:7:8", 6, 0x00010002000300040005000600070008n],
    ["1:2:3:4:5:6::8", 6, 0x00010002000300040005000600000008n],
  ] as const)("reads %s as IPv%i %s", (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  it("reads back every address it prints", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.bigInt({ min: 0n, max: 0xffffffffn }).map((v) => ipFromValue(4, v)),
          fc
            .bigInt({ min: 0n, max: (1n << 128n) - 1n })
            .filter((v) => v >> 32n !== 0xffffn)
            .map((v) => ipFromValue(6, v)),
        ),
        (ip) => {
          expect(parseIp(formatIp(ip))).toEqual(ip);
        },
      ),
    );
  });

  it("reads the full, upper-case, zero-padded IPv6 form to the same address", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.boolean(), (value, upper) => {
        fc.pre(value >> 32n !== 0xffffn);
        const full = Array.from({ length: 8 }, (_, i) =>
          ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, "0"),
        ).join(":");
        expect(parseIp(upper ? full.toUpperCase() : full)).toEqual(ipFromValue(6, value));
      }),
    );
  });
});

describe("parseCidr", () => {
  it.each([
    ["10.0.0.5/24", "10.0.0.5", 24, 32],
    ["10.0.0.0/024", "10.0.0.0", 24, 32],
    ["0.0.0.0/0", "0.0.0.0", 0, 32],
    ["2001:DB8::5/64", "2001:db8::5", 64, 128],
    ["::ffff:10.0.0.0/120", "10.0.0.0", 120, 128],
    ["::ffff:10.0.0.0/33", "10.0.0.0", 33, 128],
  ])("reads %s keeping host bits", (text, ip, prefix, maskBits) => {
    const cidr = parseCidr(text);
    expect([formatIp(cidr.ip), cidr.prefix, cidr.maskBits]).toEqual([ip, prefix, maskBits]);
  });

  it.each([
    "10.0.0.0",
    "10.0.0.0/",
    "10.0.0.0/33",
    "10.0.0.0/-1",
    "10.0.0.0/+1",
    "10.0.0.0/24 ",
    "10.0.0.0/2a",
    "010.0.0.0/8",
    "2001:db8::/129",
    "fe80::%1/64",
    "/24",
    "",
  ])("refuses %j like Go's net.ParseCIDR", (text) => {
    expect(tryParseCidr(text)).toBeUndefined();
    expect(() => parseCidr(text)).toThrow(
      expect.objectContaining({ code: 999, msg: `invalid CIDR address: ${text}` }),
    );
  });

  it.each([
    ["10.7.0.5/16", "10.7.0.5/16"],
    ["2001:DB8::5/64", "2001:db8::5/64"],
    ["::ffff:10.0.0.0/120", "10.0.0.0/24"],
    ["::ffff:10.0.0.0/90", "10.0.0.0/0"],
    ["10.0.0.0/024", "10.0.0.0/24"],
  ])("prints %s as Go's IPNet.String(): %s", (text, expected) => {
    expect(formatCidr(parseCidr(text))).toBe(expected);
  });
});

describe("address arithmetic", () => {
  it.each([
    ["10.0.0.1", "10.0.0.2"],
    ["10.0.0.255", "10.0.1.0"],
    ["255.255.255.255", "0.0.0.0"],
    ["2001:db8::ffff", "2001:db8::1:0"],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::"],
  ])("nextIp(%s) is %s and prevIp goes back", (a, b) => {
    expect(formatIp(nextIp(parseIp(a)))).toBe(b);
    expect(formatIp(prevIp(parseIp(b)))).toBe(a);
  });

  it.each([
    ["192.168.127.9", 23, "192.168.126.0", "192.168.127.255"],
    ["10.0.0.5", 32, "10.0.0.5", "10.0.0.5"],
    ["10.0.0.5", 0, "0.0.0.0", "255.255.255.255"],
    ["2001:db8:24:19ff::", 63, "2001:db8:24:19fe::", "2001:db8:24:19ff:ffff:ffff:ffff:ffff"],
  ])("%s/%i spans %s to %s", (ip, prefix, first, last) => {
    expect(formatIp(networkAddress(parseIp(ip), prefix))).toBe(first);
    expect(formatIp(lastAddress(parseIp(ip), prefix))).toBe(last);
  });

  it.each([
    ["10.0.0.1", "10.0.0.2", -1],
    ["10.0.0.2", "10.0.0.2", 0],
    ["10.0.0.3", "10.0.0.2", 1],
    ["255.255.255.255", "::", -1],
    ["::", "0.0.0.0", 1],
  ] as const)("compareIp(%s, %s) is %i", (a, b, expected) => {
    expect(compareIp(parseIp(a), parseIp(b))).toBe(expected);
    expect(ipEquals(parseIp(a), parseIp(b))).toBe(expected === 0);
  });

  it.each([
    ["10.0.0.0/24", "10.0.0.255", true],
    ["10.0.0.0/24", "10.0.1.0", false],
    ["10.0.0.5/24", "10.0.0.1", true],
    ["10.0.0.0/24", "::ffff:10.0.0.1", true],
    ["0.0.0.0/0", "::1", false],
    ["2001:db8::/64", "2001:db8::ffff", true],
    ["::ffff:10.0.0.0/120", "10.0.0.7", true],
  ])("%s contains %s: %s", (cidr, ip, expected) => {
    expect(cidrContains(parseCidr(cidr), parseIp(ip))).toBe(expected);
  });

  it("refuses a value that does not fit the family", () => {
    expect(() => ipFromValue(4, 1n << 32n)).toThrow(RangeError);
    expect(() => ipFromValue(6, -1n)).toThrow(RangeError);
    expect(v4("1.2.3.4").family).toBe(4);
  });
});
