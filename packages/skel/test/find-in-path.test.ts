import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { makeTempDataDir, UPSTREAM_CNI_DIR, UPSTREAM_HOST_LOCAL } from "@cni-ts/testutils";
import { CniError } from "@cni-ts/types";
import { afterAll, describe, expect, it } from "vitest";
import { findInPath, splitCniPath } from "../src/index.js";
import { writeFakePlugin } from "./fixtures/fake-plugin.js";

const temp = makeTempDataDir("cni-ts-skel-find-");
afterAll(() => temp.cleanup());

const first = join(temp.path, "first");
const second = join(temp.path, "second");
mkdirSync(first);
mkdirSync(second);
writeFakePlugin(first, "both", "exit 0");
writeFakePlugin(second, "both", "exit 0");
writeFakePlugin(second, "only-second", "exit 0");
mkdirSync(join(first, "a-directory"));
writeFakePlugin(second, "a-directory", "exit 0");
symlinkSync(join(second, "only-second"), join(first, "linked"));

function result(fn: () => string): string | { code: number; msg: string } {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof CniError)) throw err;
    return { code: err.code, msg: err.msg };
  }
}

describe("splitCniPath", () => {
  it.each([
    { cniPath: "", dirs: [] },
    { cniPath: "/a", dirs: ["/a"] },
    { cniPath: "/a:/b", dirs: ["/a", "/b"] },
    { cniPath: "/a::/b", dirs: ["/a", "", "/b"] },
  ])("$cniPath → $dirs", ({ cniPath, dirs }) => {
    expect(splitCniPath(cniPath)).toEqual(dirs);
  });
});

describe("findInPath", () => {
  it.each([
    {
      case: "the first directory holding it",
      plugin: "both",
      cniPath: `${first}:${second}`,
      found: join(first, "both"),
    },
    {
      case: "a later directory",
      plugin: "only-second",
      cniPath: `${first}:${second}`,
      found: join(second, "only-second"),
    },
    {
      case: "a list of directories",
      plugin: "only-second",
      cniPath: [first, second],
      found: join(second, "only-second"),
    },
    {
      case: "not a directory of that name",
      plugin: "a-directory",
      cniPath: `${first}:${second}`,
      found: join(second, "a-directory"),
    },
    { case: "a symlink to a file", plugin: "linked", cniPath: first, found: join(first, "linked") },
    {
      case: "Debian's plugins",
      plugin: "host-local",
      cniPath: `/nonexistent:${UPSTREAM_CNI_DIR}`,
      found: UPSTREAM_HOST_LOCAL,
    },
  ])("finds $case", ({ plugin, cniPath, found }) => {
    expect(findInPath(plugin, cniPath)).toBe(found);
  });

  it.each([
    { plugin: "", cniPath: first, msg: "no plugin name provided" },
    { plugin: "../first/both", cniPath: second, msg: "invalid plugin name: ../first/both" },
    { plugin: "both", cniPath: "", msg: "no paths provided" },
    { plugin: "both", cniPath: [], msg: "no paths provided" },
    { plugin: "nope", cniPath: "/x:/y z", msg: 'failed to find plugin "nope" in path [/x /y z]' },
  ])("refuses $plugin in $cniPath: $msg", ({ plugin, cniPath, msg }) => {
    expect(result(() => findInPath(plugin, cniPath))).toEqual({ code: 999, msg });
  });
});
