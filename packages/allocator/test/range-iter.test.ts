import { describe, expect, it } from "vitest";
import type { Ip } from "../src/index.js";
import { formatIp, parseCidr, parseIp, Range, RangeIter, RangeSet } from "../src/index.js";

const set = (...subnets: string[]) => RangeSet.canonicalize(subnets.map((s) => ({ subnet: parseCidr(s) })));

function walk(iter: RangeIter): string[] {
  return [...iter].map((c) => formatIp(c.ip));
}

const last = (ip: string | undefined): Ip | undefined => (ip === undefined ? undefined : parseIp(ip));

// Two /30 ranges given with the network and broadcast as bounds (upstream's fixture skips
// canonicalization, so nothing refuses them).
const twoRanges = new RangeSet(
  ["192.168.1", "192.168.2"].map(
    (net) =>
      new Range({
        subnet: parseCidr(`${net}.0/30`),
        rangeStart: parseIp(`${net}.0`),
        rangeEnd: parseIp(`${net}.3`),
        gateway: parseIp(`${net}.1`),
      }),
  ),
);

describe("RangeIter", () => {
  it.each([
    ["no last reserved address", undefined, [".2", ".3", ".4", ".5", ".6"]],
    ["the range end last reserved", "192.168.1.6", [".2", ".3", ".4", ".5", ".6"]],
    ["a middle address last reserved", "192.168.1.3", [".4", ".5", ".6", ".2", ".3"]],
    ["the gateway last reserved", "192.168.1.1", [".2", ".3", ".4", ".5", ".6"]],
    ["an address outside the set last reserved", "10.0.0.128", [".2", ".3", ".4", ".5", ".6"]],
    ["an IPv6 address last reserved", "2001:db8::3", [".2", ".3", ".4", ".5", ".6"]],
  ])("walks 192.168.1.0/29 with %s", (_name, lastReserved, expected) => {
    const iter = new RangeIter(set("192.168.1.0/29"), last(lastReserved));
    expect(walk(iter)).toEqual(expected.map((s) => `192.168.1${s}`));
  });

  it("stays exhausted", () => {
    const iter = new RangeIter(set("10.0.0.0/30"));
    expect(walk(iter)).toEqual(["10.0.0.2"]);
    expect(iter.next()).toEqual({ done: true, value: undefined });
    expect(iter.next()).toEqual({ done: true, value: undefined });
  });

  it.each([
    ["nothing reserved", undefined, "192.168.1.0", ["1.0", "1.2", "1.3", "2.0", "2.2", "2.3"]],
    [
      "the first range's end last reserved",
      "192.168.1.3",
      "192.168.2.0",
      ["2.0", "2.2", "2.3", "1.0", "1.2", "1.3"],
    ],
    [
      "the last range's end last reserved",
      "192.168.2.3",
      "192.168.1.0",
      ["1.0", "1.2", "1.3", "2.0", "2.2", "2.3"],
    ],
  ])(
    "over two ranges with %s, the stop marker after one step is %s",
    (_name, lastReserved, stop, expected) => {
      const iter = new RangeIter(twoRanges, last(lastReserved));
      const first = iter.next();
      expect(first.done).toBe(false);
      expect(iter.startIp === undefined ? undefined : formatIp(iter.startIp)).toBe(stop);
      const rest = walk(iter);
      expect([first.value === undefined ? "" : formatIp(first.value.ip), ...rest]).toEqual(
        expected.map((s) => `192.168.${s}`),
      );
    },
  );

  it("reports each candidate with its own range", () => {
    const s = set("10.0.0.0/30", "10.0.1.0/30");
    const ranges = [...new RangeIter(s)].map((c) => c.range);
    expect(ranges).toEqual([s.ranges[0], s.ranges[1]]);
  });

  it("skips only the current range's gateway", () => {
    const s = RangeSet.canonicalize([
      { subnet: parseCidr("10.0.0.0/29"), gateway: parseIp("10.0.1.3") },
      { subnet: parseCidr("10.0.1.0/29") },
    ]);
    expect(walk(new RangeIter(s))).toEqual([
      ...["1", "2", "3", "4", "5", "6"].map((h) => `10.0.0.${h}`),
      ...["2", "3", "4", "5", "6"].map((h) => `10.0.1.${h}`),
    ]);
  });

  it("ends on a range holding only its gateway", () => {
    const s = RangeSet.canonicalize([
      { subnet: parseCidr("10.0.0.0/29"), rangeStart: parseIp("10.0.0.1"), rangeEnd: parseIp("10.0.0.1") },
    ]);
    expect(walk(new RangeIter(s))).toEqual([]);
    expect(walk(new RangeIter(s, parseIp("10.0.0.1")))).toEqual([]);
  });

  it("walks IPv6", () => {
    const s = RangeSet.canonicalize([
      {
        subnet: parseCidr("2001:db8::/64"),
        rangeStart: parseIp("2001:db8::ffff"),
        rangeEnd: parseIp("2001:db8::1:2"),
      },
    ]);
    expect(walk(new RangeIter(s, parseIp("2001:db8::1:0")))).toEqual([
      "2001:db8::1:1",
      "2001:db8::1:2",
      "2001:db8::ffff",
      "2001:db8::1:0",
    ]);
  });
});
