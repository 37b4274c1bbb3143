// Bad input (issue #8): fast-check generators over the config JSON, CNI_ARGS, the environment and the
// raw stdin bytes, against the built binary. Every generated call carries at least one defect, so it
// must fail: exit status 1, one CNI error object on stdout with a message that names what to fix, no
// stack trace, no hang (every call has a timeout), no reservation or temp file, and no write outside the
// data dir (the sandbox around it, the working directory and the machine's default data dir).
//
// Harmless noise (unknown keys, padding, unrelated variables) is mixed in, so a defect must be found
// whatever surrounds it. A failing run prints fast-check's seed and the shrunk input.
import { mkdirSync, rmSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CniErrorObject,
  call,
  dualStack,
  expectCniError,
  expectNoStateIn,
  makeSandbox,
  NETWORK,
  type Sandbox,
  snapshotOutside,
  snapshotTree,
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
  box = makeSandbox("input");
});
afterAll(() => box.cleanup());

// ---- what every failing call must leave behind ----

/** Checks one failing call end to end and returns its error object. */
async function expectRejected(
  context: string,
  c: Parameters<typeof call>[0],
  expected: Expectation | undefined,
): Promise<CniErrorObject> {
  // A fresh data dir for each case, so a case (and fast-check's shrinking) never sees another's state.
  rmSync(box.dataDir, { recursive: true, force: true });
  mkdirSync(box.dataDir);
  const outside = snapshotOutside(box);
  const run = await call({ ...c, cwd: box.cwd });
  const err = expectCniError(run, context, expected?.code);
  if (expected !== undefined) {
    expect(
      `${err.msg}${err.details === undefined ? "" : `; ${err.details}`}`,
      `${context}: what to fix`,
    ).toMatch(expected.text);
  }
  expectNoStateIn(box.dataDir, context);
  expect(snapshotOutside(box), `${context}: written outside the data dir`).toEqual(outside);
  return err;
}

