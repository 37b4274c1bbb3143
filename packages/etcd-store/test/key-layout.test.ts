import { describe, expect, it } from "vitest";
import { escapeSegment, NetworkKeys, unescapeSegment } from "../src/index.js";

describe("escapeSegment", () => {
  it.each([
    ["a spec-valid container ID stays as it is", "abc-123_x.y", "abc-123_x.y"],
    ["a slash is escaped", "a/b", "a%2Fb"],
    ["a percent sign is escaped", "50%", "50%25"],
    ["white space and CR LF are escaped", " \r\n", "%20%0D%0A"],
    ["non-ASCII is escaped byte by byte (UTF-8)", "é", "%C3%A9"],
    ["the empty string stays empty", "", ""],
  ])("%s", (_case, text, escaped) => {
    expect(escapeSegment(text)).toBe(escaped);
    expect(unescapeSegment(escaped)).toBe(text);
  });

  it.each([["%2"], ["%zz"], ["a/b"], ["%2f"], ["é"]])("refuses %j as escaped text", (text) => {
    expect(unescapeSegment(text)).toBeUndefined();
  });
});

describe("NetworkKeys", () => {
  const keys = new NetworkKeys("/cni-ts", "mynet");

  it("lays out a network under <prefix>/<network>/", () => {
    expect({
      root: keys.root,
      ips: keys.ips,
      ip: keys.ip("10.1.2.2"),
      owner: keys.owner("c1", "eth0", "10.1.2.2"),
      legacyOwner: keys.owner("c1", undefined, "10.1.2.2"),
      ownersOf: keys.ownersOf("c1"),
      last: keys.lastReserved("0"),
    }).toEqual({
      root: "/cni-ts/mynet/",
      ips: "/cni-ts/mynet/ips/",
      ip: "/cni-ts/mynet/ips/10.1.2.2",
      owner: "/cni-ts/mynet/owners/c1/eth0/10.1.2.2",
      legacyOwner: "/cni-ts/mynet/owners/c1//10.1.2.2",
      ownersOf: "/cni-ts/mynet/owners/c1/",
      last: "/cni-ts/mynet/last/0",
    });
  });

  it.each([
    ["a trailing slash", "/cni-ts/", "/cni-ts/mynet/"],
    ["several trailing slashes", "/cni-ts//", "/cni-ts/mynet/"],
    ["no leading slash", "cluster-a", "cluster-a/mynet/"],
    ["an empty prefix", "", "/mynet/"],
  ])("drops %s of the prefix", (_case, prefix, root) => {
    expect(new NetworkKeys(prefix, "mynet").root).toBe(root);
  });

  it("keeps a network name with a slash inside one segment", () => {
    expect(new NetworkKeys("/p", "a/ips").ip("10.0.0.2")).toBe("/p/a%2Fips/ips/10.0.0.2");
  });

  it.each([
    ["an exact record", "/cni-ts/mynet/owners/c1/eth0/10.1.2.2", { ifname: "eth0", ip: "10.1.2.2" }],
    ["a legacy record", "/cni-ts/mynet/owners/c1//2001:db8::2", { ifname: undefined, ip: "2001:db8::2" }],
    ["an escaped ifname", "/cni-ts/mynet/owners/c1/a%2Fb/10.1.2.2", { ifname: "a/b", ip: "10.1.2.2" }],
  ])("reads back the index key of %s", (_case, key, entry) => {
    expect(keys.parseOwner("c1", key)).toEqual({ key, ...entry });
  });

  it.each([
    ["another container's key", "/cni-ts/mynet/owners/c2/eth0/10.1.2.2"],
    ["a key without an address", "/cni-ts/mynet/owners/c1/eth0"],
    ["a key whose address is not address text", "/cni-ts/mynet/owners/c1/eth0/x/y"],
  ])("ignores %s", (_case, key) => {
    expect(keys.parseOwner("c1", key)).toBeUndefined();
  });

  it.each([
    ["/cni-ts/mynet/ips/10.1.2.2", "10.1.2.2"],
    ["/cni-ts/mynet/ips/2001:db8::2", "2001:db8::2"],
    ["/cni-ts/mynet/ips/stray/key", undefined],
    ["/cni-ts/other/ips/10.1.2.2", undefined],
  ])("reads the address of %s as %s", (key, ip) => {
    expect(keys.ipOf(key)).toBe(ip);
  });
});
