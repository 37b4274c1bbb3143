// CNI spec 1.1.0 end to end through the built executable (issue #4): VERSION, every command with
// cniVersion 1.1.0, and the behaviour upstream 1.1.1 lacks, so no differential test can cover it: GC
// (contract 7.3), STATUS (7.4) and CHECK against prevResult (7.2, 2.5). The unit tests of
// test/unit/commands/{gc,status,check}.test.ts pin the same cases inside the process; these prove the
// binary a runtime executes behaves the same way.
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  dataDirContents,
  makeTempDataDir,
  type PluginRun,
  readDataDir,
  runPlugin,
  type TempDir,
} from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Call, invocation, type Json, NETWORK, netConf, OURS } from "./harness.js";

const TIMEOUT = 60_000;

let data: TempDir;
beforeEach(() => {
  data = makeTempDataDir("cni-ts-cni-1-1-");
});
afterEach(() => data.cleanup());

/** What a successful DEL, CHECK, GC or STATUS prints: nothing at all, on either stream. */
const SILENT = { code: 0, stdout: "", stderr: "" };

const IPV4 = { subnet: "10.1.2.0/24" };
const IPV6 = { subnet: "2001:db8:1::/64" };
const dualStack: Json = { ranges: [[IPV4], [IPV6]] };

const run = (call: Call, config: Json): Promise<PluginRun> =>
  runPlugin(OURS, invocation(call, config, data.path));
/** GC and STATUS the way a runtime sends them: no container ID, ifname or netns (spec 1.1.0). */
const networkCall = (command: "GC" | "STATUS", config: Json): Promise<PluginRun> =>
  run({ command, netns: null }, config);
const silent = (r: PluginRun) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });
const failure = (r: PluginRun) => ({ code: r.code, json: r.json });

async function add(config: Json, containerId: string, ifname = "eth0"): Promise<Json> {
  const r = await run({ command: "ADD", containerId, ifname }, config);
  expect(r.code, `ADD ${containerId}/${ifname}: ${r.stdout}`).toBe(0);
  return r.json as Json;
}

/**
 * The text of every regular file of `<dataDir>/<network>` but dot-names (our index and temp files,
 * which reference/decisions.md keeps out of comparisons of the store).
 */
const contents = (dataDir: string, network = NETWORK): Record<string, string> =>
  dataDirContents(readDataDir(join(dataDir, network), { ignoreDotNames: true }));

/**
 * Every entry under `dir` (directories included) with its type, mode, size, modification time in
 * nanoseconds and, for files, bytes: equal snapshots mean nothing was written, created, replaced or
 * removed in between (a temp file created and removed again still moves its directory's mtime).
 * `null` when `dir` does not exist.
 */
function snapshot(dir: string): Record<string, string> | null {
  if (!existsSync(dir)) return null;
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    const full = rel === "" ? dir : join(dir, rel);
    const st = lstatSync(full, { bigint: true });
    const kind = st.isDirectory() ? "dir" : st.isFile() ? "file" : "other";
    const bytes = st.isFile() ? readFileSync(full).toString("base64") : "";
    out[rel === "" ? "." : rel] = `${kind} ${st.mode.toString(8)} ${st.size} ${st.mtimeNs} ${bytes}`;
    if (st.isDirectory()) for (const name of readdirSync(full)) walk(rel === "" ? name : `${rel}/${name}`);
  };
  walk("");
  return out;
}

describe("VERSION", () => {
  const answer = {
    cniVersion: "1.1.0",
    supportedVersions: ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"],
  };

  it.each([
    ["a 1.1.0 config", (dir: string) => netConf("1.1.0", dir, dualStack)],
    [
      "a 1.1.0 config with cniVersions",
      (dir: string) => netConf("1.1.0", dir, dualStack, { cniVersions: ["1.0.0", "1.1.0"] }),
    ],
    ["a 0.3.1 config", (dir: string) => netConf("0.3.1", dir, dualStack)],
  ])("lists every version from 0.1.0 to 1.1.0 for %s", async (_what, config) => {
    const r = await run({ command: "VERSION" }, config(data.path));
    // Compact JSON and a newline, as upstream's encoder writes it (reference/decisions.md).
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 0,
      stdout: `${JSON.stringify(answer)}\n`,
      stderr: "",
    });
  });
});

