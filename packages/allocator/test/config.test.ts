import { CniError } from "@cni-ts/types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IpamConfig, RangeSet } from "../src/index.js";
import { formatCidr, formatIp, loadIpamConfig } from "../src/index.js";

const load = (config: unknown, envArgs = ""): IpamConfig =>
  loadIpamConfig(typeof config === "string" ? config : JSON.stringify(config), envArgs);

function loadError(config: unknown, envArgs = ""): unknown {
  try {
    load(config, envArgs);
  } catch (err) {
    return err;
  }
  throw new Error("expected loadIpamConfig to throw");
}

const sets = (c: IpamConfig) =>
  c.rangeSets.map((s: RangeSet) =>
    s.ranges.map((r) => ({
      subnet: formatCidr(r.subnet),
      rangeStart: formatIp(r.rangeStart),
      rangeEnd: formatIp(r.rangeEnd),
      gateway: formatIp(r.gateway),
    })),
  );

const net = (ipam: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  cniVersion: "1.0.0",
  name: "mynet",
  type: "bridge",
  ipam: { type: "host-local", ...ipam },
  ...extra,
});
const oneRange = { ranges: [[{ subnet: "10.1.2.0/24" }]] };

describe("loadIpamConfig: range sets", () => {
  it("reads a legacy single-range config", () => {
    const c = load({
      cniVersion: "0.3.1",
      name: "mynet",
      type: "ipvlan",
      master: "foo0",
      ipam: {
        type: "host-local",
        subnet: "10.1.2.0/24",
        rangeStart: "10.1.2.9",
        rangeEnd: "10.1.2.20",
        gateway: "10.1.2.30",
      },
    });
    expect(c.name).toBe("mynet");
    expect(c.cniVersion).toBe("0.3.1");
    expect(sets(c)).toEqual([
      [{ subnet: "10.1.2.0/24", rangeStart: "10.1.2.9", rangeEnd: "10.1.2.20", gateway: "10.1.2.30" }],
    ]);
  });

  it("reads new-style ranges with explicit values and defaults", () => {
    const c = load(
      net({
        ranges: [
          [
            { subnet: "10.1.2.0/24", rangeStart: "10.1.2.9", rangeEnd: "10.1.2.20", gateway: "10.1.2.30" },
            { subnet: "10.1.4.0/24" },
          ],
          [{ subnet: "11.1.2.0/24", rangeStart: "11.1.2.9", rangeEnd: "11.1.2.20", gateway: "11.1.2.30" }],
        ],
      }),
    );
    expect(sets(c)).toEqual([
      [
        { subnet: "10.1.2.0/24", rangeStart: "10.1.2.9", rangeEnd: "10.1.2.20", gateway: "10.1.2.30" },
        { subnet: "10.1.4.0/24", rangeStart: "10.1.4.1", rangeEnd: "10.1.4.254", gateway: "10.1.4.1" },
      ],
      [{ subnet: "11.1.2.0/24", rangeStart: "11.1.2.9", rangeEnd: "11.1.2.20", gateway: "11.1.2.30" }],
    ]);
  });

  it("orders runtime ranges, then the legacy range, then ranges", () => {
    const c = load(
      net(
        { subnet: "10.1.2.0/24", rangeStart: "10.1.2.9", ranges: [[{ subnet: "11.1.2.0/24" }]] },
        { runtimeConfig: { ipRanges: [[{ subnet: "12.1.3.0/24" }]], portMappings: [{ hostPort: 80 }] } },
      ),
    );
    expect(c.rangeSets.map((s) => `${s}`)).toEqual([
      "12.1.3.1-12.1.3.254",
      "10.1.2.9-10.1.2.254",
      "11.1.2.1-11.1.2.254",
    ]);
  });

  it("ignores legacy range keys without a subnet", () => {
    const c = load(net({ rangeStart: "10.9.9.9", gateway: "10.9.9.1", ...oneRange }));
    expect(c.rangeSets.map(String)).toEqual(["10.1.2.1-10.1.2.254"]);
  });

  it("ignores an empty runtimeConfig.ipRanges", () => {
    expect(load(net(oneRange, { runtimeConfig: { ipRanges: [] } })).rangeSets).toHaveLength(1);
  });

  it.each([
    ["0.2.0", [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]]],
    ["0.2.0", [[{ subnet: "10.1.2.0/24" }, { subnet: "10.1.3.0/24" }]]],
    ["0.3.0", [[{ subnet: "10.1.2.0/24" }], [{ subnet: "10.1.3.0/24" }]]],
    ["1.1.0", [[{ subnet: "2001:db8:1::/64" }], [{ subnet: "2001:db8:2::/64" }]]],
  ])("allows cniVersion %s with %j", (cniVersion, ranges) => {
    expect(load({ ...net({ ranges }), cniVersion }).rangeSets).toHaveLength(ranges.length);
  });

  it.each<[string, unknown, string]>([
    ["no ipam", { cniVersion: "1.0.0", name: "n" }, "IPAM config missing 'ipam' key"],
    ["a null ipam", { cniVersion: "1.0.0", name: "n", ipam: null }, "IPAM config missing 'ipam' key"],
    ["no ranges", net({}), "no IP ranges specified"],
    ["empty ranges", net({ ranges: [] }), "no IP ranges specified"],
    ["an empty set", net({ ranges: [[]] }), "invalid range set 0: empty range set"],
    ["a range without subnet", net({ ranges: [[{}]] }), "invalid range set 0: IP <nil> not v4 nor v6"],
    [
      "a bad range in the second set",
      net({ ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "10.1.3.0/31" }]] }),
      "invalid range set 1: Network 10.1.3.0/31 too small to allocate from",
    ],
    [
      "overlapping ranges in a set",
      net({ ranges: [[{ subnet: "10.1.0.0/22" }, { subnet: "10.1.2.0/24" }]] }),
      "invalid range set 0: subnets 10.1.0.1-10.1.3.254 and 10.1.2.1-10.1.2.254 overlap",
    ],
    [
      "mixed families in a set",
      net({ ranges: [[{ subnet: "10.1.2.0/24" }, { subnet: "2001:db8:1::/64" }]] }),
      "invalid range set 0: mixed address families",
    ],
    [
      "overlapping sets",
      net({ ranges: [[{ subnet: "10.1.0.0/22" }], [{ subnet: "10.1.2.0/24" }]] }),
      "range set 0 overlaps with 1",
    ],
    [
      "the legacy range overlapping ranges",
      net({ subnet: "10.1.2.0/24", ranges: [[{ subnet: "10.2.0.0/24" }], [{ subnet: "10.1.2.128/25" }]] }),
      "range set 0 overlaps with 2",
    ],
    [
      "two IPv4 sets for 0.2.0",
      { ...net({ ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "10.1.3.0/24" }]] }), cniVersion: "0.2.0" },
      "CNI version 0.2.0 does not support more than 1 address per family",
    ],
    [
      "two IPv6 sets without cniVersion",
      { name: "n", ipam: { ranges: [[{ subnet: "2001:db8:1::/64" }], [{ subnet: "2001:db8:2::/64" }]] } },
      "CNI version  does not support more than 1 address per family",
    ],
    [
      "two IPv4 sets with an unparsable cniVersion",
      { ...net({ ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "10.1.3.0/24" }]] }), cniVersion: "x" },
      "CNI version x does not support more than 1 address per family",
    ],
    [
      "the per-family limit before overlaps",
      { ...net({ ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "10.1.2.0/24" }]] }), cniVersion: "0.1.0" },
      "CNI version 0.1.0 does not support more than 1 address per family",
    ],
    [
      "a rangeStart beyond the default rangeEnd",
      net({ ranges: [[{ subnet: "10.0.0.0/24", rangeStart: "10.0.0.255" }]] }),
      "invalid range set 0: RangeStart 10.0.0.255 is after RangeEnd 10.0.0.254",
    ],
  ])("refuses %s", (_name, config, msg) => {
    expect(loadError(config)).toMatchObject({ code: 999, msg });
  });
});

