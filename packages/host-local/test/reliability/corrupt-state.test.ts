// Corrupt state in the data dir (issue #8): binary garbage in a reservation or in `last_reserved_ip`,
// empty files, unrelated files and directories. ADD still hands out a valid free address, DEL and CHECK
// of the other attachments work, and nothing valid is removed: the planted files themselves stay
// byte for byte, since they may be another writer's and only GC or an operator decides about them.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addressesOf,
  call,
  expectCniError,
  type Json,
  makeSandbox,
  mulberry32,
  netConf,
  reservationsIn,
  type Sandbox,
  snapshotOutside,
  snapshotTree,
  tempFilesIn,
} from "./harness.js";

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox("corrupt");
});
afterEach(() => box.cleanup());

// A /28: the gateway 10.77.0.1 and 13 addresses, 10.77.0.2 to .14, so exhaustion is reached quickly.
const conf = (): Json => netConf(box.dataDir, { ranges: [[{ subnet: "10.77.0.0/28" }]] });
const run = (command: string, id: string) => call({ command, containerId: id, stdin: conf(), cwd: box.cwd });
const inNet = (name: string): string => join(box.networkDir, name);

/** Deterministic "random" bytes, with every troublesome byte (NUL, CR, LF, invalid UTF-8) included. */
function garbage(length: number, seed: number): Buffer {
  const random = mulberry32(seed);
  const bytes = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
  return Buffer.concat([Buffer.from([0, 13, 10, 0xff, 0xfe, 0xc3]), bytes]);
}

/** A planted file: its name in the network directory and its bytes (undefined: a directory). */
type Plant = readonly [name: string, bytes: Buffer | string | undefined];

const CORRUPTIONS: readonly { what: string; plants: readonly Plant[] }[] = [
  { what: "binary garbage in a reservation", plants: [["10.77.0.5", garbage(512, 1)]] },
  { what: "a large garbage reservation (1 MiB)", plants: [["10.77.0.5", garbage(1 << 20, 2)]] },
  { what: "binary garbage in last_reserved_ip", plants: [["last_reserved_ip.0", garbage(64, 3)]] },
  { what: "an empty last_reserved_ip", plants: [["last_reserved_ip.0", ""]] },
  { what: "a hint outside the range", plants: [["last_reserved_ip.0", "192.0.2.77"]] },
  {
    what: "empty and whitespace-only reservations",
    plants: [
      ["10.77.0.5", ""],
      ["10.77.0.6", " \r\n\t "],
    ],
  },
  {
    what: "torn and over-long records",
    plants: [
      ["10.77.0.5", "c1\r\n"],
      ["10.77.0.6", "c1\r\neth0\r\nextra"],
      ["10.77.0.7", "\r\neth0"],
    ],
  },
  {
    what: "unrelated files and directories",
    plants: [
      ["README", "not a reservation\n"],
      ["10.77.0.5.bak", "c1\r\neth0"],
      ["last_reserved_ip.x", "10.77.0.9"],
      ["lock.old", garbage(16, 4)],
      ["010.077.000.008", "c1\r\neth0"],
      ["192.0.2.1", garbage(32, 5)],
      ["2001:db8::5", "c1\r\neth0"],
      ["sub", undefined],
      ["sub/10.77.0.9", "c1\r\neth0"],
    ],
  },
];

// Every kind at once, with the garbage reservations spread over the range.
const EVERYTHING: readonly Plant[] = [
  ...CORRUPTIONS.flatMap(({ plants }) => plants).filter(([name]) => !/^10\.77\.0\.\d+$/.test(name)),
  ["10.77.0.5", garbage(300, 6)],
  ["10.77.0.7", ""],
  ["10.77.0.9", "c1\r\n"],
  ["10.77.0.11", garbage(1 << 16, 7)],
];

function plant(plants: readonly Plant[]): void {
  for (const [name, bytes] of plants) {
    if (bytes === undefined) mkdirSync(inNet(name), { recursive: true });
    else {
      rmSync(inNet(name), { force: true });
      writeFileSync(inNet(name), bytes);
    }
  }
}

