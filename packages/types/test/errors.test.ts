import { describe, expect, it } from "vitest";
import { CNI_ERROR_CODES, CniError, isCniError, toCniError } from "../src/index.js";

describe("CniError", () => {
  it.each([
    ["some message", "some details", "some message; some details"],
    ["some message", undefined, "some message"],
    ["some message", "", "some message"],
  ])("%j with details %j reads %j as an Error", (msg, details, message) => {
    const err = new CniError(999, msg, details === undefined ? {} : { details });
    expect(err.message).toBe(message);
    expect(err.toJSON()).toEqual(details ? { code: 999, msg, details } : { code: 999, msg });
  });

  it("keeps the code, the message parts and the cause", () => {
    const cause = new Error("inner");
    const err = new CniError(CNI_ERROR_CODES.IoFailure, "write failed", { details: "disk full", cause });
    expect(err).toMatchObject({
      name: "CniError",
      code: 5,
      msg: "write failed",
      details: "disk full",
      cause,
    });
    expect(err).toBeInstanceOf(Error);
  });

  it("has the spec's well-known codes", () => {
    expect(CNI_ERROR_CODES).toEqual({
      IncompatibleCniVersion: 1,
      UnsupportedField: 2,
      UnknownContainer: 3,
      InvalidEnvironmentVariables: 4,
      IoFailure: 5,
      DecodingFailure: 6,
      InvalidNetworkConfig: 7,
      InvalidNetNs: 8,
      TryAgainLater: 11,
      PluginNotAvailable: 50,
      LimitedConnectivity: 51,
      Internal: 999,
    });
  });
});

describe("isCniError and toCniError", () => {
  it.each<[string, unknown, boolean]>([
    ["a CniError", new CniError(1, "x"), true],
    ["a plain Error", new Error("x"), false],
    ["a look-alike object", { code: 1, msg: "x" }, false],
    ["null", null, false],
    [
      "one branded by another copy of the package",
      Object.assign(new Error("x"), { [Symbol.for("@cni-ts/types.CniError")]: true }),
      true,
    ],
  ])("recognises %s: %s", (_name, value, expected) => {
    expect(isCniError(value)).toBe(expected);
  });

  it("passes a CniError through unchanged", () => {
    const err = new CniError(4, "bad env");
    expect(toCniError(err)).toBe(err);
  });

  it.each<[string, unknown, number | undefined, { code: number; msg: string }]>([
    ["an Error", new Error("boom"), undefined, { code: 999, msg: "boom" }],
    ["a string", "text", undefined, { code: 999, msg: "text" }],
    ["an Error with a code", new Error("io"), 5, { code: 5, msg: "io" }],
  ])("wraps %s, keeping it as the cause", (_name, thrown, code, expected) => {
    const err = toCniError(thrown, code);
    expect(err).toMatchObject(expected);
    expect(err.cause).toBe(thrown);
  });
});