describe("loadIpamConfig: requested addresses", () => {
  it.each<[string, unknown, string, string[]]>([
    ["CNI_ARGS IP", net(oneRange), "IP=10.1.2.10", ["10.1.2.10"]],
    ["CNI_ARGS IP with a prefix", net(oneRange), "IP=10.1.2.11/24", ["10.1.2.11"]],
    ["an empty CNI_ARGS IP", net(oneRange), "IP=", []],
    [
      "IgnoreUnknown with other keys",
      net(oneRange),
      "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.1.2.12",
      ["10.1.2.12"],
    ],
    [
      "CNI_ARGS first, then args.cni.ips, without range checks",
      net(oneRange, { args: { cni: { ips: ["10.1.2.11", "11.11.11.11", "2001:db8:1::11"] } } }),
      "IP=10.1.2.10",
      ["10.1.2.10", "10.1.2.11", "11.11.11.11", "2001:db8:1::11"],
    ],
    [
      "prefix forms",
      net(oneRange, { args: { cni: { ips: ["10.1.2.11/24", "11.11.11.11/16", "2001:db8:1::11/64"] } } }),
      "IP=10.1.2.10/24",
      ["10.1.2.10", "10.1.2.11", "11.11.11.11", "2001:db8:1::11"],
    ],
    [
      "runtimeConfig.ips, IPv4 in 4-byte form",
      net(oneRange, {
        runtimeConfig: { ips: ["192.168.0.1", "192.168.0.5/24", "2001:db8::1/64", "::ffff:10.1.2.60"] },
      }),
      "",
      ["192.168.0.1", "192.168.0.5", "2001:db8::1", "10.1.2.60"],
    ],
    [
      "every source, duplicates merged",
      net(oneRange, {
        args: { cni: { ips: ["10.1.2.70/24", "10.1.2.71"] } },
        runtimeConfig: { ips: ["10.1.2.70"] },
      }),
      "IP=10.1.2.70",
      ["10.1.2.70", "10.1.2.71"],
    ],
    [
      "canonical IPv6 text",
      net(oneRange, { runtimeConfig: { ips: ["2001:DB8:0:0::0001"] } }),
      "",
      ["2001:db8::1"],
    ],
  ])("gathers %s", (_name, config, envArgs, expected) => {
    expect(load(config, envArgs).requestedIps).toEqual(expected);
  });

  it.each<[string, unknown, string, string]>([
    ["an unknown CNI_ARGS key", net(oneRange), "K8S_POD_NAME=x", 'ARGS: unknown args ["K8S_POD_NAME=x"]'],
    ["a lower-case ip key", net(oneRange), "ip=10.1.2.3", 'ARGS: unknown args ["ip=10.1.2.3"]'],
    ["a trailing ;", net(oneRange), "IP=10.1.2.3;", 'ARGS: invalid pair ""'],
    [
      "two addresses in IP",
      net(oneRange),
      "IP=10.1.2.55,10.1.2.56",
      'ARGS: error parsing value of pair "IP=10.1.2.55,10.1.2.56": invalid IP address 10.1.2.55,10.1.2.56',
    ],
    [
      "a bad prefix in IP",
      net(oneRange),
      "IP=10.1.2.5/33",
      'ARGS: error parsing value of pair "IP=10.1.2.5/33": invalid IP address 10.1.2.5/33',
    ],
    [
      "an empty args.cni.ips entry",
      net(oneRange, { args: { cni: { ips: [""] } } }),
      "",
      "cannot understand ip: IP <nil> not v4 nor v6",
    ],
    [
      "a bad runtimeConfig.ips entry",
      net(oneRange, { runtimeConfig: { ips: ["x"] } }),
      "",
      "invalid IP address x",
    ],
    [
      "a null runtimeConfig.ips entry (upstream crashes)",
      net(oneRange, { runtimeConfig: { ips: ["10.1.2.3", null] } }),
      "",
      "cannot understand ip: runtimeConfig.ips[1] is null",
    ],
    [
      "a null args.cni.ips entry, before an empty one (upstream crashes)",
      net(oneRange, { args: { cni: { ips: [""] } }, runtimeConfig: { ips: [null] } }),
      "",
      "cannot understand ip: runtimeConfig.ips[0] is null",
    ],
  ])("refuses %s", (_name, config, envArgs, msg) => {
    expect(loadError(config, envArgs)).toMatchObject({ code: 999, msg });
  });
});

