import { writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DiskStore } from "../src/index.js";
import { openDiskStore } from "../src/index.js";
import type { Scratch } from "./helpers/fs-tree.js";
import { makeScratch } from "./helpers/fs-tree.js";

// Which names count as addresses is observed through lastReservedIp: the store hands back a hint
// only when its content is an address name. The oracle is Node's isIP, which agrees with Go's
// net.ParseIP except for zones (Go refuses them); dot-names are never addresses.
const oracle = (text: string): boolean => !text.startsWith(".") && !text.includes("%") && isIP(text) !== 0;

let scratch: Scratch;
let store: DiskStore;

beforeEach(async () => {
  scratch = makeScratch();
  store = await openDiskStore({ dataDir: scratch.path, network: "net" });
});
afterEach(async () => {
  await store.close();
  scratch.cleanup();
});

async function acceptedAsAddress(text: string): Promise<boolean> {
  writeFileSync(join(store.dir, "last_reserved_ip.0"), text);
  return (await store.lastReservedIp("0")) === text;
}

describe("address names", () => {
  it.each([
    ["10.1.0.2", true],
    ["0.0.0.0", true],
    ["255.255.255.255", true],
    ["256.1.1.1", false],
    ["01.2.3.4", false],
    ["1.2.3.04", false],
    ["0x1.2.3.4", false],
    ["1.2.3", false],
    ["1.2.3.4.", false],
    ["1.2.3.4.5", false],
    ["", false],
    ["lock", false],
    [".10.1.0.2.tmp-1-0", false],
    ["::", true],
    ["::1", true],
    ["1::", true],
    ["2001:db8::c351", true],
    ["1:2:3:4:5:6:7:8", true],
    ["1:2:3:4:5:6:7::", true],
    ["::2:3:4:5:6:7:8", true],
    ["1:2:3:4:5:6:7:8::", false],
    ["1:2:3:4:5:6:7:8:9", false],
    ["1:2:3:4:5:6:7", false],
    ["12345::", false],
    [":::", false],
    ["1:::2", false],
    ["1::2::3", false],
    [":1::", false],
    ["1:", false],
    ["::ffff:1.2.3.4", true],
    ["::1.2.3.4", true],
    ["1:2:3:4:5:6:1.2.3.4", true],
    ["1:2:3:4:5:1.2.3.4", false],
    ["1:2:3:4:5:6::1.2.3.4", false],
    ["1.2.3.4::", false],
    ["::1.2.3.4:5", false],
    ["::01.2.3.4", false],
    ["fe80::1%eth0", false],
    ["FE80::ABCD", true],
  ])("%j is an address name: %s", async (text, expected) => {
    expect(await acceptedAsAddress(text)).toBe(expected);
    expect(oracle(text)).toBe(expected);
  });

  it("agrees with Go's parser (Node's isIP without zones) on address-like text", async () => {
    const piece = fc.oneof(
      fc.integer({ min: 0, max: 0x1ffff }).map((n) => n.toString(16)),
      fc.constantFrom("", "0", "00", "ffff", "1.2.3.4", "01.2.3.4", "255.0.0.256", "%eth0"),
    );
    const text = fc.oneof(
      fc.array(piece, { minLength: 1, maxLength: 10 }).map((parts) => parts.join(":")),
      fc.stringMatching(/^[0-9a-f:.]{0,20}$/),
    );
    await fc.assert(
      fc.asyncProperty(text, async (candidate) => {
        expect(await acceptedAsAddress(candidate)).toBe(oracle(candidate));
      }),
      { numRuns: 500 },
    );
  });
});