describe("bad input never crashes, hangs or writes outside the data dir", { timeout: 120_000 }, () => {
  it("config JSON: one defect among noise is always reported, naming what to fix", async () => {
    await fc.assert(
      fc.asyncProperty(
        configDefect(box.outside),
        noise,
        fc.constantFrom<Command>("ADD", "DEL", "CHECK"),
        async (defect, n, cmd) => {
          const command = defect.commands.includes(cmd) ? cmd : "ADD";
          const config = noisyConfig(box.dataDir, n);
          defect.apply(config);
          await expectRejected(`${command} with ${defect.label}`, { command, stdin: config }, defect);
        },
      ),
      { numRuns: 70 },
    );
  });

  it("CNI_ARGS: a defective pair among valid ones is always reported, naming the pair", async () => {
    await fc.assert(
      fc.asyncProperty(
        argsDefect,
        argsCompany,
        fc.nat(),
        fc.constantFrom<Command>("ADD", "DEL", "CHECK"),
        async (d, others, at, cmd) => {
          const command = d.commands.includes(cmd) ? cmd : "ADD";
          const args = cniArgs(d, others, at);
          await expectRejected(
            `${command} CNI_ARGS=${args.slice(0, 80)}`,
            { command, stdin: dualStack(box.dataDir), args },
            { code: 999, text: d.text },
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it("environment: a defective CNI_* variable among unrelated ones is always reported", async () => {
    await fc.assert(
      fc.asyncProperty(
        envDefect,
        unrelatedEnv,
        fc.constantFrom<"ADD" | "DEL">("ADD", "DEL"),
        async (d, extra, command) => {
          await expectRejected(
            `${command} ${d.label}`,
            { command, stdin: dualStack(box.dataDir), env: { ...extra, ...d.env } },
            d,
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it("raw stdin: truncated, NUL-ridden, prefixed or arbitrary bytes are a decoding error", async () => {
    const valid = (): string => JSON.stringify(dualStack(box.dataDir));
    await fc.assert(
      fc.asyncProperty(
        brokenStdin(valid),
        fc.constantFrom<Command>("ADD", "DEL", "CHECK"),
        async ({ label, bytes }, command) => {
          // Random bytes can still spell a JSON object without a name (code 7); everything else must be
          // an undecodable document (code 6), named as such.
          const err = await expectRejected(`${command} stdin ${label}`, { command, stdin: bytes }, undefined);
          if (label === "random bytes") expect([6, 7]).toContain(err.code);
          else {
            expect(err.code, `${label}: ${err.msg}`).toBe(6);
            expect(err.msg).toMatch(/^error unmarshall network config: /);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  // ---- 10 MB of stdin and other extremes, one by one ----

  const TEN_MB = 10 * 1024 * 1024;
  const tenMb = (fill: string): string => fill.repeat(Math.ceil(TEN_MB / fill.length)).slice(0, TEN_MB);
  it.each([
    {
      what: "10 MB of random bytes",
      stdin: () => Buffer.from(Array.from({ length: TEN_MB }, (_, i) => (i * 2654435761) >>> 24)),
      code: 6,
      text: /^error unmarshall network config: invalid character/,
    },
    {
      what: "10 MB of NUL bytes",
      stdin: () => Buffer.alloc(TEN_MB),
      code: 6,
      text: /^error unmarshall network config: invalid character '\\x00' looking for beginning of value$/,
    },
    {
      what: "10 MB of whitespace",
      stdin: () => tenMb(" \n\t"),
      code: 6,
      text: /^error unmarshall network config: unexpected end of JSON input$/,
    },
    {
      what: "10 MB of nested arrays",
      stdin: () => tenMb("["),
      code: 6,
      text: /^error unmarshall network config: .*exceeded max depth$/,
    },
    {
      what: "10 MB of nested objects",
      stdin: () => tenMb('{"a":'),
      code: 6,
      text: /^error unmarshall network config: .*exceeded max depth$/,
    },
    {
      what: "an unterminated 10 MB string",
      stdin: () => `{"name":"${tenMb("a")}`,
      code: 6,
      text: /^error unmarshall network config: unexpected end of JSON input$/,
    },
    {
      what: "a 10 MB network name",
      stdin: () => JSON.stringify({ ...dualStack(box.dataDir), name: `${tenMb("a")}/..` }),
      code: 7,
      text: /^invalid characters found in network name; a+\/\.\.$/,
    },
    {
      what: "a 10 MB subnet",
      stdin: () => JSON.stringify(dualStack(box.dataDir, { ranges: [[{ subnet: tenMb("1") }]] })),
      code: 999,
      text: /^invalid CIDR address: 1+$/,
    },
    {
      what: "a valid config padded to 10 MB with one bad field",
      stdin: () => JSON.stringify({ ...dualStack(box.dataDir), "x-pad": tenMb("p"), cniVersion: "10.0.0" }),
      code: 1,
      text: /^incompatible CNI versions; config is "10\.0\.0"/,
    },
  ])("$what", async ({ what, stdin, code, text }) => {
    const err = await expectRejected(what, { command: "ADD", stdin: stdin() }, { code, text });
    // Large inputs are echoed where upstream echoes them, but never more than once.
    expect(err.msg.length + (err.details?.length ?? 0)).toBeLessThan(2 * TEN_MB + 1000);
  });

  it("the network directory of a valid call is the only thing it creates", async () => {
    // The counterpart of the properties above: the same sandbox, one good ADD and DEL.
    const outside = snapshotOutside(box);
    const add = await call({ command: "ADD", stdin: dualStack(box.dataDir), cwd: box.cwd });
    expect(add.code, add.stdout).toBe(0);
    const del = await call({ command: "DEL", stdin: dualStack(box.dataDir), cwd: box.cwd });
    expect(del.code, del.stdout).toBe(0);
    expectNoStateIn(box.dataDir, "after ADD and DEL");
    expect([...snapshotTree(box.dataDir).keys()].filter((p) => p.startsWith(NETWORK))).toContain(
      `${NETWORK}/lock`,
    );
    expect(snapshotOutside(box)).toEqual(outside);
  });
});
