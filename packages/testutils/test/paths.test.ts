import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  OURS,
  OURS_ENV_VAR,
  oursUnderTest,
  REPO_ROOT,
  UPSTREAM_CNI_DIR,
  UPSTREAM_HOST_LOCAL,
} from "../src/index.js";

describe("paths", () => {
  it("points at the repository and at Debian's plugins", () => {
    expect(existsSync(join(REPO_ROOT, "packages", "testutils", "package.json"))).toBe(true);
    expect(OURS).toBe(join(REPO_ROOT, "packages/host-local/dist/host-local"));
    expect(UPSTREAM_CNI_DIR).toBe("/usr/lib/cni");
    expect(UPSTREAM_HOST_LOCAL).toBe("/usr/lib/cni/host-local");
    expect(existsSync(UPSTREAM_HOST_LOCAL)).toBe(true);
  });

  it.each([
    [{}, OURS],
    [{ [OURS_ENV_VAR]: "" }, OURS],
    [{ [OURS_ENV_VAR]: "/usr/lib/cni/host-local" }, "/usr/lib/cni/host-local"],
    [{ OTHER: "/x" }, OURS],
  ])("oursUnderTest(%j) is %s", (env, expected) => {
    expect(oursUnderTest(env)).toBe(expected);
  });
});
