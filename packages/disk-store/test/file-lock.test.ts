import { closeSync, existsSync, mkdirSync, openSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isCniError } from "@cni-ts/types";
import { build } from "esbuild";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { flockFile, openDiskStore, openFileLock } from "../src/index.js";
import type { Scratch } from "./helpers/fs-tree.js";
import { makeScratch, modeOf } from "./helpers/fs-tree.js";
import type { Started } from "./helpers/processes.js";
import {
  BUN,
  flockNonBlocking,
  holdFlock,
  isWaitingForFlock,
  run,
  start,
  startUpstream,
  waitUntil,
} from "./helpers/processes.js";

// The modes asserted below are those under the usual umask 022 (contract 6.1: the umask applies).
let savedUmask = 0;
beforeAll(() => {
  savedUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(savedUmask);
});

let scratch: Scratch;
beforeEach(() => {
  scratch = makeScratch();
});
afterEach(() => scratch.cleanup());

describe("openFileLock (upstream lock_test.go)", () => {
  it("locks and unlocks a regular file path", async () => {
    const path = join(scratch.path, "some-file");
    writeFileSync(path, "");
    const lock = await openFileLock(path);
    expect(lock.path).toBe(path);
    await lock.lock();
    expect(await flockNonBlocking(path)).toBe(1);
    await lock.unlock();
    expect(await flockNonBlocking(path)).toBe(0);
    await lock.close();
  });

  it("locks a directory path through <dir>/lock, created with mode 0750", async () => {
    const lock = await openFileLock(scratch.path);
    const lockPath = join(scratch.path, "lock");
    expect(lock.path).toBe(lockPath);
    expect(modeOf(lockPath)).toBe(0o750);
    await lock.lock();
    expect(await flockNonBlocking(lockPath)).toBe(1);
    await lock.unlock();
    await lock.close();
  });

  it("creates a missing lock file", async () => {
    const path = join(scratch.path, "new-lock");
    const lock = await openFileLock(path);
    expect(existsSync(path)).toBe(true);
    await lock.close();
  });

  it("releases the lock on close, and is unusable afterwards", async () => {
    const lock = await openFileLock(scratch.path);
    await lock.lock();
    await lock.close();
    await lock.close();
    expect(await flockNonBlocking(lock.path)).toBe(0);
    await expect(lock.lock()).rejects.toMatchObject({
      code: 999,
      msg: `lock file ${lock.path} is already closed`,
    });
  });

  it.each([
    [
      "a symbolic link",
      async (lock: string) => symlinkSync(join(scratch.path, "elsewhere"), lock),
      (lock: string) => `open ${lock}: too many levels of symbolic links`,
    ],
    [
      "a FIFO",
      async (lock: string) => expect((await run("mkfifo", [lock])).code).toBe(0),
      (lock: string) => `lock file ${lock} is not a regular file`,
    ],
  ])("refuses a lock file that is %s with code 5", async (_what, plant, message) => {
    const lock = join(scratch.path, "lock");
    await plant(lock);
    const err = await openFileLock(lock).catch((e: unknown) => e);
    expect(isCniError(err)).toBe(true);
    expect(err).toMatchObject({ code: 5, msg: message(lock) });
    expect(existsSync(join(scratch.path, "elsewhere"))).toBe(false);
  });

  it("tryLock reports a lock held elsewhere instead of waiting", async () => {
    const first = await openFileLock(scratch.path);
    const second = await openFileLock(scratch.path);
    await first.lock();
    expect(await second.tryLock()).toBe(false);
    await first.unlock();
    expect(await second.tryLock()).toBe(true);
    await Promise.all([first.close(), second.close()]);
  });

  it("makes a second open of the same file in this process wait, without blocking the event loop", async () => {
    const first = await openFileLock(scratch.path);
    const second = await openFileLock(scratch.path);
    const events: string[] = [];
    await first.lock();
    const waiting = second.lock().then(() => events.push("second locked"));
    await waitUntil(() => isWaitingForFlock(process.pid, first.path));
    events.push("first unlocks");
    await first.unlock();
    await waiting;
    expect(events).toEqual(["first unlocks", "second locked"]);
    await Promise.all([first.close(), second.close()]);
  });
});

