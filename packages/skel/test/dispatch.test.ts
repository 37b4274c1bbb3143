import { CniError, convertResult, printResult, SUPPORTED_VERSIONS } from "@cni-ts/types";
import { describe, expect, it } from "vitest";
import { dispatch, type PluginCommands, SPEC_VERSION } from "../src/index.js";
import {
  cniErrorJson,
  fakeIo,
  NO_CALLS,
  printedError,
  run,
  SAMPLE_RESULT,
  spyCommands,
} from "./fixtures/fake-io.js";

// The fixture of upstream's skel tests: a plugin that supports two made-up versions.
const FIXTURE_VERSIONS = { supportedVersions: ["9.8.7", "10.0.0"] };
const FIXTURE_STDIN = '{"name":"skel-test","some":"config","cniVersion":"9.8.7"}';
const FIXTURE_CONFIG = { name: "skel-test", some: "config", cniVersion: "9.8.7" };
const FIXTURE_ENV = {
  CNI_COMMAND: "ADD",
  CNI_CONTAINERID: "some-container-id",
  CNI_NETNS: "/some/netns/path",
  CNI_IFNAME: "eth0",
  CNI_ARGS: "some;extra;args",
  CNI_PATH: "/some/cni/path",
};
// What a plugin speaking 9.8.7 returns from ADD; printing it needs no conversion.
const FIXTURE_RESULT = { cniVersion: "9.8.7", ips: [{ address: "10.1.2.2/24" }] };
const FIXTURE_CMD_ARGS = {
  containerId: "some-container-id",
  netns: "/some/netns/path",
  ifName: "eth0",
  args: "some;extra;args",
  path: "/some/cni/path",
  netnsOverride: "",
  stdinData: Buffer.from(FIXTURE_STDIN),
  config: FIXTURE_CONFIG,
  cniVersion: "9.8.7",
};

// The real plugin: every spec version, as host-local declares it.
const REAL = { supportedVersions: SUPPORTED_VERSIONS, about: "CNI host-local plugin version 0.1.0" };
const CONFIG_C = '{"cniVersion":"1.0.0","name":"mynet","ipam":{"type":"host-local","subnet":"10.1.2.0/24"}}';
const ADD_ENV = { ...FIXTURE_ENV, CNI_CONTAINERID: "c1", CNI_NETNS: "/var/run/netns/none", CNI_PATH: "/x" };

