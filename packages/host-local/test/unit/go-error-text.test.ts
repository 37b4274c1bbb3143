import { describe, expect, it } from "vitest";
import { errnoCode, goPathErrorText } from "../../src/index.js";

function nodeError(code: string, syscall: string, path: string, description: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${description}, ${syscall} '${path}'`);
  err.code = code;
  err.syscall = syscall;
  err.path = path;
  return err;
}

describe("goPathErrorText", () => {
  it.each([
    [
      nodeError("ENOENT", "open", "/x", "no such file or directory"),
      undefined,
      "open /x: no such file or directory",
    ],
    [
      nodeError("EISDIR", "read", "/x", "illegal operation on a directory"),
      undefined,
      "read /x: is a directory",
    ],
    [nodeError("EACCES", "mkdir", "/x", "permission denied"), undefined, "mkdir /x: permission denied"],
    [
      nodeError("EROFS", "open", "/x", "read-only file system"),
      "unlinkat",
      "unlinkat /x: read-only file system",
    ],
    [
      nodeError("EWEIRD", "open", "/x", "something odd happened"),
      undefined,
      "open /x: something odd happened",
    ],
    [new Error("plain"), undefined, "open /x: unknown error"],
  ])("%s", (err, op, text) => {
    expect(goPathErrorText(err, "/x", op)).toBe(text);
  });
});

describe("errnoCode", () => {
  it.each([
    [nodeError("ENOENT", "open", "/x", "no such file or directory"), "ENOENT"],
    [new Error("plain"), undefined],
    ["text", undefined],
    [null, undefined],
  ])("%s -> %s", (err, code) => {
    expect(errnoCode(err)).toBe(code);
  });
});
