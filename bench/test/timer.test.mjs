import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pluginConfig, pluginEnv } from "../plugin-call.mjs";
import { countSyncCalls, createTimer } from "../timer.mjs";

const UPSTREAM = "/usr/lib/cni/host-local";
const scratch = mkdtempSync(join(tmpdir(), "cni-ts-bench-timer-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const version = { env: pluginEnv({ command: "VERSION", containerId: "", ifname: "" }), input: "" };

describe.each(["exec-timer", "spawn"])("the %s timer", (kind) => {
  const timer = createTimer({ workDir: scratch, prefer: kind });

  it("says which method it uses", () => {
    expect(timer.kind).toBe(kind);
    expect(timer.description).toMatch(kind === "spawn" ? /^spawnSync/ : /^exec-timer/);
  });

  it("returns the program's output, exit code and a positive wall time", () => {
    const sample = timer.run(UPSTREAM, version);
    expect(sample.exitCode).toBe(0);
    expect(sample.signal).toBeNull();
    expect(JSON.parse(sample.stdout).supportedVersions).toContain("1.0.0");
    expect(sample.ms).toBeGreaterThan(0);
  });

  it("reports a failing program's exit code and stdout", () => {
    const sample = timer.run(UPSTREAM, {
      env: pluginEnv({ command: "ADD", containerId: "x", ifname: "eth0" }),
      input: "{",
    });
    expect(sample.exitCode).toBe(1);
    expect(JSON.parse(sample.stdout).code).toBe(6);
  });

  it("measures peak memory when it can", () => {
    // exec-timer reads wait4's rusage on every run; spawn only under GNU time (withMemory).
    const sample = timer.run(UPSTREAM, { ...version, withMemory: true });
    expect(sample.exitCode).toBe(0);
    expect(sample.maxRssKiB).toBeGreaterThan(0);
  });
});

describe.each(["exec-timer", "spawn"])("the %s timer's call timeout", (kind) => {
  it("kills a call that runs too long and reports SIGKILL", () => {
    const hang = join(scratch, `hang-${kind}`);
    // exec: the measured process is sleep itself, so killing it leaves nothing behind.
    writeFileSync(hang, "#!/bin/sh\nexec sleep 30\n", { mode: 0o755 });
    const timer = createTimer({ workDir: scratch, prefer: kind, callTimeoutSeconds: 1 });
    const sample = timer.run(hang, version);
    expect(sample.exitCode).toBeNull();
    expect(sample.signal).toBe("SIGKILL");
  });
});

describe("createTimer", () => {
  it("throws an Error when the program cannot be started", () => {
    const timer = createTimer({ workDir: scratch, prefer: "spawn" });
    expect(() => timer.run(join(scratch, "missing"), version)).toThrow(/could not run/);
  });
});

describe("countSyncCalls", () => {
  it("counts no fsync in upstream's ADD (it never syncs) and passes the exit code through", () => {
    const dataDir = join(scratch, "strace-data");
    const result = countSyncCalls(UPSTREAM, {
      env: pluginEnv({ command: "ADD", containerId: "strace-1", ifname: "eth0" }),
      input: pluginConfig({ family: 4, dataDir }),
      traceFile: join(scratch, "strace.log"),
    });
    expect(result.exitCode).toBe(0);
    expect(result.calls).toBe(0);
    expect(JSON.parse(result.stdout).ips[0].address).toBe("10.128.0.2/16");
  });
});
