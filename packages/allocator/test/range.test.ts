import { describe, expect, it } from "vitest";
import type { RangeInit } from "../src/index.js";
import { formatCidr, formatIp, parseCidr, parseIp, Range } from "../src/index.js";

interface RangeText {
  subnet?: string;
  rangeStart?: string;
  rangeEnd?: string;
  gateway?: string;
}

function init(r: RangeText): RangeInit {
  return {
    subnet: r.subnet === undefined ? undefined : parseCidr(r.subnet),
    rangeStart: r.rangeStart === undefined ? undefined : parseIp(r.rangeStart),
    rangeEnd: r.rangeEnd === undefined ? undefined : parseIp(r.rangeEnd),
    gateway: r.gateway === undefined ? undefined : parseIp(r.gateway),
  };
}

function text(range: Range): Required<RangeText> {
  return {
    subnet: formatCidr(range.subnet),
    rangeStart: formatIp(range.rangeStart),
    rangeEnd: formatIp(range.rangeEnd),
    gateway: formatIp(range.gateway),
  };
}

describe("Range.canonicalize", () => {
  it.each<[RangeText, Required<RangeText>]>([
    [
      { subnet: "192.0.2.0/24" },
      { subnet: "192.0.2.0/24", rangeStart: "192.0.2.1", rangeEnd: "192.0.2.254", gateway: "192.0.2.1" },
    ],
    [
      { subnet: "192.0.2.0/25" },
      { subnet: "192.0.2.0/25", rangeStart: "192.0.2.1", rangeEnd: "192.0.2.126", gateway: "192.0.2.1" },
    ],
    [
      { subnet: "2001:DB8:1::/64" },
      {
        subnet: "2001:db8:1::/64",
        rangeStart: "2001:db8:1::1",
        // Go does not compress a single zero group (the contract's table shows `1::ffff:…`; Go prints this).
        rangeEnd: "2001:db8:1:0:ffff:ffff:ffff:ffff",
        gateway: "2001:db8:1::1",
      },
    ],
    [
      { subnet: "10.0.0.0/30" },
      { subnet: "10.0.0.0/30", rangeStart: "10.0.0.1", rangeEnd: "10.0.0.2", gateway: "10.0.0.1" },
    ],
    [
      { subnet: "2001:db8::/126" },
      {
        subnet: "2001:db8::/126",
        rangeStart: "2001:db8::1",
        rangeEnd: "2001:db8::3",
        gateway: "2001:db8::1",
      },
    ],
    [
      { subnet: "192.0.2.0/24", rangeStart: "192.0.2.40", rangeEnd: "192.0.2.50", gateway: "192.0.2.254" },
      { subnet: "192.0.2.0/24", rangeStart: "192.0.2.40", rangeEnd: "192.0.2.50", gateway: "192.0.2.254" },
    ],
    [
      { subnet: "192.0.2.0/24", rangeStart: "::ffff:192.0.2.40", gateway: "::ffff:192.0.2.254" },
      { subnet: "192.0.2.0/24", rangeStart: "192.0.2.40", rangeEnd: "192.0.2.254", gateway: "192.0.2.254" },
    ],
    // upstream-compat: the gateway is not checked at all, not even its family.
    [
      { subnet: "10.0.5.0/24", gateway: "192.168.1.1" },
      { subnet: "10.0.5.0/24", rangeStart: "10.0.5.1", rangeEnd: "10.0.5.254", gateway: "192.168.1.1" },
    ],
    [
      { subnet: "10.0.5.0/24", gateway: "2001::1" },
      { subnet: "10.0.5.0/24", rangeStart: "10.0.5.1", rangeEnd: "10.0.5.254", gateway: "2001::1" },
    ],
    // upstream-compat: the network and broadcast addresses may be given as bounds.
    [
      { subnet: "10.0.0.0/24", rangeStart: "10.0.0.0", rangeEnd: "10.0.0.255" },
      { subnet: "10.0.0.0/24", rangeStart: "10.0.0.0", rangeEnd: "10.0.0.255", gateway: "10.0.0.1" },
    ],
  ])("fills in %j as %j", (input, expected) => {
    const range = Range.canonicalize(init(input));
    expect(text(range)).toEqual(expected);
    expect(range.rangeStart.family).toBe(range.subnet.ip.family);
  });

  it.each<[RangeText, string]>([
    [{}, "IP <nil> not v4 nor v6"],
    [{ subnet: "192.0.2.0/31" }, "Network 192.0.2.0/31 too small to allocate from"],
    [{ subnet: "192.0.2.0/32" }, "Network 192.0.2.0/32 too small to allocate from"],
    [{ subnet: "2001:db8::/127" }, "Network 2001:db8::/127 too small to allocate from"],
    [{ subnet: "::ffff:10.0.0.0/127" }, "Network 10.0.0.0/31 too small to allocate from"],
    [{ subnet: "::ffff:10.0.0.0/120" }, "IPNet IP and Mask version mismatch"],
    [
      { subnet: "192.0.2.12/24" },
      "Network has host bits set. For a subnet mask of length 24 the network address is 192.0.2.0",
    ],
    [
      { subnet: "2001:DB8:1::24:19ff:fee1:c44a/64" },
      "Network has host bits set. For a subnet mask of length 64 the network address is 2001:db8:1::",
    ],
    [
      { subnet: "2001:DB8:24:19ff::/63" },
      "Network has host bits set. For a subnet mask of length 63 the network address is 2001:db8:24:19fe::",
    ],
    [
      { subnet: "192.168.127.0/23" },
      "Network has host bits set. For a subnet mask of length 23 the network address is 192.168.126.0",
    ],
    [{ subnet: "192.0.2.0/24", rangeStart: "192.0.3.0" }, "RangeStart 192.0.3.0 not in network 192.0.2.0/24"],
    [{ subnet: "192.0.2.0/24", rangeEnd: "192.0.4.0" }, "RangeEnd 192.0.4.0 not in network 192.0.2.0/24"],
    [
      { subnet: "192.0.2.0/24", rangeStart: "192.0.2.50", rangeEnd: "192.0.2.40" },
      "RangeStart 192.0.2.50 not in network 192.0.2.0/24",
    ],
    [
      { subnet: "192.0.2.0/24", rangeStart: "2001:db8::1" },
      "RangeStart 2001:db8::1 not in network 192.0.2.0/24",
    ],
    [{ subnet: "2001:db8::/64", rangeEnd: "10.0.0.1" }, "RangeEnd 10.0.0.1 not in network 2001:db8::/64"],
    [{ subnet: "::/64", rangeStart: "::ffff:0:5" }, "RangeStart 0.0.0.5 not in network ::/64"],
    // Deliberate difference: upstream accepts this and then hands out addresses beyond the subnet.
    [
      { subnet: "192.0.2.0/24", rangeStart: "192.0.2.255" },
      "RangeStart 192.0.2.255 is after RangeEnd 192.0.2.254",
    ],
  ])("refuses %j: %s", (input, msg) => {
    expect(() => Range.canonicalize(init(input))).toThrow(expect.objectContaining({ code: 999, msg }));
  });
});

