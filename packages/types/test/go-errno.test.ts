import { constants } from "node:os";
import { describe, expect, it } from "vitest";
import { errnoCode, errnoName, goErrnoText } from "../src/index.js";

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

describe("errnoName", () => {
  it("names every errno it knows as Node does, and Go has a text for each", () => {
    const byName = constants.errno as Readonly<Record<string, number>>;
    let known = 0;
    for (let errno = 1; errno < 200; errno++) {
      const name = errnoName(errno);
      if (name === `E${errno}`) continue;
      known++;
      expect(byName[name]).toBe(errno);
      expect(goErrnoText(name)).toBeDefined();
    }
    expect(known).toBeGreaterThan(25);
  });

  it("gives an unknown errno a name of its own", () => {
    expect(errnoName(4095)).toBe("E4095");
  });
});
