// Lock interop: while util-linux `flock` holds `<dataDir>/<name>/lock` (as another plugin or an operator
// would), our ADD, DEL and CHECK must wait for it (contract 6.4). Ordering is proven by events, not by
// time: the kernel lists our process as a waiter in /proc/locks, nothing is written meanwhile, and the
// holder's "released" line precedes our exit.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  holdFlock,
  isWaitingForLock,
  makeTempDataDir,
  readDataDir,
  runPlugin,
  type StartedPlugin,
  startPlugin,
  type TempDir,
  waitUntil,
} from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { allocationNames, invocation, NETWORK, netConf, OURS } from "./harness.js";

let data: TempDir;
let scratch: TempDir;
beforeEach(() => {
  data = makeTempDataDir("cni-ts-lock-");
  scratch = makeTempDataDir("cni-ts-events-");
});
afterEach(() => {
  data.cleanup();
  scratch.cleanup();
});

const ipam = { ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]] };

describe("our plugin waits for an flock held by util-linux flock", { timeout: 60_000 }, () => {
  it.each([
    ["ADD", false, ["10.1.2.2", "10.1.2.3", "2001:db8:1::2", "2001:db8:1::3"]],
    ["ADD", true, ["10.1.2.2", "10.1.2.3", "2001:db8:1::2", "2001:db8:1::3"]],
    ["DEL", false, []],
    ["CHECK", false, ["10.1.2.2", "2001:db8:1::2"]],
  ] as const)("%s (holder shared: %s)", async (command, shared, filesAfter) => {
    const config = netConf("1.0.0", data.path, ipam);
    // c1 holds .2 first, so every command has something to look at.
    const setup = await runPlugin(
      OURS,
      invocation({ command: "ADD", containerId: "c1", ifname: "eth0" }, config, data.path),
    );
    expect(setup.code).toBe(0);
    const network = join(data.path, NETWORK);
    const before = allocationNames(readDataDir(network)).sort();
    const events = join(scratch.path, "events");

    const holder = await holdFlock(join(network, "lock"), { shared, eventsFile: events });
    let started: StartedPlugin;
    try {
      const containerId = command === "ADD" ? "c2" : "c1";
      started = startPlugin(OURS, invocation({ command, containerId, ifname: "eth0" }, config, data.path));
    } catch (e) {
      await holder.release();
      throw e;
    }
    try {
      const pid = started.pid;
      await waitUntil(() => isWaitingForLock(pid), `${command} (pid ${pid}) to block on the lock`, 20_000);
      // Blocked: nothing has changed on disk and the holder has not let go yet.
      expect(allocationNames(readDataDir(network)).sort()).toEqual(before);
      expect(existsSync(events)).toBe(false);
    } finally {
      await holder.release();
      // Wait for our process whatever happened, so no test leaves it behind.
      await started.done.catch(() => undefined);
    }
    const outcome = await started.done;
    appendFileSync(events, `${command} exited\n`);
    expect(readFileSync(events, "utf8")).toBe(`released\n${command} exited\n`);
    expect({ code: outcome.code, stdout: command === "ADD" ? "" : outcome.stdout }).toEqual({
      code: 0,
      stdout: "",
    });
    expect(allocationNames(readDataDir(network)).sort()).toEqual([...filesAfter].sort());
  });
});
