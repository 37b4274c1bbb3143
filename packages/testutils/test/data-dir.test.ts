import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dataDirContents, makeTempDataDir, readDataDir, type TempDir } from "../src/index.js";

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDataDir();
  const net = join(tmp.path, "mynet");
  mkdirSync(net);
  const files: [string, string, number][] = [
    ["lock", "", 0o750],
    ["10.1.2.2", "c1\r\neth0", 0o600],
    ["2001:db8:1::2", "c1\r\neth0", 0o644],
    ["last_reserved_ip.0", "10.1.2.2", 0o600],
    [".10.1.2.3.tmp-1-0", "c2\r\neth0", 0o600],
  ];
  for (const [name, content, mode] of files) {
    writeFileSync(join(net, name), content);
    chmodSync(join(net, name), mode);
  }
  symlinkSync("10.1.2.2", join(net, "link"));
});
afterEach(() => tmp.cleanup());

describe("readDataDir", () => {
  it("maps every regular file, recursively and in byte order, to its bytes and mode", () => {
    const files = readDataDir(tmp.path);
    expect([...files.keys()]).toEqual([
      "mynet/.10.1.2.3.tmp-1-0",
      "mynet/10.1.2.2",
      "mynet/2001:db8:1::2",
      "mynet/last_reserved_ip.0",
      "mynet/lock",
    ]);
    expect(files.get("mynet/10.1.2.2")).toEqual({ bytes: Buffer.from("c1\r\neth0"), mode: 0o600 });
    expect(files.get("mynet/lock")?.mode).toBe(0o750);
    expect(files.get("mynet/2001:db8:1::2")?.mode).toBe(0o644);
  });

  it.each([
    [{ ignoreDotNames: true }, 4],
    [{ ignoreDotNames: false }, 5],
    [{}, 5],
  ])("with %j lists %i files", (options, count) => {
    expect(readDataDir(join(tmp.path, "mynet"), options).size).toBe(count);
  });

  it("throws for a missing directory", () => {
    expect(() => readDataDir(join(tmp.path, "nope"))).toThrow(/ENOENT/);
  });
});

describe("dataDirContents", () => {
  it("shows the files as text", () => {
    expect(dataDirContents(readDataDir(join(tmp.path, "mynet"), { ignoreDotNames: true }))).toEqual({
      "10.1.2.2": "c1\r\neth0",
      "2001:db8:1::2": "c1\r\neth0",
      "last_reserved_ip.0": "10.1.2.2",
      lock: "",
    });
  });
});
