import type { Store } from "@cni-ts/allocator";
import { describe, expect, it } from "vitest";
import { underLock, withoutLock } from "../../../src/index.js";

interface Faults {
  lock?: boolean;
  work?: boolean;
  close?: boolean;
}

function recordingStore(calls: string[], faults: Faults): Store {
  const step = async (name: string, fail: boolean | undefined): Promise<void> => {
    calls.push(name);
    if (fail) throw new Error(`${name} failed`);
  };
  const unused = (): never => {
    throw new Error("not used by a session");
  };
  return {
    lock: () => step("lock", faults.lock),
    unlock: () => step("unlock", false),
    close: () => step("close", faults.close),
    reserve: unused,
    lastReservedIp: unused,
    getById: unused,
    releaseById: unused,
    release: unused,
    getOwner: unused,
    list: unused,
  };
}

async function outcome(session: typeof underLock, faults: Faults) {
  const calls: string[] = [];
  const store = recordingStore(calls, faults);
  try {
    const value = await session(store, async () => {
      calls.push("work");
      if (faults.work) throw new Error("work failed");
      return 42;
    });
    return { calls, value };
  } catch (err) {
    return { calls, error: (err as Error).message };
  }
}

describe("underLock", () => {
  it.each([
    [{}, { calls: ["lock", "work", "close"], value: 42 }],
    [{ work: true }, { calls: ["lock", "work", "close"], error: "work failed" }],
    [{ lock: true }, { calls: ["lock", "close"], error: "lock failed" }],
    [
      { work: true, close: true },
      { calls: ["lock", "work", "close"], error: "work failed" },
    ],
    [{ close: true }, { calls: ["lock", "work", "close"], error: "close failed" }],
  ])("with faults %j", async (faults, expected) => {
    expect(await outcome(underLock, faults)).toEqual(expected);
  });
});

describe("withoutLock", () => {
  it.each([
    [{}, { calls: ["work", "close"], value: 42 }],
    [{ work: true }, { calls: ["work", "close"], error: "work failed" }],
    [
      { work: true, close: true },
      { calls: ["work", "close"], error: "work failed" },
    ],
    [{ close: true }, { calls: ["work", "close"], error: "close failed" }],
  ])("with faults %j", async (faults, expected) => {
    expect(await outcome(withoutLock, faults)).toEqual(expected);
  });
});