describe.each([
  ["cniVersion 1.1.0", {}],
  // Runtimes resolve a conflist's cniVersions and send one cniVersion (contract 2.6); a plugin config
  // that still carries the key must work all the same.
  ["cniVersion 1.1.0 and an extra cniVersions key", { cniVersions: ["0.4.0", "1.0.0", "1.1.0"] }],
])("every command with %s", { timeout: TIMEOUT }, (_what, top) => {
  it("STATUS, ADD, CHECK, GC, DEL, GC and STATUS succeed in turn", async () => {
    const config = netConf("1.1.0", data.path, dualStack, top);
    expect(silent(await networkCall("STATUS", config))).toEqual(SILENT);

    const result = await add(config, "c1");
    expect(result).toEqual({
      cniVersion: "1.1.0",
      ips: [
        { address: "10.1.2.2/24", gateway: "10.1.2.1" },
        { address: "2001:db8:1::2/64", gateway: "2001:db8:1::1" },
      ],
    });
    expect(contents(data.path)).toMatchObject({ "10.1.2.2": "c1\r\neth0", "2001:db8:1::2": "c1\r\neth0" });

    const check = await run(
      { command: "CHECK", containerId: "c1", ifname: "eth0" },
      { ...config, prevResult: result },
    );
    expect(silent(check)).toEqual(SILENT);

    const keep = { ...config, "cni.dev/valid-attachments": [{ containerID: "c1", ifname: "eth0" }] };
    expect(silent(await networkCall("GC", keep))).toEqual(SILENT);
    expect(contents(data.path)).toMatchObject({ "10.1.2.2": "c1\r\neth0", "2001:db8:1::2": "c1\r\neth0" });

    expect(silent(await run({ command: "DEL", containerId: "c1", ifname: "eth0" }, config))).toEqual(SILENT);
    expect(contents(data.path)).toEqual({
      "last_reserved_ip.0": "10.1.2.2",
      "last_reserved_ip.1": "2001:db8:1::2",
      lock: "",
    });

    expect(silent(await networkCall("GC", { ...config, "cni.dev/valid-attachments": [] }))).toEqual(SILENT);
    expect(silent(await networkCall("STATUS", config))).toEqual(SILENT);
  });
});

