import { describe, expect, it } from "vitest";
import {
  CURRENT_VERSION,
  compareVersions,
  isSupportedVersion,
  parseVersion,
  printVersionInfo,
  SUPPORTED_VERSIONS,
  type Version,
  versionAtLeast,
  versionsStartingFrom,
} from "../src/index.js";

describe("SUPPORTED_VERSIONS", () => {
  it("lists upstream HEAD's versions, oldest first", () => {
    expect(SUPPORTED_VERSIONS).toEqual(["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]);
    expect(CURRENT_VERSION).toBe("1.1.0");
  });

  it.each([
    ["1.1.0", true],
    ["0.1.0", true],
    ["", false],
    ["1.1", false],
    ["1.2.0", false],
  ])("isSupportedVersion(%j) is %s", (version, expected) => {
    expect(isSupportedVersion(version)).toBe(expected);
  });
});

describe("parseVersion", () => {
  it.each<[string, Version]>([
    ["1.2.3", { major: 1, minor: 2, micro: 3 }],
    ["", { major: 0, minor: 1, micro: 0 }],
    ["1", { major: 1, minor: 0, micro: 0 }],
    ["0.4", { major: 0, minor: 4, micro: 0 }],
    ["01.002.0003", { major: 1, minor: 2, micro: 3 }],
    ["+1.-2.3", { major: 1, minor: -2, micro: 3 }],
  ])("parses %j", (version, expected) => {
    expect(parseVersion(version)).toEqual(expected);
  });

  it.each([
    [
      "asdfasdf",
      'failed to convert major version part "asdfasdf": strconv.Atoi: parsing "asdfasdf": invalid syntax',
    ],
    ["asdf.", 'failed to convert major version part "asdf": strconv.Atoi: parsing "asdf": invalid syntax'],
    [".asdfas", 'failed to convert major version part "": strconv.Atoi: parsing "": invalid syntax'],
    [
      "asdf.adsf.",
      'failed to convert major version part "asdf": strconv.Atoi: parsing "asdf": invalid syntax',
    ],
    ["0.", 'failed to convert minor version part "": strconv.Atoi: parsing "": invalid syntax'],
    ["..", 'failed to convert major version part "": strconv.Atoi: parsing "": invalid syntax'],
    ["1.2.x", 'failed to convert micro version part "x": strconv.Atoi: parsing "x": invalid syntax'],
    ["1.2.3.4.5", 'invalid version "1.2.3.4.5": too many parts'],
    ["1.2.3.4", 'invalid version "1.2.3.4": too many parts'],
    ["1. 2", 'failed to convert minor version part " 2": strconv.Atoi: parsing " 2": invalid syntax'],
    ["-", 'failed to convert major version part "-": strconv.Atoi: parsing "-": invalid syntax'],
    [
      "99999999999999999999",
      'failed to convert major version part "99999999999999999999": strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
    [
      "9223372036854775808",
      'failed to convert major version part "9223372036854775808": strconv.Atoi: parsing "9223372036854775808": value out of range',
    ],
    [
      "\u00e9",
      'failed to convert major version part "\u00e9": strconv.Atoi: parsing "\u00e9": invalid syntax',
    ],
  ])("refuses %j with upstream's text", (version, message) => {
    expect(() => parseVersion(version)).toThrow(new Error(message));
  });

  it("accepts the most negative 64-bit number", () => {
    expect(parseVersion("-9223372036854775808").major).toBe(-(2 ** 63));
  });
});

describe("compareVersions and versionAtLeast", () => {
  it.each([
    ["1.2.34", "1.2.14"],
    ["2.5.4", "2.4.4"],
    ["1.2.3", "0.2.3"],
    ["0.4.0", "0.3.1"],
    ["1.1.1", "1.1.0"],
    ["0.2.0", ""],
    ["1.10.0", "1.9.0"],
  ])("%s is newer than %s", (newer, older) => {
    expect(compareVersions(newer, older)).toBe(1);
    expect(compareVersions(older, newer)).toBe(-1);
    expect(versionAtLeast(newer, older)).toBe(true);
    expect(versionAtLeast(older, newer)).toBe(false);
  });

  it.each([
    ["1.1.0", "1.1.0"],
    ["", "0.1.0"],
    ["1", "1.0.0"],
    ["01.0", "1.0.0"],
  ])("%j equals %j", (a, b) => {
    expect(compareVersions(a, b)).toBe(0);
    expect(versionAtLeast(a, b)).toBe(true);
  });

  it.each([
    [
      "1.2.3",
      "asdf",
      'failed to convert major version part "asdf": strconv.Atoi: parsing "asdf": invalid syntax',
    ],
    ["x.2", "1.2.3", 'failed to convert major version part "x": strconv.Atoi: parsing "x": invalid syntax'],
    ["1.2.3.4", "1.0.0", 'invalid version "1.2.3.4": too many parts'],
  ])("throws when either side is malformed: %j vs %j", (a, b, message) => {
    expect(() => compareVersions(a, b)).toThrow(message);
    expect(() => versionAtLeast(a, b)).toThrow(message);
  });

  it("compares beyond JavaScript's safe integers exactly", () => {
    expect(compareVersions("9007199254740993", "9007199254740992")).toBe(1);
  });
});

describe("versionsStartingFrom", () => {
  it.each([
    ["0.3.1", ["0.3.1", "0.4.0", "1.0.0", "1.1.0"]],
    ["1.1.0", ["1.1.0"]],
    ["0.1.0", [...SUPPORTED_VERSIONS]],
    ["0.5.0", []],
  ])("from %s", (min, expected) => {
    expect(versionsStartingFrom(min)).toEqual(expected);
  });
});

describe("printVersionInfo", () => {
  it("prints upstream HEAD's VERSION document exactly (contract 1.9)", () => {
    expect(printVersionInfo("1.1.0", SUPPORTED_VERSIONS)).toBe(
      '{"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n',
    );
  });

  it.each([
    ["1.0.0", ["0.1.0", "1.0.0"], '{"cniVersion":"1.0.0","supportedVersions":["0.1.0","1.0.0"]}\n'],
    ["1.1.0", [], '{"cniVersion":"1.1.0"}\n'],
    ["<&>", ["x"], '{"cniVersion":"\\u003c\\u0026\\u003e","supportedVersions":["x"]}\n'],
  ])("prints %j with %j compactly", (cniVersion, supported, expected) => {
    expect(printVersionInfo(cniVersion, supported)).toBe(expected);
  });
});
