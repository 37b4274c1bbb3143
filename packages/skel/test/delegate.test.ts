import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { makeTempDataDir, UPSTREAM_CNI_DIR } from "@cni-ts/testutils";
import { CniError } from "@cni-ts/types";
import { afterAll, describe, expect, it } from "vitest";
import { delegateAdd, delegateCheck, delegateDel, delegateGc, delegateStatus } from "../src/index.js";
import { writeFakePlugin } from "./fixtures/fake-plugin.js";

const temp = makeTempDataDir("cni-ts-skel-delegate-");
afterAll(() => temp.cleanup());

let networks = 0;

/** A bridge-style config whose IPAM section names Debian's host-local with its own data dir. */
function bridgeConfig(cniVersion: string, subnet = "10.77.0.0/24") {
  const name = `net${++networks}`;
  const dataDir = join(temp.path, "data");
  const stdin = Buffer.from(
    JSON.stringify({ cniVersion, name, type: "bridge", ipam: { type: "host-local", subnet, dataDir } }),
  );
  return { stdin, networkDir: join(dataDir, name) };
}

const ENV = {
  // Deliberately wrong: each delegate function sets its own command.
  CNI_COMMAND: "VERSION",
  CNI_CONTAINERID: "c1",
  CNI_NETNS: "/var/run/netns/skel-test",
  CNI_IFNAME: "eth0",
  CNI_PATH: `/nonexistent:${UPSTREAM_CNI_DIR}`,
  CNI_NETNS_OVERRIDE: "1",
};

async function failure(promise: Promise<unknown>): Promise<{ code: number; msg: string; details?: string }> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof CniError)) throw err;
    return err.details === undefined
      ? { code: err.code, msg: err.msg }
      : { code: err.code, msg: err.msg, details: err.details };
  }
  throw new Error("the delegated call succeeded");
}

describe("delegating to Debian's upstream host-local", () => {
  describe.each(["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"])("config %s", (version) => {
    it("ADD returns the current result and reserves the address; DEL releases it", async () => {
      const { stdin, networkDir } = bridgeConfig(version);
      const result = await delegateAdd("host-local", stdin, { env: ENV });
      expect(result).toMatchObject({
        cniVersion: "1.1.0",
        ips: [{ address: "10.77.0.2/24", gateway: "10.77.0.1" }],
      });
      expect(existsSync(join(networkDir, "10.77.0.2"))).toBe(true);

      await delegateDel("host-local", stdin, { env: ENV });
      expect(existsSync(join(networkDir, "10.77.0.2"))).toBe(false);
    });
  });

  it.each(["0.4.0", "1.0.0"])(
    "CHECK (config %s) passes for an added container and fails after DEL",
    async (version) => {
      const { stdin } = bridgeConfig(version);
      await delegateAdd("host-local", stdin, { env: ENV });
      await expect(delegateCheck("host-local", stdin, { env: ENV })).resolves.toBeUndefined();
      await delegateDel("host-local", stdin, { env: ENV });
      expect(await failure(delegateCheck("host-local", stdin, { env: ENV }))).toEqual({
        code: 999,
        msg: "host-local: Failed to find address added by container c1",
      });
    },
  );

  it("passes the plugin's own error object through", async () => {
    const { stdin } = bridgeConfig("1.0.0", "10.77.0.0/31");
    expect(await failure(delegateAdd("host-local", stdin, { env: ENV }))).toEqual({
      code: 999,
      msg: "invalid range set 0: Network 10.77.0.0/31 too small to allocate from",
    });
  });

  it("passes a version refusal through with its details", async () => {
    const { stdin } = bridgeConfig("1.1.0");
    expect(await failure(delegateAdd("host-local", stdin, { env: ENV }))).toEqual({
      code: 1,
      msg: "incompatible CNI versions",
      details: 'config is "1.1.0", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0"]',
    });
  });

  it("reports an exhausted range (a /30 has one address besides the gateway)", async () => {
    const { stdin } = bridgeConfig("1.0.0", "10.77.0.0/30");
    await delegateAdd("host-local", stdin, { env: { ...ENV, CNI_CONTAINERID: "first" } });
    expect(
      await failure(delegateAdd("host-local", stdin, { env: { ...ENV, CNI_CONTAINERID: "second" } })),
    ).toEqual({
      code: 999,
      msg: "failed to allocate for range 0: no IP addresses available in range set: 10.77.0.1-10.77.0.2",
    });
  });

  it("looks the plugin up on the cniPath option before CNI_PATH", async () => {
    const { stdin } = bridgeConfig("1.0.0");
    const result = await delegateAdd("host-local", stdin, {
      env: { ...ENV, CNI_PATH: "/nonexistent" },
      cniPath: UPSTREAM_CNI_DIR,
    });
    expect(result.ips?.[0]?.address).toBe("10.77.0.2/24");
  });

  it.each([
    {
      case: "is not on the path",
      type: "no-such-plugin",
      msg: `failed to find plugin "no-such-plugin" in path [/nonexistent ${UPSTREAM_CNI_DIR}]`,
    },
    { case: "has no name", type: "", msg: "no plugin name provided" },
  ])("fails with 999 when the plugin $case", async ({ type, msg }) => {
    const { stdin } = bridgeConfig("1.0.0");
    expect(await failure(delegateAdd(type, stdin, { env: ENV }))).toEqual({ code: 999, msg });
  });
});