describe("GC (contract 7.3)", { timeout: TIMEOUT }, () => {
  const OTHER = "othernet";
  // A temp file of ours left by a writer that was killed (`.<ip>.tmp-<pid>-<n>`), dated before the GC.
  const TEMP = ".10.1.2.33.tmp-4242-1";
  const config = (top: Json = {}): Json => netConf("1.1.0", data.path, dualStack, top);
  const plantTempFile = (dir: string): void => {
    writeFileSync(join(dir, TEMP), "x\r\neth0");
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, TEMP), past, past);
  };

  /**
   * `mynet` as ADDs and older writers left it: a/eth0, b/eth0 and a/eth1 hold an address of each set;
   * 10.1.2.30 is a legacy record of container c, 10.1.2.31 one of z; 10.1.2.32 is empty (an upstream
   * writer killed between create and write); and a temp file of ours. `othernet` in the same data dir
   * has b/eth0's reservation, an empty file and a temp file of its own.
   */
  async function populate(): Promise<void> {
    await add(config(), "a", "eth0");
    await add(config(), "b", "eth0");
    await add(config(), "a", "eth1");
    const dir = join(data.path, NETWORK);
    writeFileSync(join(dir, "10.1.2.30"), "c");
    writeFileSync(join(dir, "10.1.2.31"), "z");
    writeFileSync(join(dir, "10.1.2.32"), "");
    plantTempFile(dir);
    await add(config({ name: OTHER }), "b", "eth0");
    writeFileSync(join(data.path, OTHER, "10.1.2.40"), "");
    plantTempFile(join(data.path, OTHER));
  }

  const POPULATED = {
    "10.1.2.2": "a\r\neth0",
    "10.1.2.3": "b\r\neth0",
    "10.1.2.4": "a\r\neth1",
    "10.1.2.30": "c",
    "10.1.2.31": "z",
    "10.1.2.32": "",
    "2001:db8:1::2": "a\r\neth0",
    "2001:db8:1::3": "b\r\neth0",
    "2001:db8:1::4": "a\r\neth1",
    "last_reserved_ip.0": "10.1.2.4",
    "last_reserved_ip.1": "2001:db8:1::4",
    lock: "",
  };
  const BOOKKEEPING = { "last_reserved_ip.0": "10.1.2.4", "last_reserved_ip.1": "2001:db8:1::4", lock: "" };
  // a/eth0's files, the legacy record of c (listed with another ifname) and the bookkeeping survive.
  const LISTED_KEPT = {
    ...BOOKKEEPING,
    "10.1.2.2": "a\r\neth0",
    "10.1.2.30": "c",
    "2001:db8:1::2": "a\r\neth0",
  };
  const listed = [
    { containerID: "a", ifname: "eth0" },
    { containerID: "c", ifname: "net1" },
  ];

  it.each([
    ["cni.dev/valid-attachments", { "cni.dev/valid-attachments": listed }, LISTED_KEPT, false],
    ["its alias cni.dev/attachments", { "cni.dev/attachments": listed }, LISTED_KEPT, false],
    [
      "an empty cni.dev/valid-attachments (every reservation is stale)",
      { "cni.dev/valid-attachments": [] },
      BOOKKEEPING,
      false,
    ],
    ["no attachment list at all (nothing is removed)", {}, POPULATED, true],
  ])("with %s", async (_what, top, expected, tempKept) => {
    await populate();
    expect(contents(data.path)).toEqual(POPULATED);
    expect(existsSync(join(data.path, NETWORK, TEMP))).toBe(true);
    const mine = join(data.path, NETWORK);
    const before = snapshot(mine);
    const otherBefore = snapshot(join(data.path, OTHER));

    expect(silent(await networkCall("GC", config(top)))).toEqual(SILENT);

    expect(contents(data.path)).toEqual(expected);
    expect(existsSync(join(mine, TEMP)), `${TEMP} kept`).toBe(tempKept);
    // last_reserved_ip.* and lock are untouched: same bytes, mode and mtime.
    const now = snapshot(mine);
    for (const name of Object.keys(BOOKKEEPING)) expect(now?.[name], name).toBe(before?.[name]);
    // The other network's directory is not touched at all, its stale-looking files included.
    expect(snapshot(join(data.path, OTHER))).toEqual(otherBefore);
  });

  it("succeeds when the data dir does not exist, and creates nothing", async () => {
    const missing = join(data.path, "absent");
    const gc = await networkCall(
      "GC",
      netConf("1.1.0", missing, dualStack, { "cni.dev/valid-attachments": [] }),
    );
    expect(silent(gc)).toEqual(SILENT);
    expect(existsSync(missing)).toBe(false);
  });

  it("is refused for cniVersion 1.0.0 with code 1, removing nothing", async () => {
    await populate();
    const before = snapshot(data.path);
    const gc = await networkCall(
      "GC",
      netConf("1.0.0", data.path, dualStack, { "cni.dev/valid-attachments": [] }),
    );
    expect(failure(gc)).toEqual({ code: 1, json: { code: 1, msg: "config version does not allow GC" } });
    expect(snapshot(data.path)).toEqual(before);
  });
});

