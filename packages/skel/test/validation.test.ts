import { CniError } from "@cni-ts/types";
import { describe, expect, it } from "vitest";
import { validateContainerId, validateInterfaceName, validateNetworkName } from "../src/index.js";

function outcome(fn: () => void): { code: number; msg: string; details?: string } | "ok" {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (!(err instanceof CniError)) throw err;
    return err.details === undefined
      ? { code: err.code, msg: err.msg }
      : { code: err.code, msg: err.msg, details: err.details };
  }
}

const invalidId = (id: string) => ({ code: 4, msg: "invalid characters in containerID", details: id });
const invalidName = (name: string) => ({
  code: 7,
  msg: "invalid characters found in network name",
  details: name,
});
const TOO_LONG = {
  code: 4,
  msg: "interface name is too long",
  details: "interface name should be less than 16 characters",
};
const DOTS = { code: 4, msg: "interface name is . or .." };
const BAD_CHAR = { code: 4, msg: "interface name contains / or : or whitespace characters" };

describe("validateContainerId", () => {
  it.each([
    { id: "", expected: { code: 3, msg: "missing containerID" } },
    { id: "1234%%%", expected: invalidId("1234%%%") },
    { id: "a51debf7e1eb", expected: "ok" },
    { id: "A.b_c-9", expected: "ok" },
    { id: "7", expected: "ok" },
    { id: "-ab", expected: invalidId("-ab") },
    { id: "_ab", expected: invalidId("_ab") },
    { id: ".ab", expected: invalidId(".ab") },
    { id: "a/b", expected: invalidId("a/b") },
    { id: "ab\n", expected: invalidId("ab\n") },
    { id: "é", expected: invalidId("é") },
    { id: "a b", expected: invalidId("a b") },
  ] as const)("$id → $expected", ({ id, expected }) => {
    expect(outcome(() => validateContainerId(id))).toEqual(expected);
  });
});

describe("validateNetworkName", () => {
  it.each([
    { name: "", expected: { code: 7, msg: "missing network name:" } },
    { name: "1234%%%", expected: invalidName("1234%%%") },
    { name: "eth0", expected: "ok" },
    { name: "my-net.1_x", expected: "ok" },
    { name: "my net", expected: invalidName("my net") },
  ] as const)("$name → $expected", ({ name, expected }) => {
    expect(outcome(() => validateNetworkName(name))).toEqual(expected);
  });
});

describe("validateInterfaceName", () => {
  it.each([
    { ifName: "", expected: { code: 4, msg: "interface name is empty" } },
    { ifName: "testnamemorethan16", expected: TOO_LONG },
    { ifName: "0123456789abcdef", expected: TOO_LONG },
    { ifName: "0123456789abcde", expected: "ok" },
    // 15 characters but 16 bytes: the kernel counts bytes.
    { ifName: "é123456789abcde", expected: TOO_LONG },
    { ifName: "é123456789abcd", expected: "ok" },
    { ifName: ".", expected: DOTS },
    { ifName: "..", expected: DOTS },
    { ifName: "...", expected: "ok" },
    { ifName: "/testname", expected: BAD_CHAR },
    { ifName: "test:name", expected: BAD_CHAR },
    { ifName: "test name", expected: BAD_CHAR },
    { ifName: "testname", expected: "ok" },
    { ifName: "eth0.100", expected: "ok" },
    { ifName: "veth-ä", expected: "ok" },
  ] as const)("$ifName → $expected", ({ ifName, expected }) => {
    expect(outcome(() => validateInterfaceName(ifName))).toEqual(expected);
  });

  // Go's unicode.IsSpace, which differs from JavaScript's \s in both directions.
  it.each([
    { code: "0009", space: true },
    { code: "000A", space: true },
    { code: "000B", space: true },
    { code: "000C", space: true },
    { code: "000D", space: true },
    { code: "0085", space: true },
    { code: "00A0", space: true },
    { code: "1680", space: true },
    { code: "2000", space: true },
    { code: "200A", space: true },
    { code: "2028", space: true },
    { code: "2029", space: true },
    { code: "202F", space: true },
    { code: "205F", space: true },
    { code: "3000", space: true },
    { code: "FEFF", space: false },
    { code: "200B", space: false },
    { code: "180E", space: false },
    { code: "0000", space: false },
  ])("U+$code is whitespace: $space", ({ code, space }) => {
    const char = String.fromCodePoint(Number.parseInt(code, 16));
    expect(outcome(() => validateInterfaceName(`a${char}b`))).toEqual(space ? BAD_CHAR : "ok");
  });
});
