import { describe, expect, it } from "vitest";
import {
  isCniError,
  parsePrevResult,
  type Result,
  resultFamilyOf,
  SUPPORTED_VERSIONS,
} from "../../src/index.js";
import { catchError } from "../catch-error.js";

const PREFIX = "could not parse prevResult: ";

/** The message of the CniError 999 that parsing throws. */
function failure(prevResult: unknown, configVersion = "1.1.0"): string {
  const err = catchError(() => parsePrevResult(prevResult, configVersion));
  if (!isCniError(err)) throw new Error(`not a CniError: ${String(err)}`);
  expect(err.code).toBe(999);
  return err.msg;
}

const FAMILY_LISTS = {
  "100": "[1.0.0 1.1.0]",
  "040": "[0.3.0 0.3.1 0.4.0]",
  "020": "[ 0.1.0 0.2.0]",
} as const;

describe("parsePrevResult: upstream's cases (contract 2.5, 9.2)", () => {
  it("parses a 1.0.0 prevResult whose ips carry a stray version key", () => {
    const prevResult = {
      cniVersion: "1.0.0",
      interfaces: [
        {
          name: "eth0",
          mac: "00:11:22:33:44:55",
          sandbox: "/proc/3553/ns/net",
          pciID: "8086:9a01",
          socketPath: "/path/to/vhost/fd",
        },
      ],
      ips: [{ version: "4", interface: 0, address: "1.2.3.30/24", gateway: "1.2.3.1" }],
    };
    expect(parsePrevResult(prevResult, "1.0.0")).toEqual({
      cniVersion: "1.1.0",
      interfaces: prevResult.interfaces,
      ips: [{ interface: 0, address: "1.2.3.30/24", gateway: "1.2.3.1" }],
    });
  });

  it.each([
    [
      { cniVersion: "5678.456" },
      `${PREFIX}result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion is "5678.456"`,
    ],
    [
      { cniVersion: "0.2.0", ip4: { ip: "1.2.3.30/24", gateway: "1.2.3.1" } },
      `${PREFIX}result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion is "0.2.0"`,
    ],
  ])("refuses %j under a 1.1.0 config", (prevResult, message) => {
    expect(failure(prevResult)).toBe(message);
  });

  it.each([undefined, null])("returns nothing for a prevResult of %s", (prevResult) => {
    expect(parsePrevResult(prevResult, "1.1.0")).toBeUndefined();
  });
});

describe.each(SUPPORTED_VERSIONS)("config version %s", (configVersion) => {
  const family = resultFamilyOf(configVersion);

  it.each(SUPPORTED_VERSIONS)("takes a prevResult of version %s only from its own format", (prevVersion) => {
    const prevResult =
      resultFamilyOf(prevVersion) === "020"
        ? { cniVersion: prevVersion, ip4: { ip: "10.0.0.2/24" } }
        : { cniVersion: prevVersion, ips: [{ version: "4", address: "10.0.0.2/24" }] };
    if (resultFamilyOf(prevVersion) === family) {
      expect(parsePrevResult(prevResult, configVersion)).toEqual({
        cniVersion: "1.1.0",
        ips: [{ address: "10.0.0.2/24" }],
      });
    } else {
      expect(failure(prevResult, configVersion)).toBe(
        `${PREFIX}result type supports ${family === undefined ? "" : FAMILY_LISTS[family]} but unmarshalled CNIVersion is "${prevVersion}"`,
      );
    }
  });

  it("gives a prevResult without cniVersion the config's version", () => {
    const prevResult =
      family === "020" ? { ip4: { ip: "10.0.0.2/24" } } : { ips: [{ version: "4", address: "10.0.0.2/24" }] };
    expect(parsePrevResult(prevResult, configVersion)?.ips).toEqual([{ address: "10.0.0.2/24" }]);
  });
});

