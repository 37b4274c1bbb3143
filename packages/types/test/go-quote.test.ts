import { describe, expect, it } from "vitest";
import { goQuote, goQuoteList } from "../src/index.js";

describe("goQuote (Go's %q)", () => {
  it.each([
    ["", '""'],
    ["plain", '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ["\u0007\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"'],
    ["\u0000\u0001\u001f\u007f", '"\\x00\\x01\\x1f\\x7f"'],
    ["caf\u00e9 \u65e5\u672c \u{1f600}", '"caf\u00e9 \u65e5\u672c \u{1f600}"'],
    ["\u00a0\u200b\u2028", '"\\u00a0\\u200b\\u2028"'],
    ["\u{e0001}", '"\\U000e0001"'],
    ["<&>", '"<&>"'],
    ["\ud800", '"\ufffd"'],
  ])("quotes %j", (value, expected) => {
    expect(goQuote(value)).toBe(expected);
  });
});

describe("goQuoteList (Go's %q of a []string)", () => {
  it.each([
    [[], "[]"],
    [["K8S_POD_NAME=x"], '["K8S_POD_NAME=x"]'],
    [["a", 'b"c'], '["a" "b\\"c"]'],
  ])("quotes %j", (values, expected) => {
    expect(goQuoteList(values)).toBe(expected);
  });
});
