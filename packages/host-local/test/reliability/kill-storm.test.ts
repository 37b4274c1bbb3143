// Kill storms (issue #8): hundreds of ADDs and DELs of a dual-stack network, several at a time, most of
// them SIGKILLed at a random moment, the way a runtime's timeout kills a plugin. Afterwards:
// - no stale lock: nobody holds the network's lock;
// - no empty or malformed file: every reservation is named by an address of its range and holds
//   exactly `<container>\r\neth0`; every hint is a whole address;
// - no address held by two attachments, and no attachment holding two addresses of one set;
// - every completed ADD's addresses were on disk, owned by it, when it answered, and stay so until a DEL
//   of the same attachment; every completed DEL left nothing of its attachment;
// - the only other leftovers are temp files of killed processes, which GC removes, and DEL then
//   cleans up everything.
// Operations of one container never overlap (the spec guarantees that much to plugins); those of
// different containers do. The network starts with 70 reservations of other containers, so the store
// keeps its index (disk-store README) and kills also land while it is written; those reservations must
// come through untouched. A failing run names its seed.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isUnlocked, type StartedPlugin, startPlugin } from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CALL_TIMEOUT_MS,
  call,
  dualStack,
  invocation,
  type Json,
  makeSandbox,
  mulberry32,
  namesIn,
  PLUGIN,
  reservationsIn,
  runBounded,
  type Sandbox,
  snapshotOutside,
  TEMP_FILE,
} from "./harness.js";

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox("storm");
});
afterEach(() => box.cleanup());

const CONTAINERS = 30;
const OPS_PER_CONTAINER = 9;
const CONCURRENCY = 6;
// Most calls are killed somewhere in their first 30 ms: the binary starts in about 10 ms, so kills land
// before, during and after the locked section; the rest run to completion.
const KILL_PROBABILITY = 0.65;
const MAX_KILL_DELAY_MS = 30;

const V4 = /^10\.77\.0\.(\d+)$/;
const V6 = /^2001:db8:77::[0-9a-f]{1,4}$/;
const OWNER = /^([kp]\d+)\r\neth0$/;
// Bystanders: p<i> holds 10.77.0.<100 + i> before the storm starts, and must afterwards.
const BYSTANDERS = Array.from({ length: 70 }, (_, i) => ({ id: `p${i}`, ip: `10.77.0.${100 + i}` }));

type Outcome = "completed" | "failed" | "killed";

/** What one operation did, as the storm saw it. */
interface OpRecord {
  readonly command: "ADD" | "DEL";
  readonly outcome: Outcome;
  /** The addresses a completed ADD answered with. */
  readonly addresses: readonly string[];
  readonly pid: number;
  readonly detail: string;
}

/** Runs one call and kills it after `killAfterMs` (if still running then). */
async function runWithKill(
  command: "ADD" | "DEL",
  id: string,
  config: Json,
  killAfterMs: number | undefined,
): Promise<OpRecord> {
  const run: StartedPlugin = startPlugin(PLUGIN, invocation({ command, containerId: id, stdin: config }));
  const alive = (): boolean => run.child.exitCode === null && run.child.signalCode === null;
  const killer =
    killAfterMs === undefined
      ? undefined
      : setTimeout(() => alive() && run.child.kill("SIGKILL"), killAfterMs);
  // A hang must fail the test rather than stall it: the guard kills with SIGTERM, which the storm never sends.
  const guard = setTimeout(() => alive() && run.child.kill("SIGTERM"), CALL_TIMEOUT_MS);
  const out = await run.done;
  clearTimeout(killer);
  clearTimeout(guard);
  if (out.signal === "SIGKILL")
    return { command, outcome: "killed", addresses: [], pid: run.pid, detail: "" };
  const detail = `${id} ${command} pid ${run.pid}: code ${out.code} signal ${out.signal} ${out.stdout} ${out.stderr}`;
  if (out.code !== 0) return { command, outcome: "failed", addresses: [], pid: run.pid, detail };
  const ips = command === "ADD" ? ((JSON.parse(out.stdout) as { ips: { address: string }[] }).ips ?? []) : [];
  return {
    command,
    outcome: "completed",
    addresses: ips.map((ip) => ip.address.slice(0, ip.address.indexOf("/"))),
    pid: run.pid,
    detail,
  };
}

