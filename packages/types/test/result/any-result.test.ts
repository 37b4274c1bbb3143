import { describe, expect, it } from "vitest";
import {
  type AnyResult,
  isCurrentResult,
  isResult020,
  isResult040,
  type ResultFamily,
  resultFamilyOf,
} from "../../src/index.js";

describe("resultFamilyOf", () => {
  it.each<[string, ResultFamily | undefined]>([
    ["1.1.0", "100"],
    ["1.0.0", "100"],
    ["0.4.0", "040"],
    ["0.3.1", "040"],
    ["0.3.0", "040"],
    ["0.2.0", "020"],
    ["0.1.0", "020"],
    ["", "020"],
    ["1.1", undefined],
    ["2.0.0", undefined],
  ])("%j uses the %s format", (version, family) => {
    expect(resultFamilyOf(version)).toBe(family);
  });
});

describe("result type guards", () => {
  it.each<[string, AnyResult, "100" | "040" | "020"]>([
    ["1.1.0", { cniVersion: "1.1.0" }, "100"],
    ["0.4.0", { cniVersion: "0.4.0" }, "040"],
    ["0.2.0", { cniVersion: "0.2.0" }, "020"],
    ["no version, ip4", { cniVersion: "", ip4: { ip: "10.0.0.2/24" } }, "020"],
    [
      "no version, ips with version",
      { cniVersion: "", ips: [{ version: "4", address: "10.0.0.2/24" }] },
      "040",
    ],
    ["no version, plain ips", { cniVersion: "", ips: [{ address: "10.0.0.2/24" }] }, "100"],
    ["unknown version, ip6", { cniVersion: "9.0.0", ip6: { ip: "fd00::2/64" } }, "020"],
  ])("tell a %s result apart", (_name, result, family) => {
    expect([isCurrentResult(result), isResult040(result), isResult020(result)]).toEqual([
      family === "100",
      family === "040",
      family === "020",
    ]);
  });
});
