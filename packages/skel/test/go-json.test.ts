// decodeGoStringField answers most documents through JSON.parse and the rest through Go's byte-level
// walk; both must give the same answer for every input. (network-config.test.ts compares the walk's
// messages with upstream's binary.)

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeGoStringField,
  decodeGoStringFieldSlow,
  decodeStringFieldFast,
  decodeUtf8,
} from "../src/go-json.js";

const GO_TYPE = 'struct { Name string "json:\\"name\\"" }';

type Outcome = { value: string | undefined } | { error: string };

function outcomeOf(decode: () => string | undefined): Outcome {
  try {
    return { value: decode() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function bothWays(input: string | Uint8Array, field = "name") {
  const data = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  return {
    decoded: outcomeOf(() => decodeGoStringField(data, field, GO_TYPE)),
    walked: outcomeOf(() => decodeGoStringFieldSlow(data, decodeUtf8(data), field, GO_TYPE)),
  };
}

describe("decodeGoStringField", () => {
  it.each([
    ['{"name":"net","cniVersion":"1.0.0"}', { value: "net" }],
    ['{"NAME":"net"}', { value: "net" }],
    ['{"name":"a","Name":"b"}', { value: "b" }],
    ['{"name":null}', { value: undefined }],
    ["null", { value: undefined }],
    ["{}", { value: undefined }],
    ['{"name":"a","name":"b"}', { value: "b" }],
    [
      '{"name":1,"name":"b"}',
      { error: "json: cannot unmarshal number into Go struct field .name of type string" },
    ],
    [
      '{"name":"b","name":[1]}',
      { error: "json: cannot unmarshal array into Go struct field .name of type string" },
    ],
    ['{"name":true}', { error: "json: cannot unmarshal bool into Go struct field .name of type string" }],
    ['{"name":{}}', { error: "json: cannot unmarshal object into Go struct field .name of type string" }],
    ['{"x":{"name":1},"name":"top"}', { value: "top" }],
    ['{"x":"\\"name\\": 1","name":"top"}', { value: "top" }],
    ['{"n\\u0061me":"escaped"}', { value: "escaped" }],
    ['{"name":"\\ud800"}', { value: "\ufffd" }],
    ['{"nam\u017f":"long s"}', { value: undefined }],
    ['["name"]', { error: `json: cannot unmarshal array into Go value of type ${GO_TYPE}` }],
    ['"name"', { error: `json: cannot unmarshal string into Go value of type ${GO_TYPE}` }],
    ['{"name":"a"', { error: "unexpected end of JSON input" }],
    ['\ufeff{"name":"a"}', { error: "invalid character 'ï' looking for beginning of value" }],
  ] satisfies Array<[string, Outcome]>)("%s", (input, expected) => {
    const { decoded, walked } = bothWays(input);
    expect(decoded).toEqual(expected);
    expect(walked).toEqual(expected);
  });

  it.each([
    '{"cniVersion":"1.0.0","name":"mynet","type":"bridge","ipam":{"type":"host-local","ranges":[[{"subnet":"10.1.0.0/16"}]]}}',
    '{"name":"a","Name":"b","x":{"y":[1,2,{"z":null}]}}',
    '{"name":1}',
    "null",
  ])("answers %s without the walk", (text) => {
    const fast = decodeStringFieldFast(text, "name");
    expect(fast).toBeDefined();
    const walked = bothWays(text).walked;
    expect(
      "error" in walked ? { value: undefined, typeError: walked.error } : { ...walked, typeError: undefined },
    ).toEqual(fast);
  });

  it("reads a folded key such as cniVerſion the way Go does", () => {
    const { decoded, walked } = bothWays('{"cniVer\u017fion":"1.0.0"}', "cniVersion");
    expect(decoded).toEqual({ value: "1.0.0" });
    expect(walked).toEqual(decoded);
  });

  it("refuses nesting deeper than Go's limit although JSON.parse accepts it", () => {
    const deep = `{"name":"n","x":${"[".repeat(10_001)}${"]".repeat(10_001)}}`;
    const { decoded, walked } = bothWays(deep);
    expect(decoded).toEqual({ error: "invalid character '[' exceeded max depth" });
    expect(walked).toEqual(decoded);
  });

  // Documents made of keys that fold to the field or nearly do, escapes, nesting, repeated members
  // and broken syntax: whatever path answers, the answer is the walk's.
  const key = fc.constantFrom('"name"', '"NAME"', '"nAmE"', '"n\\u0061me"', '"nam\u017f"', '"names"', '"x"');
  const scalar = fc.constantFrom(
    '"v"',
    '"w"',
    "1",
    "-0.5e3",
    "true",
    "null",
    '"\\ud800"',
    '"\\"name\\":"',
    '"é"',
  );
  const value: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      fc.array(tie("value"), { maxLength: 3 }).map((items) => `[${items.join(",")}]`),
      fc
        .array(fc.tuple(key, tie("value")), { maxLength: 4 })
        .map((members) => `{${members.map(([k, v]) => `${k}:${v}`).join(",")}}`),
    ),
  })).value;
  const damaged = fc
    .tuple(value, fc.nat(), fc.constantFrom("", "{", "}", ",", ":", '"', " "))
    .map(([text, at, ch]) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + ch + text.slice(i + 1);
    });

  it("gives the walk's answer on random documents", () => {
    let answeredFast = 0;
    fc.assert(
      fc.property(fc.oneof(value, damaged), fc.constantFrom("name", "cniVersion"), (text, field) => {
        if (decodeStringFieldFast(text, field) !== undefined) answeredFast++;
        const { decoded, walked } = bothWays(text, field);
        expect(decoded).toEqual(walked);
      }),
      { numRuns: 3000 },
    );
    // The generator must exercise both paths, or this test says nothing about the fast one.
    expect(answeredFast).toBeGreaterThan(300);
    expect(answeredFast).toBeLessThan(2700);
  });
});
