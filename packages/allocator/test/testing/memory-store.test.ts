import { describe, expect, it } from "vitest";
import { describeStoreContract, MemoryStore } from "../../src/testing/index.js";

describeStoreContract("MemoryStore", async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close(), plantLegacy: (ip, id) => store.plantLegacy(ip, id) };
});

describe("MemoryStore", () => {
  it("starts with the reservations and hints it is given", async () => {
    const store = new MemoryStore({
      reservations: [
        { ip: "10.0.0.3", containerId: " c1 ", ifname: "eth0" },
        { ip: "10.0.0.2", containerId: "c2", ifname: undefined },
      ],
      lastReserved: { "0": "10.0.0.3" },
    });
    expect(await store.list()).toEqual([
      { ip: "10.0.0.2", containerId: "c2", ifname: undefined },
      { ip: "10.0.0.3", containerId: "c1", ifname: "eth0" },
    ]);
    expect(await store.lastReservedIp("0")).toBe("10.0.0.3");
  });

  it("makes a second lock wait for unlock, in order", async () => {
    const store = new MemoryStore();
    const events: string[] = [];
    await store.lock();
    const second = store.lock().then(() => events.push("second"));
    const third = store.lock().then(() => events.push("third"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([]);
    await store.unlock();
    await second;
    expect(events).toEqual(["second"]);
    await store.unlock();
    await third;
    expect(events).toEqual(["second", "third"]);
  });

  it("trims container IDs like Go's TrimSpace (U+0085 yes, U+FEFF no)", async () => {
    const store = new MemoryStore();
    await store.reserve("\u0085c1\u00a0", "eth0", "10.0.0.2", "0");
    await store.reserve("\ufeffc2", "eth0", "10.0.0.3", "0");
    expect(await store.getOwner("10.0.0.2")).toEqual({ containerId: "c1", ifname: "eth0" });
    expect(await store.getOwner("10.0.0.3")).toEqual({ containerId: "\ufeffc2", ifname: "eth0" });
  });

  it("refuses every call once closed, and lets waiting lockers through", async () => {
    const store = new MemoryStore();
    await store.lock();
    const waiting = store.lock();
    await store.close();
    await expect(waiting).resolves.toBeUndefined();
    await expect(store.list()).rejects.toMatchObject({ code: 11, msg: "store is closed" });
    await expect(store.lock()).rejects.toMatchObject({ code: 11 });
    await expect(store.close()).resolves.toBeUndefined();
  });
});
