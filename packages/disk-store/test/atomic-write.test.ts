import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { atomicWrite } from "../src/index.js";
import type { Scratch } from "./helpers/fs-tree.js";
import { filesIn, makeScratch, modeOf, namesIn, plantTree } from "./helpers/fs-tree.js";

let savedUmask = 0;
beforeAll(() => {
  savedUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(savedUmask);
});

let scratch: Scratch;
beforeEach(() => {
  scratch = makeScratch();
});
afterEach(() => scratch.cleanup());

describe.each([true, false])("atomicWrite with fsync %s", (fsync) => {
  it("creates a new name exclusively with the given mode and exact bytes", async () => {
    const written = await atomicWrite(scratch.path, "10.1.2.2", "c1\r\neth0", {
      mode: 0o600,
      exclusive: true,
      fsync,
    });
    expect(written).toBe(true);
    expect(filesIn(scratch.path)).toEqual({ "10.1.2.2": "c1\r\neth0" });
    expect(modeOf(join(scratch.path, "10.1.2.2"))).toBe(0o600);
  });

  it("reports an existing name as false on an exclusive write, changing nothing", async () => {
    writeFileSync(join(scratch.path, "10.1.2.2"), "old", { mode: 0o644 });
    const written = await atomicWrite(scratch.path, "10.1.2.2", "new", {
      mode: 0o600,
      exclusive: true,
      fsync,
    });
    expect(written).toBe(false);
    expect(filesIn(scratch.path)).toEqual({ "10.1.2.2": "old" });
    expect(modeOf(join(scratch.path, "10.1.2.2"))).toBe(0o644);
  });

  it("replaces an existing name as a whole on a non-exclusive write", async () => {
    writeFileSync(join(scratch.path, "hint"), "a much longer old content", { mode: 0o644 });
    const bytes = new Uint8Array([0x31, 0x30, 0x2e, 0x31]);
    expect(await atomicWrite(scratch.path, "hint", bytes, { mode: 0o600, exclusive: false, fsync })).toBe(
      true,
    );
    expect(filesIn(scratch.path)).toEqual({ hint: "10.1" });
    expect(modeOf(join(scratch.path, "hint"))).toBe(0o600);
  });
});

describe("atomicWrite and symbolic links", () => {
  beforeEach(() => {
    plantTree(scratch.path, {
      outside: { dir: { target: "keep" } },
      net: { dir: { link: { symlink: join(scratch.path, "outside", "target") } } },
    });
  });

  it("treats a link as taken on an exclusive write", async () => {
    const net = join(scratch.path, "net");
    expect(await atomicWrite(net, "link", "x", { mode: 0o600, exclusive: true, fsync: false })).toBe(false);
    expect(readFileSync(join(scratch.path, "outside", "target"), "utf8")).toBe("keep");
    expect(namesIn(net)).toEqual(["link"]);
  });

  it("replaces the link itself, not its target, on a non-exclusive write", async () => {
    const net = join(scratch.path, "net");
    expect(await atomicWrite(net, "link", "x", { mode: 0o600, exclusive: false, fsync: false })).toBe(true);
    expect(readFileSync(join(scratch.path, "outside", "target"), "utf8")).toBe("keep");
    expect(filesIn(net)).toEqual({ link: "x" });
  });
});

describe("atomicWrite failures", () => {
  it.each(["", ".", "..", "a/b", "../x", "a\0b"])("refuses the name %j with code 999", async (name) => {
    await expect(
      atomicWrite(scratch.path, name, "x", { mode: 0o600, exclusive: true, fsync: false }),
    ).rejects.toMatchObject({ code: 999, msg: `atomicWrite: "${name}" is not a file name` });
    expect(namesIn(scratch.path)).toEqual([]);
  });

  it("rejects a missing directory with code 5 naming the temp file", async () => {
    const missing = join(scratch.path, "missing");
    const err = await atomicWrite(missing, "f", "x", { mode: 0o600, exclusive: true, fsync: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 5 });
    expect((err as Error).message).toMatch(/^open .*\/missing\/\.f\.tmp-\d+-\d+: no such file or directory$/);
  });

  it("rejects when the name is a directory on a replacing write, removing its temp file", async () => {
    mkdirSync(join(scratch.path, "hint", "inner"), { recursive: true });
    const err = await atomicWrite(scratch.path, "hint", "x", {
      mode: 0o600,
      exclusive: false,
      fsync: false,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 5 });
    expect((err as Error).message).toMatch(/^rename .*\/\.hint\.tmp-\d+-\d+ .*\/hint: is a directory$/);
    expect(namesIn(scratch.path)).toEqual(["hint"]);
  });
});
