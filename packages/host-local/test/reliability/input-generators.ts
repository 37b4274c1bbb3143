// Generators of defective input for the bad-input tests (issue #8): config defects with the answer
// each must produce, harmless noise, defective CNI_ARGS pairs and CNI_* variables, and broken raw stdin.
// Shared by the tests against the built binary (bad-input.test.ts) and in-process ones
// (bad-input-in-process.test.ts), so both hold the plugin to the same answers.
import { isIP } from "node:net";
import fc from "fast-check";
import { dualStack, type Json } from "./harness.js";

/** The commands the generated calls use. */
export type Command = "ADD" | "DEL" | "CHECK";

/** What a defective call must answer: the error code and a pattern its text (msg and details) matches. */
export interface Expectation {
  readonly code: number;
  readonly text: RegExp;
}

/** A defect in the network config: where it goes, what it must produce, and which commands notice it. */
export interface ConfigDefect extends Expectation {
  readonly label: string;
  /** Commands that read the defective part (DEL and CHECK never read resolv.conf or requested IPs' ranges). */
  readonly commands: readonly Command[];
  readonly apply: (config: Json) => void;
}

/** Every command reads this part of the input. */
export const ALL: readonly Command[] = ["ADD", "DEL", "CHECK"];
/** Only ADD reads this part of the input (resolv.conf, where requested addresses fit). */
export const ADD_ONLY: readonly Command[] = ["ADD"];

/** `s` as a literal inside a regular expression. */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const mentions = (s: string): RegExp => new RegExp(escapeRegExp(s));

const ipamOf = (c: Json): Json => c.ipam as Json;
const rangeOf = (c: Json, set = 0): Json => ((ipamOf(c).ranges as Json[][])[set] as Json[])[0] as Json;

// ---- generators of defective values ----

/** Text Go's `net.ParseIP` refuses (and so do we): out-of-range octets, octal, hex, short forms, junk. */
export const badIpText = fc.oneof(
  fc.constantFrom(
    "10.77.0.256",
    "010.77.0.5",
    "0x0a.77.0.5",
    "10.77.5",
    "1.2.3.4.5",
    "::g",
    "2001:db8::1::2",
    "10.77.0.5\u0000",
    "fe80::1%eth0",
    "１０.77.0.5",
    " ",
  ),
  fc
    .string({ minLength: 1, maxLength: 24 })
    // Nothing that could be an address, or an address with a prefix length (accepted for requests).
    .filter((s) => {
      const text = s.trim();
      return text !== "" && !/^[0-9a-fA-F:.]+$/.test(text) && isIP(text.split("/")[0] ?? "") === 0;
    }),
  fc.integer({ min: 1000, max: 100_000 }).map((n) => "9".repeat(n)),
);

/** Text Go's `net.ParseCIDR` refuses. */
export const badCidrText = fc.oneof(
  badIpText,
  fc.constantFrom("10.77.0.0/33", "10.77.0.0/-1", "10.77.0.0/", "/24", "2001:db8::/129", "10.77.0.0/24/24"),
);

/** A JSON value of another type than `type`, as Go's decoder names it in its error. */
export function otherType(
  type: "string" | "array" | "object",
): fc.Arbitrary<{ value: unknown; goType: string }> {
  const all = [
    fc.integer().map((value) => ({ value, goType: "number" })),
    fc.boolean().map((value) => ({ value, goType: "bool" })),
    fc.string({ maxLength: 8 }).map((value) => ({ value, goType: "string" })),
    fc.array(fc.integer(), { maxLength: 3 }).map((value) => ({ value, goType: "array" })),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }).map((value) => ({
      value,
      goType: "object",
    })),
  ];
  return fc.oneof(...all.filter((_, i) => ["number", "bool", "string", "array", "object"][i] !== type));
}

/** Names that could climb out of the data dir or are otherwise not a network name. */
export const badName = fc.oneof(
  fc.constantFrom(
    "../outside",
    "..",
    ".",
    "a/b",
    "/etc",
    "x\u0000y",
    " ",
    "-x",
    "a b",
    "é",
    "a\nb",
    "outside/../..",
  ),
  fc.string({ maxLength: 30 }).filter((s) => s !== "" && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(s)),
  fc.integer({ min: 1000, max: 100_000 }).map((n) => `../${"a".repeat(n)}`),
);

/**
 * Config defects, each built from generated values. `outside` is a directory outside the data dir
 * holding `victim-dir/` and `victim-file` (a {@link Sandbox}'s), which some defects point at.
 */
