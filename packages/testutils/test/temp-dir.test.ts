import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDataDir } from "../src/index.js";

describe("makeTempDataDir", () => {
  it("creates a fresh empty directory and removes it with its contents", () => {
    const dir = makeTempDataDir();
    expect(existsSync(dir.path)).toBe(true);
    mkdirSync(join(dir.path, "mynet"));
    writeFileSync(join(dir.path, "mynet", "10.1.2.2"), "c1\r\neth0");
    dir.cleanup();
    expect(existsSync(dir.path)).toBe(false);
    // A second clean-up is harmless.
    expect(() => dir.cleanup()).not.toThrow();
  });

  it.each(["cni-ts-", "x-"])("uses the prefix %s and gives distinct directories", (prefix) => {
    const a = makeTempDataDir(prefix);
    const b = makeTempDataDir(prefix);
    try {
      expect(a.path).not.toBe(b.path);
      expect(a.path.split("/").at(-1)?.startsWith(prefix)).toBe(true);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it("creates it under the given parent", () => {
    const parent = makeTempDataDir();
    const child = makeTempDataDir("inner-", parent.path);
    try {
      expect(child.path.startsWith(`${parent.path}/inner-`)).toBe(true);
      expect(parent.path.startsWith(tmpdir()) || parent.path.startsWith("/")).toBe(true);
    } finally {
      parent.cleanup();
    }
  });
});