describe("Range.contains", () => {
  const v4 = Range.canonicalize(
    init({ subnet: "192.0.2.0/24", rangeStart: "192.0.2.40", rangeEnd: "192.0.2.50" }),
  );
  const v6 = Range.canonicalize(
    init({ subnet: "2001:db8:1::/64", rangeStart: "2001:db8:1::40", rangeEnd: "2001:db8:1::50" }),
  );

  it.each([
    [v4, "192.0.3.0", false],
    [v4, "192.0.2.39", false],
    [v4, "192.0.2.40", true],
    [v4, "192.0.2.50", true],
    [v4, "192.0.2.51", false],
    [v4, "::ffff:192.0.2.45", true],
    [v4, "2001:db8:1::45", false],
    [v6, "2001:db8:2::", false],
    [v6, "2001:db8:1::39", false],
    [v6, "2001:db8:1::40", true],
    [v6, "2001:db8:1::50", true],
    [v6, "2001:db8:1::51", false],
    [v6, "192.0.2.45", false],
  ])("%s contains %s: %s", (range, ip, expected) => {
    expect(range.contains(parseIp(ip))).toBe(expected);
  });

  it("contains its gateway", () => {
    const range = Range.canonicalize(init({ subnet: "10.0.0.0/29" }));
    expect(range.contains(range.gateway)).toBe(true);
  });
});

describe("Range.overlaps", () => {
  const r = (subnet: string, rangeStart?: string, rangeEnd?: string) =>
    Range.canonicalize(
      init({ subnet, ...(rangeStart ? { rangeStart } : {}), ...(rangeEnd ? { rangeEnd } : {}) }),
    );

  it.each([
    ["different /24s", r("10.0.0.0/24"), r("10.0.1.0/24"), false],
    ["different families", r("0.0.0.0/24"), r("::/24"), false],
    ["identical", r("10.0.0.0/24"), r("10.0.0.0/24"), true],
    ["a /20 around a /24", r("10.0.0.0/20"), r("10.0.1.0/24"), true],
    [
      "one /24 split at .127/.128",
      r("10.0.0.0/24", "10.0.0.1", "10.0.0.127"),
      r("10.0.0.0/24", "10.0.0.128"),
      false,
    ],
    ["an end on a start", r("10.0.0.0/24", "10.0.0.1", "10.0.0.127"), r("10.0.0.0/24", "10.0.0.127"), true],
  ])("%s: %s", (_name, a, b, expected) => {
    expect(a.overlaps(b)).toBe(expected);
    expect(b.overlaps(a)).toBe(expected);
  });
});

describe("Range constructor and toString", () => {
  it("keeps parts as given and prints start-end", () => {
    const range = new Range({
      subnet: parseCidr("192.168.1.1/30"),
      rangeStart: parseIp("192.168.1.0"),
      rangeEnd: parseIp("192.168.1.3"),
      gateway: parseIp("192.168.1.1"),
    });
    expect(`${range}`).toBe("192.168.1.0-192.168.1.3");
    expect(formatCidr(range.subnet)).toBe("192.168.1.1/30");
  });
});
