import { describe, expect, it } from "vitest";
import type { RangeInit } from "../src/index.js";
import { parseCidr, parseIp, Range, RangeSet } from "../src/index.js";

const subnet = (text: string): RangeInit => ({ subnet: parseCidr(text) });
const set = (...subnets: string[]) => RangeSet.canonicalize(subnets.map(subnet));

describe("RangeSet.canonicalize", () => {
  it("canonicalizes every range and keeps their order", () => {
    const s = set("192.168.0.0/24", "172.16.1.0/24");
    expect(`${s}`).toBe("192.168.0.1-192.168.0.254,172.16.1.1-172.16.1.254");
    expect(s.family).toBe(4);
    expect(s.firstRange).toBe(s.ranges[0]);
  });

  it.each<[string, RangeInit[], string]>([
    ["an empty set", [], "empty range set"],
    ["mixed families", [subnet("10.0.0.0/24"), subnet("2001:db8::/64")], "mixed address families"],
    [
      "overlapping ranges",
      [subnet("192.168.0.0/20"), subnet("192.168.2.0/24")],
      "subnets 192.168.0.1-192.168.15.254 and 192.168.2.1-192.168.2.254 overlap",
    ],
    [
      "overlapping ranges after others",
      [subnet("10.1.0.0/22"), subnet("10.9.0.0/24"), subnet("10.1.2.0/24")],
      "subnets 10.1.0.1-10.1.3.254 and 10.1.2.1-10.1.2.254 overlap",
    ],
    // A range's own error comes before a later range's family mismatch, as upstream checks them.
    [
      "a bad range",
      [subnet("10.0.0.0/24"), subnet("10.0.1.0/31")],
      "Network 10.0.1.0/31 too small to allocate from",
    ],
    [
      "a bad range after a family mismatch",
      [subnet("10.0.0.0/24"), subnet("::/64"), subnet("10.0.1.0/31")],
      "mixed address families",
    ],
  ])("refuses %s", (_name, inits, msg) => {
    expect(() => RangeSet.canonicalize(inits)).toThrow(expect.objectContaining({ code: 999, msg }));
  });

  it("refuses to wrap no ranges at all", () => {
    expect(() => new RangeSet([])).toThrow(RangeError);
  });
});

describe("RangeSet.contains and rangeFor", () => {
  const s = set("192.168.0.0/24", "172.16.1.0/24");

  it.each([
    ["192.168.0.55", true, 0],
    ["172.16.1.9", true, 1],
    ["::ffff:172.16.1.9", true, 1],
    ["192.168.0.255", false, -1],
    ["192.168.99.99", false, -1],
    ["2001:db8::1", false, -1],
  ])("%s: contained %s, range %i", (ip, contained, index) => {
    expect(s.contains(parseIp(ip))).toBe(contained);
    if (contained) expect(s.rangeFor(parseIp(ip))).toBe(s.ranges[index]);
    else {
      expect(() => s.rangeFor(parseIp(ip))).toThrow(
        expect.objectContaining({
          code: 999,
          msg: `${ip.replace("::ffff:", "")} not in range set 192.168.0.1-192.168.0.254,172.16.1.1-172.16.1.254`,
        }),
      );
    }
  });
});

describe("RangeSet.overlaps", () => {
  it.each([
    [set("192.168.0.0/20"), set("192.168.2.0/24"), true],
    [set("10.0.0.0/24", "10.0.2.0/24"), set("10.0.1.0/24"), false],
    [set("10.0.0.0/24", "10.0.2.0/24"), set("10.0.3.0/24", "10.0.2.128/25"), true],
    [set("10.0.0.0/24"), set("2001:db8::/64"), false],
  ])("%s and %s: %s", (a, b, expected) => {
    expect(a.overlaps(b)).toBe(expected);
    expect(b.overlaps(a)).toBe(expected);
  });

  it("works on ranges built without canonicalization", () => {
    const raw = new RangeSet([
      new Range({
        subnet: parseCidr("192.168.1.0/30"),
        rangeStart: parseIp("192.168.1.0"),
        rangeEnd: parseIp("192.168.1.3"),
        gateway: parseIp("192.168.1.1"),
      }),
    ]);
    expect(raw.overlaps(set("192.168.1.0/24"))).toBe(true);
  });
});
