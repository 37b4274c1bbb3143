import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ABOUT, PLUGIN_VERSION } from "../../src/index.js";

const { version } = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8"),
) as {
  version: string;
};

describe("version", () => {
  it("is the package version, defined at build time (vitest defines it like build.mjs)", () => {
    expect(PLUGIN_VERSION).toBe(version);
  });

  it("names the plugin and the implementation in the about line", () => {
    expect(ABOUT).toBe(`CNI host-local plugin cni-ts v${version}`);
  });
});
