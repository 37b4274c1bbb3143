// skel's system calls: the same scenario through node:fs (this process) and through libc with
// bun:ffi (a child under Bun, the runtime of compiled plugins) gives the same transcript.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runScenario } from "./fixtures/sys-scenario.js";

const BUN = join(
  createRequire(import.meta.url).resolve("@oven/bun-linux-x64/package.json"),
  "..",
  "bin",
  "bun",
);

let root: string;

function prepared(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "in"), "0123456789abcdef");
  symlinkSync("in", join(dir, "link"));
  return dir;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "cni-ts-skel-sys-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("skel's system calls", () => {
  it("read, write and identify files, and fail with Node's codes (Node)", () => {
    const dir = prepared("node");
    const transcript = new Map(runScenario(dir));
    expect(transcript.get("identify link")).toEqual(transcript.get("identify in"));
    expect(transcript.get("identify missing")).toEqual({ ok: "absent" });
    expect(transcript.get("identify in/below")).toMatchObject({ error: "ENOTDIR" });
    expect(transcript.get("identify own netns")).toEqual({ ok: true });
    expect(transcript.get("identify with NUL")).toMatchObject({ error: "ERR_INVALID_ARG_VALUE" });
    expect(transcript.get("read")).toEqual({ ok: [8, "01234567"] });
    expect(transcript.get("read rest")).toEqual({ ok: [8, 0] });
    expect(transcript.get("write")).toEqual({ ok: 7 });
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("written");
    expect(transcript.get("read from a write-only descriptor")).toEqual({
      error: "EBADF",
      text: "bad file descriptor",
    });
    expect(transcript.get("write to a closed descriptor")).toMatchObject({ error: "EBADF" });
  });

  it("give the same transcript under Bun (libc through bun:ffi)", () => {
    const fromNode = runScenario(prepared("node"));
    const dir = prepared("bun");
    const stdout = execFileSync(BUN, [join(import.meta.dirname, "fixtures", "sys-scenario.ts"), dir], {
      encoding: "utf8",
    });
    const fromBun = JSON.parse(stdout) as Array<[string, unknown]>;
    // The files differ (two directories), so compare identities by their shape, the rest as is.
    const comparable = (transcript: Array<[string, unknown]>) =>
      transcript.map(([name, result]) => [
        name,
        name === "identify in" || name === "identify link" ? Object.keys(result as object) : result,
      ]);
    expect(comparable(fromBun)).toEqual(comparable(fromNode));
    expect(new Map(fromBun).get("identify link")).toEqual(new Map(fromBun).get("identify in"));
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("written");
  });
});
