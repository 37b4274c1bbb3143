import { CniError } from "@cni-ts/types";
import { describe, expect, it } from "vitest";
import { errorText } from "../../src/cli/error-text.js";

const errno = (code: string): Error =>
  Object.assign(new Error(`${code}: raw node text, unlink '/x'`), { code });

describe("errorText", () => {
  it.each([
    [
      "a CniError, with details",
      new CniError(5, "remove /x: read-only file system", { details: "d" }),
      undefined,
      "remove /x: read-only file system; d",
    ],
    [
      "an errno error with a known path",
      errno("EACCES"),
      { path: "/d/10.0.0.2", op: "remove" },
      "remove /d/10.0.0.2: permission denied",
    ],
    [
      "an errno error without a path",
      errno("EACCES"),
      undefined,
      "internal error (this is a bug in cni-ts; please report it)",
    ],
    [
      "anything else",
      new TypeError("x is undefined"),
      { path: "/d", op: "open" },
      "internal error (this is a bug in cni-ts; please report it)",
    ],
  ])("words %s without raw third-party text", (_name, err, where, expected) => {
    expect(errorText(err, where)).toBe(expected);
  });
});