describe("STATUS (contract 7.4)", { timeout: TIMEOUT }, () => {
  const exhausted = (set: string) => ({
    code: 1,
    json: { code: 50, msg: `no IP addresses available in range set: ${set}` },
  });
  const small: Json = { ranges: [[{ subnet: "10.0.0.0/30" }]] };

  /** Runs STATUS and asserts it changed nothing under the data dir. */
  async function status(config: Json): Promise<PluginRun> {
    const before = snapshot(data.path);
    const r = await networkCall("STATUS", config);
    expect(snapshot(data.path), "STATUS wrote to the data dir").toEqual(before);
    return r;
  }

  it.each([
    ["whose data dir exists", (root: string) => root],
    ["whose data dir does not exist", (root: string) => join(root, "absent", "data")],
  ])("reports ready for a network never used %s, and creates nothing", async (_what, dataDir) => {
    const dir = dataDir(data.path);
    expect(silent(await status(netConf("1.1.0", dir, small)))).toEqual(SILENT);
    expect(existsSync(join(dir, NETWORK))).toBe(false);
    expect(readdirSync(data.path)).toEqual([]);
  });

  it("reports an exhausted /30 with code 50 naming the set, and ready again after a DEL", async () => {
    const config = netConf("1.1.0", data.path, small);
    await add(config, "a");
    expect(failure(await status(config))).toEqual(exhausted("10.0.0.1-10.0.0.2"));
    expect(silent(await run({ command: "DEL", containerId: "a", ifname: "eth0" }, config))).toEqual(SILENT);
    expect(silent(await status(config))).toEqual(SILENT);
  });

  it.each([
    ["IPv4", [[{ subnet: "10.0.0.0/30" }], [IPV6]], 1, "10.0.0.1-10.0.0.2"],
    ["IPv6", [[IPV4], [{ subnet: "2001:db8::/126" }]], 2, "2001:db8::1-2001:db8::3"],
  ])("names only the full set of a dual-stack config (%s full)", async (_family, ranges, adds, set) => {
    const config = netConf("1.1.0", data.path, { ranges });
    for (let i = 0; i < adds; i++) {
      expect(silent(await status(config))).toEqual(SILENT);
      await add(config, `c${i}`);
    }
    expect(failure(await status(config))).toEqual(exhausted(set));
  });

  it("is refused for cniVersion 1.0.0 with code 1", async () => {
    expect(failure(await status(netConf("1.0.0", data.path, small)))).toEqual({
      code: 1,
      json: { code: 1, msg: "config version does not allow STATUS" },
    });
  });
});

describe.each(["0.4.0", "1.0.0", "1.1.0"])(
  "CHECK with cniVersion %s (contract 7.2, 2.5)",
  { timeout: TIMEOUT },
  (version) => {
    const config = (prevResult?: Json): Json =>
      netConf(version, data.path, dualStack, prevResult === undefined ? {} : { prevResult });
    const check = (containerId: string, prevResult?: Json): Promise<PluginRun> =>
      run({ command: "CHECK", containerId, ifname: "eth0" }, config(prevResult));
    const checkFailure = (msg: string) => ({ code: 1, json: { code: 999, msg } });
    const ipsOf = (result: Json): Json[] => result.ips as Json[];

    it("passes when prevResult is the result ADD printed in this version", async () => {
      const prev = await add(config(), "c1");
      expect(prev.cniVersion).toBe(version);
      expect(silent(await check("c1", prev))).toEqual(SILENT);
    });

    it("names the address and its owner when prevResult holds another container's address", async () => {
      await add(config(), "c1");
      const foreign = await add(config(), "c2");
      expect(failure(await check("c1", foreign))).toEqual(
        checkFailure(
          "host-local: address 10.1.2.3 of prevResult is held by container c2, ifname eth0, not by container c1, ifname eth0",
        ),
      );
    });

    it("names a prevResult address whose reservation is gone", async () => {
      const prev = await add(config(), "c1");
      rmSync(join(data.path, NETWORK, "10.1.2.2"));
      expect(failure(await check("c1", prev))).toEqual(
        checkFailure(
          "host-local: address 10.1.2.2 of prevResult is not reserved (expected container c1, ifname eth0)",
        ),
      );
    });

    it("ignores a prevResult address outside its range sets (another plugin's)", async () => {
      const prev = await add(config(), "c1");
      const [first] = ipsOf(prev);
      const withForeign = { ...prev, ips: [...ipsOf(prev), { ...first, address: "192.168.99.5/24" }] };
      expect(silent(await check("c1", withForeign))).toEqual(SILENT);
    });

    it("without prevResult follows upstream: any reservation of the attachment passes", async () => {
      await add(config(), "c1");
      expect(silent(await check("c1"))).toEqual(SILENT);
      expect(failure(await check("c9"))).toEqual(
        checkFailure("host-local: Failed to find address added by container c9"),
      );
    });
  },
);