export function configDefect(outside: string): fc.Arbitrary<ConfigDefect> {
  return fc.oneof(
    badName.map((name) => ({
      label: `name ${JSON.stringify(name).slice(0, 40)}`,
      commands: ALL,
      code: 7,
      text: /invalid characters found in network name/,
      apply: (c: Json) => {
        c.name = name;
      },
    })),
    fc.constantFrom("", null).map((name) => ({
      label: `name ${JSON.stringify(name)}`,
      commands: ALL,
      code: 7,
      text: /missing network name/,
      apply: (c: Json) => {
        c.name = name;
      },
    })),
    // A name of valid characters but longer than a file name may be (NAME_MAX is 255 bytes).
    fc.integer({ min: 256, max: 50_000 }).map((n) => ({
      label: `name of ${n} characters`,
      commands: ALL,
      code: 5,
      text: /: file name too long$/,
      apply: (c: Json) => {
        c.name = "n".repeat(n);
      },
    })),
    fc.constantFrom("9.9.9", "1.0", "abc", "1.0.0 ", "0.5.0", "1.0.0\u0000").map((v) => ({
      label: `cniVersion ${JSON.stringify(v)}`,
      commands: ["ADD", "DEL"] as const,
      code: 1,
      // Go's %q writes NUL as \x00.
      text: mentions(`incompatible CNI versions; config is "${v.replace("\0", "\\x00")}"`),
      apply: (c: Json) => {
        c.cniVersion = v;
      },
    })),
    otherType("string").map(({ value, goType }) => ({
      label: `cniVersion of type ${goType}`,
      commands: ALL,
      code: 6,
      text: new RegExp(`decoding version from network config: json: cannot unmarshal ${goType} .*cniVersion`),
      apply: (c: Json) => {
        c.cniVersion = value;
      },
    })),
    fc.constantFrom("absent", "null").map((how) => ({
      label: `ipam ${how}`,
      commands: ALL,
      code: 999,
      text: /^IPAM config missing 'ipam' key$/,
      apply: (c: Json) => {
        if (how === "absent") delete c.ipam;
        else c.ipam = null;
      },
    })),
    // Fields of the wrong JSON type: Go's decoder error names the field.
    fc
      .constantFrom(
        { field: "ipam", type: "object", at: (c: Json) => c, key: "ipam" },
        { field: "ranges", type: "array", at: ipamOf, key: "ranges" },
        { field: "routes", type: "array", at: ipamOf, key: "routes" },
        { field: "dataDir", type: "string", at: ipamOf, key: "dataDir" },
        { field: "resolvConf", type: "string", at: ipamOf, key: "resolvConf" },
        { field: "subnet", type: "string", at: (c: Json) => rangeOf(c), key: "subnet" },
        { field: "gateway", type: "string", at: (c: Json) => rangeOf(c, 1), key: "gateway" },
        { field: "runtimeConfig", type: "object", at: (c: Json) => c, key: "runtimeConfig" },
        { field: "args", type: "object", at: (c: Json) => c, key: "args" },
      )
      .chain((f) =>
        otherType(f.type as "string" | "array" | "object")
          // Go's IP fields are text: a string there is parsed, not a type error; a map is a type error.
          .filter(({ goType }) => !(f.field === "gateway" && goType === "string"))
          .map(({ value, goType }) => ({
            label: `${f.field} of type ${goType}`,
            commands: ALL,
            code: 999,
            text: new RegExp(`json: cannot unmarshal ${goType} into Go struct field \\S*${f.field}`),
            apply: (c: Json) => {
              f.at(c)[f.key] = value;
            },
          })),
      ),
    badCidrText.map((text) => ({
      label: `subnet ${JSON.stringify(text).slice(0, 40)}`,
      commands: ALL,
      code: 999,
      text: /invalid CIDR address: |invalid range set 0: /,
      apply: (c: Json) => {
        rangeOf(c).subnet = text;
      },
    })),
    fc
      .tuple(fc.constantFrom("rangeStart", "rangeEnd", "gateway"), badIpText, fc.constantFrom(0, 1))
      .map(([field, text, set]) => ({
        label: `${field} of set ${set} ${JSON.stringify(text).slice(0, 40)}`,
        commands: ALL,
        code: 999,
        text: /invalid IP address: /,
        apply: (c: Json) => {
          rangeOf(c, set)[field] = text;
        },
      })),
    fc
      .constantFrom(
        { label: "no range sets", ranges: [], text: /^no IP ranges specified$/ },
        { label: "an empty range set", ranges: [[]], text: /^invalid range set 0: empty range set$/ },
        {
          label: "a null range set",
          ranges: [null],
          text: /^invalid range set 0: ipam\.ranges\[0\] is null$/,
        },
        {
          label: "a null range",
          ranges: [[null]],
          text: /^invalid range set 0: ipam\.ranges\[0\]\[0\] is null$/,
        },
        {
          label: "overlapping range sets",
          ranges: [[{ subnet: "10.77.0.0/24" }], [{ subnet: "10.77.0.0/25" }]],
          text: /^range set 0 overlaps with 1$/,
        },
        {
          label: "mixed families in a set",
          ranges: [[{ subnet: "10.77.0.0/24" }, { subnet: "2001:db8:77::/64" }]],
          text: /^invalid range set 0: mixed address families$/,
        },
        {
          label: "rangeStart outside the subnet",
          ranges: [[{ subnet: "10.77.0.0/24", rangeStart: "10.78.0.5" }]],
          text: /^invalid range set 0: RangeStart 10\.78\.0\.5 not in network 10\.77\.0\.0\/24$/,
        },
        {
          // upstream-compat: a start after a given end is worded as not in the network; it names the field.
          label: "rangeStart after rangeEnd",
          ranges: [[{ subnet: "10.77.0.0/24", rangeStart: "10.77.0.200", rangeEnd: "10.77.0.100" }]],
          text: /^invalid range set 0: RangeStart 10\.77\.0\.200 not in network 10\.77\.0\.0\/24$/,
        },
        {
          label: "rangeStart after the default rangeEnd",
          ranges: [[{ subnet: "10.77.0.0/24", rangeStart: "10.77.0.255" }]],
          text: /^invalid range set 0: RangeStart 10\.77\.0\.255 is after RangeEnd 10\.77\.0\.254$/,
        },
        {
          label: "a subnet too small",
          ranges: [[{ subnet: "10.77.0.0/31" }]],
          text: /^invalid range set 0: Network 10\.77\.0\.0\/31 too small to allocate from$/,
        },
      )
      .map(({ label, ranges, text }) => ({
        label,
        commands: ALL,
        code: 999,
        text,
        apply: (c: Json) => {
          ipamOf(c).ranges = ranges;
        },
      })),
    fc
      .oneof(
        fc.constant({ route: null as unknown, text: /^ipam\.routes\[1\] is null$/ }),
        fc.constant({ route: {} as unknown, text: /^ipam\.routes\[1\] has no "dst"$/ }),
        badCidrText.map((dst) => ({ route: { dst } as unknown, text: /invalid CIDR address: / })),
        badIpText.map((gw) => ({
          route: { dst: "10.0.0.0/8", gw } as unknown,
          text: /invalid IP address: /,
        })),
      )
      .map(({ route, text }) => ({
        label: `route ${JSON.stringify(route).slice(0, 40)}`,
        commands: ALL,
        code: 999,
        text,
        apply: (c: Json) => {
          ipamOf(c).routes = [{ dst: "0.0.0.0/0" }, route];
        },
      })),
    fc
      .tuple(
        fc.constantFrom("runtimeConfig", "args"),
        fc.oneof(
          fc.constant({ ip: null as unknown, text: /^cannot understand ip: .*is null$/, commands: ALL }),
          badIpText.map((ip) => ({ ip: ip as unknown, text: /^invalid IP address /, commands: ALL })),
          fc.constant({
            ip: "10.99.0.1" as unknown,
            text: /^failed to allocate all requested IPs: 10\.99\.0\.1$/,
            commands: ADD_ONLY,
          }),
          fc.constant({
            ip: "10.77.0.1" as unknown,
            text: /^failed to allocate for range 0: requested ip 10\.77\.0\.1 is subnet's gateway$/,
            commands: ADD_ONLY,
          }),
        ),
      )
      .map(([where, { ip, text, commands }]) => ({
        label: `${where} ips [${JSON.stringify(ip).slice(0, 40)}]`,
        commands,
        code: 999,
        text,
        apply: (c: Json) => {
          if (where === "runtimeConfig") c.runtimeConfig = { ips: [ip] };
          else c.args = { cni: { ips: [ip] } };
        },
      })),
    fc
      .constantFrom(
        {
          path: "/nonexistent/resolv.conf",
          text: /^open \/nonexistent\/resolv\.conf: no such file or directory$/,
        },
        { path: "/", text: /^read \/: is a directory$/ },
        { path: "outside-dir", text: /: is a directory$/ },
      )
      .map(({ path, text }) => ({
        label: `resolvConf ${path}`,
        commands: ADD_ONLY,
        code: 999,
        text,
        apply: (c: Json) => {
          ipamOf(c).resolvConf = path === "outside-dir" ? `${outside}/victim-dir` : path;
        },
      })),
    // A data dir that is a file outside: nothing may be created beside or below it.
    fc.constant({
      label: "dataDir is a file",
      commands: ALL,
      code: 5,
      text: /victim-file(\/relnet)?: not a directory$/,
      apply: (c: Json) => {
        ipamOf(c).dataDir = `${outside}/victim-file`;
      },
    }),
  );
}

