import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AnyResult,
  convertResult,
  isCniError,
  type Result,
  type Result020,
  type Result040,
  resultFamilyOf,
  SUPPORTED_VERSIONS,
  toCurrentResult,
} from "../../src/index.js";
import { catchError } from "../catch-error.js";
import { addResult, fullResult, fullResult020, fullResult040 } from "../fixtures/results.js";

/** What survives a trip through each format and back to 1.1.0, for {@link fullResult}. */
const fullAfterTrip: Record<"100" | "040" | "020", Result> = {
  "100": fullResult,
  "040": {
    ...fullResult,
    interfaces: [{ name: "eth0", mac: "00:11:22:33:44:55", sandbox: "/proc/3553/ns/net" }],
  },
  "020": {
    cniVersion: "1.1.0",
    ips: [
      { address: "1.2.3.30/24", gateway: "1.2.3.1" },
      { address: "abcd:1234:ffff::cdde/64", gateway: "abcd:1234:ffff::1" },
    ],
    routes: [
      { dst: "0.0.0.0/0", gw: "1.2.3.1" },
      { dst: "::/0", gw: "abcd:1234:ffff::1" },
    ],
    dns: fullResult.dns ?? {},
  },
};

describe.each(SUPPORTED_VERSIONS)("spec version %s", (version) => {
  const family = resultFamilyOf(version) ?? "100";

  it("converts the full 1.1.0 result down and back, keeping what the format holds", () => {
    const down = convertResult(fullResult, version);
    expect(down.cniVersion).toBe(version);
    expect(toCurrentResult(down)).toEqual(fullAfterTrip[family]);
  });

  it("converts the full result to the format's own shape", () => {
    const expected: AnyResult = { "100": fullResult, "040": fullResult040, "020": fullResult020 }[family];
    expect(convertResult(fullResult, version)).toEqual({ ...expected, cniVersion: version });
  });

  it.each(SUPPORTED_VERSIONS)("converts from %s", (from) => {
    const source = convertResult(addResult, from);
    expect(convertResult(source, version).cniVersion).toBe(version);
  });

  it("returns a copy that shares nothing with its input, even for the same version", () => {
    const source = convertResult(fullResult, version);
    const copy = convertResult(source, version);
    expect(copy).toEqual(source);
    expect(copy).not.toBe(source);
    const before = structuredClone(source);
    for (const value of Object.values(copy)) {
      if (Array.isArray(value)) value.length = 0;
    }
    expect(source).toEqual(before);
  });
});

describe("convertResult: upstream's cases (contract 9.2)", () => {
  it("1.1.0 to 1.0.0 changes only the version, and back gives the original", () => {
    const old = convertResult(fullResult, "1.0.0");
    expect(old).toEqual({ ...fullResult, cniVersion: "1.0.0" });
    expect(convertResult(old, "1.1.0")).toEqual(fullResult);
  });

  it("1.1.0 to 0.1.0 splits addresses and routes by family", () => {
    expect(convertResult(fullResult, "0.1.0")).toEqual({ ...fullResult020, cniVersion: "0.1.0" });
  });

  it("1.1.0 to 0.4.0 drops interface mtu/pciID/socketPath and adds ip versions", () => {
    expect(convertResult(fullResult, "0.4.0")).toEqual(fullResult040);
  });

  it("0.3.1 to 0.1.0 splits like 1.x does", () => {
    expect(convertResult({ ...fullResult040, cniVersion: "0.3.1" }, "0.1.0")).toEqual({
      ...fullResult020,
      cniVersion: "0.1.0",
    });
  });

  it.each<[string, Result020]>([
    ["with route gateways", fullResult020],
    [
      "without route gateways",
      {
        cniVersion: "0.2.0",
        ip4: { ip: "1.2.3.30/24", gateway: "1.2.3.1", routes: [{ dst: "0.0.0.0/0" }] },
        ip6: { ip: "abcd:1234:ffff::cdde/64", routes: [{ dst: "::/0" }] },
      },
    ],
  ])("0.2.0 to 0.4.0 and back is lossless %s", (_name, result) => {
    const up = convertResult(result, "0.4.0");
    expect(convertResult(up, "0.2.0")).toEqual(result);
  });

  it.each(["0.1.0", "0.2.0", ""])("a 0.4.0 result without addresses cannot become %j", (target) => {
    expect(() => convertResult({ cniVersion: "0.4.0" }, target)).toThrow(
      "cannot convert: no valid IP addresses",
    );
  });

  it.each([
    ["0.2.0", "0.1.0"],
    ["0.1.0", "0.2.0"],
  ])("%s to %s keeps the content", (from, to) => {
    expect(convertResult({ ...fullResult020, cniVersion: from }, to)).toEqual({
      ...fullResult020,
      cniVersion: to,
    });
  });

  it("converting a 1.0.0 result to the empty version reports 0.1.0", () => {
    expect(convertResult({ ...addResult, cniVersion: "1.0.0" }, "").cniVersion).toBe("0.1.0");
  });
});