function withEnv(base: Record<string, string>, changes: Record<string, string | undefined>) {
  const env: Record<string, string | undefined> = { ...base, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete env[key];
  return env;
}

function config(fields: Record<string, unknown>): string {
  return JSON.stringify({ name: "skel-test", ...fields });
}

describe("upstream's skel fixture (versions 9.8.7 and 10.0.0)", () => {
  describe.each([
    { command: "ADD", callback: "add" },
    { command: "DEL", callback: "del" },
    { command: "CHECK", callback: "check" },
  ] as const)("$command with the full environment", ({ command, callback }) => {
    it("calls only its own callback, once, with exactly the call's arguments", async () => {
      const commands = spyCommands(FIXTURE_RESULT);
      const outcome = await run(
        { ...FIXTURE_ENV, CNI_COMMAND: command },
        FIXTURE_STDIN,
        FIXTURE_VERSIONS,
        commands,
      );
      expect(commands[callback]).toHaveBeenCalledTimes(1);
      expect(commands[callback]).toHaveBeenCalledWith(FIXTURE_CMD_ARGS);
      expect(outcome.calls).toEqual({ ...NO_CALLS, [callback]: 1 });
      expect(outcome.status).toBe(0);
    });
  });

  it("prints ADD's result in the config's version", async () => {
    const outcome = await run(FIXTURE_ENV, FIXTURE_STDIN, FIXTURE_VERSIONS, spyCommands(FIXTURE_RESULT));
    expect(outcome).toMatchObject({ status: 0, json: FIXTURE_RESULT, stderr: "" });
  });

  it.each(["DEL", "CHECK"] as const)("%s succeeds silently", async (command) => {
    const outcome = await run(
      { ...FIXTURE_ENV, CNI_COMMAND: command },
      FIXTURE_STDIN,
      FIXTURE_VERSIONS,
      spyCommands(FIXTURE_RESULT),
    );
    expect(outcome).toMatchObject({ status: 0, stdout: "", stderr: "" });
  });

  describe.each(["ADD", "CHECK", "DEL"])("%s refuses bad identifiers", (command) => {
    it.each([
      {
        env: { CNI_CONTAINERID: "some-%%container-id" },
        error: cniErrorJson(4, "invalid characters in containerID", "some-%%container-id"),
      },
      {
        env: { CNI_IFNAME: "1234567890123456" },
        error: cniErrorJson(
          4,
          "interface name is too long",
          "interface name should be less than 16 characters",
        ),
      },
      { env: { CNI_IFNAME: "." }, error: cniErrorJson(4, "interface name is . or ..") },
      { env: { CNI_IFNAME: ".." }, error: cniErrorJson(4, "interface name is . or ..") },
      ...["test/test", "test:test", "test test"].map((ifName) => ({
        env: { CNI_IFNAME: ifName },
        error: cniErrorJson(4, "interface name contains / or : or whitespace characters"),
      })),
    ])("$env → $error.msg, no callback", async ({ env, error }) => {
      const outcome = await run(
        { ...FIXTURE_ENV, CNI_COMMAND: command, ...env },
        FIXTURE_STDIN,
        FIXTURE_VERSIONS,
      );
      expect(outcome.status).toBe(1);
      expect(printedError(outcome)).toEqual(error);
      expect(outcome.calls).toEqual(NO_CALLS);
    });
  });

  describe.each([
    {
      command: "ADD",
      callback: "add",
      required: ["CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"],
      optional: ["CNI_ARGS"],
      base: FIXTURE_ENV,
    },
    {
      command: "CHECK",
      callback: "check",
      required: ["CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"],
      optional: ["CNI_ARGS"],
      base: FIXTURE_ENV,
    },
    {
      command: "DEL",
      callback: "del",
      required: ["CNI_COMMAND", "CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"],
      optional: ["CNI_NETNS", "CNI_ARGS"],
      base: FIXTURE_ENV,
    },
    {
      command: "GC",
      callback: "gc",
      required: ["CNI_COMMAND", "CNI_PATH"],
      optional: ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS"],
      base: { CNI_COMMAND: "GC", CNI_PATH: "/some/cni/path" },
    },
    {
      command: "STATUS",
      callback: "status",
      required: ["CNI_COMMAND", "CNI_PATH"],
      optional: ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS"],
      base: { CNI_COMMAND: "STATUS", CNI_PATH: "/some/cni/path" },
    },
  ] as const)("$command's environment", ({ command, callback, required, optional, base }) => {
    const env = { ...base, CNI_COMMAND: command };

    it.each(required)("without %s → required env variables [%s] missing, no callback", async (name) => {
      const outcome = await run(
        withEnv(env, { [name]: undefined }),
        FIXTURE_STDIN,
        FIXTURE_VERSIONS,
        spyCommands(FIXTURE_RESULT),
      );
      expect(printedError(outcome)).toEqual(cniErrorJson(4, `required env variables [${name}] missing`));
      expect(outcome.calls).toEqual(NO_CALLS);
    });

    it.each(required)("with %s set to the empty string → the same error", async (name) => {
      const outcome = await run(
        withEnv(env, { [name]: "" }),
        FIXTURE_STDIN,
        FIXTURE_VERSIONS,
        spyCommands(FIXTURE_RESULT),
      );
      expect(printedError(outcome)).toEqual(cniErrorJson(4, `required env variables [${name}] missing`));
    });

    it.each(optional)("without %s → the command runs", async (name) => {
      const commands = spyCommands(FIXTURE_RESULT);
      const outcome = await run(
        withEnv(env, { [name]: undefined }),
        FIXTURE_STDIN,
        FIXTURE_VERSIONS,
        commands,
      );
      expect(outcome.calls).toEqual({ ...NO_CALLS, [callback]: 1 });
      expect(outcome.status).toBe(0);
      expect(commands[callback].mock.calls[0]?.[0]).toMatchObject({ path: "/some/cni/path" });
    });
  });

  it("reports every missing variable at once, in upstream's order", async () => {
    const env = withEnv(FIXTURE_ENV, { CNI_NETNS: undefined, CNI_IFNAME: undefined, CNI_PATH: undefined });
    for (const command of ["ADD", "CHECK"]) {
      const outcome = await run(
        { ...env, CNI_COMMAND: command },
        FIXTURE_STDIN,
        FIXTURE_VERSIONS,
        spyCommands(FIXTURE_RESULT),
      );
      expect(printedError(outcome)).toEqual(
        cniErrorJson(4, "required env variables [CNI_NETNS,CNI_IFNAME,CNI_PATH] missing"),
      );
    }
  });

  it("gives GC only CNI_PATH and the config (other variables pass through as read)", async () => {
    const commands = spyCommands(FIXTURE_RESULT);
    const stdin = config({ cniVersion: "10.0.0" });
    await run({ CNI_COMMAND: "GC", CNI_PATH: "/some/cni/path" }, stdin, FIXTURE_VERSIONS, commands);
    expect(commands.gc).toHaveBeenCalledWith({
      containerId: "",
      netns: "",
      ifName: "",
      args: "",
      path: "/some/cni/path",
      netnsOverride: "",
      stdinData: Buffer.from(stdin),
      config: JSON.parse(stdin),
      cniVersion: "10.0.0",
    });
  });

  it("treats a config without cniVersion as 0.1.0 and passes stdin unchanged", async () => {
    const stdin = ' {"name":"skel-test","some":"config"}\n';
    const commands = spyCommands();
    const outcome = await run(FIXTURE_ENV, stdin, { supportedVersions: ["0.1.0"] }, commands);
    expect(outcome.status).toBe(0);
    const args = commands.add.mock.calls[0]?.[0];
    expect(args?.stdinData).toEqual(Buffer.from(stdin));
    expect(args?.cniVersion).toBe("0.1.0");
  });

  it("refuses a config without cniVersion when 0.1.0 is not supported", async () => {
    const outcome = await run(FIXTURE_ENV, '{"name":"skel-test"}', { supportedVersions: ["4.3.2"] });
    expect(printedError(outcome)).toEqual(
      cniErrorJson(1, "incompatible CNI versions", 'config is "0.1.0", plugin supports ["4.3.2"]'),
    );
    expect(outcome.calls).toEqual(NO_CALLS);
  });

  describe.each([
    { command: "CHECK", minimum: "0.4.0", below: "0.3.0", old: ["0.1.0", "0.2.0", "0.3.0"] },
    { command: "GC", minimum: "1.1.0", below: "0.3.0", old: ["0.1.0", "0.2.0", "0.3.0"] },
    { command: "STATUS", minimum: "1.1.0", below: "1.0.0", old: ["0.1.0", "0.2.0", "0.3.0", "1.0.0"] },
  ])("$command's version gate", ({ command, minimum, below, old }) => {
    const env = { ...FIXTURE_ENV, CNI_COMMAND: command };

    it.each([
      {
        case: `config ${below}`,
        stdin: config({ cniVersion: below }),
        versions: FIXTURE_VERSIONS.supportedVersions,
        error: cniErrorJson(1, `config version does not allow ${command}`),
      },
      {
        case: `config ${minimum}, plugin supports only older versions`,
        stdin: config({ cniVersion: minimum }),
        versions: old,
        error: cniErrorJson(1, `plugin version does not allow ${command}`),
      },
      {
        case: "config version adsfsadf",
        stdin: config({ cniVersion: "adsfsadf" }),
        versions: FIXTURE_VERSIONS.supportedVersions,
        error: cniErrorJson(
          6,
          'failed to convert major version part "adsfsadf": strconv.Atoi: parsing "adsfsadf": invalid syntax',
        ),
      },
      {
        case: "network name te%%st (the name check comes first)",
        stdin: JSON.stringify({ name: "te%%st", cniVersion: "0.4.0" }),
        versions: FIXTURE_VERSIONS.supportedVersions,
        error: cniErrorJson(7, "invalid characters found in network name", "te%%st"),
      },
      {
        case: "plugin version adsfasdf",
        stdin: config({ cniVersion: minimum }),
        versions: ["adsfasdf"],
        error: cniErrorJson(
          6,
          'failed to convert major version part "adsfasdf": strconv.Atoi: parsing "adsfasdf": invalid syntax',
        ),
      },
      {
        case: "parsable but inexact config version",
        stdin: config({ cniVersion: `${minimum.slice(0, 3)}` }),
        versions: ["1.1.0", "9.8.7"],
        error: cniErrorJson(
          1,
          "incompatible CNI versions",
          `config is "${minimum.slice(0, 3)}", plugin supports ["1.1.0" "9.8.7"]`,
        ),
      },
    ])("$case → $error.msg, no callback", async ({ stdin, versions, error }) => {
      const outcome = await run(env, stdin, { supportedVersions: versions });
      expect(outcome.status).toBe(1);
      expect(printedError(outcome)).toEqual(error);
      expect(outcome.calls).toEqual(NO_CALLS);
    });

    it("only parses the supported versions up to the first one new enough", async () => {
      const outcome = await run(env, config({ cniVersion: minimum }), {
        supportedVersions: [minimum, "not-a-version"],
      });
      expect(outcome.status).toBe(0);
    });
  });

  describe("VERSION", () => {
    it("prints the version document and calls nothing", async () => {
      const outcome = await run(
        { CNI_COMMAND: "VERSION" },
        FIXTURE_STDIN,
        FIXTURE_VERSIONS,
        spyCommands(FIXTURE_RESULT),
      );
      expect(outcome.status).toBe(0);
      expect(outcome.json).toEqual({ cniVersion: "1.1.0", supportedVersions: ["9.8.7", "10.0.0"] });
      expect(outcome.calls).toEqual(NO_CALLS);
    });

    it("needs only CNI_COMMAND and ignores invalid values of the others", async () => {
      const outcome = await run(
        { CNI_COMMAND: "VERSION", CNI_CONTAINERID: "a/b", CNI_IFNAME: "..", CNI_NETNS: "" },
        "",
        FIXTURE_VERSIONS,
      );
      expect(outcome.status).toBe(0);
      expect(outcome.json).toEqual({ cniVersion: SPEC_VERSION, supportedVersions: ["9.8.7", "10.0.0"] });
    });

    it("never reads stdin", async () => {
      const outcome = await run(
        { ...FIXTURE_ENV, CNI_COMMAND: "VERSION" },
        new Error("must not read"),
        FIXTURE_VERSIONS,
      );
      expect(outcome.stdinReads).toBe(0);
      expect(outcome.status).toBe(0);
    });

    it("prints upstream HEAD's exact bytes for the real plugin, newline included", async () => {
      const outcome = await run({ CNI_COMMAND: "VERSION" }, "", REAL);
      expect(outcome.stdout).toBe(
        '{"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n',
      );
    });
  });

  describe("other cases", () => {
    it("refuses an unknown command after reading the config", async () => {
      const outcome = await run(
        { ...FIXTURE_ENV, CNI_COMMAND: "NOPE" },
        FIXTURE_STDIN,
        FIXTURE_VERSIONS,
        spyCommands(FIXTURE_RESULT),
      );
      expect(printedError(outcome)).toEqual(cniErrorJson(4, "unknown CNI_COMMAND: NOPE"));
      expect(outcome.stdinReads).toBe(1);
      expect(outcome.calls).toEqual(NO_CALLS);
    });

    it("prints the about text on stderr when CNI_COMMAND is empty", async () => {
      const outcome = await run({ ...FIXTURE_ENV, CNI_COMMAND: "" }, FIXTURE_STDIN, {
        ...FIXTURE_VERSIONS,
        about: "test framework v42",
      });
      expect(outcome).toMatchObject({ status: 0, stdout: "" });
      expect(outcome.stderr).toContain("test framework v42");
    });

    it("prints exactly the about line and the versions for an empty environment", async () => {
      const outcome = await run({}, "", { ...FIXTURE_VERSIONS, about: "AWESOME PLUGIN" });
      expect(outcome).toMatchObject({
        status: 0,
        stdout: "",
        stderr: "AWESOME PLUGIN\nCNI protocol versions supported: 9.8.7, 10.0.0\n",
        stdinReads: 0,
      });
    });

    it("reports a missing CNI_COMMAND when the plugin has no about text", async () => {
      const outcome = await run({}, "", FIXTURE_VERSIONS, spyCommands(FIXTURE_RESULT));
      expect(printedError(outcome)).toEqual(cniErrorJson(4, "required env variables [CNI_COMMAND] missing"));
    });

    it("reports an unreadable stdin as error 5, calling nothing", async () => {
      const outcome = await run(
        FIXTURE_ENV,
        new Error("banana"),
        FIXTURE_VERSIONS,
        spyCommands(FIXTURE_RESULT),
      );
      expect(printedError(outcome)).toEqual(cniErrorJson(5, "error reading from stdin: banana"));
      expect(outcome.calls).toEqual(NO_CALLS);
    });

    it.each([
      { command: "ADD", callback: "add" },
      { command: "DEL", callback: "del" },
      { command: "CHECK", callback: "check" },
    ] as const)("passes a CniError from $callback through unchanged", async ({ command, callback }) => {
      const commands = spyCommands(FIXTURE_RESULT);
      commands[callback].mockRejectedValueOnce(
        new CniError(1234, "insufficient something", { details: "more" }),
      );
      const outcome = await run(
        { ...FIXTURE_ENV, CNI_COMMAND: command },
        FIXTURE_STDIN,
        FIXTURE_VERSIONS,
        commands,
      );
      expect(outcome.status).toBe(1);
      expect(printedError(outcome)).toEqual(cniErrorJson(1234, "insufficient something", "more"));
    });

    it.each([
      { command: "ADD", callback: "add" },
      { command: "DEL", callback: "del" },
      { command: "CHECK", callback: "check" },
    ] as const)(
      "turns a plain error from $callback into 999 with its message",
      async ({ command, callback }) => {
        const commands = spyCommands(FIXTURE_RESULT);
        commands[callback].mockRejectedValueOnce(new Error("potato"));
        const outcome = await run(
          { ...FIXTURE_ENV, CNI_COMMAND: command },
          FIXTURE_STDIN,
          FIXTURE_VERSIONS,
          commands,
        );
        expect(outcome.status).toBe(1);
        expect(printedError(outcome)).toEqual(cniErrorJson(999, "potato"));
        expect(outcome.stdout).not.toContain("at ");
      },
    );
  });
});

// Contract 1.11, with config C (cniVersion 1.0.0) and the real plugin's versions.
describe("protocol examples", () => {
  const cases: {
    case: string;
    env: Record<string, string>;
    stdin: string;
    error?: ReturnType<typeof cniErrorJson>;
    stderr?: string;
  }[] = [
    {
      case: "ADD, container ID with a slash, no CNI_PATH",
      env: { CNI_COMMAND: "ADD", CNI_CONTAINERID: "a/b", CNI_NETNS: "/x", CNI_IFNAME: "eth0" },
      stdin: CONFIG_C,
      error: cniErrorJson(4, "invalid characters in containerID", "a/b"),
    },
    {
      case: "ADD, container ID starting with a dash",
      env: { ...ADD_ENV, CNI_CONTAINERID: "-ab" },
      stdin: CONFIG_C,
      error: cniErrorJson(4, "invalid characters in containerID", "-ab"),
    },
    {
      case: "DEL, 16-byte interface name",
      env: { CNI_COMMAND: "DEL", CNI_CONTAINERID: "ab", CNI_IFNAME: "0123456789abcdef", CNI_PATH: "/x" },
      stdin: CONFIG_C,
      error: cniErrorJson(
        4,
        "interface name is too long",
        "interface name should be less than 16 characters",
      ),
    },
    {
      case: "DEL, 15-byte interface name, no CNI_NETNS",
      env: { CNI_COMMAND: "DEL", CNI_CONTAINERID: "ab", CNI_IFNAME: "0123456789abcde", CNI_PATH: "/x" },
      stdin: CONFIG_C,
    },
    {
      case: "DEL without CNI_IFNAME",
      env: { CNI_COMMAND: "DEL", CNI_CONTAINERID: "c1", CNI_PATH: "/x" },
      stdin: CONFIG_C,
      error: cniErrorJson(4, "required env variables [CNI_IFNAME] missing"),
    },
    {
      case: "lower-case command",
      env: { ...ADD_ENV, CNI_COMMAND: "add" },
      stdin: CONFIG_C,
      error: cniErrorJson(4, "unknown CNI_COMMAND: add"),
    },
    {
      case: "ADD, stdin not JSON",
      env: ADD_ENV,
      stdin: "not json",
      error: cniErrorJson(
        6,
        "error unmarshall network config: invalid character 'o' in literal null (expecting 'u')",
      ),
    },
    {
      case: "ADD, no name",
      env: ADD_ENV,
      stdin: '{"cniVersion":"1.0.0"}',
      error: cniErrorJson(7, "missing network name"),
    },
    {
      case: "ADD, name with a space",
      env: ADD_ENV,
      stdin: '{"cniVersion":"1.0.0","name":"my net"}',
      error: cniErrorJson(7, "invalid characters found in network name", "my net"),
    },
    {
      case: "ADD, numeric cniVersion",
      env: ADD_ENV,
      stdin: '{"cniVersion":1,"name":"x"}',
      error: cniErrorJson(
        6,
        "decoding version from network config: json: cannot unmarshal number into Go struct field .cniVersion of type string",
      ),
    },
    {
      case: "CHECK, config 0.3.1",
      env: { ...ADD_ENV, CNI_COMMAND: "CHECK" },
      stdin: CONFIG_C.replace("1.0.0", "0.3.1"),
      error: cniErrorJson(1, "config version does not allow CHECK"),
    },
    {
      case: "CHECK, config 2.0.0",
      env: { ...ADD_ENV, CNI_COMMAND: "CHECK" },
      stdin: CONFIG_C.replace("1.0.0", "2.0.0"),
      error: cniErrorJson(1, "plugin version does not allow CHECK"),
    },
    {
      case: "CHECK, config abc",
      env: { ...ADD_ENV, CNI_COMMAND: "CHECK" },
      stdin: CONFIG_C.replace("1.0.0", "abc"),
      error: cniErrorJson(
        6,
        'failed to convert major version part "abc": strconv.Atoi: parsing "abc": invalid syntax',
      ),
    },
    {
      case: "ADD, config abc",
      env: ADD_ENV,
      stdin: CONFIG_C.replace("1.0.0", "abc"),
      error: cniErrorJson(
        1,
        "incompatible CNI versions",
        'config is "abc", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]',
      ),
    },
    {
      case: "ADD, config 1.0 (not exactly a supported version)",
      env: ADD_ENV,
      stdin: CONFIG_C.replace("1.0.0", "1.0"),
      error: cniErrorJson(
        1,
        "incompatible CNI versions",
        'config is "1.0", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]',
      ),
    },
    {
      case: "GC, config 1.1.0",
      env: { CNI_COMMAND: "GC", CNI_PATH: "/x" },
      stdin: CONFIG_C.replace("1.0.0", "1.1.0"),
    },
    {
      case: "GC, config 1.0.0",
      env: { CNI_COMMAND: "GC", CNI_PATH: "/x" },
      stdin: CONFIG_C,
      error: cniErrorJson(1, "config version does not allow GC"),
    },
    {
      case: "STATUS without CNI_PATH",
      env: { CNI_COMMAND: "STATUS" },
      stdin: CONFIG_C.replace("1.0.0", "1.1.0"),
      error: cniErrorJson(4, "required env variables [CNI_PATH] missing"),
    },
    {
      case: "empty CNI_COMMAND",
      env: { ...ADD_ENV, CNI_COMMAND: "" },
      stdin: "anything",
      stderr:
        "CNI host-local plugin version 0.1.0\nCNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0\n",
    },
  ];

  it.each(cases)("$case", async ({ env, stdin, error, stderr }) => {
    const outcome = await run(env, stdin, REAL, spyCommands());
    if (error === undefined) {
      expect(outcome).toMatchObject({ status: 0, stdout: "", stderr: stderr ?? "" });
    } else {
      expect(outcome.status).toBe(1);
      expect(printedError(outcome)).toEqual(error);
      expect(outcome.stderr).toBe("");
    }
  });
});

describe("HEAD's order of checks", () => {
  it.each([
    {
      case: "an invalid container ID wins over a missing CNI_PATH",
      env: { CNI_COMMAND: "ADD", CNI_CONTAINERID: "a/b", CNI_NETNS: "/x", CNI_IFNAME: "eth0" },
      error: cniErrorJson(4, "invalid characters in containerID", "a/b"),
    },
    {
      case: "an invalid container ID wins over an invalid interface name",
      env: { ...ADD_ENV, CNI_CONTAINERID: "a b", CNI_IFNAME: "a b" },
      error: cniErrorJson(4, "invalid characters in containerID", "a b"),
    },
    {
      case: "an invalid interface name wins over a missing CNI_PATH",
      env: withEnv(ADD_ENV, { CNI_IFNAME: "a:b", CNI_PATH: undefined }),
      error: cniErrorJson(4, "interface name contains / or : or whitespace characters"),
    },
    {
      case: "a missing variable wins over a broken config",
      env: withEnv(ADD_ENV, { CNI_PATH: undefined }),
      stdin: "not json",
      error: cniErrorJson(4, "required env variables [CNI_PATH] missing"),
    },
    {
      case: "a broken config wins over an unknown command",
      env: { ...ADD_ENV, CNI_COMMAND: "FOO" },
      stdin: "garbage",
      error: cniErrorJson(
        6,
        "error unmarshall network config: invalid character 'g' looking for beginning of value",
      ),
    },
    {
      case: "an invalid network name wins over an unsupported version",
      env: ADD_ENV,
      stdin: '{"cniVersion":"7.7.7","name":"a b"}',
      error: cniErrorJson(7, "invalid characters found in network name", "a b"),
    },
    {
      case: "the network name is checked for GC, without any identifiers",
      env: { CNI_COMMAND: "GC", CNI_PATH: "/x" },
      stdin: '{"cniVersion":"1.1.0","name":""}',
      error: cniErrorJson(7, "missing network name"),
    },
    {
      case: "identifiers a command does not require are not validated",
      env: { CNI_COMMAND: "GC", CNI_PATH: "/x", CNI_CONTAINERID: "a/b", CNI_IFNAME: "." },
      stdin: '{"cniVersion":"1.1.0","name":"n"}',
    },
    {
      case: "DEL does not validate an absent container ID before reporting it missing",
      env: { CNI_COMMAND: "DEL", CNI_IFNAME: "eth0", CNI_PATH: "/x" },
      error: cniErrorJson(4, "required env variables [CNI_CONTAINERID] missing"),
    },
  ])("$case", async ({ env, stdin, error }) => {
    const outcome = await run(env, stdin ?? CONFIG_C, REAL);
    if (error === undefined) {
      expect(outcome.status).toBe(0);
    } else {
      expect(printedError(outcome)).toEqual(error);
    }
  });

  it("prints the about text even when other variables are missing too", async () => {
    const outcome = await run({ CNI_IFNAME: "a/b" }, "", REAL);
    expect(outcome).toMatchObject({ status: 0, stdout: "", stdinReads: 0 });
    expect(outcome.stderr.startsWith("CNI host-local plugin version 0.1.0\n")).toBe(true);
  });
});

describe("what ADD prints", () => {
  it.each(SUPPORTED_VERSIONS)(
    "config %s: the result converted to that version, no trailing newline",
    async (version) => {
      const commands = spyCommands();
      const stdin = CONFIG_C.replace("1.0.0", version);
      const outcome = await run(ADD_ENV, stdin, REAL, commands);
      expect(outcome.status).toBe(0);
      expect(outcome.stdout).toBe(printResult(convertResult(SAMPLE_RESULT, version)));
      expect(outcome.stdout.endsWith("}")).toBe(true);
      expect((outcome.json as { cniVersion: string }).cniVersion).toBe(version);
      expect(commands.add.mock.calls[0]?.[0]?.cniVersion).toBe(version);
    },
  );

  it.each([
    { case: "an empty cniVersion", stdin: '{"name":"mynet","cniVersion":""}' },
    { case: "no cniVersion", stdin: '{"name":"mynet"}' },
    { case: "a null cniVersion", stdin: '{"name":"mynet","cniVersion":null}' },
  ])("$case: the result in the 0.1.0 format", async ({ stdin }) => {
    const outcome = await run(ADD_ENV, stdin, REAL);
    expect(outcome.status).toBe(0);
    expect(outcome.stdout).toBe(printResult(convertResult(SAMPLE_RESULT, "0.1.0")));
    expect(outcome.json).toMatchObject({ cniVersion: "0.1.0", ip4: { ip: "10.1.2.2/24" } });
  });

  it("prints upstream HEAD's exact bytes for a 1.0.0 config", async () => {
    const outcome = await run(ADD_ENV, CONFIG_C, REAL);
    expect(outcome.stdout).toBe(
      [
        "{",
        '    "cniVersion": "1.0.0",',
        '    "ips": [',
        "        {",
        '            "address": "10.1.2.2/24",',
        '            "gateway": "10.1.2.1"',
        "        }",
        "    ],",
        '    "routes": [',
        "        {",
        '            "dst": "0.0.0.0/0"',
        "        }",
        "    ]",
        "}",
      ].join("\n"),
    );
  });

  it("reports a result that cannot be converted as an error, not a crash", async () => {
    // The 0.1.0/0.2.0 format cannot express a result without any address.
    const commands = spyCommands({ cniVersion: "1.1.0", ips: [] });
    const outcome = await run(ADD_ENV, CONFIG_C.replace("1.0.0", "0.2.0"), REAL, commands);
    expect(outcome.status).toBe(1);
    expect(printedError(outcome)).toMatchObject({ code: expect.any(Number), msg: expect.any(String) });
  });
});

describe("failures that must not escape", () => {
  it.each([
    { case: "a thrown string", thrown: "just text", msg: "just text" },
    { case: "a thrown number", thrown: 42, msg: "42" },
    { case: "a TypeError", thrown: new TypeError("x is not a function"), msg: "x is not a function" },
  ])("$case from a command becomes 999", async ({ thrown, msg }) => {
    const commands = spyCommands();
    commands.del.mockImplementationOnce(() => {
      throw thrown;
    });
    const outcome = await run({ ...ADD_ENV, CNI_COMMAND: "DEL" }, CONFIG_C, REAL, commands);
    expect(printedError(outcome)).toEqual(cniErrorJson(999, msg));
  });

  it("a synchronous command works like an asynchronous one", async () => {
    const commands: PluginCommands = { add: () => SAMPLE_RESULT, del: () => undefined };
    const io = fakeIo(ADD_ENV, CONFIG_C);
    expect(await dispatch(commands, REAL, io)).toBe(0);
    expect(JSON.parse(io.stdout.join(""))).toMatchObject({ cniVersion: "1.0.0" });
  });

  it.each([
    { command: "CHECK", stdin: CONFIG_C },
    { command: "GC", stdin: CONFIG_C.replace("1.0.0", "1.1.0") },
    { command: "STATUS", stdin: CONFIG_C.replace("1.0.0", "1.1.0") },
  ])("$command without an implementation succeeds silently", async ({ command, stdin }) => {
    const commands: PluginCommands = { add: () => SAMPLE_RESULT, del: () => undefined };
    const io = fakeIo({ ...ADD_ENV, CNI_COMMAND: command }, stdin);
    expect(await dispatch(commands, REAL, io)).toBe(0);
    expect(io.stdout).toEqual([]);
  });

  it("a failing stdout writer gives status 1 without throwing", async () => {
    const io = {
      ...fakeIo({ CNI_COMMAND: "VERSION" }),
      writeStdout: () => {
        throw new Error("write /dev/stdout: broken pipe");
      },
    };
    await expect(dispatch(spyCommands(), REAL, io)).resolves.toBe(1);
  });

  it("a failed result write is reported as error 5 when an error can still be written", async () => {
    const written: string[] = [];
    let first = true;
    const io = {
      ...fakeIo(ADD_ENV, CONFIG_C),
      writeStdout: (text: string) => {
        if (first) {
          first = false;
          throw new Error("write /dev/stdout: no space left on device");
        }
        written.push(text);
      },
    };
    expect(await dispatch(spyCommands(), REAL, io)).toBe(1);
    expect(JSON.parse(written.join(""))).toEqual(
      cniErrorJson(5, "write /dev/stdout: no space left on device"),
    );
  });

  it("a failing stderr writer does not fail the about text", async () => {
    const io = {
      ...fakeIo({}),
      writeStderr: () => {
        throw new Error("closed");
      },
    };
    await expect(dispatch(spyCommands(), REAL, io)).resolves.toBe(0);
  });

  it("a plugin declaring no versions is a programmer error, reported as 999", async () => {
    const outcome = await run({ CNI_COMMAND: "VERSION" }, "", { supportedVersions: [] });
    expect(printedError(outcome)).toEqual(
      cniErrorJson(999, "programmer error: you must support at least one version"),
    );
  });
});
