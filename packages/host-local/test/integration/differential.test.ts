// Differential tests: the same command sequences against Debian's upstream host-local (1.1.1, the
// oracle) and ours, each on its own data dir, for every cniVersion both implement. After every step
// the exit status, the result or error object, stderr and every byte of the data dir must agree, up to
// the known HEAD-vs-1.1.1 differences that reference/decisions.md "Baseline and oracle" lists (see
// normaliseResult/normaliseError/compareDataDirs in @cni-ts/testutils). Cases where two errors are
// possible at once, where upstream is random, or where ours deliberately differs (a DECISION of the
// contract) are left out here; HEAD-only expectations are tested directly at the end.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDataDir, ORACLE_VERSIONS, readDataDir, runPlugin, type TempDir } from "@cni-ts/testutils";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Call,
  type DirPair,
  type Json,
  legacyReservation,
  NETWORK,
  NO_NETNS,
  netConf,
  OURS,
  runDifferential,
  type Step,
} from "./harness.js";

const TIMEOUT = 120_000;

let fixtures: TempDir;
let resolvConf = "";
beforeAll(() => {
  fixtures = makeTempDataDir("cni-ts-fixtures-");
  resolvConf = join(fixtures.path, "resolv.conf");
  writeFileSync(
    resolvConf,
    [
      "# a comment",
      "nameserver 192.0.2.3",
      "nameserver 2001:db8::53",
      "domain example.com",
      "search a.example b.example",
      "options ndots:5 rotate",
      "",
    ].join("\n"),
  );
});
afterAll(() => fixtures.cleanup());

let ours: TempDir;
let reference: TempDir;
let dirs: DirPair;
beforeEach(() => {
  ours = makeTempDataDir("cni-ts-ours-");
  reference = makeTempDataDir("cni-ts-ref-");
  dirs = { ours: ours.path, reference: reference.path };
});
afterEach(() => {
  ours.cleanup();
  reference.cleanup();
});

const add = (containerId: string, ifname = "eth0", extra: Partial<Call> = {}): Call => ({
  command: "ADD",
  containerId,
  ifname,
  ...extra,
});
const del = (containerId: string, ifname = "eth0", extra: Partial<Call> = {}): Call => ({
  command: "DEL",
  containerId,
  ifname,
  ...extra,
});
const check = (containerId: string, ifname = "eth0", extra: Partial<Call> = {}): Call => ({
  command: "CHECK",
  containerId,
  ifname,
  ...extra,
});
/** Overwrites the round-robin hint of range set 0. */
const hint = (content: string): Step => ({
  kind: "mutate",
  label: `last_reserved_ip.0 = ${JSON.stringify(content)}`,
  apply: (dir) => writeFileSync(join(dir, "last_reserved_ip.0"), content),
});
/** A call whose config gets extra top-level keys (args, runtimeConfig). */
const withTop =
  (top: Json) =>
  (base: Json): Json => ({ ...base, ...top });

const dualStack: Json = {
  ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]],
  routes: [{ dst: "0.0.0.0/0" }],
};

interface Scenario {
  readonly name: string;
  readonly ipam: () => Json;
  readonly top?: Json;
  readonly steps: readonly Step[];
}