describe("parsePrevResult: versions", () => {
  it("takes an empty config version as 0.1.0", () => {
    expect(parsePrevResult({ ip4: { ip: "10.0.0.2/24" } }, "")).toEqual({
      cniVersion: "1.1.0",
      ips: [{ address: "10.0.0.2/24" }],
    });
  });

  it.each<[string, string, string | undefined]>([
    ["1.1.0", `${PREFIX}result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion is ""`, undefined],
    ["0.2.0", "", "10.0.0.2/24"],
  ])("an explicit empty cniVersion under a %s config", (configVersion, message, address) => {
    const prevResult = { cniVersion: "", ip4: { ip: "10.0.0.2/24" }, ips: [{ address: "10.0.0.2/24" }] };
    if (address === undefined) expect(failure(prevResult, configVersion)).toBe(message);
    else expect(parsePrevResult(prevResult, configVersion)?.ips).toEqual([{ address }]);
  });

  it("lets a lower-case cniVersion win over an upper-case one, as Go's decoder does", () => {
    expect(failure({ CNIVersion: "1.1.0", cniVersion: "0.4.0" })).toBe(
      `${PREFIX}result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion is "0.4.0"`,
    );
  });

  it.each(["2.0.0", "1.1", "abc"])(
    "refuses a config version %s that no result format takes",
    (configVersion) => {
      expect(failure({ cniVersion: "1.1.0" }, configVersion)).toBe(
        `${PREFIX}unsupported CNI result version "${configVersion}"`,
      );
    },
  );
});

describe("parsePrevResult: addresses", () => {
  it.each([
    ["2001:DB8::0001/64", "2001:db8::1/64"],
    ["2001:db8:0:0:1:0:0:1/64", "2001:db8::1:0:0:1/64"],
    ["2001:0:0:1:0:0:0:1/64", "2001:0:0:1::1/64"],
    ["::/0", "::/0"],
    ["::ffff:10.1.2.3/120", "10.1.2.3/24"],
    ["::ffff:10.1.2.3/64", "10.1.2.3/0"],
    ["10.1.2.3/024", "10.1.2.3/24"],
    ["10.1.2.3/24", "10.1.2.3/24"],
    ["1.2.3.4/24", "1.2.3.4/24"],
    ["2001:db8::/32", "2001:db8::/32"],
    ["2001:db8::5/32", "2001:db8::5/32"],
    ["1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7:8/128"],
    ["::1.2.3.4/96", "::102:304/96"],
  ])("prints %s as Go does: %s", (address, expected) => {
    expect(parsePrevResult({ cniVersion: "1.1.0", ips: [{ address }] }, "1.1.0")?.ips?.[0]?.address).toBe(
      expected,
    );
  });

  it.each([
    ["10.0.0.1", "10.0.0.1"],
    ["::ffff:10.0.0.1", "10.0.0.1"],
    ["FD00:0::1", "fd00::1"],
    ["", undefined],
  ])("prints gateway %j as %j", (gateway, expected) => {
    expect(parsePrevResult({ ips: [{ address: "10.0.0.2/24", gateway }] }, "1.1.0")?.ips?.[0]?.gateway).toBe(
      expected,
    );
  });

  it.each([
    ["1.2.3/45", "invalid CIDR address: 1.2.3/45"],
    ["1.2.3.4/99", "invalid CIDR address: 1.2.3.4/99"],
    ["1.2.3.4", "invalid CIDR address: 1.2.3.4"],
    ["010.1.2.3/24", "invalid CIDR address: 010.1.2.3/24"],
    ["0x0a.1.2.3/24", "invalid CIDR address: 0x0a.1.2.3/24"],
    ["fe80::1%eth0/64", "invalid CIDR address: fe80::1%eth0/64"],
    ["1:2:3:4:5:6:7::8/64", "invalid CIDR address: 1:2:3:4:5:6:7::8/64"],
    ["1.2.3.4::/64", "invalid CIDR address: 1.2.3.4::/64"],
    ["10.0.0.1/+8", "invalid CIDR address: 10.0.0.1/+8"],
    [null, "invalid CIDR address: "],
  ])("refuses address %j", (address, message) => {
    expect(failure({ ips: [{ address }] })).toBe(PREFIX + message);
  });

  it.each([
    [{ ips: [{ address: "1.2.3.4/24", gateway: "1.2.3.x" }] }, "invalid IP address: 1.2.3.x"],
    [{ routes: [{ dst: "1.2.3.0/24", gw: "1.2.3.x" }] }, "invalid IP address: 1.2.3.x"],
    [{ routes: [{ dst: "1.2.3.0/244" }] }, "invalid CIDR address: 1.2.3.0/244"],
  ])("refuses %j", (prevResult, message) => {
    expect(failure(prevResult)).toBe(PREFIX + message);
  });

  it("keeps every route field and prints an unset destination as Go does", () => {
    const routes = [
      { dst: "1.2.3.0/24", gw: "1.2.3.1", mtu: 1500, advmss: 1340, priority: 100, table: 50, scope: 253 },
      {},
    ];
    expect(parsePrevResult({ routes }, "1.1.0")?.routes).toEqual([routes[0], { dst: "<nil>" }]);
  });
});

