import { describe, expect, it } from "vitest";
import {
  type AnyResult,
  convertResult,
  printResult,
  type Result,
  type Result020,
  type Result040,
  SUPPORTED_VERSIONS,
} from "../../src/index.js";
import {
  addResult,
  dnsResult,
  fullResult,
  fullResult020,
  fullResult040,
  golden,
} from "../fixtures/results.js";

describe("printResult: golden files (contract 2.4, 0.x outputs recorded from the upstream binary)", () => {
  it.each(SUPPORTED_VERSIONS)("prints the contract's ADD converted to %s byte for byte", (version) => {
    expect(printResult(convertResult(addResult, version))).toBe(golden(`result-${version}.json`));
  });

  it("prints a config without cniVersion as 0.1.0", () => {
    expect(printResult(convertResult(addResult, ""))).toBe(golden("result-0.1.0.json"));
  });

  it.each([
    ["1.1.0", "dns-1.1.0.json"],
    ["0.3.1", "dns-0.3.1.json"],
  ])("prints DNS for %s in that format's key order", (version, file) => {
    expect(printResult(convertResult(dnsResult, version))).toBe(golden(file));
  });

  it.each<[string, AnyResult, string]>([
    ["1.1.0", fullResult, "full-1.1.0.json"],
    ["0.4.0", fullResult040, "full-0.4.0.json"],
    ["0.2.0", fullResult020, "full-0.2.0.json"],
  ])("prints every field of a %s result", (_version, result, file) => {
    expect(printResult(result)).toBe(golden(file));
  });
});

describe("printResult: 1.x omission rules (HEAD)", () => {
  const base: Result = { cniVersion: "1.0.0", ips: [{ address: "10.0.0.2/24" }] };
  const ipsOnly =
    '{\n    "cniVersion": "1.0.0",\n    "ips": [\n        {\n            "address": "10.0.0.2/24"\n        }\n    ]\n}';

  it.each<[string, Result]>([
    ["absent dns", base],
    ["dns {}", { ...base, dns: {} }],
    [
      "dns with empty lists and domain",
      { ...base, dns: { nameservers: [], domain: "", search: [], options: [] } },
    ],
    ["empty routes", { ...base, routes: [] }],
    ["empty interfaces", { ...base, interfaces: [] }],
    ["empty gateway", { cniVersion: "1.0.0", ips: [{ address: "10.0.0.2/24", gateway: "" }] }],
  ])("leaves out %s", (_name, result) => {
    expect(printResult(result)).toBe(ipsOnly);
  });

  it.each<[string, Result["routes"], string]>([
    [
      "mtu, advmss, priority of 0",
      [{ dst: "10.0.0.0/8", mtu: 0, advmss: 0, priority: 0 }],
      '"dst": "10.0.0.0/8"',
    ],
    [
      "table and scope of 0 are kept",
      [{ dst: "10.0.0.0/8", table: 0, scope: 0 }],
      '"dst": "10.0.0.0/8",\n            "scope": 0,\n            "table": 0',
    ],
    [
      "sorted route keys",
      [{ dst: "10.0.0.0/8", gw: "10.0.0.1", priority: 5, advmss: 9 }],
      '"advmss": 9,\n            "dst": "10.0.0.0/8",\n            "gw": "10.0.0.1",\n            "priority": 5',
    ],
  ])("routes: %s", (_name, routes, body) => {
    const printed = printResult({ cniVersion: "1.1.0", routes: routes ?? [] });
    expect(printed).toBe(
      `{\n    "cniVersion": "1.1.0",\n    "routes": [\n        {\n            ${body}\n        }\n    ]\n}`,
    );
  });

  it("keeps an interface index of 0 and sorts ip keys", () => {
    const printed = printResult({
      cniVersion: "1.1.0",
      ips: [{ interface: 0, gateway: "10.0.0.1", address: "10.0.0.2/24" }],
    });
    expect(printed).toContain(
      '"address": "10.0.0.2/24",\n            "gateway": "10.0.0.1",\n            "interface": 0',
    );
  });

  it("always prints an interface name, even an empty one", () => {
    expect(printResult({ cniVersion: "1.1.0", interfaces: [{ name: "" }] })).toBe(
      '{\n    "cniVersion": "1.1.0",\n    "interfaces": [\n        {\n            "name": ""\n        }\n    ]\n}',
    );
  });
});

describe("printResult: 0.x formats", () => {
  it.each<[string, AnyResult, string]>([
    [
      "0.4.0 without addresses",
      { cniVersion: "0.4.0" } satisfies Result040,
      '{\n    "cniVersion": "0.4.0",\n    "dns": {}\n}',
    ],
    [
      "0.3.1 with empty lists",
      { cniVersion: "0.3.1", ips: [], routes: [], dns: {} } satisfies Result040,
      '{\n    "cniVersion": "0.3.1",\n    "dns": {}\n}',
    ],
    [
      "0.2.0 with only ip6",
      { cniVersion: "0.2.0", ip6: { ip: "fd00::2/64", routes: [] } } satisfies Result020,
      '{\n    "cniVersion": "0.2.0",\n    "ip6": {\n        "ip": "fd00::2/64"\n    },\n    "dns": {}\n}',
    ],
  ])("%s always prints dns", (_name, result, expected) => {
    expect(printResult(result)).toBe(expected);
  });

  it("prints an address's version even for a hand-built 0.4.0 result", () => {
    const result: Result040 = { cniVersion: "0.4.0", ips: [{ version: "6", address: "fd00::2/64" }] };
    expect(printResult(result)).toContain('"version": "6",\n            "address": "fd00::2/64"');
  });
});

describe("printResult: text details", () => {
  it("uses Go's escaping in every string", () => {
    const printed = printResult({ cniVersion: "1.1.0", dns: { domain: "a<b>&c\u2028" } });
    expect(printed).toContain('"domain": "a\\u003cb\\u003e\\u0026c\\u2028"');
  });

  it.each(SUPPORTED_VERSIONS)("ends %s output without a newline", (version) => {
    expect(printResult(convertResult(addResult, version)).endsWith("}")).toBe(true);
  });

  it("prints the result as given, without converting it", () => {
    expect(printResult({ ...addResult, cniVersion: "1.0.0" })).toBe(golden("result-1.0.0.json"));
  });
});