const scenarios: Scenario[] = [
  {
    name: "the end-to-end session of contract 5.5",
    ipam: () => dualStack,
    steps: [
      add("c1"),
      add("c1"),
      add("c1", "eth1"),
      check("c1"),
      check("c9"),
      del("c1"),
      del("c1"),
      add("c2"),
      check("c2"),
      del("c2"),
      del("c1", "eth1"),
    ],
  },
  {
    name: "dual stack with two ranges in a set, routes and DNS",
    ipam: () => ({
      ranges: [
        [{ subnet: "10.1.2.0/24", rangeStart: "10.1.2.253" }, { subnet: "10.2.2.0/24" }],
        [{ subnet: "2001:db8:1::/64" }],
      ],
      routes: [
        { dst: "0.0.0.0/0" },
        { dst: "::/0" },
        { dst: "192.168.0.0/16", gw: "1.1.1.1" },
        { dst: "2001:db8:2::/64", gw: "2001:db8:3::1" },
      ],
      resolvConf,
    }),
    steps: [
      add("a"),
      add("b"),
      add("c"),
      add("d"),
      check("c"),
      del("b"),
      add("e"),
      del("a"),
      del("c"),
      del("d"),
    ],
  },
  {
    name: "legacy subnet fields alone",
    ipam: () => ({
      subnet: "10.1.2.0/24",
      rangeStart: "10.1.2.9",
      rangeEnd: "10.1.2.10",
      gateway: "10.1.2.254",
    }),
    steps: [add("c1"), add("c2"), add("c3"), del("c1"), add("c3"), del("c2"), del("c3")],
  },
  {
    name: "runtime ipRanges, legacy subnet and ranges together (set order of contract 4.3)",
    ipam: () => ({
      subnet: "10.1.2.0/24",
      rangeStart: "10.1.2.9",
      rangeEnd: "10.1.2.10",
      ranges: [[{ subnet: "11.1.2.0/24" }]],
    }),
    top: { runtimeConfig: { ipRanges: [[{ subnet: "12.1.3.0/24" }]] } },
    steps: [add("c1"), add("c2"), add("c3"), del("c1"), add("c3"), del("c2"), del("c3")],
  },
  {
    name: "two networks for one container",
    ipam: () => ({ ranges: [[{ subnet: "10.1.2.0/24" }]] }),
    steps: [
      add("dummy", "eth0", { config: (b) => ({ ...b, name: "mynet0" }) }),
      add("dummy", "eth1", {
        config: (b) => ({
          ...b,
          name: "mynet1",
          ipam: { ...(b.ipam as Json), ranges: [[{ subnet: "10.2.2.0/24" }]] },
        }),
      }),
      del("dummy", "eth0", { config: (b) => ({ ...b, name: "mynet0" }) }),
      del("dummy", "eth1", {
        config: (b) => ({
          ...b,
          name: "mynet1",
          ipam: { ...(b.ipam as Json), ranges: [[{ subnet: "10.2.2.0/24" }]] },
        }),
      }),
    ],
  },
  {
    name: "requested addresses via CNI_ARGS, args and runtimeConfig",
    ipam: () => dualStack,
    steps: [
      add("c1", "eth0", { args: "IP=10.1.2.88" }),
      add("c2", "eth0", { config: withTop({ args: { cni: { ips: ["10.1.2.89/24", "2001:db8:1::999"] } } }) }),
      add("c3", "eth0", { config: withTop({ runtimeConfig: { ips: ["10.1.2.90"] } }) }),
      add("c4", "eth0", {
        args: "IP=10.1.2.91",
        config: withTop({
          args: { cni: { ips: ["10.1.2.91/24"] } },
          runtimeConfig: { ips: ["::ffff:10.1.2.91"] },
        }),
      }),
      add("c5", "eth0", { args: "IP=10.1.2.88" }),
      add("c5", "eth0", { args: "IP=10.1.2.1" }),
      add("c5", "eth0", { args: "IP=10.9.9.9" }),
      add("c5", "eth0", { args: "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.1.2.92" }),
      add("c6", "eth0", { args: "K8S_POD_NAME=x;OTHER=y" }),
      del("c5", "eth0", { args: "K8S_POD_NAME=x" }),
      add("c6", "eth0", { args: "IP=10.1.2.55,10.1.2.56" }),
      add("c6", "eth0", { args: "IP=10.1.2.60;" }),
      add("c6", "eth0", { args: "FOO=a=b" }),
      add("c6", "eth0", { args: "IgnoreUnknown=yes" }),
      add("c6", "eth0", { args: "IgnoreUnknown=0;ip=10.1.2.61" }),
      add("c6", "eth0", { args: "IP=" }),
      add("c7", "eth0", { args: "IP=10.1.2.70/8" }),
      add("c8", "eth0", { config: withTop({ args: { cni: { ips: [""] } } }) }),
      add("c8", "eth0", { config: withTop({ args: { cni: { ips: ["010.1.2.3"] } } }) }),
      add("c8", "eth0", { config: withTop({ args: { cni: "nope" } }) }),
      add("c8", "eth0", { config: withTop({ runtimeConfig: { ips: ["2001:db8:1::77"] } }) }),
      del("c1"),
      del("c2"),
      del("c3"),
      del("c4"),
      del("c5"),
      del("c6"),
      del("c7"),
      del("c8"),
    ],
  },
  {
    name: "requested addresses in two sets of one family (per-family limit below 0.3.0)",
    ipam: () => ({ ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "10.1.3.0/24" }]] }),
    steps: [
      add("dummy", "eth0", { config: withTop({ args: { cni: { ips: ["10.1.2.88", "10.1.3.77"] } } }) }),
      add("other"),
      del("dummy"),
      del("other"),
    ],
  },
  {
    name: "requested addresses across families and ranges",
    ipam: () => ({
      ranges: [[{ subnet: "172.16.1.0/24" }, { subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/48" }]],
    }),
    steps: [
      add("dummy", "eth0", { config: withTop({ args: { cni: { ips: ["10.1.2.88", "2001:db8:1::999"] } } }) }),
      add("dummy", "eth1"),
      del("dummy"),
      del("dummy", "eth1"),
    ],
  },
  {
    name: "exhaustion of a /30",
    ipam: () => ({ ranges: [[{ subnet: "10.0.0.0/30" }]] }),
    steps: [add("a"), add("b"), del("a"), add("b"), add("a"), del("b"), add("a"), del("a")],
  },
  {
    name: "exhaustion of a /29",
    ipam: () => ({ ranges: [[{ subnet: "10.0.0.0/29" }]] }),
    steps: [
      add("c1"),
      add("c2"),
      add("c3"),
      add("c4"),
      add("c5"),
      add("c6"),
      del("c3"),
      add("c6"),
      add("c7"),
      del("c1"),
      del("c5"),
      add("c7"),
      add("c8"),
      add("c9"),
    ],
  },
  {
    name: "exhaustion of two /30 ranges in one set",
    ipam: () => ({ ranges: [[{ subnet: "10.0.0.0/30" }, { subnet: "10.0.1.0/30" }]] }),
    steps: [add("a"), add("b"), add("c"), del("a"), add("c"), add("a")],
  },
  {
    name: "duplicate ADD",
    ipam: () => ({ subnet: "10.1.2.0/24" }),
    steps: [add("dummy"), add("dummy"), add("other"), add("dummy"), del("dummy"), add("dummy"), del("other")],
  },
  {
    name: "DEL is idempotent and touches only its own ifname",
    ipam: () => dualStack,
    steps: [
      del("never"),
      del("never"),
      add("c1"),
      add("c1", "eth1"),
      del("c1"),
      del("c1"),
      del("c1", "eth1"),
    ],
  },
  {
    name: "DEL without CNI_NETNS",
    ipam: () => dualStack,
    steps: [add("c1"), del("c1", "eth0", { netns: null })],
  },
  {
    name: "CHECK, with legacy (container-only) reservations",
    ipam: () => dualStack,
    steps: [
      check("c1"),
      add("c1"),
      check("c1"),
      check("c1", "eth1"),
      check("c2"),
      legacyReservation("10.1.2.50", "c2"),
      check("c2", "eth9"),
      add("c2", "eth9"),
      del("c2", "eth9"),
      check("c2", "eth9"),
      del("c1"),
      check("c1"),
    ],
  },
  {
    name: "legacy reservations are released by DEL",
    ipam: () => ({ ranges: [[{ subnet: "10.1.2.0/24" }]] }),
    steps: [
      add("dummy"),
      legacyReservation("10.1.2.2", "dummy"),
      del("dummy"),
      add("dummy"),
      legacyReservation("10.1.2.9", "dummy"),
      del("dummy"),
      del("dummy"),
    ],
  },
  {
    name: "round-robin hints: valid, unparsable, outside, at the range end (contract 5.2)",
    ipam: () => ({ ranges: [[{ subnet: "10.1.2.0/24" }]] }),
    steps: [
      add("a"),
      hint("10.1.2.100"),
      add("b"),
      hint("10.1.2.100\n"),
      add("c"),
      hint("10.9.9.9"),
      add("d"),
      hint("garbage"),
      add("e"),
      hint("10.1.2.254"),
      add("f"),
      hint(""),
      add("g"),
      del("a"),
      hint("10.1.2.1"),
      add("a"),
    ],
  },
  {
    name: "reservations with surrounding whitespace and foreign files",
    ipam: () => dualStack,
    steps: [
      {
        kind: "mutate",
        label: "padded record",
        apply: (dir) => writeFileSync(join(dir, "10.1.2.2"), " c1\r\neth0\n"),
      },
      {
        kind: "mutate",
        label: "padded legacy",
        apply: (dir) => writeFileSync(join(dir, "10.1.2.3"), "\tc2 \n"),
      },
      {
        kind: "mutate",
        label: "foreign file",
        apply: (dir) => writeFileSync(join(dir, "notes.txt"), "hello"),
      },
      check("c1"),
      add("c1"),
      check("c2", "eth5"),
      add("c3"),
      del("c1"),
      del("c2", "eth5"),
      del("c3"),
    ],
  },
  {
    name: "a config without cniVersion",
    ipam: () => ({ subnet: "10.1.2.0/24" }),
    steps: [
      add("c1", "eth0", { config: (b) => ({ ...b, cniVersion: undefined }) }),
      del("c1", "eth0", { config: (b) => ({ ...b, cniVersion: "" }) }),
    ],
  },
];

describe.each(ORACLE_VERSIONS)(
  "cniVersion %s: ours against upstream 1.1.1",
  { timeout: TIMEOUT },
  (version) => {
    it.each(scenarios.map((s) => [s.name, s] as const))("%s", async (_name, scenario) => {
      const runs = await runDifferential(scenario.steps, dirs, (dataDir) =>
        netConf(version, dataDir, scenario.ipam(), scenario.top),
      );
      expect(runs.length).toBeGreaterThan(0);
    });
  },
);

// Each validation error of contract 4.4 and 4.6 (one error at a time), for ADD, DEL and CHECK.
const configErrors: [string, (dataDir: string, version: string) => Json | string][] = [
  ["no ipam key", (_d, v) => ({ cniVersion: v, name: NETWORK, type: "bridge" })],
  ["ipam null", (_d, v) => ({ cniVersion: v, name: NETWORK, ipam: null })],
  ["no ranges", (d, v) => netConf(v, d, {})],
  ["legacy fields without subnet", (d, v) => netConf(v, d, { rangeStart: "10.1.2.5", gateway: "10.1.2.1" })],
  ["a range without subnet", (d, v) => netConf(v, d, { ranges: [[{ rangeStart: "10.1.2.5" }]] })],
  ["an empty range set", (d, v) => netConf(v, d, { ranges: [[]] })],
  ["an invalid subnet", (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.1.2.0/33" }]] })],
  ["an empty subnet", (d, v) => netConf(v, d, { ranges: [[{ subnet: "" }]] })],
  ["an octal-looking subnet", (d, v) => netConf(v, d, { ranges: [[{ subnet: "010.1.2.0/24" }]] })],
  ["a /31", (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.0.0.0/31" }]] })],
  ["a /32", (d, v) => netConf(v, d, { subnet: "10.0.0.7/32" })],
  ["a /127", (d, v) => netConf(v, d, { ranges: [[{ subnet: "2001:db8::/127" }]] })],
  ["a /128", (d, v) => netConf(v, d, { ranges: [[{ subnet: "2001:db8::1/128" }]] })],
  ["an IPv4-mapped subnet", (d, v) => netConf(v, d, { ranges: [[{ subnet: "::ffff:10.0.0.0/120" }]] })],
  ["host bits set", (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.0.0.5/24" }]] })],
  ["host bits set (IPv6)", (d, v) => netConf(v, d, { ranges: [[{ subnet: "2001:DB8:24:19ff::/63" }]] })],
  [
    "rangeStart outside",
    (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.0.0.0/24", rangeStart: "10.0.1.5" }]] }),
  ],
  [
    "rangeEnd outside",
    (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.0.0.0/24", rangeEnd: "10.0.1.5" }]] }),
  ],
  [
    "rangeStart after a given rangeEnd",
    (d, v) =>
      netConf(v, d, {
        ranges: [[{ subnet: "10.0.0.0/24", rangeStart: "10.0.0.50", rangeEnd: "10.0.0.40" }]],
      }),
  ],
  [
    "an invalid rangeStart",
    (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.0.0.0/24", rangeStart: "10.0.0" }]] }),
  ],
  ["an invalid gateway", (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.0.0.0/24", gateway: "nope" }]] })],
  [
    "a rangeEnd of the other family",
    (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.0.0.0/24", rangeEnd: "2001::1" }]] }),
  ],
  [
    "mixed families in a set",
    (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.0.0.0/24" }, { subnet: "2001:db8::/64" }]] }),
  ],
  [
    "overlapping ranges in a set",
    (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.1.0.0/22" }, { subnet: "10.1.2.0/24" }]] }),
  ],
  [
    "overlapping sets",
    (d, v) => netConf(v, d, { ranges: [[{ subnet: "10.1.0.0/22" }], [{ subnet: "10.1.2.0/24" }]] }),
  ],
  [
    "the legacy range overlapping a ranges entry",
    (d, v) => netConf(v, d, { subnet: "10.1.2.0/24", ranges: [[{ subnet: "10.1.2.0/25" }]] }),
  ],
  [
    "two IPv6 sets",
    (d, v) => netConf(v, d, { ranges: [[{ subnet: "2001:db8:1::/64" }], [{ subnet: "2001:db8:2::/64" }]] }),
  ],
  ["ipam.type of the wrong JSON type", (d, v) => netConf(v, d, { type: 5, subnet: "10.1.2.0/24" })],
  ["ranges of the wrong JSON type", (d, v) => netConf(v, d, { ranges: "10.1.2.0/24" })],
  ["an invalid route dst", (d, v) => netConf(v, d, { subnet: "10.1.2.0/24", routes: [{ dst: "nope" }] })],
  [
    "an invalid route gw",
    (d, v) => netConf(v, d, { subnet: "10.1.2.0/24", routes: [{ dst: "0.0.0.0/0", gw: "x" }] }),
  ],
  [
    "a missing resolvConf file",
    (d, v) => netConf(v, d, { subnet: "10.1.2.0/24", resolvConf: join(d, "no-such-resolv.conf") }),
  ],
];

describe.each(ORACLE_VERSIONS)("cniVersion %s: config errors", { timeout: TIMEOUT }, (version) => {
  it.each(configErrors)("%s", async (_name, build) => {
    const steps: Step[] = ["ADD", "DEL", "CHECK"].map((command) => ({
      command,
      containerId: "c1",
      ifname: "eth0",
      config: (_base: Json, dataDir: string) => build(dataDir, version),
    }));
    const runs = await runDifferential(steps, dirs, (dataDir) => netConf(version, dataDir, {}));
    expect(runs).toHaveLength(3);
  });
});

// The protocol errors of contract 1.11 that both binaries answer identically: one error at a time
// (1.1.1 validates in another order, so combined cases are tested against HEAD's order elsewhere).
const skelErrors: [string, Partial<Call> & { stdin?: string }][] = [
  ["an invalid container ID", { containerId: "a/b" }],
  ["a container ID starting with a dash", { containerId: "-ab" }],
  ["an ifname of 16 bytes", { command: "DEL", ifname: "0123456789abcdef" }],
  ["an ifname with a slash", { ifname: "eth/0" }],
  ["an ifname with a colon", { ifname: "eth:0" }],
  ["an ifname with a space", { ifname: "a b" }],
  ["an ifname of .", { ifname: "." }],
  ["an ifname of ..", { command: "DEL", ifname: ".." }],
  ["no CNI_IFNAME on DEL", { command: "DEL", ifname: "" }],
  ["no CNI_CONTAINERID", { containerId: "" }],
  ["no CNI_NETNS on ADD", { netns: null }],
  ["no CNI_PATH", { path: null }],
  ["no CNI_PATH and no CNI_NETNS", { path: null, netns: null }],
  ["a lower-case command", { command: "add" }],
  ["an unknown command", { command: "FOO" }],
  ["an unknown command with garbage stdin", { command: "FOO", stdin: "garbage" }],
  ["stdin that is not JSON", { stdin: "not json" }],
  ["empty stdin", { stdin: "" }],
  ["stdin that is a JSON array", { stdin: "[]" }],
  ["no network name", { stdin: '{"cniVersion":"1.0.0"}' }],
  ["an invalid network name", { stdin: '{"cniVersion":"1.0.0","name":"my net"}' }],
  ["a numeric cniVersion", { stdin: '{"cniVersion":1,"name":"x"}' }],
  ["CHECK with 0.3.1", { command: "CHECK", stdin: '{"cniVersion":"0.3.1","name":"x"}' }],
  ["CHECK with 2.0.0", { command: "CHECK", stdin: '{"cniVersion":"2.0.0","name":"x"}' }],
  ["CHECK with an unparsable version", { command: "CHECK", stdin: '{"cniVersion":"abc","name":"x"}' }],
  ["CHECK with an inexact version", { command: "CHECK", stdin: '{"cniVersion":"1.0","name":"x"}' }],
  ["ADD with an unparsable version", { stdin: '{"cniVersion":"abc","name":"x"}' }],
  ["DEL with an inexact version", { command: "DEL", stdin: '{"cniVersion":"1.0","name":"x"}' }],
  ["ADD with a padded version", { stdin: '{"cniVersion":"1.0.0 ","name":"x"}' }],
];

describe("protocol errors: ours against upstream 1.1.1", { timeout: TIMEOUT }, () => {
  it.each(skelErrors)("%s", async (_name, call) => {
    const { stdin, ...rest } = call;
    const step: Call = {
      command: "ADD",
      containerId: "c1",
      ifname: "eth0",
      ...rest,
      ...(stdin === undefined ? {} : { config: () => stdin }),
    };
    // An empty variable counts as unset (contract 1.1), so "" stands for a missing one.
    const runs = await runDifferential([step], dirs, (dataDir) =>
      netConf("1.0.0", dataDir, { subnet: "10.1.2.0/24" }),
    );
    expect(runs[0]?.code).toBe(1);
  });

  it("accepts an ifname of exactly 15 bytes on DEL without CNI_NETNS", async () => {
    const step: Call = { command: "DEL", containerId: "ab", ifname: "0123456789abcde", netns: null };
    const runs = await runDifferential([step], dirs, (dataDir) =>
      netConf("1.0.0", dataDir, { subnet: "10.1.2.0/24" }),
    );
    expect(runs[0]).toMatchObject({ code: 0, stdout: "" });
  });
});

// What the oracle cannot check because 1.1.1 differs from HEAD there: ours must print HEAD's bytes.
describe("HEAD's printing (contract 2.4), checked on ours alone", { timeout: TIMEOUT }, () => {
  const ipam: Json = {
    ranges: [[{ subnet: "10.1.2.0/24" }], [{ subnet: "2001:db8:1::/64" }]],
    routes: [{ dst: "0.0.0.0/0" }, { dst: "192.168.0.0/16", gw: "10.1.2.1", mtu: 1400 }],
  };
  const v1 = (v: string): string =>
    JSON.stringify(
      {
        cniVersion: v,
        ips: [
          { address: "10.1.2.2/24", gateway: "10.1.2.1" },
          { address: "2001:db8:1::2/64", gateway: "2001:db8:1::1" },
        ],
        routes: [{ dst: "0.0.0.0/0" }, { dst: "192.168.0.0/16", gw: "10.1.2.1", mtu: 1400 }],
      },
      null,
      4,
    );
  const v04 = (v: string): string =>
    JSON.stringify(
      {
        cniVersion: v,
        ips: [
          { version: "4", address: "10.1.2.2/24", gateway: "10.1.2.1" },
          { version: "6", address: "2001:db8:1::2/64", gateway: "2001:db8:1::1" },
        ],
        routes: [{ dst: "0.0.0.0/0" }, { dst: "192.168.0.0/16", gw: "10.1.2.1", mtu: 1400 }],
        dns: {},
      },
      null,
      4,
    );
  const v02 = (v: string): string =>
    JSON.stringify(
      {
        cniVersion: v,
        ip4: {
          ip: "10.1.2.2/24",
          gateway: "10.1.2.1",
          routes: [{ dst: "0.0.0.0/0" }, { dst: "192.168.0.0/16", gw: "10.1.2.1" }],
        },
        ip6: { ip: "2001:db8:1::2/64", gateway: "2001:db8:1::1" },
        dns: {},
      },
      null,
      4,
    );
  it.each([
    ["1.1.0", v1("1.1.0")],
    ["1.0.0", v1("1.0.0")],
    ["0.4.0", v04("0.4.0")],
    ["0.3.1", v04("0.3.1")],
    ["0.3.0", v04("0.3.0")],
    ["0.2.0", v02("0.2.0")],
    ["0.1.0", v02("0.1.0")],
  ])("cniVersion %s prints exactly HEAD's document", async (version, expected) => {
    const run = await runPlugin(OURS, {
      command: "ADD",
      containerId: "c1",
      ifname: "eth0",
      netns: NO_NETNS,
      path: "/opt/cni/bin",
      stdin: netConf(version, ours.path, ipam),
    });
    expect(run).toMatchObject({ code: 0, stdout: expected, stderr: "" });
  });

  it("answers VERSION with HEAD's document", async () => {
    const run = await runPlugin(OURS, { command: "VERSION", stdin: "" });
    expect(run.stdout).toBe(
      '{"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n',
    );
    expect(run.code).toBe(0);
  });

  it("writes reservations with mode 0600", async () => {
    const run = await runPlugin(OURS, {
      command: "ADD",
      containerId: "c1",
      ifname: "eth0",
      netns: NO_NETNS,
      path: "/opt/cni/bin",
      stdin: netConf("1.0.0", ours.path, ipam),
    });
    expect(run.code).toBe(0);
    const files = readDataDir(join(ours.path, NETWORK), { ignoreDotNames: true });
    expect(files.get("10.1.2.2")?.mode).toBe(0o600);
    expect(files.get("last_reserved_ip.0")?.mode).toBe(0o600);
  });
});