// ---- noise that must not hide a defect ----

/** Unknown keys (never one host-local reads, in any letter case) with arbitrary JSON values. */
const unknownKeys = fc.dictionary(
  fc.string({ maxLength: 12 }).map((k) => `x-${k}`),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 3 },
);

/** Harmless additions to a valid config: unknown keys at three levels and up to 1 MiB of padding. */
export const noise = fc.record({
  top: unknownKeys,
  ipam: unknownKeys,
  range: unknownKeys,
  // Up to 1 MiB of padding in an unknown key: big configs are not a defect.
  padding: fc.option(fc.integer({ min: 1, max: 1 << 20 }), { nil: undefined }),
});

/** One value of {@link noise}. */
export type Noise = typeof noise extends fc.Arbitrary<infer T> ? T : never;

/** A valid dual-stack config with noise added (and so still valid). */
export function noisyConfig(dataDir: string, n: Noise): Json {
  const config = dualStack(dataDir);
  Object.assign(config, n.top);
  Object.assign(ipamOf(config), n.ipam);
  Object.assign(rangeOf(config), n.range);
  if (n.padding !== undefined) config["x-padding"] = "p".repeat(n.padding);
  // The data dir always stays the sandbox's (a key added above could only shadow it in another case).
  ipamOf(config).dataDir = dataDir;
  return config;
}

