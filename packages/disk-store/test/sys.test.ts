// The store's system-call layer: the same scenario through node:fs (this process) and through libc
// with bun:ffi (a child under Bun, the runtime of the compiled plugin) gives the same transcript,
// stat values and errno names included, so the store behaves alike under both.
import { constants, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OPEN_FLAGS, sys } from "../src/sys/index.js";
import { runScenario } from "./fixtures/sys-scenario.js";
import type { Scratch } from "./helpers/fs-tree.js";
import { makeScratch } from "./helpers/fs-tree.js";
import { BUN, run } from "./helpers/processes.js";

let scratch: Scratch;
let base: string;

beforeEach(() => {
  scratch = makeScratch();
  base = join(scratch.path, "base");
  mkdirSync(join(base, "dir"), { recursive: true });
  writeFileSync(join(base, "file"), "contents\nof a file\n");
  writeFileSync(join(base, "big"), `start${"x".repeat(200_000)}ünïcødé end`);
  symlinkSync("file", join(base, "link"));
});
afterEach(() => scratch.cleanup());

const FLOCK_STEP = "flock bound";

function withoutFlock(transcript: Array<[string, unknown]>) {
  return transcript.filter(([step]) => step !== FLOCK_STEP);
}

describe("the system-call layer", () => {
  it("uses the open(2) flags Node knows for this machine", () => {
    const { O_CLOEXEC, ...known } = OPEN_FLAGS;
    for (const [name, value] of Object.entries(known)) {
      expect([name, value]).toEqual([name, (constants as Record<string, number>)[name]]);
    }
    // Node always opens with it and does not list it.
    expect(O_CLOEXEC).toBe(0o2000000);
  });

  it("reports the shared tree and every failure as expected (Node)", () => {
    mkdirSync(join(scratch.path, "node"));
    const transcript = new Map(runScenario(base, join(scratch.path, "node")));
    expect(transcript.get("stat link")).toMatchObject({ ok: { kind: "file" } });
    expect(transcript.get("lstat link")).toMatchObject({ ok: { kind: "link" } });
    expect(transcript.get("statIfExists missing")).toEqual({ ok: "absent" });
    expect(transcript.get("statIfExists file/below")).toEqual({ error: "ENOTDIR" });
    expect(transcript.get("stat file/below")).toEqual({ error: "ENOTDIR" });
    expect(transcript.get("readdir base")).toEqual({ ok: ["big:f", "dir:d", "file:f", "link:l"] });
    expect(transcript.get("read file")).toMatchObject({
      ok: [{ kind: "file", size: "19" }, "contents\nof a file\n"],
    });
    expect(transcript.get("read big")).toEqual({ ok: [200_016, "startxxxxxxx", "xünïcødé end"] });
    expect(transcript.get("read without a size")).toEqual({ ok: "contents\nof a file\n" });
    // Like Node's readFileSync: what fstat said, even if the file grew since.
    expect(transcript.get("read with a stale size")).toEqual({ ok: "contents" });
    expect(transcript.get("open link nofollow")).toEqual({ error: "ELOOP" });
    expect(transcript.get("open file as directory")).toEqual({ error: "ENOTDIR" });
    expect(transcript.get("open with NUL")).toEqual({ error: "ERR_INVALID_ARG_VALUE" });
    expect(transcript.get("close bad fd")).toEqual({ error: "EBADF" });
    expect(transcript.get("mkdir again")).toEqual({ error: "EEXIST" });
    expect(transcript.get("create")).toEqual({ ok: [12, 5] });
    expect(transcript.get("content")).toEqual({ ok: [12, "HELLO, world"] });
    expect(transcript.get("link onto existing")).toEqual({ error: "EEXIST" });
    expect(transcript.get("listing")).toEqual({ ok: ["f:f", "h:f"] });
    expect(transcript.get("unlink missing")).toEqual({ error: "ENOENT" });
    expect(transcript.get("unlink dir")).toEqual({ error: "EISDIR" });
    expect(transcript.get("rmdir not empty")).toEqual({ error: "ENOTEMPTY" });
    expect(transcript.get("removeTree")).toEqual({ ok: [] });
    expect(transcript.get(FLOCK_STEP)).toEqual({ ok: "undefined" });
  });

  it("gives the same transcript under Bun (libc through bun:ffi) as under Node", async () => {
    mkdirSync(join(scratch.path, "node"));
    mkdirSync(join(scratch.path, "bun"));
    const fromNode = runScenario(base, join(scratch.path, "node"));
    const child = await run(BUN, [
      join(import.meta.dirname, "fixtures", "sys-scenario.ts"),
      base,
      join(scratch.path, "bun"),
    ]);
    expect(child).toMatchObject({ code: 0, stderr: "" });
    const fromBun = JSON.parse(child.stdout) as Array<[string, unknown]>;
    expect(withoutFlock(fromBun)).toEqual(withoutFlock(fromNode));
    expect(new Map(fromBun).get(FLOCK_STEP)).toEqual({ ok: "function" });
  });

  it("has flock(2) only where it can call it", () => {
    expect(sys.flock).toBeUndefined();
  });
});