describe("convertResult: 0.1.0/0.2.0 details", () => {
  const result: Result = {
    cniVersion: "1.1.0",
    ips: [
      { address: "fd00::2/64", gateway: "fd00::1" },
      { address: "10.0.0.2/24" },
      { address: "10.0.1.2/24" },
      { address: "fd01::2/64" },
    ],
    routes: [
      { dst: "fd02::/64", gw: "fd00::9", mtu: 9000 },
      { dst: "192.168.0.0/16", table: 5 },
    ],
  };

  it("keeps the first address of each family and routes by destination family", () => {
    expect(convertResult(result, "0.2.0")).toEqual({
      cniVersion: "0.2.0",
      ip4: { ip: "10.0.0.2/24", routes: [{ dst: "192.168.0.0/16" }] },
      ip6: { ip: "fd00::2/64", gateway: "fd00::1", routes: [{ dst: "fd02::/64", gw: "fd00::9" }] },
    });
  });

  it("drops routes of a family without an address", () => {
    const v4only: Result = {
      cniVersion: "1.1.0",
      ips: [{ address: "10.0.0.2/24" }],
      routes: [{ dst: "::/0" }],
    };
    expect(convertResult(v4only, "0.2.0")).toEqual({ cniVersion: "0.2.0", ip4: { ip: "10.0.0.2/24" } });
  });

  it("counts an IPv4-mapped address as IPv4, as Go's To4 does", () => {
    const mapped: Result = { cniVersion: "1.1.0", ips: [{ address: "::ffff:10.0.0.2/120" }] };
    expect(convertResult(mapped, "0.4.0")).toEqual({
      cniVersion: "0.4.0",
      ips: [{ version: "4", address: "::ffff:10.0.0.2/120" }],
    });
  });

  it("moves ip4 before ip6 and their routes into one list going up", () => {
    const old: Result020 = {
      cniVersion: "0.1.0",
      ip6: { ip: "fd00::2/64", routes: [{ dst: "::/0" }] },
      ip4: { ip: "10.0.0.2/24", routes: [{ dst: "0.0.0.0/0", gw: "10.0.0.1" }] },
    };
    expect(toCurrentResult(old)).toEqual({
      cniVersion: "1.1.0",
      ips: [{ address: "10.0.0.2/24" }, { address: "fd00::2/64" }],
      routes: [{ dst: "0.0.0.0/0", gw: "10.0.0.1" }, { dst: "::/0" }],
    });
  });
});

