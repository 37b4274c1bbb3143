import { describe, expect, it } from "vitest";
import { errnoCode, goErrnoText } from "../src/index.js";

describe("goErrnoText", () => {
  it.each([
    ["ENOENT", "no such file or directory"],
    ["ELOOP", "too many levels of symbolic links"],
    ["EROFS", "read-only file system"],
    ["ENOSPC", "no space left on device"],
    ["ERR_INVALID_ARG_VALUE", "invalid argument"],
  ])("words %s as Go does", (code, text) => {
    expect(goErrnoText(code)).toBe(text);
  });

  it.each([["EWHATEVER"], [undefined]])("knows nothing of %s", (code) => {
    expect(goErrnoText(code)).toBeUndefined();
  });
});

describe("errnoCode", () => {
  it.each([
    [Object.assign(new Error("x"), { code: "EACCES" }), "EACCES"],
    [{ code: 5 }, undefined],
    [new Error("plain"), undefined],
    ["ENOENT", undefined],
    [null, undefined],
  ])("reads the code of %o", (err, code) => {
    expect(errnoCode(err)).toBe(code);
  });
});
