// Go's key folding, which decides which config keys set which field (config.test.ts covers the
// decoding through whole configs).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldName } from "../src/go-decode.js";

// Go folds ASCII letters and the two non-ASCII runes whose simple folding reaches ASCII, and nothing
// else: this is that rule written out one character at a time.
function goFold(name: string): string {
  let out = "";
  for (const ch of name) {
    if (ch === "\u017f") out += "S";
    else if (ch === "\u212a") out += "K";
    else if (ch >= "a" && ch <= "z") out += ch.toUpperCase();
    else out += ch;
  }
  return out;
}

describe("foldName", () => {
  it.each([
    ["subnet", "SUBNET"],
    ["rangeStart", "RANGESTART"],
    ["cni.dev/valid-attachments", "CNI.DEV/VALID-ATTACHMENTS"],
    ["\u017fubnet", "SUBNET"],
    ["\u212aey", "KEY"],
    ["\u00e9t\u00e9", "\u00e9T\u00e9"],
    ["stra\u00dfe", "STRA\u00dfE"],
  ])("%s folds to %s", (name, folded) => {
    expect(foldName(name)).toBe(folded);
  });

  it("folds any text as Go does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (name) => {
        expect(foldName(name)).toBe(goFold(name));
      }),
      { numRuns: 2000 },
    );
  });
});