describe("convertResult: versions", () => {
  it.each<[string, AnyResult, string, string]>([
    ["a 020-shaped result", { cniVersion: "", ip4: { ip: "10.0.0.2/24" } }, "0.2.0", "0.2.0"],
    [
      "a 040-shaped result",
      { cniVersion: "", ips: [{ version: "4", address: "10.0.0.2/24" }] },
      "0.4.0",
      "0.4.0",
    ],
    ["a 1.x-shaped result", { cniVersion: "", ips: [{ address: "10.0.0.2/24" }] }, "1.1.0", "1.1.0"],
  ])("takes %s without cniVersion to be its format's newest version", (_name, result, target, expected) => {
    expect(convertResult(result, target).cniVersion).toBe(expected);
  });

  it.each([
    ["1.1.0", "2.0.0", "no converter for CNI result version 1.1.0 to 2.0.0"],
    ["9.9.9", "1.1.0", "no converter for CNI result version 9.9.9 to 1.1.0"],
    ["1.1.0", "1.1", "no converter for CNI result version 1.1.0 to 1.1"],
  ])("refuses %s to %s", (from, to, message) => {
    const thrown = catchError(() => convertResult({ ...addResult, cniVersion: from }, to));
    expect(isCniError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 999, msg: message });
  });

  it("returns a result of an unknown version unchanged when asked for that same version", () => {
    expect(convertResult({ ...addResult, cniVersion: "9.9.9" }, "9.9.9")).toEqual({
      ...addResult,
      cniVersion: "9.9.9",
    });
  });

  it("toCurrentResult converts to 1.1.0", () => {
    expect(toCurrentResult(fullResult040)).toEqual(fullAfterTrip["040"]);
  });
});

describe("convertResult: properties", () => {
  const address = fc.oneof(
    fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, p]) => `${ip}/${p}`),
    fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([ip, p]) => `${ip}/${p}`),
  );
  const gateway = fc.oneof(fc.ipV4(), fc.ipV6());
  const ipConfig = fc.record({ address, gateway, interface: fc.nat(3) }, { requiredKeys: ["address"] });
  const route = fc.record(
    {
      dst: address,
      gw: gateway,
      mtu: fc.nat(9000),
      advmss: fc.nat(9000),
      priority: fc.nat(),
      table: fc.nat(255),
      scope: fc.nat(255),
    },
    { requiredKeys: ["dst"] },
  );
  const iface = fc.record(
    {
      name: fc.string(),
      mac: fc.string(),
      mtu: fc.nat(9000),
      sandbox: fc.string(),
      socketPath: fc.string(),
      pciID: fc.string(),
    },
    { requiredKeys: ["name"] },
  );
  const dns = fc.record(
    {
      nameservers: fc.array(fc.ipV4()),
      domain: fc.string(),
      search: fc.array(fc.string()),
      options: fc.array(fc.string()),
    },
    { requiredKeys: [] },
  );
  const result: fc.Arbitrary<Result> = fc.record(
    {
      cniVersion: fc.constantFrom("1.0.0", "1.1.0"),
      interfaces: fc.array(iface, { maxLength: 2 }),
      ips: fc.array(ipConfig, { maxLength: 4 }),
      routes: fc.array(route, { maxLength: 4 }),
      dns,
    },
    { requiredKeys: ["cniVersion"] },
  );

  it.each(SUPPORTED_VERSIONS)(
    "converting to %s, up to 1.1.0 and down again gives the same result",
    (version) => {
      fc.assert(
        fc.property(result, (r) => {
          let down: AnyResult;
          try {
            down = convertResult(r, version);
          } catch (err) {
            // Only 0.1.0/0.2.0 refuse, and only a result without addresses.
            return isCniError(err) && (r.ips ?? []).length === 0 && resultFamilyOf(version) === "020";
          }
          expect(convertResult(toCurrentResult(down), version)).toEqual(down);
          return true;
        }),
      );
    },
  );

  it.each(["0.3.0", "0.3.1", "0.4.0"])("%s keeps everything but the 1.1 interface fields", (version) => {
    fc.assert(
      fc.property(result, (r) => {
        const back = toCurrentResult(convertResult(r, version) as Result040);
        const expected: Result = { ...r, cniVersion: "1.1.0" };
        if (r.interfaces !== undefined) {
          expected.interfaces = r.interfaces.map(({ mtu: _m, socketPath: _s, pciID: _p, ...kept }) => kept);
        }
        expect(back).toEqual(expected);
      }),
    );
  });
});
