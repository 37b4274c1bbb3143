import { describe, expect, it } from "vitest";
import {
  compareDataDirs,
  type DataFile,
  normaliseError,
  normaliseResult,
  ORACLE_VERSIONS,
} from "../src/index.js";

const file = (text: string, mode: number): DataFile => ({ bytes: Buffer.from(text), mode });

describe("ORACLE_VERSIONS", () => {
  it("lists every version 1.1.1 and ours both implement, 1.1.0 excluded", () => {
    expect(ORACLE_VERSIONS).toEqual(["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"]);
  });
});

describe("normaliseResult", () => {
  const routesIn = [{ dst: "0.0.0.0/0" }, { dst: "192.168.0.0/16", gw: "10.1.2.1", mtu: 1400, table: 5 }];
  const routesOut = [{ dst: "0.0.0.0/0" }, { dst: "192.168.0.0/16", gw: "10.1.2.1" }];
  it.each([
    [
      "1.x: empty dns dropped, routes reduced",
      { cniVersion: "1.0.0", ips: [], routes: routesIn, dns: {} },
      { cniVersion: "1.0.0", ips: [], routes: routesOut },
    ],
    [
      "1.x: a non-empty dns kept",
      { cniVersion: "1.0.0", ips: [], dns: { nameservers: ["192.0.2.3"] } },
      { cniVersion: "1.0.0", ips: [], dns: { nameservers: ["192.0.2.3"] } },
    ],
    [
      "0.4.0: empty dns kept, routes reduced",
      { cniVersion: "0.4.0", ips: [], routes: routesIn, dns: {} },
      { cniVersion: "0.4.0", ips: [], routes: routesOut, dns: {} },
    ],
    [
      "0.2.0: unchanged",
      { cniVersion: "0.2.0", ip4: { ip: "10.1.2.2/24", routes: routesOut }, dns: {} },
      { cniVersion: "0.2.0", ip4: { ip: "10.1.2.2/24", routes: routesOut }, dns: {} },
    ],
    ["an error object: unchanged", { code: 999, msg: "x" }, { code: 999, msg: "x" }],
    ["nothing: unchanged", undefined, undefined],
  ])("%s", (_label, input, expected) => {
    expect(normaliseResult(input)).toEqual(expected);
  });

  it("treats a printed empty dns and an omitted one alike", () => {
    expect(normaliseResult({ cniVersion: "1.0.0", ips: [], dns: {} })).toEqual(
      normaliseResult({ cniVersion: "1.0.0", ips: [] }),
    );
  });
});

describe("normaliseError", () => {
  const head = 'config is "abc", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]';
  const old = 'config is "abc", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0"]';
  it.each([
    [
      { code: 1, msg: "incompatible CNI versions", details: head },
      { code: 1, msg: "incompatible CNI versions", details: old },
    ],
    [
      { code: 1, msg: "incompatible CNI versions", details: old },
      { code: 1, msg: "incompatible CNI versions", details: old },
    ],
    [
      { code: 999, msg: "other", details: head },
      { code: 999, msg: "other", details: head },
    ],
    [undefined, undefined],
  ])("normalises %j", (input, expected) => {
    expect(normaliseError(input)).toEqual(expected);
  });
});

describe("compareDataDirs", () => {
  const reference = new Map([
    ["mynet/10.1.2.2", file("c1\r\neth0", 0o644)],
    ["mynet/lock", file("", 0o750)],
  ]);
  it.each([
    [
      "identical trees",
      [
        ["mynet/10.1.2.2", file("c1\r\neth0", 0o644)],
        ["mynet/lock", file("", 0o750)],
      ],
      [],
    ],
    [
      "ours stricter (0600 against 0644)",
      [
        ["mynet/10.1.2.2", file("c1\r\neth0", 0o600)],
        ["mynet/lock", file("", 0o750)],
      ],
      [],
    ],
    [
      "ours looser",
      [
        ["mynet/10.1.2.2", file("c1\r\neth0", 0o666)],
        ["mynet/lock", file("", 0o750)],
      ],
      ["mode of mynet/10.1.2.2: ours 0666 grants more than 0644"],
    ],
    [
      "a content difference",
      [
        ["mynet/10.1.2.2", file("c1\r\neth1", 0o644)],
        ["mynet/lock", file("", 0o750)],
      ],
      ['content of mynet/10.1.2.2: ours "c1\\r\\neth1", reference "c1\\r\\neth0"'],
    ],
    [
      "a missing and an extra file",
      [
        ["mynet/10.1.2.3", file("c1\r\neth0", 0o644)],
        ["mynet/lock", file("", 0o750)],
      ],
      ["missing in ours: mynet/10.1.2.2", 'only in ours: mynet/10.1.2.3 = "c1\\r\\neth0"'],
    ],
  ] as const)("%s", (_label, entries, expected) => {
    expect(compareDataDirs(new Map(entries), reference)).toEqual(expected);
  });
});
