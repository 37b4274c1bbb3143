/**
 * Helpers for the operator command line tests: run `runCli` with captured io, plant small network
 * directories from object literals, and let upstream's binary write a data dir.
 */
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runPlugin, UPSTREAM_HOST_LOCAL } from "@cni-ts/testutils";
import { expect } from "vitest";
import { runCli } from "../../src/cli/main.js";

/** What one `runCli` call produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line with buffers for stdout/stderr and an explicit environment (default: none). */
export async function cli(
  args: readonly string[],
  options: { isTty?: boolean; env?: Record<string, string | undefined>; version?: string } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(
    args,
    {
      stdout: (s) => {
        stdout += s;
      },
      stderr: (s) => {
        stderr += s;
      },
      isTty: options.isTty ?? false,
      env: options.env ?? {},
    },
    options.version === undefined ? {} : { version: options.version },
  );
  return { code, stdout, stderr };
}

/** Runs the command line, expects exit 0 and no stderr, and parses stdout as JSON. */
export async function cliJson(args: readonly string[]): Promise<unknown> {
  const run = await cli(args);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as unknown;
}

/** A planted entry: file content, or a symlink, a directory, or a file with an old modification time. */
export type Planted =
  | string
  | Buffer
  | { symlink: string }
  | { dir: true }
  | { content: string; ageSeconds: number };

/** Creates `<dataDir>/<network>/` holding `files` (file name → content or kind). Returns the directory. */
export function plantNetwork(dataDir: string, network: string, files: Record<string, Planted>): string {
  const dir = join(dataDir, network);
  mkdirSync(dir, { recursive: true });
  for (const [name, planted] of Object.entries(files)) {
    const path = join(dir, name);
    if (typeof planted === "string" || Buffer.isBuffer(planted)) writeFileSync(path, planted);
    else if ("symlink" in planted) symlinkSync(planted.symlink, path);
    else if ("dir" in planted) mkdirSync(path);
    else {
      writeFileSync(path, planted.content);
      const t = Date.now() / 1000 - planted.ageSeconds;
      utimesSync(path, t, t);
    }
  }
  return dir;
}

/** A network config for upstream's binary with the given range sets and data dir. */
export function networkConfig(
  name: string,
  dataDir: string,
  ranges: readonly (readonly Record<string, string>[])[],
): Record<string, unknown> {
  return { cniVersion: "0.4.0", name, type: "bridge", ipam: { type: "host-local", dataDir, ranges } };
}

/** Runs Debian's upstream `host-local` ADD (the oracle) and expects success. */
export async function upstreamAdd(
  config: Record<string, unknown>,
  containerId: string,
  ifname: string,
): Promise<void> {
  const run = await runPlugin(UPSTREAM_HOST_LOCAL, {
    command: "ADD",
    containerId,
    ifname,
    netns: "/var/run/netns/cni-ts-cli-test",
    path: "/usr/lib/cni",
    stdin: config,
  });
  expect(run.stdout).toContain('"ips"');
  expect(run.code).toBe(0);
}
