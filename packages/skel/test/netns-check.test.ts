import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uniqueName, withNetns } from "@cni-ts/testutils";
import { CniError, SUPPORTED_VERSIONS } from "@cni-ts/types";
import { afterAll, describe, expect, it } from "vitest";
import { checkNetns, isNetnsOverride, OWN_NETNS_PATH } from "../src/index.js";
import { cniErrorJson, NO_CALLS, printedError, run } from "./fixtures/fake-io.js";

const SAME_NETNS = cniErrorJson(8, "plugin's netns and netns from CNI_NETNS should not be the same");
const OPTIONS = { supportedVersions: SUPPORTED_VERSIONS };
const CONFIG = '{"cniVersion":"1.0.0","name":"mynet"}';

const scratch = mkdtempSync(join(tmpdir(), "cni-ts-skel-netns-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function errorOf(fn: () => void): { code: number; msg: string } | "ok" {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (!(err instanceof CniError)) throw err;
    return { code: err.code, msg: err.msg };
  }
}

describe("checkNetns", () => {
  const regularFile = join(scratch, "file");
  writeFileSync(regularFile, "");
  const link = join(scratch, "link-to-own-netns");
  symlinkSync(OWN_NETNS_PATH, link);

  it.each([
    { case: "the plugin's own namespace", path: OWN_NETNS_PATH, expected: SAME_NETNS },
    { case: "the same namespace by another name", path: "/proc/thread-self/ns/net", expected: SAME_NETNS },
    { case: "a symlink to the own namespace", path: link, expected: SAME_NETNS },
    { case: "a path that does not exist", path: "/var/run/netns/does-not-exist", expected: "ok" },
    { case: "the empty path (DEL without CNI_NETNS)", path: "", expected: "ok" },
    { case: "a regular file", path: regularFile, expected: "ok" },
    { case: "another namespace type of this process", path: "/proc/self/ns/uts", expected: "ok" },
  ] as const)("$case → $expected", ({ path, expected }) => {
    expect(errorOf(() => checkNetns(path))).toEqual(expected);
  });

  it("fails with code 8 when the plugin's own namespace cannot be read", () => {
    expect(errorOf(() => checkNetns(OWN_NETNS_PATH, join(scratch, "missing")))).toEqual(
      cniErrorJson(8, "get plugin's netns failed"),
    );
  });

  it("passes for a real, different network namespace", async () => {
    const result = await withNetns(uniqueName("skelns"), async (path) => errorOf(() => checkNetns(path)));
    expect(result).toBe("ok");
  });
});

describe("isNetnsOverride", () => {
  it.each([
    { value: "1", expected: true },
    { value: "true", expected: true },
    { value: "TRUE", expected: true },
    { value: "tRuE", expected: true },
    { value: "", expected: false },
    { value: "0", expected: false },
    { value: "false", expected: false },
    { value: "yes", expected: false },
    { value: " 1", expected: false },
    { value: "true ", expected: false },
    { value: "01", expected: false },
  ])("$value → $expected", ({ value, expected }) => {
    expect(isNetnsOverride(value)).toBe(expected);
  });
});

describe("the self-check in the dispatcher", () => {
  const env = (command: string, extra: Record<string, string> = {}) => ({
    CNI_COMMAND: command,
    CNI_CONTAINERID: "c1",
    CNI_NETNS: OWN_NETNS_PATH,
    CNI_IFNAME: "eth0",
    CNI_PATH: "/x",
    ...extra,
  });

  it.each(["ADD", "DEL"])(
    "%s in the plugin's own namespace fails before the command runs",
    async (command) => {
      const outcome = await run(env(command), CONFIG, OPTIONS);
      expect(outcome.status).toBe(1);
      expect(printedError(outcome)).toEqual(SAME_NETNS);
      expect(outcome.calls).toEqual(NO_CALLS);
      // One document on stdout: the error, and no result before it.
      expect(outcome.stdout.trim().startsWith('{\n    "code": 8')).toBe(true);
    },
  );

  describe.each(["ADD", "DEL"])("%s with CNI_NETNS_OVERRIDE", (command) => {
    it.each(["1", "true", "TRUE", "True"])("= %s runs the command", async (value) => {
      const outcome = await run(env(command, { CNI_NETNS_OVERRIDE: value }), CONFIG, OPTIONS);
      expect(outcome.status).toBe(0);
      expect(outcome.calls[command === "ADD" ? "add" : "del"]).toBe(1);
    });

    it.each(["0", "false", "yes", " 1"])("= %s still refuses", async (value) => {
      const outcome = await run(env(command, { CNI_NETNS_OVERRIDE: value }), CONFIG, OPTIONS);
      expect(printedError(outcome)).toEqual(SAME_NETNS);
    });
  });

  it("CHECK is not subject to the self-check", async () => {
    const outcome = await run(env("CHECK"), CONFIG, OPTIONS);
    expect(outcome.status).toBe(0);
    expect(outcome.calls.check).toBe(1);
  });

  it("a version error wins over the self-check", async () => {
    const outcome = await run(env("ADD"), '{"cniVersion":"7.0.0","name":"mynet"}', OPTIONS);
    expect(printedError(outcome)).toMatchObject({ code: 1, msg: "incompatible CNI versions" });
  });

  it("DEL without CNI_NETNS passes", async () => {
    const { CNI_NETNS: _, ...withoutNetns } = env("DEL");
    const outcome = await run(withoutNetns, CONFIG, OPTIONS);
    expect(outcome.status).toBe(0);
    expect(outcome.calls.del).toBe(1);
  });
});
