import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readTlsFiles } from "../src/index.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "etcd-tls-files-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readTlsFiles", () => {
  it("reads the files that are named and leaves the others undefined", async () => {
    await writeFile(join(dir, "ca.crt"), "CA PEM");
    await writeFile(join(dir, "c.crt"), "CERT PEM");
    await writeFile(join(dir, "c.key"), "KEY PEM");
    const all = await readTlsFiles({
      caFile: join(dir, "ca.crt"),
      certFile: join(dir, "c.crt"),
      keyFile: join(dir, "c.key"),
    });
    expect([all.ca?.toString(), all.cert?.toString(), all.key?.toString()]).toEqual([
      "CA PEM",
      "CERT PEM",
      "KEY PEM",
    ]);
    expect(await readTlsFiles({ caFile: join(dir, "ca.crt") })).toEqual({
      ca: Buffer.from("CA PEM"),
      cert: undefined,
      key: undefined,
    });
  });

  it.each([
    ["a certificate without its key", { certFile: "/x.crt" }],
    ["a key without its certificate", { keyFile: "/x.key" }],
  ])("refuses %s with code 999", async (_case, files) => {
    await expect(readTlsFiles(files)).rejects.toMatchObject({
      code: 999,
      msg: "etcd TLS needs both certFile and keyFile, or neither",
    });
  });

  it.each([
    ["a missing file", (d: string) => join(d, "missing.crt"), "no such file or directory"],
    ["a directory", (d: string) => d, "is a directory"],
    ["a path through a file", (d: string) => join(d, "ca.crt", "x"), "not a directory"],
  ])("answers %s with code 5 in Go's words", async (_case, pathIn, reason) => {
    await writeFile(join(dir, "ca.crt"), "CA PEM");
    const path = pathIn(dir);
    await expect(readTlsFiles({ caFile: path })).rejects.toMatchObject({
      code: 5,
      msg: `cannot read etcd TLS file: open ${path}: ${reason}`,
    });
  });
});
