// The store's own join and dirname give exactly what node:path gives (they replace it to keep
// node:path out of the compiled plugin's start-up), checked on every path made of a few pieces.
import * as nodePath from "node:path";
import { describe, expect, it } from "vitest";
import { dirname, join } from "../src/sys/path.js";

// Every path of up to `count` pieces where the rules differ: slashes, dots, names.
function pathsOf(count: number): string[] {
  const pieces = ["/", "//", ".", "..", "a", "b.c", "..."];
  let paths = [""];
  const all = new Set(paths);
  for (let n = 0; n < count; n++) {
    paths = paths.flatMap((p) => pieces.map((piece) => p + piece));
    for (const p of paths) all.add(p);
  }
  return [...all];
}

describe("join", () => {
  it.each([
    [["/var/lib/cni/networks", "net"], "/var/lib/cni/networks/net"],
    [["/var/lib/cni/networks/", "net"], "/var/lib/cni/networks/net"],
    [["data/../x", "net"], "x/net"],
    [["/", ".."], "/"],
    [["", ""], "."],
    [["a/", ""], "a/"],
  ])("join(%j) is %s", (segments, expected) => {
    expect(join(...segments)).toBe(expected);
    expect(nodePath.join(...segments)).toBe(expected);
  });

  it("agrees with node:path on every pair of short paths", () => {
    const firsts = pathsOf(4);
    const seconds = pathsOf(2);
    const differing = firsts.flatMap((a) =>
      seconds.filter((b) => join(a, b) !== nodePath.join(a, b)).map((b) => [a, b]),
    );
    expect(differing).toEqual([]);
  });
});

describe("dirname", () => {
  it.each([
    ["/var/lib/cni", "/var/lib"],
    ["/var", "/"],
    ["/", "/"],
    ["//a", "//"],
    ["a//b//", "a/"],
    ["a", "."],
    ["", "."],
  ])("dirname(%j) is %s", (p, expected) => {
    expect(dirname(p)).toBe(expected);
    expect(nodePath.dirname(p)).toBe(expected);
  });

  it("agrees with node:path on every short path", () => {
    expect(pathsOf(6).filter((p) => dirname(p) !== nodePath.dirname(p))).toEqual([]);
  });
});