describe("corrupt state in the data dir", { timeout: 60_000 }, () => {
  it.each([
    ...CORRUPTIONS.map(({ what, plants }) => [what, plants] as const),
    ["every kind at once", EVERYTHING] as const,
  ])(
    "%s: ADD hands out only free addresses, DEL and CHECK of others work, nothing valid goes",
    async (_what, plants) => {
      // Two valid holders, then the corruption.
      expect(addressesOf(await run("ADD", "c0"))).toEqual(["10.77.0.2"]);
      expect(addressesOf(await run("ADD", "c1"))).toEqual(["10.77.0.3"]);
      plant(plants);
      const planted = new Map(
        [...snapshotTree(box.networkDir)].filter(([name]) => plants.some(([p]) => p === name)),
      );
      const taken = new Set(reservationsIn(box.networkDir));
      const outside = snapshotOutside(box);

      // ADD until the range is exhausted: every address is new, in the range, and not the gateway.
      const handedOut: string[] = [];
      for (let i = 0; ; i++) {
        const added = await run("ADD", `n${i}`);
        if (added.code !== 0) {
          const err = expectCniError(added, "ADD on an exhausted range", 999);
          expect(err.msg).toBe(
            "failed to allocate for range 0: no IP addresses available in range set: 10.77.0.1-10.77.0.14",
          );
          break;
        }
        const [ip] = addressesOf(added);
        expect(ip).toMatch(/^10\.77\.0\.(\d|1[0-4])$/);
        expect(taken.has(ip ?? ""), `${ip} was already there`).toBe(false);
        expect(ip).not.toBe("10.77.0.1");
        handedOut.push(ip ?? "");
        taken.add(ip ?? "");
        expect(readFileSync(inNet(ip ?? ""), "utf8")).toBe(`n${i}\r\neth0`);
      }
      // Every address that has no file at all was handed out: the range really was exhausted.
      const free = Array.from({ length: 13 }, (_, k) => `10.77.0.${k + 2}`).filter(
        (ip) => !plants.some(([name]) => name === ip) && ip !== "10.77.0.2" && ip !== "10.77.0.3",
      );
      expect([...handedOut].sort()).toEqual(free.sort());

      // The other attachments are unaffected: CHECK finds them, DEL releases exactly theirs.
      expect((await run("CHECK", "c1")).code).toBe(0);
      for (const id of ["c0", ...handedOut.map((_, i) => `n${i}`)]) {
        const del = await run("DEL", id);
        expect({ id, code: del.code, stdout: del.stdout }).toEqual({ id, code: 0, stdout: "" });
      }
      expect(readFileSync(inNet("10.77.0.3"), "utf8")).toBe("c1\r\neth0");
      expect((await run("CHECK", "c1")).code).toBe(0);
      expect(reservationsIn(box.networkDir).filter((n) => !plants.some(([p]) => p === n))).toEqual([
        "10.77.0.3",
      ]);

      // The planted files are exactly as planted (a garbage hint is the only thing ADD may replace).
      const after = snapshotTree(box.networkDir);
      for (const [name, state] of planted) {
        if (name !== "last_reserved_ip.0") expect(after.get(name), name).toBe(state);
      }
      expect(tempFilesIn(box.networkDir)).toEqual([]);
      expect(snapshotOutside(box)).toEqual(outside);
    },
  );

  // The store keeps an index from 64 reservations on (disk-store README); the files stay the truth.
  it("garbage in our index, lying buckets included: nothing but the reservation files decides", async () => {
    const big = (): Json => netConf(box.dataDir);
    const runBig = (command: string, id: string) =>
      call({ command, containerId: id, stdin: big(), cwd: box.cwd });
    expect((await runBig("ADD", "c0")).code).toBe(0);
    for (let i = 10; i < 90; i++) writeFileSync(inNet(`10.77.0.${i}`), `p${i}\r\neth0`);
    expect((await runBig("ADD", "c1")).code).toBe(0);
    const index = inNet(".cni-ts-index");
    const names = readdirSync(index);
    expect(names).toContain("state");
    // Every index file: garbage, or a line claiming that c1 holds p50's address.
    for (const [k, name] of names.entries()) {
      writeFileSync(join(index, name), k % 2 === 0 ? garbage(200, 10 + k) : "10.77.0.50\tc1\\r\\neth0\n");
    }
    const files = snapshotTree(box.networkDir);

    const added = await runBig("ADD", "c2");
    const [ip] = addressesOf(added);
    expect(files.has(ip ?? ""), `${ip} was taken`).toBe(false);
    expect((await runBig("DEL", "c1")).code).toBe(0);
    expect((await runBig("CHECK", "p50")).code).toBe(0);
    expect(readFileSync(inNet("10.77.0.50"), "utf8")).toBe("p50\r\neth0");
    expectCniError(await runBig("CHECK", "c1"), "CHECK of a released container", 999);
    const after = snapshotTree(box.networkDir);
    for (let i = 10; i < 90; i++) expect(after.get(`10.77.0.${i}`)).toBe(files.get(`10.77.0.${i}`));
    expect(reservationsIn(box.networkDir)).not.toContain("10.77.0.3");
    expect(reservationsIn(box.networkDir)).toEqual(expect.arrayContaining(["10.77.0.2", ip]));
  });
});
