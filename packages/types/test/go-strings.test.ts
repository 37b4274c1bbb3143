// Go's white space: unicode.IsSpace is the Unicode White_Space property, so JavaScript's own
// \p{White_Space} is the reference for every UTF-16 unit.
import { describe, expect, it } from "vitest";
import { goFields, goTrimSpace, hasGoSpace } from "../src/index.js";

const WHITE_SPACE = /^\p{White_Space}$/u;

describe("Go's white space", () => {
  it("is exactly Unicode White_Space, for every UTF-16 unit", () => {
    const differing: number[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const ch = String.fromCharCode(code);
      if (hasGoSpace(ch) !== WHITE_SPACE.test(ch)) differing.push(code);
    }
    expect(differing).toEqual([]);
  });

  it.each([
    ["  c1 \t", "c1"],
    ["\u0085c1\u00a0", "c1"],
    ["\ufeffc1", "\ufeffc1"],
    ["a b", "a b"],
    [" \n ", ""],
    ["", ""],
  ])("goTrimSpace(%j) is %j", (text, trimmed) => {
    expect(goTrimSpace(text)).toBe(trimmed);
  });

  it.each([
    ["nameserver  192.0.2.1\t# x", ["nameserver", "192.0.2.1", "#", "x"]],
    ["\u3000a\u2028b ", ["a", "b"]],
    ["   ", []],
    ["", []],
  ])("goFields(%j) is %j", (text, fields) => {
    expect(goFields(text)).toEqual(fields);
  });
});