describe("parsePrevResult: Go's decoding rules", () => {
  it.each([
    [
      { ips: [{ address: 5 }] },
      "json: cannot unmarshal number into Go struct field Result.ips.address of type string",
    ],
    [
      { ips: "x" },
      "json: cannot unmarshal string into Go struct field Result.ips of type []*types100.IPConfig",
    ],
    [
      { ips: ["x"] },
      "json: cannot unmarshal string into Go struct field Result.ips of type types100.ipConfig",
    ],
    [
      { ips: [{ address: "1.2.3.4/24", interface: "0" }] },
      "json: cannot unmarshal string into Go struct field Result.ips.interface of type int",
    ],
    [
      { routes: [{ dst: "1.2.3.0/24", mtu: 1.5 }] },
      "json: cannot unmarshal number 1.5 into Go struct field Result.routes.mtu of type int",
    ],
    [
      { dns: { nameservers: [1] } },
      "json: cannot unmarshal number into Go struct field DNS.dns.nameservers of type string",
    ],
    [{ dns: 5, ips: "x" }, "json: cannot unmarshal number into Go struct field Result.dns of type types.DNS"],
    [
      { interfaces: [{ name: 1 }] },
      "json: cannot unmarshal number into Go struct field Interface.interfaces.name of type string",
    ],
    [
      { cniVersion: 1 },
      "json: cannot unmarshal number into Go struct field Result.cniVersion of type string",
    ],
    [{ cniVersion: 1, ips: [{ address: "bad" }] }, "invalid CIDR address: bad"],
    [
      { ips: [{ address: "1.2.3.4/24", gateway: true }] },
      "json: cannot unmarshal bool into Go struct field Result.ips.gateway of type net.IP",
    ],
  ])("refuses %j", (prevResult, message) => {
    expect(failure(prevResult)).toBe(PREFIX + message);
  });

  it("refuses a 0.2.0 route of the wrong type with its full field path", () => {
    expect(failure({ ip4: { ip: "10.0.0.1/8", routes: [{ dst: 1 }] } }, "0.2.0")).toBe(
      `${PREFIX}json: cannot unmarshal number into Go struct field Result.ip4.routes.dst of type string`,
    );
  });

  it.each(["x", 5, true, ["a"]])("refuses a prevResult that is not an object: %j", (prevResult) => {
    expect(failure(prevResult)).toMatch(
      /^could not parse prevResult: json: cannot unmarshal \w+ into Go struct field/,
    );
  });

  it("matches field names case-insensitively, the key sorting last winning", () => {
    const prevResult = {
      IPs: [{ Address: "10.0.0.9/24" }],
      ips: [{ ADDRESS: "10.0.0.2/24", GateWay: "10.0.0.1" }],
    };
    expect(parsePrevResult(prevResult, "1.1.0")?.ips).toEqual([
      { address: "10.0.0.2/24", gateway: "10.0.0.1" },
    ]);
  });

  it("takes integers however they were written, as they pass through float64 upstream too", () => {
    const prevResult = JSON.parse('{"routes": [{"dst": "::/0", "mtu": 1e3, "table": 5.0}]}');
    expect(parsePrevResult(prevResult, "1.1.0")?.routes).toEqual([{ dst: "::/0", mtu: 1000, table: 5 }]);
  });

  it("refuses an integer beyond 64 bits", () => {
    expect(failure({ ips: [{ address: "10.0.0.2/24", interface: 1e21 }] })).toBe(
      `${PREFIX}json: cannot unmarshal number 1e+21 into Go struct field Result.ips.interface of type int`,
    );
  });

  it("folds the long s to s, as Go's decoder does", () => {
    expect(parsePrevResult({ routes: [{ dst: "::/0", "\u017fcope": 5 }] }, "1.1.0")?.routes).toEqual([
      { dst: "::/0", scope: 5 },
    ]);
  });

  it("merges a struct decoded twice", () => {
    const prevResult = { DNS: { domain: "a.example" }, dns: { search: ["b.example"] } };
    expect(parsePrevResult(prevResult, "1.1.0")?.dns).toEqual({ domain: "a.example", search: ["b.example"] });
  });

  it("ignores unknown keys and null values, and drops null list entries", () => {
    const prevResult = {
      cniVersion: "1.1.0",
      extra: { anything: true },
      dns: null,
      ips: [null, { address: "10.0.0.2/24", gateway: null, interface: null, bogus: 1 }],
      routes: null,
    };
    expect(parsePrevResult(prevResult, "1.1.0")).toEqual({
      cniVersion: "1.1.0",
      ips: [{ address: "10.0.0.2/24" }],
    });
  });

  it("decodes a 0.4.0 prevResult into the 1.x model, dropping versions", () => {
    const prevResult = {
      cniVersion: "0.4.0",
      interfaces: [{ name: "eth0", mac: "aa", mtu: 1500 }],
      ips: [{ version: "6", interface: 0, address: "fd00::2/64", gateway: "fd00::1" }],
      routes: [{ dst: "::/0", table: 0 }],
      dns: { nameservers: ["fd00::53"] },
    };
    const expected: Result = {
      cniVersion: "1.1.0",
      interfaces: [{ name: "eth0", mac: "aa" }],
      ips: [{ interface: 0, address: "fd00::2/64", gateway: "fd00::1" }],
      routes: [{ dst: "::/0", table: 0 }],
      dns: { nameservers: ["fd00::53"] },
    };
    expect(parsePrevResult(prevResult, "0.4.0")).toEqual(expected);
  });

  it("decodes a 0.2.0 prevResult into the 1.x model", () => {
    const prevResult = {
      cniVersion: "0.2.0",
      ip4: { ip: "10.0.0.2/24", gateway: "10.0.0.1", routes: [{ dst: "0.0.0.0/0", gw: "10.0.0.1" }] },
      ip6: { ip: "fd00::2/64" },
    };
    expect(parsePrevResult(prevResult, "0.2.0")).toEqual({
      cniVersion: "1.1.0",
      ips: [{ address: "10.0.0.2/24", gateway: "10.0.0.1" }, { address: "fd00::2/64" }],
      routes: [{ dst: "0.0.0.0/0", gw: "10.0.0.1" }],
    });
  });

  it("does not modify its input", () => {
    const prevResult = { ips: [{ address: "2001:DB8::1/64" }] };
    parsePrevResult(prevResult, "1.1.0");
    expect(prevResult).toEqual({ ips: [{ address: "2001:DB8::1/64" }] });
  });
});
