import { describe, expect, it } from "vitest";
import { isOperatorInvocation } from "../../src/index.js";

describe("isOperatorInvocation", () => {
  it.each([
    [{}, [], false],
    [{ CNI_COMMAND: "" }, [], false],
    [{}, ["ls"], true],
    [{ CNI_COMMAND: "" }, ["--version"], true],
    [{ CNI_COMMAND: "ADD" }, ["ls"], false],
    [{ CNI_COMMAND: "VERSION" }, [], false],
  ])("env %j, args %j -> %s", (env, args, expected) => {
    expect(isOperatorInvocation(env, args)).toBe(expected);
  });
});
