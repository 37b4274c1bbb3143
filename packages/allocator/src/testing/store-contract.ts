/**
 * The shared contract suite: what every {@link Store} must do, pinned once and run against each
 * implementation (in-memory, disk, ...) so that no store and no test double can drift from the others.
 */
import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";

/** What a store factory hands to the contract suite for one test. */
export interface StoreFixture {
  /** A fresh, empty store for one network. */
  store: Store;
  /** Frees everything the fixture made; it must cope with a store the test already closed. */
  cleanup(): Promise<void>;
  /**
   * Writes a legacy record (container ID only, no ifname) for `ip`, as very old upstream versions did.
   * Optional in the type so a factory can be written before legacy support exists, but every store
   * must understand legacy records: the legacy tests fail when this is missing.
   */
  plantLegacy?(ip: string, containerId: string): Promise<void>;
}

type StoreTest = (fixture: StoreFixture) => Promise<void>;

function legacyPlanter(fixture: StoreFixture): (ip: string, containerId: string) => Promise<void> {
  const plant = fixture.plantLegacy?.bind(fixture);
  if (plant === undefined) {
    throw new Error("the store fixture has no plantLegacy(); legacy records are part of the Store contract");
  }
  return plant;
}

/**
 * Registers the Store contract suite under `describe(name)`. Each test gets its own fixture from
 * `factory` and calls its `cleanup` afterwards, pass or fail.
 *
 * Addresses are canonical text throughout (the store compares them as strings). What is pinned:
 * exclusive `reserve` and the per-set last reserved address it records; container IDs compared with
 * surrounding whitespace removed; `getById` with legacy records, sorted; `releaseById` removing exact
 * records first and legacy records only when there were none; `release` only for the exact owner;
 * `getOwner`; `list` sorted by address text; lock, unlock and close.
 */