/** A defective `CNI_ARGS` pair; `ignoreUnknown` says whether `IgnoreUnknown=1` may accompany it. */
export const argsDefect = fc.oneof(
  fc.constantFrom("foo", "IP", "IP=10.77.0.5=3", "").map((pair) => ({
    pair,
    commands: ALL,
    text: mentions(`ARGS: invalid pair ${JSON.stringify(pair)}`),
    ignoreUnknown: true,
  })),
  badIpText
    .filter((ip) => !ip.includes(";") && !ip.includes("=") && !ip.includes("\0") && ip.trim() !== "")
    .map((ip) => ({
      pair: `IP=${ip}`,
      commands: ALL,
      // The pair is quoted Go-style (%q), which escapes quotes and control characters.
      text: /^ARGS: error parsing value of pair "IP=.*": invalid IP address /s,
      ignoreUnknown: true,
    })),
  fc.constantFrom("maybe", "yes", "2", "", "tru").map((v) => ({
    pair: `IgnoreUnknown=${v}`,
    commands: ALL,
    text: mentions(`ARGS: error parsing value of pair "IgnoreUnknown=${v}": boolean unmarshal error`),
    ignoreUnknown: false,
  })),
  fc.constantFrom("K8S_POD_NAME=web", "ip=10.77.0.5", "=x", "Ip=10.77.0.5").map((pair) => ({
    pair,
    commands: ALL,
    text: mentions(`ARGS: unknown args [${JSON.stringify(pair)}]`),
    ignoreUnknown: false,
  })),
  fc.constantFrom("10.77.0.1", "10.99.0.1").map((ip) => ({
    pair: `IP=${ip}`,
    commands: ADD_ONLY,
    text:
      ip === "10.77.0.1" ? /requested ip 10\.77\.0\.1 is subnet's gateway/ : /requested IPs: 10\.99\.0\.1$/,
    ignoreUnknown: true,
  })),
);
/** Valid company for a defect: with IgnoreUnknown=1, the pairs Kubernetes runtimes send. */
export const argsCompany = fc.array(
  fc.constantFrom(
    "K8S_POD_NAMESPACE=default",
    "K8S_POD_NAME=web-0",
    "K8S_POD_INFRA_CONTAINER_ID=abc123",
    "K8S_POD_UID=6f1c",
  ),
  { maxLength: 3 },
);

/** `CNI_ARGS` made of the defect's pair placed at `at` among its company. */
export function cniArgs(
  defect: { pair: string; ignoreUnknown: boolean },
  others: readonly string[],
  at: number,
): string {
  const pairs = defect.ignoreUnknown ? ["IgnoreUnknown=1", ...others] : [];
  pairs.splice(at % (pairs.length + 1), 0, defect.pair);
  return pairs.join(";");
}