describe("a storm of killed ADDs and DELs", { timeout: 120_000 }, () => {
  it("leaves a valid, unlocked data dir that accounts for every address", async () => {
    const seed = Date.now() % 1_000_000;
    const random = mulberry32(seed);
    const context = `seed ${seed}`;
    const config = dualStack(box.dataDir);
    const outside = snapshotOutside(box);
    const killedPids = new Set<number>();
    const records = new Map<string, OpRecord[]>();
    mkdirSync(box.networkDir, { recursive: true });
    for (const { id, ip } of BYSTANDERS) writeFileSync(join(box.networkDir, ip), `${id}\r\neth0`);

    // Each container's plan is fixed up front (from the seed), so a failing run can be replayed.
    const plans = Array.from({ length: CONTAINERS }, (_, c) => ({
      id: `k${c}`,
      ops: Array.from({ length: OPS_PER_CONTAINER }, () => ({
        command: random() < 0.6 ? ("ADD" as const) : ("DEL" as const),
        killAfterMs: random() < KILL_PROBABILITY ? random() * MAX_KILL_DELAY_MS : undefined,
      })),
    }));

    await runBounded(
      plans.map(({ id, ops }) => async () => {
        const done: OpRecord[] = [];
        records.set(id, done);
        for (const op of ops) {
          const rec = await runWithKill(op.command, id, config, op.killAfterMs);
          done.push(rec);
          if (rec.outcome === "killed") {
            killedPids.add(rec.pid);
            continue;
          }
          if (rec.outcome === "failed") {
            // The one failure allowed: an ADD while the attachment still holds an address (a completed or
            // killed earlier ADD that no DEL followed, or a DEL killed between removing its IPv4 and its
            // IPv6 file, which leaves only range 1's). Runtimes answer it with DEL, as the plan may.
            expect(rec.detail, context).toMatch(
              /"code": 999,\s+"msg": "failed to allocate for range (?:0: 10\.77\.0\.\d+|1: 2001:db8:77::[0-9a-f]+) has been allocated to k\d+, duplicate allocation is not allowed"/,
            );
            continue;
          }
          // A completed ADD's addresses are on disk and its own right now: only this container's next
          // operation could remove them, and it has not started.
          for (const ip of rec.addresses) {
            expect(readFileSync(join(box.networkDir, ip), "utf8"), `${context}: ${rec.detail}`).toBe(
              `${id}\r\neth0`,
            );
          }
        }
      }),
      CONCURRENCY,
    );

    const all = [...records.values()].flat();
    const count = (o: Outcome): number => all.filter((r) => r.outcome === o).length;
    expect(all.length, context).toBe(CONTAINERS * OPS_PER_CONTAINER);
    // The storm really stormed: many kills, and many operations that finished either way.
    expect(count("killed"), context).toBeGreaterThan(all.length / 4);
    expect(count("completed") + count("failed"), context).toBeGreaterThan(all.length / 5);

    // No stale lock.
    expect(await isUnlocked(join(box.networkDir, "lock")), context).toBe(true);

    // Every reservation is whole and names one of our containers; every hint is a whole address.
    const perOwner = new Map<string, string[]>();
    for (const name of reservationsIn(box.networkDir)) {
      expect(V4.test(name) || V6.test(name), `${context}: file name ${name}`).toBe(true);
      const content = readFileSync(join(box.networkDir, name), "utf8");
      const owner = OWNER.exec(content)?.[1];
      expect(owner, `${context}: ${name} holds ${JSON.stringify(content)}`).toBeDefined();
      perOwner.set(owner ?? "", [...(perOwner.get(owner ?? "") ?? []), name]);
    }
    for (const [index, pattern] of [
      [0, V4],
      [1, V6],
    ] as const) {
      const path = join(box.networkDir, `last_reserved_ip.${index}`);
      if (namesIn(box.networkDir).includes(`last_reserved_ip.${index}`)) {
        expect(readFileSync(path, "utf8"), `${context}: hint ${index}`).toMatch(pattern);
      }
    }

    // At most one address per set for each attachment; exactly what the last operation implies when it
    // was not killed.
    for (const [id, ops] of records) {
      const held = perOwner.get(id) ?? [];
      expect(held.filter((n) => V4.test(n)).length, `${context}: ${id} holds ${held}`).toBeLessThanOrEqual(1);
      expect(held.filter((n) => V6.test(n)).length, `${context}: ${id} holds ${held}`).toBeLessThanOrEqual(1);
      const decisive = [...ops].reverse().find((r) => r.outcome !== "failed");
      if (decisive?.outcome === "completed") {
        const expected = decisive.command === "ADD" ? [...decisive.addresses].sort() : [];
        expect([...held].sort(), `${context}: ${id} after ${decisive.detail}`).toEqual(expected);
      }
    }

    // The bystanders kept exactly their addresses.
    for (const { id, ip } of BYSTANDERS) expect(perOwner.get(id), `${context}: ${id}`).toEqual([ip]);

    // Dot-files: temp files of killed processes only (an index of ours may also exist).
    for (const name of namesIn(box.networkDir).filter((n) => n.startsWith("."))) {
      const pid = TEMP_FILE.exec(name)?.[1];
      if (pid !== undefined)
        expect(killedPids.has(Number(pid)), `${context}: ${name} of a live pid`).toBe(true);
    }

    // GC with every container valid removes those temp files and no reservation.
    const before = reservationsIn(box.networkDir);
    const gc = await call({
      command: "GC",
      stdin: {
        ...config,
        cniVersion: "1.1.0",
        "cni.dev/valid-attachments": [...plans, ...BYSTANDERS].map(({ id }) => ({
          containerID: id,
          ifname: "eth0",
        })),
      },
    });
    expect({ code: gc.code, stdout: gc.stdout }, context).toEqual({ code: 0, stdout: "" });
    expect(
      namesIn(box.networkDir).filter((n) => TEMP_FILE.test(n)),
      context,
    ).toEqual([]);
    expect(reservationsIn(box.networkDir), context).toEqual(before);

    // DEL of every container releases everything; the lock is free again.
    for (const { id } of [...plans, ...BYSTANDERS]) {
      const del = await call({ command: "DEL", containerId: id, stdin: config });
      expect({ id, code: del.code, stdout: del.stdout }, context).toEqual({ id, code: 0, stdout: "" });
    }
    expect(reservationsIn(box.networkDir), context).toEqual([]);
    expect(await isUnlocked(join(box.networkDir, "lock")), context).toBe(true);
    expect(snapshotOutside(box), context).toEqual(outside);
  });
});