describe("flockFile", () => {
  it.each([
    ["exclusive", 1],
    ["shared", 0],
  ] as const)("takes the %s lock (a shared flock -n then gives %i)", async (operation, sharedStatus) => {
    const path = join(scratch.path, "f");
    writeFileSync(path, "");
    const fd = openSync(path, "r");
    try {
      expect(await flockFile(fd, operation)).toBe(true);
      expect((await run("flock", ["-n", "-s", path, "true"])).code).toBe(sharedStatus);
      expect(await flockNonBlocking(path)).toBe(1);
      expect(await flockFile(fd, "unlock")).toBe(true);
      expect(await flockNonBlocking(path)).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  it("rejects a bad descriptor with code 5 naming the file", async () => {
    const err = await flockFile(987654, "exclusive", { path: "/x/lock" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 5, msg: "lock /x/lock: bad file descriptor" });
  });

  it("names the descriptor when no path is given", async () => {
    await expect(flockFile(987654, "unlock")).rejects.toMatchObject({
      code: 5,
      msg: "unlock file descriptor 987654: bad file descriptor",
    });
  });
});

describe("interoperation with util-linux flock and upstream's binary", () => {
  it.each(["-x", "-s"] as const)("waits while `flock %s <dir>/lock` holds the lock", async (mode) => {
    const store = await openDiskStore({ dataDir: scratch.path, network: "net" });
    const lockPath = join(store.dir, "lock");
    const holder = await holdFlock(lockPath, mode, scratch.path);
    const locked = store.lock();
    await waitUntil(() => isWaitingForFlock(process.pid, lockPath));
    holder.release();
    await locked;
    expect(existsSync(holder.releasedMarker)).toBe(true);
    expect((await holder.done).code).toBe(0);
    expect(await flockNonBlocking(lockPath)).toBe(1);
    await store.close();
    expect(await flockNonBlocking(lockPath)).toBe(0);
  });

  it("blocks upstream's host-local binary until we unlock", async () => {
    const store = await openDiskStore({ dataDir: scratch.path, network: "net" });
    const lockPath = join(store.dir, "lock");
    await store.lock();
    const upstream = startUpstream("ADD", scratch.path, "c1", "eth0");
    await waitUntil(() => isWaitingForFlock(upstream.pid, lockPath));
    expect(await store.list()).toEqual([]);
    await store.unlock();
    const outcome = await upstream.done;
    expect(outcome.code).toBe(0);
    expect(await store.list()).toEqual([{ ip: "10.1.2.2", containerId: "c1", ifname: "eth0" }]);
    await store.close();
  });
});

// Our lock in another process, built the ways the plugin ships: the source under Bun, a Node bundle
// made with esbuild (koffi stays external; the bundle sits next to a node_modules link to find it),
// and a `bun build --compile` binary run from a directory without node_modules (bun:ffi; koffi must
// not have been pulled in). Each FFI is loaded through an opaque specifier, which these builds prove.
describe.each(["bun", "node", "compiled"] as const)("our lock held by a child process (%s)", (runtime) => {
  let bundleDir: Scratch;
  let command: readonly string[];

  beforeAll(async () => {
    bundleDir = makeScratch();
    const entry = join(import.meta.dirname, "fixtures", "lock-child.ts");
    if (runtime === "bun") {
      command = [BUN, entry];
    } else if (runtime === "node") {
      const out = join(bundleDir.path, "lock-child.mjs");
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        outfile: out,
        logLevel: "silent",
      });
      symlinkSync(
        join(import.meta.dirname, "..", "..", "..", "node_modules"),
        join(bundleDir.path, "node_modules"),
      );
      command = [process.execPath, out];
    } else {
      const out = join(bundleDir.path, "lock-child");
      const built = await run(BUN, [
        "build",
        "--compile",
        "--bytecode",
        "--format=esm",
        entry,
        `--outfile=${out}`,
      ]);
      expect(built.code, built.stderr).toBe(0);
      command = [out];
    }
  }, 60_000);
  afterAll(() => bundleDir.cleanup());
  const engine = runtime === "node" ? "node" : "bun";

  const startChild = (marker?: string): Started => {
    const [cmd = "", ...args] = command;
    return start(cmd, [...args, scratch.path, "net", ...(marker === undefined ? [] : [marker])]);
  };

  it("blocks `flock -n`, and the kernel frees it when the child is killed", async () => {
    const child = startChild();
    await waitUntil(() => child.stdout().startsWith("locked"));
    expect(child.stdout()).toBe(`locked false ${engine}\n`);
    const lockPath = join(scratch.path, "net", "lock");
    expect(await flockNonBlocking(lockPath)).toBe(1);
    child.child.kill("SIGKILL");
    expect((await child.done).signal).toBe("SIGKILL");
    expect(await flockNonBlocking(lockPath)).toBe(0);
  });

  it("unlocks on request", async () => {
    const child = startChild();
    await waitUntil(() => child.stdout().startsWith("locked"));
    child.child.stdin?.end();
    const outcome = await child.done;
    expect(outcome.stdout).toBe(`locked false ${engine}\nunlocked\n`);
    expect(await flockNonBlocking(join(scratch.path, "net", "lock"))).toBe(0);
  });

  it("waits while util-linux flock holds the lock", async () => {
    mkdirSync(join(scratch.path, "net"));
    const lockPath = join(scratch.path, "net", "lock");
    const holder = await holdFlock(lockPath, "-x", scratch.path);
    const child = startChild(holder.releasedMarker);
    await waitUntil(() => isWaitingForFlock(child.pid, lockPath));
    holder.release();
    await waitUntil(() => child.stdout().startsWith("locked"));
    expect(child.stdout()).toBe(`locked true ${engine}\n`);
    expect((await holder.done).code).toBe(0);
    child.child.stdin?.end();
    expect((await child.done).code).toBe(0);
  });
});
