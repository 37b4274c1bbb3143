// Crash safety: ADDs killed with SIGKILL at random moments (0-20 ms after they start) must leave a data
// dir that is valid at every instant (STYLE "every write that can be interrupted goes through one
// helper"; contract 10, items 21-23): no lock left held, no empty or malformed reservation, no
// container holding two addresses of one set, DEL cleans every container up, and the only leftovers are
// temp dot-files of killed processes, which GC removes.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  dataDirContents,
  isUnlocked,
  makeTempDataDir,
  readDataDir,
  runPlugin,
  type StartedPlugin,
  startPlugin,
  type TempDir,
} from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { allocationNames, invocation, NETWORK, netConf, OURS, REFERENCE } from "./harness.js";

let data: TempDir;
beforeEach(() => {
  data = makeTempDataDir("cni-ts-crash-");
});
afterEach(() => data.cleanup());

// A small seeded generator, so a failing run can be told apart and its kill times reasoned about.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Small batches keep each process's start-up short enough for 0-20 ms to land in every phase of an ADD;
// one process in four is never killed, so kills also hit a directory with live reservations.
const ROUNDS = 12;
const PER_ROUND = 4;
const ipam = { ranges: [[{ subnet: "10.5.0.0/24" }], [{ subnet: "2001:db8:5::/64" }]] };
const V4 = /^10\.5\.0\.(\d+)$/;
const V6 = /^2001:db8:5::[0-9a-f]+$/;
const OWNER = /^(k\d+)\r\neth0$/;
// Our temp files: `.<ip>.tmp-<pid>-<n>` (reference/decisions.md "The data dir").
const TEMP = /\.tmp-(\d+)-\d+$/;

describe("ADDs killed at random moments", { timeout: 120_000 }, () => {
  it("leave a consistent, unlocked, cleanable data dir", async () => {
    const seed = Date.now() % 1_000_000;
    const random = mulberry32(seed);
    const context = `seed ${seed}`;
    const config = netConf("1.0.0", data.path, ipam);
    const killedPids = new Set<number>();
    const ids: string[] = [];
    let completed = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const batch: { id: string; run: StartedPlugin; delay: number }[] = [];
      for (let k = 0; k < PER_ROUND; k++) {
        const id = `k${round * PER_ROUND + k}`;
        ids.push(id);
        batch.push({
          id,
          delay: k === PER_ROUND - 1 ? Number.POSITIVE_INFINITY : random() * 20,
          run: startPlugin(
            OURS,
            invocation({ command: "ADD", containerId: id, ifname: "eth0" }, config, data.path),
          ),
        });
      }
      const timers = batch
        .filter(({ delay }) => Number.isFinite(delay))
        .map(({ run, delay }) =>
          setTimeout(() => {
            if (run.child.exitCode === null && run.child.signalCode === null) {
              killedPids.add(run.pid);
              run.child.kill("SIGKILL");
            }
          }, delay),
        );
      const outcomes = await Promise.all(batch.map(({ run }) => run.done));
      for (const t of timers) clearTimeout(t);
      for (const o of outcomes) {
        // Each process either finished normally (and succeeded: the range is far from full) or was killed.
        if (o.signal === null) {
          expect({ code: o.code, stdout: o.code === 0 ? "" : o.stdout }, context).toEqual({
            code: 0,
            stdout: "",
          });
          completed++;
        } else {
          expect(o.signal, context).toBe("SIGKILL");
        }
      }
    }

    const network = join(data.path, NETWORK);
    // No stale lock: nobody holds it any more.
    expect(await isUnlocked(join(network, "lock")), context).toBe(true);

    const snapshot = readDataDir(network, { ignoreDotNames: true });
    const files = dataDirContents(snapshot);
    const reserved = allocationNames(snapshot).length;
    const perOwner = new Map<string, string[]>();
    for (const name of allocationNames(snapshot)) {
      // Every reservation is complete: named by an address of a range, owned by one of our containers.
      expect(V4.test(name) || V6.test(name), `${context}: file name ${name}`).toBe(true);
      const owner = OWNER.exec(files[name] ?? "")?.[1];
      expect(owner, `${context}: content of ${name} is ${JSON.stringify(files[name])}`).toBeDefined();
      perOwner.set(owner ?? "", [...(perOwner.get(owner ?? "") ?? []), name]);
    }
    // No container holds two addresses of one set (a killed ADD's retry would have been refused anyway).
    for (const [owner, names] of perOwner) {
      expect(names.filter((n) => V4.test(n)).length, `${context}: ${owner} v4 ${names}`).toBeLessThanOrEqual(
        1,
      );
      expect(names.filter((n) => V6.test(n)).length, `${context}: ${owner} v6 ${names}`).toBeLessThanOrEqual(
        1,
      );
    }
    // Every finished ADD left both its addresses behind; the never-killed quarter finished for sure.
    expect(completed, context).toBeGreaterThanOrEqual(ROUNDS);
    expect(perOwner.size, context).toBeGreaterThanOrEqual(completed);
    // The round-robin hints are whole addresses, never empty or torn.
    for (const [index, pattern] of [
      [0, V4],
      [1, V6],
    ] as const) {
      const hint = files[`last_reserved_ip.${index}`];
      if (hint !== undefined)
        expect(pattern.test(hint), `${context}: hint ${index} = ${JSON.stringify(hint)}`).toBe(true);
    }
    // Dot-files are our temp files, and only killed processes can have left one.
    for (const name of readdirSync(network).filter((n) => n.startsWith("."))) {
      const pid = TEMP.exec(name)?.[1];
      if (pid !== undefined)
        expect(killedPids.has(Number(pid)), `${context}: ${name} from a live pid`).toBe(true);
    }

    // Both binaries can still allocate in the directory after the crashes.
    for (const [id, binary] of [
      ["after-ours", OURS],
      ["after-upstream", REFERENCE],
    ] as const) {
      const conf = binary === REFERENCE ? netConf("1.0.0", data.path, ipam) : config;
      const run = await runPlugin(
        binary,
        invocation({ command: "ADD", containerId: id, ifname: "eth0" }, conf, data.path),
      );
      expect({ id, code: run.code }, `${context}: ${run.stdout}`).toEqual({ id, code: 0 });
      ids.push(id);
    }

    // GC with every container valid removes the temp files of killed processes and nothing else.
    const attachments = ids.map((containerID) => ({ containerID, ifname: "eth0" }));
    const gc = await runPlugin(OURS, {
      command: "GC",
      path: "/opt/cni/bin",
      stdin: { ...config, cniVersion: "1.1.0", "cni.dev/valid-attachments": attachments },
    });
    expect({ code: gc.code, stdout: gc.stdout }, context).toEqual({ code: 0, stdout: "" });
    expect(
      readdirSync(network).filter((n) => TEMP.test(n)),
      `${context}: temp files after GC`,
    ).toEqual([]);
    // Two more containers with two addresses each; GC released no reservation of a valid attachment.
    expect(allocationNames(readDataDir(network, { ignoreDotNames: true })).length, context).toBe(
      reserved + 4,
    );

    // DEL of each container cleans up completely.
    for (const id of ids) {
      const del = await runPlugin(
        OURS,
        invocation({ command: "DEL", containerId: id, ifname: "eth0" }, config, data.path),
      );
      expect({ id, code: del.code, stdout: del.stdout }, context).toEqual({ id, code: 0, stdout: "" });
    }
    expect(allocationNames(readDataDir(network, { ignoreDotNames: true })), context).toEqual([]);
    expect(await isUnlocked(join(network, "lock")), context).toBe(true);
  });
});