describe("reading a delegated plugin's output", () => {
  const dir = join(temp.path, "fake-plugins");
  mkdirSync(dir);
  const printing = (name: string, stdout: string) => writeFakePlugin(dir, name, `printf '%s' '${stdout}'`);
  const env = { CNI_PATH: dir };

  it.each([
    {
      case: "a result without cniVersion is in the config's version",
      config: '{"cniVersion":"0.4.0","name":"n"}',
      stdout: '{"ips":[{"version":"4","address":"10.0.0.2/24","gateway":"10.0.0.1"}],"dns":{}}',
      result: { cniVersion: "1.1.0", ips: [{ address: "10.0.0.2/24", gateway: "10.0.0.1" }] },
    },
    {
      case: "a result in an older format than the config",
      config: '{"cniVersion":"1.0.0","name":"n"}',
      stdout: '{"cniVersion":"0.2.0","ip4":{"ip":"10.0.0.2/24"}}',
      result: { cniVersion: "1.1.0", ips: [{ address: "10.0.0.2/24" }] },
    },
    {
      case: "a null result is an empty one",
      config: '{"cniVersion":"1.0.0","name":"n"}',
      stdout: "null",
      result: { cniVersion: "1.1.0" },
    },
  ])("$case", async ({ case: name, config, stdout, result }) => {
    const type = `ok-${name.length}`;
    printing(type, stdout);
    expect(await delegateAdd(type, Buffer.from(config), { env })).toMatchObject(result);
  });

  it.each([
    {
      case: "stdout that is not JSON",
      stdout: "nope",
      msg: "failed to unmarshal raw result: invalid character 'o' in literal null (expecting 'u')",
    },
    {
      case: "a JSON array",
      stdout: "[]",
      msg: "failed to unmarshal raw result: json: cannot unmarshal array into Go value of type map[string]interface {}",
    },
    {
      case: "an invalid address",
      stdout: '{"cniVersion":"1.0.0","ips":[{"address":"nope"}]}',
      msg: "invalid CIDR address: nope",
    },
    {
      case: "an unknown result version",
      stdout: '{"cniVersion":"7.7.7"}',
      msg: 'unsupported CNI result version "7.7.7"',
    },
  ])("refuses $case with 999", async ({ case: name, stdout, msg }) => {
    const type = `bad-${name.length}`;
    printing(type, stdout);
    expect(
      await failure(delegateAdd(type, Buffer.from('{"cniVersion":"1.0.0","name":"n"}'), { env })),
    ).toEqual({
      code: 999,
      msg,
    });
  });

  it.each([
    { command: "CHECK", call: delegateCheck },
    { command: "DEL", call: delegateDel },
    { command: "GC", call: delegateGc },
    { command: "STATUS", call: delegateStatus },
  ])(
    "$command runs the plugin with CNI_COMMAND=$command and ignores its stdout",
    async ({ command, call }) => {
      writeFakePlugin(
        dir,
        "expects",
        `[ "$CNI_COMMAND" = "${command}" ] || { printf '{"code":4,"msg":"got %s"}' "$CNI_COMMAND"; exit 1; }\nprintf ignored`,
      );
      await expect(
        call("expects", Buffer.from("{}"), { env: { ...env, CNI_COMMAND: "ADD" } }),
      ).resolves.toBeUndefined();
    },
  );

  it("copies a successful plugin's stderr to onStderr", async () => {
    writeFakePlugin(dir, "warns", "echo careful >&2");
    const seen: string[] = [];
    await delegateDel("warns", Buffer.from("{}"), { env, onStderr: (text) => seen.push(text) });
    expect(seen).toEqual(["careful\n"]);
  });
});
