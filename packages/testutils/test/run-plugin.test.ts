import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_PATH,
  makeTempDataDir,
  pluginEnv,
  runPlugin,
  startPlugin,
  UPSTREAM_HOST_LOCAL,
} from "../src/index.js";

// `env` stands in for a plugin: it prints exactly the environment it was given.
const printEnv = "/usr/bin/env";
// A plugin that never finishes on its own.
const scratch = makeTempDataDir();
const hang = join(scratch.path, "hang");
beforeAll(() => {
  writeFileSync(hang, "#!/bin/sh\nexec sleep 60\n");
  chmodSync(hang, 0o755);
});
afterAll(() => scratch.cleanup());

const envLines = (stdout: string): string[] =>
  stdout
    .split("\n")
    .filter((l) => l !== "")
    .sort();

describe("pluginEnv", () => {
  it.each([
    [
      { command: "VERSION", stdin: "" },
      { PATH: DEFAULT_PATH, CNI_COMMAND: "VERSION" },
    ],
    [
      {
        command: "ADD",
        containerId: "c1",
        ifname: "eth0",
        netns: "/n",
        args: "IP=1.2.3.4",
        path: "/p",
        stdin: "",
      },
      {
        PATH: DEFAULT_PATH,
        CNI_COMMAND: "ADD",
        CNI_CONTAINERID: "c1",
        CNI_IFNAME: "eth0",
        CNI_NETNS: "/n",
        CNI_ARGS: "IP=1.2.3.4",
        CNI_PATH: "/p",
      },
    ],
    [
      {
        command: "DEL",
        containerId: "c1",
        env: { CNI_CONTAINERID: undefined, PATH: "/x", EXTRA: "1" },
        stdin: "",
      },
      { PATH: "/x", CNI_COMMAND: "DEL", EXTRA: "1" },
    ],
    [{ command: "", env: { CNI_COMMAND: undefined, PATH: undefined }, stdin: "" }, {}],
  ])("builds %j into exactly the expected variables", (invocation, expected) => {
    expect(pluginEnv(invocation)).toEqual(expected);
  });
});

describe("runPlugin", () => {
  it("passes exactly the explicit environment, nothing inherited from the test process", async () => {
    const run = await runPlugin(printEnv, { command: "ADD", containerId: "c1", stdin: "" });
    expect(envLines(run.stdout)).toEqual(["CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", `PATH=${DEFAULT_PATH}`]);
    expect(run.code).toBe(0);
    expect(run.json).toBeUndefined();
  });

  it.each([
    ["a string", '{"a":1}', '{"a":1}'],
    ["a buffer", Buffer.from("raw bytes"), "raw bytes"],
    ["an object (serialised)", { cniVersion: "1.0.0", name: "n" }, '{"cniVersion":"1.0.0","name":"n"}'],
  ])("feeds %s to stdin", async (_label, stdin, expected) => {
    const run = await runPlugin("/usr/bin/cat", { command: "ADD", stdin });
    expect(run.stdout).toBe(expected);
  });

  it("parses JSON on stdout and reports the exit status", async () => {
    const run = await runPlugin(UPSTREAM_HOST_LOCAL, { command: "VERSION", stdin: "" });
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ supportedVersions: expect.arrayContaining(["0.1.0", "1.0.0"]) });
  });

  it("reports a failing plugin's exit status and error object", async () => {
    const run = await runPlugin(UPSTREAM_HOST_LOCAL, {
      command: "add",
      containerId: "c",
      ifname: "e",
      stdin: { cniVersion: "1.0.0", name: "n" },
    });
    expect(run.code).toBe(1);
    expect(run.json).toEqual({ code: 4, msg: "unknown CNI_COMMAND: add" });
  });

  it("kills and rejects a plugin that outlives its timeout", async () => {
    await expect(runPlugin(hang, { command: "ADD", stdin: "", timeoutMs: 100 })).rejects.toThrow(/timed out/);
  });

  it("rejects when the binary does not exist", async () => {
    await expect(runPlugin("/nonexistent/plugin", { command: "VERSION", stdin: "" })).rejects.toThrow(
      /ENOENT/,
    );
  });
});

describe("startPlugin", () => {
  it("returns a running process that can be killed, and reports the signal", async () => {
    const started = startPlugin(hang, { command: "ADD", stdin: "" });
    expect(started.pid).toBeGreaterThan(0);
    started.child.kill("SIGKILL");
    const outcome = await started.done;
    expect(outcome).toMatchObject({ code: null, signal: "SIGKILL" });
  });
});
