// The bad-input properties of bad-input.test.ts, run in process through skel's `dispatch` and the
// plugin's own commands on the disk store (Node and koffi here, where the built binary is Bun): no
// process start per case, so several times the cases in the same time. Every case must end in status 1
// with exactly one write to stdout, one clean error object naming what to fix, nothing on stderr, no
// state in the data dir and nothing written outside it.
import { mkdirSync, rmSync } from "node:fs";
import { dispatch } from "@cni-ts/skel";
import { type PluginRun, pluginEnv } from "@cni-ts/testutils";
import { SUPPORTED_VERSIONS } from "@cni-ts/types";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ABOUT, configuredStoreProvider, createPluginCommands } from "../../src/index.js";
import {
  type Call,
  dualStack,
  expectCniError,
  expectNoStateIn,
  invocation,
  makeSandbox,
  type Sandbox,
  snapshotOutside,
} from "./harness.js";
import {
  argsCompany,
  argsDefect,
  brokenStdin,
  type Command,
  cniArgs,
  configDefect,
  type Expectation,
  envDefect,
  noise,
  noisyConfig,
  unrelatedEnv,
} from "./input-generators.js";

let box: Sandbox;
beforeAll(() => {
  box = makeSandbox("in-process");
});
afterAll(() => box.cleanup());

const commands = createPluginCommands(configuredStoreProvider);

/** One call through `dispatch`, with the environment a runtime would give the binary. */
async function dispatchCall(c: Call): Promise<PluginRun & { writes: number }> {
  const inv = invocation(c);
  const stdin = inv.stdin;
  const bytes = Buffer.isBuffer(stdin)
    ? stdin
    : Buffer.from(typeof stdin === "string" ? stdin : JSON.stringify(stdin));
  const out: string[] = [];
  const err: string[] = [];
  const code = await dispatch(
    commands,
    { supportedVersions: SUPPORTED_VERSIONS, about: ABOUT },
    {
      env: pluginEnv(inv),
      readStdin: () => bytes,
      writeStdout: (text) => out.push(text),
      writeStderr: (text) => err.push(text),
    },
  );
  return { code, stdout: out.join(""), stderr: err.join(""), writes: out.length };
}

async function expectRejected(context: string, c: Call, expected: Expectation | undefined): Promise<number> {
  rmSync(box.dataDir, { recursive: true, force: true });
  mkdirSync(box.dataDir);
  const outside = snapshotOutside(box);
  const run = await dispatchCall(c);
  expect(run.writes, `${context}: writes to stdout`).toBe(1);
  const err = expectCniError(run, context, expected?.code);
  if (expected !== undefined) {
    expect(
      `${err.msg}${err.details === undefined ? "" : `; ${err.details}`}`,
      `${context}: what to fix`,
    ).toMatch(expected.text);
  }
  expectNoStateIn(box.dataDir, context);
  expect(snapshotOutside(box), `${context}: written outside the data dir`).toEqual(outside);
  return err.code;
}

const anyCommand = fc.constantFrom<Command>("ADD", "DEL", "CHECK");

describe("bad input, in process", { timeout: 120_000 }, () => {
  it("config JSON", async () => {
    await fc.assert(
      fc.asyncProperty(configDefect(box.outside), noise, anyCommand, async (defect, n, cmd) => {
        const command = defect.commands.includes(cmd) ? cmd : "ADD";
        const config = noisyConfig(box.dataDir, n);
        defect.apply(config);
        await expectRejected(`${command} with ${defect.label}`, { command, stdin: config }, defect);
      }),
      { numRuns: 150 },
    );
  });

  it("CNI_ARGS", async () => {
    await fc.assert(
      fc.asyncProperty(argsDefect, argsCompany, fc.nat(), anyCommand, async (d, others, at, cmd) => {
        const command = d.commands.includes(cmd) ? cmd : "ADD";
        const args = cniArgs(d, others, at);
        await expectRejected(
          `${command} CNI_ARGS=${args.slice(0, 80)}`,
          { command, stdin: dualStack(box.dataDir), args },
          { code: 999, text: d.text },
        );
      }),
      { numRuns: 200 },
    );
  });

  it("environment", async () => {
    await fc.assert(
      fc.asyncProperty(
        envDefect,
        unrelatedEnv,
        fc.constantFrom<Command>("ADD", "DEL"),
        async (d, extra, command) => {
          await expectRejected(
            `${command} ${d.label}`,
            { command, stdin: dualStack(box.dataDir), env: { ...extra, ...d.env } },
            d,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("raw stdin", async () => {
    const valid = (): string => JSON.stringify(dualStack(box.dataDir));
    await fc.assert(
      fc.asyncProperty(brokenStdin(valid), anyCommand, async ({ label, bytes }, command) => {
        const code = await expectRejected(`${command} stdin ${label}`, { command, stdin: bytes }, undefined);
        expect(label === "random bytes" ? [6, 7] : [6], `${label}: code ${code}`).toContain(code);
      }),
      { numRuns: 200 },
    );
  });
});