describe("loadIpamConfig: Go JSON decoding", () => {
  it.each<[string, string, (c: IpamConfig) => unknown, unknown]>([
    [
      "keys in any letter case",
      '{"CNIVersion":"0.3.1","NAME":"n","IPAM":{"Ranges":[[{"SUBNET":"10.1.2.0/24","RangeStart":"10.1.2.5"}]],"DATADIR":"/d"}}',
      (c) => [c.cniVersion, c.name, `${c.rangeSets[0]}`, c.dataDir],
      ["0.3.1", "n", "10.1.2.5-10.1.2.254", "/d"],
    ],
    [
      "Go's folding of ſ and the Kelvin sign",
      '{"name":"n","ipam":{"ranges":[[{"ſubnet":"10.1.2.0/24"}]],"routes":[{"dst":"0.0.0.0/0","\u212Aey":1}]}}',
      (c) => `${c.rangeSets[0]}`,
      "10.1.2.1-10.1.2.254",
    ],
    [
      "the last of repeated keys",
      '{"name":"a","NAME":"b","name":"c","Name":"d","ipam":{"subnet":"10.1.2.0/24"}}',
      (c) => c.name,
      "d",
    ],
    [
      "repeated objects merged",
      '{"name":"n","ipam":{"dataDir":"/x"},"ipam":{"ranges":[[{"subnet":"10.0.0.0/24","gateway":"10.0.0.9"}]]},"ipam":{"ranges":[[{"subnet":"10.0.0.0/24"}]]}}',
      (c) => [c.dataDir, sets(c)[0]?.[0]?.gateway],
      ["/x", "10.0.0.9"],
    ],
    [
      "null as absent",
      '{"name":"n","name":null,"cniVersion":null,"ipam":{"type":null,"ranges":[[{"subnet":"10.1.2.0/24","gateway":null,"rangeStart":""}]],"routes":null,"dataDir":null},"runtimeConfig":null,"args":null}',
      (c) => [c.name, c.cniVersion, c.dataDir, c.routes, `${c.rangeSets[0]}`],
      ["n", "", "/var/lib/cni/networks", [], "10.1.2.1-10.1.2.254"],
    ],
    [
      "a null list resetting an earlier one",
      '{"name":"n","ipam":{"ranges":[[{"subnet":"10.1.2.0/24"}]],"subnet":"10.9.0.0/24","ranges":null}}',
      (c) => c.rangeSets.map(String),
      ["10.9.0.1-10.9.0.254"],
    ],
    [
      "unknown keys ignored",
      '{"name":"n","foo":[1,{}],"ipam":{"bar":true,"subnet":"10.1.2.0/24"}}',
      (c) => c.name,
      "n",
    ],
    [
      "a byte-order-free document with insignificant whitespace",
      ' \t\r\n{ "name" : "n" , "ipam" : { "subnet" : "10.1.2.0/24" } }\n',
      (c) => c.name,
      "n",
    ],
    [
      "escapes in strings",
      '{"name":"n\\u00e9\\ud83d\\ude00\\ud800x\\n","ipam":{"subnet":"10.1.2.0/24"}}',
      (c) => c.name,
      "n\u00e9\u{1f600}\ufffdx\n",
    ],
  ])("decodes %s", (_name, text, pick, expected) => {
    expect(pick(load(text))).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    [
      "a number for ipam.type",
      net({ type: 5, ...oneRange }),
      "json: cannot unmarshal number into Go struct field IPAMConfig.ipam.type of type string",
    ],
    [
      "a number for name",
      { name: 5, ipam: oneRange },
      "json: cannot unmarshal number into Go struct field Net.name of type string",
    ],
    [
      "an object for cniVersion",
      { cniVersion: {}, name: "n", ipam: oneRange },
      "json: cannot unmarshal object into Go struct field Net.cniVersion of type string",
    ],
    [
      "a string for ipam",
      { name: "n", ipam: "a" },
      "json: cannot unmarshal string into Go struct field Net.ipam of type allocator.IPAMConfig",
    ],
    [
      "a number for ipam.Name",
      net({ Name: 5, ...oneRange }),
      "json: cannot unmarshal number into Go struct field IPAMConfig.ipam.Name of type string",
    ],
    [
      "a number for dataDir",
      net({ dataDir: 5, ...oneRange }),
      "json: cannot unmarshal number into Go struct field IPAMConfig.ipam.dataDir of type string",
    ],
    [
      "a bool for resolvConf",
      net({ resolvConf: true, ...oneRange }),
      "json: cannot unmarshal bool into Go struct field IPAMConfig.ipam.resolvConf of type string",
    ],
    [
      "a string for ranges",
      net({ ranges: "a" }),
      "json: cannot unmarshal string into Go struct field IPAMConfig.ipam.ranges of type []allocator.RangeSet",
    ],
    [
      "a string for a range set",
      net({ ranges: ["a"] }),
      "json: cannot unmarshal string into Go struct field IPAMConfig.ipam.ranges of type allocator.RangeSet",
    ],
    [
      "a string for a range",
      net({ ranges: [["a"]] }),
      "json: cannot unmarshal string into Go struct field IPAMConfig.ipam.ranges of type allocator.Range",
    ],
    [
      "a number for a subnet",
      net({ ranges: [[{ subnet: 5 }]] }),
      "json: cannot unmarshal number into Go struct field Range.ipam.ranges.subnet of type string",
    ],
    [
      "a number for a gateway",
      net({ ranges: [[{ subnet: "10.0.0.0/24", gateway: 5 }]] }),
      "json: cannot unmarshal number into Go struct field Range.ipam.ranges.gateway of type net.IP",
    ],
    [
      "a number for the legacy subnet",
      net({ subnet: 5 }),
      "json: cannot unmarshal number into Go struct field IPAMConfig.ipam.subnet of type string",
    ],
    [
      "a number for the legacy rangeStart",
      net({ subnet: "10.0.0.0/24", rangeStart: 5 }),
      "json: cannot unmarshal number into Go struct field IPAMConfig.ipam.rangeStart of type net.IP",
    ],
    [
      "a string for routes",
      net({ ...oneRange, routes: "a" }),
      "json: cannot unmarshal string into Go struct field IPAMConfig.ipam.routes of type []*types.Route",
    ],
    [
      "a string for a route",
      net({ ...oneRange, routes: ["a"] }),
      "json: cannot unmarshal string into Go struct field IPAMConfig.ipam.routes of type types.route",
    ],
    [
      "a number for a route dst",
      net({ ...oneRange, routes: [{ dst: 5 }] }),
      "json: cannot unmarshal number into Go struct field IPAMConfig.ipam.routes of type string",
    ],
    [
      "a number for a route gw",
      net({ ...oneRange, routes: [{ dst: "0.0.0.0/0", gw: 5 }] }),
      "json: cannot unmarshal number into Go struct field IPAMConfig.ipam.routes of type net.IP",
    ],
    [
      "a string for a route mtu",
      net({ ...oneRange, routes: [{ dst: "0.0.0.0/0", mtu: "a" }] }),
      "json: cannot unmarshal string into Go struct field IPAMConfig.ipam.routes of type int",
    ],
    [
      "a fraction for a route table",
      net({ ...oneRange, routes: [{ dst: "0.0.0.0/0", table: 1.5 }] }),
      "json: cannot unmarshal number 1.5 into Go struct field IPAMConfig.ipam.routes of type int",
    ],
    [
      "a string for runtimeConfig",
      net(oneRange, { runtimeConfig: "a" }),
      'json: cannot unmarshal string into Go struct field Net.runtimeConfig of type struct { IPRanges []allocator.RangeSet "json:\\"ipRanges,omitempty\\""; IPs []*ip.IP "json:\\"ips,omitempty\\"" }',
    ],
    [
      "a string for runtimeConfig.ips",
      net(oneRange, { runtimeConfig: { ips: "a" } }),
      "json: cannot unmarshal string into Go struct field .runtimeConfig.ips of type []*ip.IP",
    ],
    [
      "a number in runtimeConfig.ips",
      net(oneRange, { runtimeConfig: { ips: [5] } }),
      "json: cannot unmarshal number into Go struct field .runtimeConfig.ips of type *ip.IP",
    ],
    [
      "a string for runtimeConfig.ipRanges",
      net(oneRange, { runtimeConfig: { ipRanges: "a" } }),
      "json: cannot unmarshal string into Go struct field .runtimeConfig.ipRanges of type []allocator.RangeSet",
    ],
    [
      "a number for a runtime subnet",
      net(oneRange, { runtimeConfig: { ipRanges: [[{ subnet: 5 }]] } }),
      "json: cannot unmarshal number into Go struct field Range.runtimeConfig.ipRanges.subnet of type string",
    ],
    [
      "a string for args",
      net(oneRange, { args: "a" }),
      'json: cannot unmarshal string into Go struct field Net.args of type struct { A *allocator.IPAMArgs "json:\\"cni\\"" }',
    ],
    [
      "a string for args.cni",
      net(oneRange, { args: { cni: "a" } }),
      "json: cannot unmarshal string into Go struct field .args.cni of type allocator.IPAMArgs",
    ],
    [
      "a string for args.cni.ips",
      net(oneRange, { args: { cni: { ips: "a" } } }),
      "json: cannot unmarshal string into Go struct field IPAMArgs.args.cni.ips of type []*ip.IP",
    ],
    [
      "a number in args.cni.ips",
      net(oneRange, { args: { cni: { ips: [5] } } }),
      "json: cannot unmarshal number into Go struct field IPAMArgs.args.cni.ips of type *ip.IP",
    ],
    ["an array document", [1], "json: cannot unmarshal array into Go value of type allocator.Net"],
    [
      "the first of two type errors",
      net({ type: 5, dataDir: 6, ...oneRange }),
      "json: cannot unmarshal number into Go struct field IPAMConfig.ipam.type of type string",
    ],
    [
      "a bad CIDR over an earlier type error",
      net({ type: 5, ranges: [[{ subnet: "bad" }]] }),
      "invalid CIDR address: bad",
    ],
    [
      "a subnet without prefix",
      net({ ranges: [[{ subnet: "10.0.0.0" }]] }),
      "invalid CIDR address: 10.0.0.0",
    ],
    ["an empty subnet", net({ ranges: [[{ subnet: "" }]] }), "invalid CIDR address: "],
    ["a null subnet", net({ ranges: [[{ subnet: null }]] }), "invalid CIDR address: "],
    ["a null legacy subnet", net({ subnet: null }), "invalid CIDR address: "],
    [
      "a bad rangeEnd",
      net({ ranges: [[{ subnet: "10.0.0.0/24", rangeEnd: "x" }]] }),
      "invalid IP address: x",
    ],
    [
      "an octal rangeStart",
      net({ ranges: [[{ subnet: "10.0.0.0/24", rangeStart: "010.0.0.5" }]] }),
      "invalid IP address: 010.0.0.5",
    ],
    [
      "a bad legacy rangeStart without subnet",
      net({ rangeStart: "x", ...oneRange }),
      "invalid IP address: x",
    ],
    [
      "a route dst without prefix",
      net({ ...oneRange, routes: [{ dst: "0.0.0.0" }] }),
      "invalid CIDR address: 0.0.0.0",
    ],
    ["a null route dst", net({ ...oneRange, routes: [{ dst: null }] }), "invalid CIDR address: "],
    [
      "a bad route gw",
      net({ ...oneRange, routes: [{ dst: "0.0.0.0/0", gw: "x" }] }),
      "invalid IP address: x",
    ],
  ])("refuses %s with Go's text", (_name, config, msg) => {
    expect(loadError(config)).toMatchObject({ code: 999, msg });
  });

  it.each([
    ["", "unexpected end of JSON input"],
    ["{", "unexpected end of JSON input"],
    ['{"name":"n",}', "invalid character '}' looking for beginning of object key string"],
    ['{"name" "n"}', "invalid character '\"' after object key"],
    ['{"name":"n" "x"}', "invalid character '\"' after object key:value pair"],
    ["[1 2]", "invalid character '2' after array element"],
    ["{} x", "invalid character 'x' after top-level value"],
    ["nul", "unexpected end of JSON input"],
    ["nulx", "invalid character 'x' in literal null (expecting 'l')"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
    ["01", "invalid character '1' after top-level value"],
    ["-", "unexpected end of JSON input"],
    ["1.", "unexpected end of JSON input"],
    ["1.x", "invalid character 'x' after decimal point in numeric literal"],
    ["1ex", "invalid character 'x' in exponent of numeric literal"],
    ['"a\tb"', "invalid character '\\t' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ["\ufeff{}", "invalid character 'ï' looking for beginning of value"],
    ["[".repeat(10001), "invalid character '[' exceeded max depth"],
  ])("refuses the non-JSON %j with code 6 and Go's text", (text, msg) => {
    expect(loadError(text)).toMatchObject({ code: 6, msg });
  });

  it("reads a Buffer as UTF-8", () => {
    expect(loadIpamConfig(Buffer.from(JSON.stringify(net(oneRange, { name: "nét" }))), "").name).toBe("nét");
  });

  it("accepts nesting up to Go's limit", () => {
    const deep = `${"[".repeat(9998)}${"]".repeat(9998)}`;
    expect(load(`{"name":"n","x":${deep},"ipam":{"subnet":"10.1.2.0/24"}}`).name).toBe("n");
  });
});

describe("loadIpamConfig: other fields", () => {
  it("defaults dataDir and keeps resolvConf and relative paths", () => {
    expect(load(net(oneRange)).dataDir).toBe("/var/lib/cni/networks");
    expect(load(net({ ...oneRange, dataDir: "" })).dataDir).toBe("/var/lib/cni/networks");
    const c = load(net({ ...oneRange, dataDir: "rel/dir", resolvConf: "/etc/resolv.conf" }));
    expect([c.dataDir, c.resolvConf]).toEqual(["rel/dir", "/etc/resolv.conf"]);
    expect(load(net(oneRange)).resolvConf).toBe("");
  });

  it("prints routes as upstream does", () => {
    const c = load(
      net({
        ...oneRange,
        routes: [
          { dst: "0.0.0.0/0" },
          { dst: "10.7.0.5/16", gw: "10.1.2.1" },
          { dst: "2001:DB8::5/64", gw: "2001:DB8::1" },
          { dst: "::ffff:10.0.0.0/120", gw: "::ffff:1.2.3.4" },
          { dst: "192.168.0.0/16", gw: "", mtu: 1500, advmss: 0, priority: 10, table: 0, scope: null },
        ],
      }),
    );
    expect(c.routes).toEqual([
      { dst: "0.0.0.0/0" },
      { dst: "10.7.0.5/16", gw: "10.1.2.1" },
      { dst: "2001:db8::5/64", gw: "2001:db8::1" },
      { dst: "10.0.0.0/24", gw: "1.2.3.4" },
      { dst: "192.168.0.0/16", mtu: 1500, priority: 10, table: 0 },
    ]);
  });

  it("passes prevResult through unparsed", () => {
    const prevResult = { cniVersion: "1.0.0", ips: [{ address: "10.1.2.2/24" }] };
    expect(load(net(oneRange, { prevResult })).prevResult).toEqual(prevResult);
    expect(load(net(oneRange)).prevResult).toBeUndefined();
    expect(load(net(oneRange, { prevResult: null })).prevResult).toBeUndefined();
  });

  it("passes prevResult through like JSON.parse: last repeated key, plain __proto__, deep nesting", () => {
    const text = (prev: string) => `{"name":"n","ipam":{"subnet":"10.1.2.0/24"},"prevResult":${prev}}`;
    const c = load(text('{"a":1,"__proto__":{"x":1},"a":2.5e1}'));
    expect(c.prevResult).toEqual(JSON.parse('{"a":25,"__proto__":{"x":1}}'));
    expect(Object.getPrototypeOf(c.prevResult)).toBe(Object.prototype);
    let deep: unknown = load(text(`${"[".repeat(9990)}7${"]".repeat(9990)}`)).prevResult;
    let depth = 0;
    while (Array.isArray(deep)) {
      deep = deep[0];
      depth++;
    }
    expect([depth, deep]).toEqual([9990, 7]);
  });

  it.each<[string, Record<string, unknown>, unknown]>([
    ["neither key", {}, undefined],
    ["a null list", { "cni.dev/valid-attachments": null }, undefined],
    ["an empty list", { "cni.dev/valid-attachments": [] }, []],
    [
      "the union of both keys, duplicates merged",
      {
        "cni.dev/valid-attachments": [
          { containerID: "a", ifname: "eth0" },
          { containerID: "c", ifname: "net1" },
        ],
        "cni.dev/attachments": [
          { containerID: "a", ifname: "eth0" },
          { containerID: "b", ifname: "eth0" },
        ],
      },
      [
        { containerId: "a", ifname: "eth0" },
        { containerId: "c", ifname: "net1" },
        { containerId: "b", ifname: "eth0" },
      ],
    ],
    [
      "only the old key",
      { "cni.dev/attachments": [{ ContainerID: "a", IFNAME: "eth0" }] },
      [{ containerId: "a", ifname: "eth0" }],
    ],
  ])("reads GC attachments: %s", (_name, extra, expected) => {
    expect(load(net(oneRange, extra)).validAttachments).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ["a null route", net({ ...oneRange, routes: [{ dst: "0.0.0.0/0" }, null] }), "ipam.routes[1] is null"],
    [
      "a route without dst (upstream prints <nil>)",
      net({ ...oneRange, routes: [{ gw: "10.1.2.1" }] }),
      'ipam.routes[0] has no "dst"',
    ],
    [
      "a null range set",
      net({ ranges: [[{ subnet: "10.1.2.0/24" }], null] }),
      "invalid range set 1: ipam.ranges[1] is null",
    ],
    [
      "a null range",
      net({ ranges: [[{ subnet: "10.1.2.0/24" }, null]] }),
      "invalid range set 0: ipam.ranges[0][1] is null",
    ],
    [
      "a null runtime range set",
      net(oneRange, { runtimeConfig: { ipRanges: [null] } }),
      "invalid range set 0: runtimeConfig.ipRanges[0] is null",
    ],
    [
      "a null attachment",
      net(oneRange, { "cni.dev/valid-attachments": [null] }),
      "cni.dev/valid-attachments[0] is null",
    ],
    [
      "an attachment without ifname",
      net(oneRange, { "cni.dev/attachments": [{ containerID: "a" }] }),
      'cni.dev/attachments[0] has no "ifname"',
    ],
    [
      "an attachment without containerID",
      net(oneRange, { "cni.dev/valid-attachments": [{ ifname: "eth0" }] }),
      'cni.dev/valid-attachments[0] has no "containerID"',
    ],
    [
      "a number for an attachment's containerID",
      net(oneRange, { "cni.dev/valid-attachments": [{ containerID: 1, ifname: "eth0" }] }),
      "json: cannot unmarshal number into Go struct field GCAttachment.cni.dev/valid-attachments.containerID of type string",
    ],
    [
      "a string for the attachments",
      net(oneRange, { "cni.dev/valid-attachments": "a" }),
      "json: cannot unmarshal string into Go struct field Net.cni.dev/valid-attachments of type []types.GCAttachment",
    ],
  ])("refuses %s", (_name, config, msg) => {
    expect(loadError(config)).toMatchObject({ code: 999, msg });
  });
});

describe("loadIpamConfig: robustness", () => {
  const text = (prev: unknown) =>
    `{"name":"n","ipam":{"subnet":"10.1.2.0/24"},"prevResult":${JSON.stringify(prev)}}`;

  it("reads any JSON value as JSON.parse does (through prevResult)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        fc.pre(value !== null);
        expect(load(text(value)).prevResult).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  const ipText = fc.oneof(
    fc.constantFrom(
      "10.1.2.0/24",
      "10.1.2.5",
      "2001:db8::/64",
      "::ffff:10.1.2.0/120",
      "",
      "x",
      "10.1.2.0/31",
    ),
    fc.string(),
  );
  const range = fc.dictionary(
    fc.constantFrom("subnet", "rangeStart", "rangeEnd", "gateway", "SUBNET"),
    fc.oneof(ipText, fc.jsonValue()),
  );
  const configArb = fc.record(
    {
      cniVersion: fc.oneof(fc.constantFrom("0.2.0", "1.1.0", ""), fc.jsonValue()),
      name: fc.oneof(fc.string(), fc.jsonValue()),
      ipam: fc.oneof(
        fc.record(
          {
            ranges: fc.oneof(
              fc.array(fc.oneof(fc.array(fc.oneof(range, fc.constant(null))), fc.constant(null))),
              fc.jsonValue(),
            ),
            subnet: ipText,
            routes: fc.oneof(
              fc.array(
                fc.oneof(
                  fc.record({ dst: ipText, gw: ipText, mtu: fc.jsonValue() }, { requiredKeys: [] }),
                  fc.jsonValue(),
                ),
              ),
              fc.jsonValue(),
            ),
            dataDir: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
      runtimeConfig: fc.oneof(
        fc.record({ ips: fc.array(fc.oneof(ipText, fc.jsonValue())) }, { requiredKeys: [] }),
        fc.jsonValue(),
      ),
      args: fc.oneof(
        fc.record({ cni: fc.record({ ips: fc.array(fc.oneof(ipText, fc.constant(null))) }) }),
        fc.jsonValue(),
      ),
      "cni.dev/valid-attachments": fc.jsonValue(),
    },
    { requiredKeys: [] },
  );

  it("answers any config with a result or a CniError, never anything else", () => {
    fc.assert(
      fc.property(
        configArb,
        fc.constantFrom("", "IP=10.1.2.9", "IgnoreUnknown=1;X=y", "IP=x"),
        (config, envArgs) => {
          try {
            const c = load(config, envArgs);
            expect(c.rangeSets.length).toBeGreaterThan(0);
          } catch (err) {
            expect(err).toBeInstanceOf(CniError);
          }
        },
      ),
    );
  });

  it("answers any text with a result or a CniError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
        ),
        (input) => {
          try {
            load(input);
          } catch (err) {
            expect(err).toBeInstanceOf(CniError);
          }
        },
      ),
    );
  });
});

describe("loadIpamConfig: ipam.store", () => {
  const etcd = (store: Record<string, unknown>) => net({ ...oneRange, store: { type: "etcd", ...store } });
  const endpoints = ["http://127.0.0.1:2379"];

  it.each([
    ["absent", net(oneRange)],
    ["null", net({ ...oneRange, store: null })],
    ["of type disk", net({ ...oneRange, store: { type: "disk" } })],
    [
      "of type disk with etcd fields, which it ignores",
      net({ ...oneRange, store: { type: "disk", endpoints: 5 } }),
    ],
  ])("is the disk store when %s", (_case, config) => {
    expect(load(config).store).toEqual({ type: "disk" });
  });

  it("fills in etcd's defaults", () => {
    expect(load(etcd({ endpoints })).store).toEqual({
      type: "etcd",
      endpoints,
      prefix: "/cni-ts",
      timeoutMs: 5000,
      tls: undefined,
      node: undefined,
    });
  });

  it("reads every etcd field, keys matched case-insensitively like the rest of the config", () => {
    const c = load(
      net({
        ...oneRange,
        STORE: {
          Type: "etcd",
          endpoints: ["https://10.0.0.1:2379", "https://etcd.example:2379/"],
          prefix: "/cluster-a",
          timeoutMs: 1500,
          TLS: { caFile: "/etc/etcd/ca.crt", certFile: "client.crt", keyFile: "client.key" },
          node: "worker-7",
        },
      }),
    );
    expect(c.store).toEqual({
      type: "etcd",
      endpoints: ["https://10.0.0.1:2379", "https://etcd.example:2379/"],
      prefix: "/cluster-a",
      timeoutMs: 1500,
      tls: { caFile: "/etc/etcd/ca.crt", certFile: "client.crt", keyFile: "client.key" },
      node: "worker-7",
    });
  });

  it("reads a null etcd field as absent", () => {
    expect(load(etcd({ endpoints, prefix: null, timeoutMs: null, tls: null, node: null })).store).toEqual({
      type: "etcd",
      endpoints,
      prefix: "/cni-ts",
      timeoutMs: 5000,
      tls: undefined,
      node: undefined,
    });
  });

  it("takes the last of repeated etcd fields", () => {
    const text =
      '{"name":"n","ipam":{"subnet":"10.1.2.0/24","store":' +
      '{"type":"etcd","endpoints":["http://a:2379"],"timeoutMs":10,"TimeoutMS":20,"prefix":"/x","PREFIX":"/y"}}}';
    expect(load(text).store).toMatchObject({ timeoutMs: 20, prefix: "/y" });
  });

  it("takes the last of two store keys whole, without merging them", () => {
    const text = `{"name":"n","ipam":{"subnet":"10.1.2.0/24","store":{"type":"etcd","endpoints":["http://a:2379"]},"store":{"type":"disk"}}}`;
    expect(load(text).store).toEqual({ type: "disk" });
  });

  it.each([
    ["not an object", "etcd", "ipam.store must be an object"],
    ["without a type", { endpoints }, 'ipam.store has no "type"'],
    ["of an unknown type", { type: "consul" }, 'ipam.store.type must be "disk" or "etcd", not "consul"'],
    [
      "of a type in other letter case",
      { type: "ETCD" },
      'ipam.store.type must be "disk" or "etcd", not "ETCD"',
    ],
    ["with a non-string type", { type: 5 }, 'ipam.store.type must be "disk" or "etcd", not a non-string'],
    [
      "without endpoints",
      { type: "etcd" },
      "ipam.store.endpoints must be a non-empty array of http:// or https:// URLs",
    ],
    [
      "with no endpoint",
      { type: "etcd", endpoints: [] },
      "ipam.store.endpoints must be a non-empty array of http:// or https:// URLs",
    ],
    [
      "with one endpoint as a string",
      { type: "etcd", endpoints: "http://a:2379" },
      "ipam.store.endpoints must be a non-empty array of http:// or https:// URLs",
    ],
    [
      "with a non-string endpoint",
      { type: "etcd", endpoints: [2379] },
      "ipam.store.endpoints[0] must be a string",
    ],
    [
      "with a bare host:port",
      { type: "etcd", endpoints: ["http://a:2379", "10.0.0.1:2379"] },
      'ipam.store.endpoints[1] is not an http:// or https:// URL: "10.0.0.1:2379"',
    ],
    [
      "with a unix socket",
      { type: "etcd", endpoints: ["unix:///run/etcd.sock"] },
      'ipam.store.endpoints[0] is not an http:// or https:// URL: "unix:///run/etcd.sock"',
    ],
    [
      "with credentials in the URL",
      { type: "etcd", endpoints: ["http://u:p@a:2379"] },
      'ipam.store.endpoints[0] is not an http:// or https:// URL: "http://u:p@a:2379"',
    ],
    [
      "with a non-string prefix",
      { type: "etcd", endpoints, prefix: 1 },
      "ipam.store.prefix must be a string",
    ],
    [
      "with an empty node",
      { type: "etcd", endpoints, node: "" },
      "ipam.store.node must be a non-empty string",
    ],
    [
      "with a non-string node",
      { type: "etcd", endpoints, node: 7 },
      "ipam.store.node must be a non-empty string",
    ],
    [
      "with a zero timeout",
      { type: "etcd", endpoints, timeoutMs: 0 },
      "ipam.store.timeoutMs must be a whole number of milliseconds from 1 to 2147483647",
    ],
    [
      "with a fractional timeout",
      { type: "etcd", endpoints, timeoutMs: 1.5 },
      "ipam.store.timeoutMs must be a whole number of milliseconds from 1 to 2147483647",
    ],
    [
      "with a negative timeout",
      { type: "etcd", endpoints, timeoutMs: -1 },
      "ipam.store.timeoutMs must be a whole number of milliseconds from 1 to 2147483647",
    ],
    [
      "with a timeout beyond a timer's reach",
      { type: "etcd", endpoints, timeoutMs: 2147483648 },
      "ipam.store.timeoutMs must be a whole number of milliseconds from 1 to 2147483647",
    ],
    [
      "with a timeout as text",
      { type: "etcd", endpoints, timeoutMs: "5000" },
      "ipam.store.timeoutMs must be a whole number of milliseconds from 1 to 2147483647",
    ],
    [
      "with tls not an object",
      { type: "etcd", endpoints: ["https://a:2379"], tls: true },
      "ipam.store.tls must be an object",
    ],
    [
      "with an empty caFile",
      { type: "etcd", endpoints: ["https://a:2379"], tls: { caFile: "" } },
      "ipam.store.tls.caFile must be a non-empty string",
    ],
    [
      "with a certificate and no key",
      { type: "etcd", endpoints: ["https://a:2379"], tls: { certFile: "c.crt" } },
      "ipam.store.tls needs both certFile and keyFile, or neither",
    ],
    [
      "with a key and no certificate",
      { type: "etcd", endpoints: ["https://a:2379"], tls: { keyFile: "c.key" } },
      "ipam.store.tls needs both certFile and keyFile, or neither",
    ],
    [
      "with tls and a plain http endpoint",
      { type: "etcd", endpoints: ["https://a:2379", "http://b:2379"], tls: { caFile: "ca.crt" } },
      'ipam.store.tls is set but endpoint "http://b:2379" is not https://',
    ],
  ])("refuses a store %s with code 999", (_case, store, msg) => {
    const err = loadError(net({ ...oneRange, store }));
    expect(err).toBeInstanceOf(CniError);
    expect(err).toMatchObject({ code: 999, msg });
  });

  it("reports upstream's config errors before its own store errors", () => {
    expect(loadError(net({ store: "etcd" }))).toMatchObject({ code: 999, msg: "no IP ranges specified" });
  });
});
