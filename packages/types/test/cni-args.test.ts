import { describe, expect, it } from "vitest";
import {
  type CniArgFields,
  CniError,
  isCniError,
  parseCniArgBool,
  parseCniArgString,
  parseCniArgs,
} from "../src/index.js";
import { catchError } from "./catch-error.js";

/** A stand-in for host-local's `IP` parser: one dotted IPv4 address, else upstream's text. */
function parseIp(value: string): string | undefined {
  if (value === "") return undefined;
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(value)) throw new Error(`invalid IP address ${value}`);
  return value;
}

const hostLocalFields = { IP: parseIp } satisfies CniArgFields;

/** The message of the CniError 999 that parsing `raw` throws. */
function failure(raw: string, fields: CniArgFields = hostLocalFields): string {
  const err = catchError(() => parseCniArgs(raw, fields));
  if (!isCniError(err)) throw new Error(`not a CniError: ${String(err)}`);
  expect(err.code).toBe(999);
  return err.msg;
}

describe("parseCniArgBool (upstream UnmarshallableBool)", () => {
  it.each([
    ["True", true],
    ["true", true],
    ["TRUE", true],
    ["1", true],
    ["False", false],
    ["false", false],
    ["0", false],
  ])("%j is %s", (value, expected) => {
    expect(parseCniArgBool(value)).toBe(expected);
  });

  it.each([
    ["invalid", "boolean unmarshal error: invalid input invalid"],
    ["YES", "boolean unmarshal error: invalid input yes"],
    ["", "boolean unmarshal error: invalid input "],
  ])("refuses %j", (value, message) => {
    expect(() => parseCniArgBool(value)).toThrow(message);
  });
});

describe("parseCniArgString (upstream UnmarshallableString)", () => {
  it.each(["", "notempty", " spaced "])("passes %j through", (value) => {
    expect(parseCniArgString(value)).toBe(value);
  });
});

describe("parseCniArgs: accepted input", () => {
  it.each<[string, Record<string, unknown>]>([
    ["", { IgnoreUnknown: false }],
    ["IgnoreUnknown=True;Unk=nown", { IgnoreUnknown: true }],
    ["IgnoreUnknown=1", { IgnoreUnknown: true }],
    ["IgnoreUnknown=1;K8S_POD_NAME=x;K8S_POD_NAMESPACE=y", { IgnoreUnknown: true }],
    ["K8S_POD_NAME=x;IgnoreUnknown=true", { IgnoreUnknown: true }],
    ["IP=10.1.2.55", { IP: "10.1.2.55", IgnoreUnknown: false }],
    ["IP=", { IP: undefined, IgnoreUnknown: false }],
    ["IP=10.1.2.55;IP=10.1.2.56", { IP: "10.1.2.56", IgnoreUnknown: false }],
    ["IgnoreUnknown=0;IgnoreUnknown=1;X=y", { IgnoreUnknown: true }],
    ["IgnoreUnknown=1;ip=10.1.2.3", { IgnoreUnknown: true }],
  ])("%j", (raw, expected) => {
    expect(parseCniArgs(raw, hostLocalFields)).toEqual(expected);
  });

  it("types each known key by its parser", () => {
    const args = parseCniArgs("COUNT=3;NAME=x", { COUNT: Number, NAME: parseCniArgString });
    const count: number | undefined = args.COUNT;
    expect([count, args.NAME, args.IgnoreUnknown]).toEqual([3, "x", false]);
  });

  it("does not treat Object.prototype members as known keys", () => {
    expect(failure("constructor=1;toString=2;__proto__=3")).toBe(
      'ARGS: unknown args ["constructor=1" "toString=2" "__proto__=3"]',
    );
  });
});

describe("parseCniArgs: upstream's errors (verified against the upstream binary)", () => {
  it.each([
    ["Unk=nown", 'ARGS: unknown args ["Unk=nown"]'],
    ["IgnoreUnknown=0, Unk=nown", 'ARGS: invalid pair "IgnoreUnknown=0, Unk=nown"'],
    ["A=b;C=d", 'ARGS: unknown args ["A=b" "C=d"]'],
    ["A=b;", 'ARGS: invalid pair ""'],
    ["FOO=a=b", 'ARGS: invalid pair "FOO=a=b"'],
    ["NOVALUE", 'ARGS: invalid pair "NOVALUE"'],
    ['ip=1.2.3.4;A=b"x', 'ARGS: unknown args ["ip=1.2.3.4" "A=b\\"x"]'],
    ["A=\u00e9\u0001", 'ARGS: unknown args ["A=\u00e9\\x01"]'],
    ["IgnoreUnknown=1;IgnoreUnknown=0;X=y", 'ARGS: unknown args ["X=y"]'],
    [
      "IgnoreUnknown=yes",
      'ARGS: error parsing value of pair "IgnoreUnknown=yes": boolean unmarshal error: invalid input yes',
    ],
    [
      "X=1;IgnoreUnknown=FOO",
      'ARGS: error parsing value of pair "IgnoreUnknown=FOO": boolean unmarshal error: invalid input foo',
    ],
    ["IP=10.1.2.300x", 'ARGS: error parsing value of pair "IP=10.1.2.300x": invalid IP address 10.1.2.300x'],
    [
      "IP=10.1.2.55,10.1.2.56",
      'ARGS: error parsing value of pair "IP=10.1.2.55,10.1.2.56": invalid IP address 10.1.2.55,10.1.2.56',
    ],
    [
      "CommonArgs=1",
      "ARGS: cannot unmarshal into field 'CommonArgs' - type '*types.CommonArgs' does not implement encoding.TextUnmarshaler",
    ],
  ])("%j", (raw, message) => {
    expect(failure(raw)).toBe(message);
  });

  it("reports a CniError thrown by a parser in its Go form, keeping it as the cause", () => {
    const inner = new CniError(7, "bad value", { details: "more" });
    const err = catchError(() =>
      parseCniArgs("K=v", {
        K: () => {
          throw inner;
        },
      }),
    );
    expect(err).toMatchObject({
      code: 999,
      msg: 'ARGS: error parsing value of pair "K=v": bad value; more',
      cause: inner,
    });
  });

  it("reports a non-Error thrown by a parser as text", () => {
    const fields = {
      K: (): never => {
        throw "plain text";
      },
    };
    expect(failure("K=v", fields)).toBe('ARGS: error parsing value of pair "K=v": plain text');
  });
});
