import { describe, expect, it } from "vitest";
import { DEFAULT_PATH, execFile } from "../src/index.js";

describe("execFile", () => {
  it.each([
    [["-c", "exit 0"], 0, ""],
    [["-c", "echo out; echo err >&2; exit 3"], 3, "out\n"],
  ])("runs sh %j and reports its status %i", async (args, code, stdout) => {
    const r = await execFile("/bin/sh", args);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe(stdout);
  });

  it("gives the child only the environment it is handed", async () => {
    const r = await execFile("/usr/bin/env", [], { env: { ONLY: "this" } });
    expect(r.stdout).toBe("ONLY=this\n");
  });

  it("defaults to a system PATH", async () => {
    const r = await execFile("/bin/sh", ["-c", 'printf %s "$PATH"']);
    expect(r.stdout).toBe(DEFAULT_PATH);
  });

  it("writes stdin and closes it", async () => {
    const r = await execFile("/usr/bin/cat", [], { stdin: "hello" });
    expect(r.stdout).toBe("hello");
  });

  it("reports a signal instead of a status", async () => {
    const r = await execFile("/bin/sh", ["-c", "kill -TERM $$"]);
    expect(r).toMatchObject({ code: null, signal: "SIGTERM" });
  });

  it("kills and rejects on timeout", async () => {
    await expect(execFile("/usr/bin/sleep", ["5"], { timeoutMs: 50 })).rejects.toThrow(/timed out/);
  });
});
