import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  holdFlock,
  isUnlocked,
  isWaitingForLock,
  makeTempDataDir,
  type TempDir,
  waitUntil,
} from "../src/index.js";

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDataDir();
});
afterEach(() => tmp.cleanup());

describe("holdFlock", { timeout: 20_000 }, () => {
  it.each([false, true])(
    "holds the lock (shared: %s) until released, then logs the event",
    async (shared) => {
      const lock = join(tmp.path, "lock");
      const events = join(tmp.path, "events");
      const held = await holdFlock(lock, { shared, eventsFile: events, event: "let go" });
      expect(held.pid).toBeGreaterThan(0);
      expect(await isUnlocked(lock)).toBe(false);
      expect(existsSync(events)).toBe(false);
      await held.release();
      expect(readFileSync(events, "utf8")).toBe("let go\n");
      expect(await isUnlocked(lock)).toBe(true);
      await held.release();
    },
  );

  it("shows a process blocked on the lock in /proc/locks", async () => {
    const lock = join(tmp.path, "lock");
    const held = await holdFlock(lock);
    const blocked = spawn("flock", [lock, "true"], { stdio: "ignore" });
    const closed = new Promise<number | null>((r) => blocked.on("close", (code) => r(code)));
    try {
      await waitUntil(() => isWaitingForLock(blocked.pid ?? -1), "flock waiter to block");
      expect(isWaitingForLock(blocked.pid ?? -1)).toBe(true);
    } finally {
      await held.release();
    }
    expect(await closed).toBe(0);
    expect(isWaitingForLock(blocked.pid ?? -1)).toBe(false);
  });
});

describe("waitUntil", () => {
  it("resolves once the predicate holds", async () => {
    let n = 0;
    await waitUntil(() => ++n >= 3, "three polls", 5_000, 1);
    expect(n).toBe(3);
  });

  it("rejects with the message when the predicate never holds", async () => {
    await expect(waitUntil(() => false, "never", 30, 5)).rejects.toThrow("timed out waiting: never");
  });
});
