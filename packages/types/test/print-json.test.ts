import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CniError, isCniError, printError, printJson } from "../src/index.js";
import { catchError } from "./catch-error.js";

describe("printJson: layout", () => {
  it.each<[string, unknown, string]>([
    ["empty object", {}, "{}"],
    ["empty array", [], "[]"],
    ["nested empties", { a: [], b: {} }, '{\n    "a": [],\n    "b": {}\n}'],
    [
      "nested values",
      { a: [1, { b: null }] },
      '{\n    "a": [\n        1,\n        {\n            "b": null\n        }\n    ]\n}',
    ],
    [
      "scalars",
      [true, false, null, 0, -1.5, "x"],
      '[\n    true,\n    false,\n    null,\n    0,\n    -1.5,\n    "x"\n]',
    ],
    ["insertion order", { z: 1, a: 2 }, '{\n    "z": 1,\n    "a": 2\n}'],
    [
      "undefined members left out, undefined items null",
      { a: undefined, b: [undefined] },
      '{\n    "b": [\n        null\n    ]\n}',
    ],
    [
      "big numbers as Go writes them",
      [1e21, 1e-7, 123456789012, 0.000001],
      "[\n    1e+21,\n    1e-7,\n    123456789012,\n    0.000001\n]",
    ],
    ["bigint digits", [12345678901234567890n], "[\n    12345678901234567890\n]"],
    ["toJSON", { when: { toJSON: () => "now" } }, '{\n    "when": "now"\n}'],
  ])("%s", (_name, value, expected) => {
    expect(printJson(value)).toBe(expected);
  });

  it("matches JSON.stringify with 4 spaces for any value without characters Go escapes differently", () => {
    const goEscapes = (code: number): boolean =>
      code < 0x20 ||
      code === 0x2028 ||
      code === 0x2029 ||
      (code >= 0xd800 && code <= 0xdfff) ||
      "<>&".includes(String.fromCharCode(code));
    const safeString = fc
      .string({ unit: "binary" })
      .filter((s) => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i)).every((c) => !goEscapes(c)));
    const value = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        safeString,
        fc.array(tie("json")),
        fc.dictionary(safeString, tie("json")),
      ),
    })).json;
    fc.assert(
      fc.property(value, (v) => {
        expect(printJson(v)).toBe(JSON.stringify(v, null, 4));
      }),
    );
  });
});

describe("printJson: Go's string escaping", () => {
  it.each([
    ["IP <nil> not v4 nor v6", '"IP \\u003cnil\\u003e not v4 nor v6"'],
    ["a&b", '"a\\u0026b"'],
    ["\u2028\u2029", '"\\u2028\\u2029"'],
    ["\n\r\t", '"\\n\\r\\t"'],
    ["\b\f", '"\\b\\f"'],
    ["\u0000\u0001\u000b\u001b\u001f", '"\\u0000\\u0001\\u000b\\u001b\\u001f"'],
    ['"\\', '"\\"\\\\"'],
    ["\u007f\u00e9\u{1f600}", '"\u007f\u00e9\u{1f600}"'],
    ["lone \ud800 and \udc00", '"lone \\ufffd and \\ufffd"'],
  ])("escapes %j", (value, expected) => {
    expect(printJson(value)).toBe(expected);
  });

  it("escapes object keys too", () => {
    expect(printJson({ "<k>": 1 })).toBe('{\n    "\\u003ck\\u003e": 1\n}');
  });
});

describe("printJson: values Go refuses", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;

  it.each<[string, unknown, string]>([
    ["NaN", Number.NaN, "json: unsupported value: NaN"],
    ["Infinity", [Number.POSITIVE_INFINITY], "json: unsupported value: +Inf"],
    ["-Infinity", { a: Number.NEGATIVE_INFINITY }, "json: unsupported value: -Inf"],
    ["a cycle", cycle, "json: unsupported value: encountered a cycle"],
  ])("throws CniError 999 for %s", (_name, value, message) => {
    const err = catchError(() => printJson(value));
    expect(isCniError(err)).toBe(true);
    expect(err).toMatchObject({ code: 999, msg: message });
  });

  it("prints a value shared by two branches (not a cycle)", () => {
    const shared = { x: 1 };
    expect(printJson([shared, shared])).toBe(
      '[\n    {\n        "x": 1\n    },\n    {\n        "x": 1\n    }\n]',
    );
  });
});

describe("printError", () => {
  it.each<[string, CniError, string]>([
    [
      "without details",
      new CniError(
        999,
        "failed to allocate for range 0: no IP addresses available in range set: 10.0.0.1-10.0.0.2",
      ),
      '{\n    "code": 999,\n    "msg": "failed to allocate for range 0: no IP addresses available in range set: 10.0.0.1-10.0.0.2"\n}',
    ],
    [
      "with details",
      new CniError(4, "invalid characters in containerID", { details: "a/b" }),
      '{\n    "code": 4,\n    "msg": "invalid characters in containerID",\n    "details": "a/b"\n}',
    ],
    [
      "with empty details",
      new CniError(7, "missing network name", { details: "" }),
      '{\n    "code": 7,\n    "msg": "missing network name"\n}',
    ],
    [
      "with characters Go escapes",
      new CniError(999, "cannot understand ip: IP <nil> not v4 nor v6"),
      '{\n    "code": 999,\n    "msg": "cannot understand ip: IP \\u003cnil\\u003e not v4 nor v6"\n}',
    ],
  ])("prints an error %s as upstream does", (_name, err, expected) => {
    expect(printError(err)).toBe(expected);
  });

  it("never prints the cause", () => {
    const err = new CniError(999, "outer", { cause: new Error("secret stack") });
    expect(printError(err)).not.toContain("secret");
  });
});