const validId = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** A defective `CNI_*` variable (or several missing ones), with the answer it must produce. */
export const envDefect = fc.oneof(
  fc
    .oneof(
      fc.constantFrom("a/b", "-x", ".x", "_x", "x y", "é", "a\u200b", "../../etc"),
      fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !validId.test(s) && !s.includes("\0")),
    )
    .map((id) => ({
      label: `CNI_CONTAINERID=${JSON.stringify(id)}`,
      env: { CNI_CONTAINERID: id },
      code: 4,
      text: new RegExp(`^invalid characters in containerID; ${escapeRegExp(id)}$`),
    })),
  fc
    .constantFrom(
      { ifname: ".", text: /^interface name is \. or \.\.$/ },
      { ifname: "..", text: /^interface name is \. or \.\.$/ },
      { ifname: "a/b", text: /^interface name contains \/ or : or whitespace characters$/ },
      { ifname: "a:b", text: /^interface name contains \/ or : or whitespace characters$/ },
      { ifname: "a b", text: /^interface name contains \/ or : or whitespace characters$/ },
      { ifname: "a\u00a0b", text: /^interface name contains \/ or : or whitespace characters$/ },
      { ifname: "0123456789abcdef", text: /^interface name is too long; / },
      { ifname: "ééééééééé", text: /^interface name is too long; / },
    )
    .map(({ ifname, text }) => ({
      label: `CNI_IFNAME=${JSON.stringify(ifname)}`,
      env: { CNI_IFNAME: ifname },
      code: 4,
      text,
    })),
  fc.subarray(["CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"], { minLength: 1 }).map((missing) => ({
    label: `without ${missing.join(",")}`,
    env: Object.fromEntries(missing.map((k) => [k, undefined])),
    code: 4,
    text: new RegExp(`^required env variables \\[${missing.join(",")}\\] missing$`),
  })),
  fc
    .oneof(
      fc.constantFrom("add", "ADD ", "Del", "FOO", "VERSIONS", "GC\n"),
      fc
        .stringMatching(/^[A-Z]{1,12}$/)
        .filter((c) => !["ADD", "DEL", "CHECK", "GC", "STATUS", "VERSION"].includes(c)),
    )
    .map((command) => ({
      label: `CNI_COMMAND=${JSON.stringify(command)}`,
      env: { CNI_COMMAND: command },
      code: 4,
      text: new RegExp(`^unknown CNI_COMMAND: ${escapeRegExp(command)}$`),
    })),
  fc.constant({
    label: "CNI_NETNS is the plugin's own",
    env: { CNI_NETNS: "/proc/self/ns/net" },
    code: 8,
    text: /^plugin's netns and netns from CNI_NETNS should not be the same$/,
  }),
);
/** Unrelated variables a runtime may also set, up to 100 kB long. */
export const unrelatedEnv = fc.dictionary(
  fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/).map((k) => `X_${k}`),
  fc.oneof(
    fc.string({ maxLength: 200 }).map((s) => s.replaceAll("\0", "")),
    fc.integer({ min: 1000, max: 100_000 }).map((n) => "v".repeat(n)),
  ),
  { maxKeys: 4 },
);

/** Raw stdin derived from the valid config text `valid()`: truncated, with NUL, prefixed, followed, or random. */
export function brokenStdin(valid: () => string): fc.Arbitrary<{ label: string; bytes: Buffer }> {
  return fc.oneof(
    fc.nat().map((n) => {
      const text = valid();
      return { label: "truncated", bytes: Buffer.from(text.slice(0, n % text.length)) };
    }),
    fc.nat().map((n) => {
      const text = valid();
      const at = n % (text.length + 1);
      return { label: `NUL at ${at}`, bytes: Buffer.from(`${text.slice(0, at)}\0${text.slice(at)}`) };
    }),
    fc.constantFrom("\uFEFF", "\0", "x", ")]}'\n").map((prefix) => ({
      label: `prefixed ${JSON.stringify(prefix)}`,
      bytes: Buffer.from(prefix + valid()),
    })),
    fc.constantFrom("x", "}", ",", "\0", "{}").map((suffix) => ({
      label: `followed by ${JSON.stringify(suffix)}`,
      bytes: Buffer.from(valid() + suffix),
    })),
    fc.uint8Array({ maxLength: 4096 }).map((a) => ({ label: "random bytes", bytes: Buffer.from(a) })),
  );
}