export function describeStoreContract(name: string, factory: () => Promise<StoreFixture>): void {
  const withFixture = (test: StoreTest) => async () => {
    const fixture = await factory();
    try {
      await fixture.store.lock();
      await test(fixture);
    } finally {
      await fixture.cleanup();
    }
  };

  describe(name, () => {
    describe("reserve", () => {
      it.each([
        ["IPv4", "10.1.2.2"],
        ["IPv6", "2001:db8:1::2"],
      ])("takes a free %s address once", (_family, ip) =>
        withFixture(async ({ store }) => {
          expect(await store.reserve("c1", "eth0", ip, "0")).toBe(true);
          expect(await store.getOwner(ip)).toEqual({ containerId: "c1", ifname: "eth0" });
        })(),
      );

      it.each([
        ["another container", "c2", "eth0"],
        ["another ifname", "c1", "eth1"],
        ["the same owner", "c1", "eth0"],
      ])("refuses a taken address to %s and changes nothing", (_who, containerId, ifname) =>
        withFixture(async ({ store }) => {
          expect(await store.reserve("c1", "eth0", "10.1.2.2", "0")).toBe(true);
          expect(await store.reserve("c1", "eth0", "10.1.2.3", "0")).toBe(true);
          expect(await store.reserve(containerId, ifname, "10.1.2.2", "0")).toBe(false);
          expect(await store.getOwner("10.1.2.2")).toEqual({ containerId: "c1", ifname: "eth0" });
          expect(await store.lastReservedIp("0")).toBe("10.1.2.3");
        })(),
      );

      it(
        "stores the container ID with surrounding whitespace removed",
        withFixture(async ({ store }) => {
          expect(await store.reserve("  c1\n ", "eth0", "10.1.2.2", "0")).toBe(true);
          expect(await store.getOwner("10.1.2.2")).toEqual({ containerId: "c1", ifname: "eth0" });
          expect(await store.getById("c1", "eth0")).toEqual(["10.1.2.2"]);
          expect(await store.getById(" c1 ", "eth0")).toEqual(["10.1.2.2"]);
        }),
      );
    });

    describe("lastReservedIp", () => {
      it(
        "is undefined for a set nothing was reserved in",
        withFixture(async ({ store }) => {
          expect(await store.lastReservedIp("0")).toBeUndefined();
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          expect(await store.lastReservedIp("1")).toBeUndefined();
        }),
      );

      it(
        "is kept per range set and follows each successful reservation",
        withFixture(async ({ store }) => {
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          await store.reserve("c1", "eth0", "2001:db8:1::2", "1");
          expect(await store.lastReservedIp("0")).toBe("10.1.2.2");
          expect(await store.lastReservedIp("1")).toBe("2001:db8:1::2");
          await store.reserve("c2", "eth0", "10.1.2.9", "0");
          expect(await store.lastReservedIp("0")).toBe("10.1.2.9");
          expect(await store.lastReservedIp("1")).toBe("2001:db8:1::2");
        }),
      );

      it(
        "survives the release of the address it names",
        withFixture(async ({ store }) => {
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          await store.releaseById("c1", "eth0");
          expect(await store.getOwner("10.1.2.2")).toBeUndefined();
          expect(await store.lastReservedIp("0")).toBe("10.1.2.2");
        }),
      );
    });

    describe("getById", () => {
      it(
        "returns the addresses of exactly that container and ifname, sorted as text",
        withFixture(async ({ store }) => {
          for (const ip of ["10.1.2.2", "10.1.2.10", "2001:db8:1::2"])
            await store.reserve("c1", "eth0", ip, "0");
          await store.reserve("c1", "eth1", "10.1.2.3", "0");
          await store.reserve("c2", "eth0", "10.1.2.4", "0");
          expect(await store.getById("c1", "eth0")).toEqual(["10.1.2.10", "10.1.2.2", "2001:db8:1::2"]);
          expect(await store.getById("c1", "eth1")).toEqual(["10.1.2.3"]);
          expect(await store.getById("c3", "eth0")).toEqual([]);
        }),
      );

      it(
        "counts a legacy record as held by every ifname of its container",
        withFixture(async (fixture) => {
          const { store } = fixture;
          await legacyPlanter(fixture)("10.1.2.5", "c1");
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          expect(await store.getById("c1", "eth0")).toEqual(["10.1.2.2", "10.1.2.5"]);
          expect(await store.getById("c1", "eth9")).toEqual(["10.1.2.5"]);
          expect(await store.getById("c2", "eth0")).toEqual([]);
          expect(await store.getOwner("10.1.2.5")).toEqual({ containerId: "c1", ifname: undefined });
        }),
      );

      it(
        "does not mistake the last reserved address for a record of a container named like it",
        withFixture(async ({ store }) => {
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          expect(await store.getById("10.1.2.2", "eth0")).toEqual([]);
        }),
      );
    });

    describe("releaseById", () => {
      it(
        "removes every address of exactly that container and ifname, and is idempotent",
        withFixture(async ({ store }) => {
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          await store.reserve("c1", "eth0", "2001:db8:1::2", "1");
          await store.reserve("c1", "eth1", "10.1.2.3", "0");
          await store.reserve("c2", "eth0", "10.1.2.4", "0");
          await store.releaseById("c1", "eth0");
          await store.releaseById("c1", "eth0");
          expect((await store.list()).map((a) => a.ip)).toEqual(["10.1.2.3", "10.1.2.4"]);
        }),
      );

      it(
        "removes legacy records of the container only when it had no exact record",
        withFixture(async (fixture) => {
          const { store } = fixture;
          await legacyPlanter(fixture)("10.1.2.5", "c1");
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          await store.releaseById("c1", "eth0");
          expect((await store.list()).map((a) => a.ip)).toEqual(["10.1.2.5"]);
          await store.releaseById("c1", "eth0");
          expect(await store.list()).toEqual([]);
        }),
      );

      it(
        "removes a legacy record for any ifname of its container, and nothing of other containers",
        withFixture(async (fixture) => {
          const { store } = fixture;
          await legacyPlanter(fixture)("10.1.2.5", "c1");
          await legacyPlanter(fixture)("10.1.2.6", "c2");
          await store.releaseById("c1", "eth9");
          expect(await store.list()).toEqual([{ ip: "10.1.2.6", containerId: "c2", ifname: undefined }]);
        }),
      );

      it(
        "leaves the records and hints alone when the container is named like an address",
        withFixture(async ({ store }) => {
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          await store.releaseById("10.1.2.2", "eth0");
          expect(await store.getOwner("10.1.2.2")).toEqual({ containerId: "c1", ifname: "eth0" });
          expect(await store.lastReservedIp("0")).toBe("10.1.2.2");
        }),
      );
    });

    describe("release", () => {
      it.each([
        ["another container", "c2", "eth0", false],
        ["another ifname", "c1", "eth1", false],
        ["the owner", "c1", "eth0", true],
      ])("by %s removes the address: %s", (_who, containerId, ifname, removed) =>
        withFixture(async ({ store }) => {
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          await store.release("10.1.2.2", containerId, ifname);
          expect(await store.getOwner("10.1.2.2")).toEqual(
            removed ? undefined : { containerId: "c1", ifname: "eth0" },
          );
        })(),
      );

      it(
        "of a free address changes nothing",
        withFixture(async ({ store }) => {
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          await store.release("10.1.2.3", "c1", "eth0");
          expect(await store.list()).toEqual([{ ip: "10.1.2.2", containerId: "c1", ifname: "eth0" }]);
        }),
      );

      it(
        "does not remove a legacy record, which no exact owner holds",
        withFixture(async (fixture) => {
          const { store } = fixture;
          await legacyPlanter(fixture)("10.1.2.5", "c1");
          await store.release("10.1.2.5", "c1", "eth0");
          expect(await store.getOwner("10.1.2.5")).toEqual({ containerId: "c1", ifname: undefined });
        }),
      );
    });

    describe("getOwner and list", () => {
      it(
        "report nothing for an empty store",
        withFixture(async ({ store }) => {
          expect(await store.getOwner("10.1.2.2")).toBeUndefined();
          expect(await store.list()).toEqual([]);
        }),
      );

      it(
        "list every reservation with its owner, sorted by address text",
        withFixture(async (fixture) => {
          const { store } = fixture;
          await store.reserve("c2", "eth0", "2001:db8:1::2", "1");
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          await store.reserve("c3", "net1", "10.1.2.10", "0");
          await legacyPlanter(fixture)("10.1.2.5", "c4");
          expect(await store.list()).toEqual([
            { ip: "10.1.2.10", containerId: "c3", ifname: "net1" },
            { ip: "10.1.2.2", containerId: "c1", ifname: "eth0" },
            { ip: "10.1.2.5", containerId: "c4", ifname: undefined },
            { ip: "2001:db8:1::2", containerId: "c2", ifname: "eth0" },
          ]);
        }),
      );
    });

    describe("lock, unlock and close", () => {
      it(
        "can be locked again after unlock, with the data intact",
        withFixture(async ({ store }) => {
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          await store.unlock();
          await store.lock();
          expect(await store.getOwner("10.1.2.2")).toEqual({ containerId: "c1", ifname: "eth0" });
          await store.unlock();
          await expect(store.lock()).resolves.toBeUndefined();
        }),
      );

      it(
        "closes while locked",
        withFixture(async ({ store }) => {
          await store.reserve("c1", "eth0", "10.1.2.2", "0");
          await expect(store.close()).resolves.toBeUndefined();
        }),
      );
    });
  });
}
