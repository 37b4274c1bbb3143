// How the network configuration on stdin is decoded: the same messages as upstream's Go decoder,
// checked against the literal texts and against Debian's upstream host-local binary (the oracle).

import { runPlugin, UPSTREAM_HOST_LOCAL } from "@cni-ts/testutils";
import { SUPPORTED_VERSIONS } from "@cni-ts/types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cniErrorJson, printedError, run, spyCommands } from "./fixtures/fake-io.js";

const ENV = {
  CNI_COMMAND: "ADD",
  CNI_CONTAINERID: "c1",
  CNI_NETNS: "/var/run/netns/none",
  CNI_IFNAME: "eth0",
  CNI_PATH: "/x",
};
const OPTIONS = { supportedVersions: SUPPORTED_VERSIONS };

const NAME_STRUCT = 'struct { Name string "json:\\"name\\"" }';

async function ours(stdin: string | Buffer) {
  const outcome = await run(ENV, stdin, OPTIONS);
  return { outcome, error: outcome.status === 0 ? undefined : printedError(outcome) };
}

async function oracle(stdin: string | Buffer) {
  const result = await runPlugin(UPSTREAM_HOST_LOCAL, {
    command: "ADD",
    containerId: ENV.CNI_CONTAINERID,
    netns: ENV.CNI_NETNS,
    ifname: ENV.CNI_IFNAME,
    path: ENV.CNI_PATH,
    stdin,
  });
  const { code, msg, details } = (result.json ?? {}) as Record<string, unknown>;
  return details === undefined ? { code, msg } : { code, msg, details };
}

const decodeError = (message: string) => cniErrorJson(6, `error unmarshall network config: ${message}`);
const versionError = (message: string) => cniErrorJson(6, `decoding version from network config: ${message}`);

// Each row is what upstream prints; the oracle confirms it.
const ROWS: { stdin: string | Buffer; error: ReturnType<typeof cniErrorJson> }[] = [
  { stdin: "", error: decodeError("unexpected end of JSON input") },
  { stdin: " \n\t\r", error: decodeError("unexpected end of JSON input") },
  { stdin: "not json", error: decodeError("invalid character 'o' in literal null (expecting 'u')") },
  { stdin: "tru", error: decodeError("invalid character ' ' in literal true (expecting 'e')") },
  { stdin: "fals", error: decodeError("invalid character ' ' in literal false (expecting 'e')") },
  { stdin: "[1", error: decodeError("unexpected end of JSON input") },
  { stdin: '{"a" 1}', error: decodeError("invalid character '1' after object key") },
  { stdin: '{"a":1 "b"}', error: decodeError("invalid character '\"' after object key:value pair") },
  { stdin: "[1 2]", error: decodeError("invalid character '2' after array element") },
  { stdin: "{,}", error: decodeError("invalid character ',' looking for beginning of object key string") },
  {
    stdin: '{"a":1,}',
    error: decodeError("invalid character '}' looking for beginning of object key string"),
  },
  { stdin: "[,]", error: decodeError("invalid character ',' looking for beginning of value") },
  { stdin: '{"name":"a"}x', error: decodeError("invalid character 'x' after top-level value") },
  { stdin: "01", error: decodeError("invalid character '1' after top-level value") },
  { stdin: "1.", error: decodeError("invalid character ' ' after decimal point in numeric literal") },
  { stdin: "1.e5", error: decodeError("invalid character 'e' after decimal point in numeric literal") },
  { stdin: "1e+", error: decodeError("invalid character ' ' in exponent of numeric literal") },
  { stdin: "-x", error: decodeError("invalid character 'x' in numeric literal") },
  { stdin: '"\\x"', error: decodeError("invalid character 'x' in string escape code") },
  { stdin: '"\\u12g4"', error: decodeError("invalid character 'g' in \\u hexadecimal character escape") },
  { stdin: '"a\tb"', error: decodeError("invalid character '\\t' in string literal") },
  { stdin: '"a\u0001b"', error: decodeError("invalid character '\\x01' in string literal") },
  { stdin: "'a'", error: decodeError("invalid character '\\'' looking for beginning of value") },
  {
    stdin: Buffer.from([0xc3, 0xa9]),
    error: decodeError("invalid character 'Ã' looking for beginning of value"),
  },
  {
    stdin: Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
    error: decodeError("invalid character 'ï' looking for beginning of value"),
  },
  {
    stdin: Buffer.from([0x85]),
    error: decodeError("invalid character '\\u0085' looking for beginning of value"),
  },
  { stdin: "\u007f", error: decodeError("invalid character '\\x7f' looking for beginning of value") },
  { stdin: "[".repeat(10001), error: decodeError("invalid character '[' exceeded max depth") },
  { stdin: "[]", error: decodeError(`json: cannot unmarshal array into Go value of type ${NAME_STRUCT}`) },
  { stdin: '"x"', error: decodeError(`json: cannot unmarshal string into Go value of type ${NAME_STRUCT}`) },
  { stdin: "12", error: decodeError(`json: cannot unmarshal number into Go value of type ${NAME_STRUCT}`) },
  { stdin: "true", error: decodeError(`json: cannot unmarshal bool into Go value of type ${NAME_STRUCT}`) },
  { stdin: "null", error: cniErrorJson(7, "missing network name") },
  { stdin: "{}", error: cniErrorJson(7, "missing network name") },
  { stdin: '{"name":null}', error: cniErrorJson(7, "missing network name") },
  { stdin: '{"name":""}', error: cniErrorJson(7, "missing network name") },
  {
    stdin: '{"name":5}',
    error: decodeError("json: cannot unmarshal number into Go struct field .name of type string"),
  },
  {
    stdin: '{"name":{}}',
    error: decodeError("json: cannot unmarshal object into Go struct field .name of type string"),
  },
  {
    stdin: '{"name":[]}',
    error: decodeError("json: cannot unmarshal array into Go struct field .name of type string"),
  },
  {
    stdin: '{"name":false}',
    error: decodeError("json: cannot unmarshal bool into Go struct field .name of type string"),
  },
  // The first type error wins even when a later key supplies a good name.
  {
    stdin: '{"name":1,"name":"ok"}',
    error: decodeError("json: cannot unmarshal number into Go struct field .name of type string"),
  },
  // Keys match without regard to case, and the last one wins.
  { stdin: '{"NAME":"a b"}', error: cniErrorJson(7, "invalid characters found in network name", "a b") },
  {
    stdin: '{"name":"ok","Name":"a b"}',
    error: cniErrorJson(7, "invalid characters found in network name", "a b"),
  },
  {
    stdin: '{"name":"caf\\u00e9"}',
    error: cniErrorJson(7, "invalid characters found in network name", "café"),
  },
  { stdin: '{"name":"-x"}', error: cniErrorJson(7, "invalid characters found in network name", "-x") },
  {
    stdin: '{"name":"x","cniVersion":5}',
    error: versionError("json: cannot unmarshal number into Go struct field .cniVersion of type string"),
  },
  {
    stdin: '{"name":"x","CNIVERSION":[1]}',
    error: versionError("json: cannot unmarshal array into Go struct field .cniVersion of type string"),
  },
  {
    stdin: '{"name":"x","cniVersion":true}',
    error: versionError("json: cannot unmarshal bool into Go struct field .cniVersion of type string"),
  },
  // Go folds `ſ` to `S`, so this key is cniVersion too.
  { stdin: '{"name":"x","cniVer\u017fion":"9.9.9"}', error: cniErrorJson(1, "incompatible CNI versions") },
  { stdin: '{"name":"x","cniVersion":"1.0\\n"}', error: cniErrorJson(1, "incompatible CNI versions") },
];

describe("decoding the network configuration", () => {
  it.each(ROWS)("$stdin → $error.msg", async ({ stdin, error }) => {
    const { error: got } = await ours(stdin);
    if (error.code === 1) expect(got).toMatchObject(error);
    else expect(got).toEqual(error);
  });

  it("quotes the version in the details exactly as Go's %q does", async () => {
    const { error } = await ours('{"name":"x","cniVersion":"1.0\\n\\u0007\\u00a0é\\"\\\\"}');
    expect(error?.details).toBe(
      'config is "1.0\\n\\a\\u00a0é\\"\\\\", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]',
    );
  });

  it.each([
    { stdin: '{"name":"ok","Name":null}', name: "ok", version: "0.1.0" },
    { stdin: '{"name":"x","cniVersion":null}', name: "x", version: "0.1.0" },
    { stdin: '{"Name":"x","CniVersion":"1.0.0"}', name: undefined, version: "1.0.0" },
    { stdin: '{"name":"x","cniVersion":"0.3.0","CNIVERSION":"1.0.0"}', name: "x", version: "1.0.0" },
    { stdin: '{"name":"x","cniVersion":"\\u0031.0.0"}', name: "x", version: "1.0.0" },
    {
      stdin: ' {"name":"x","cniVersion":"1.1.0","deep":[[{"cniVersion":7}]]} \n',
      name: "x",
      version: "1.1.0",
    },
  ])("accepts $stdin as version $version", async ({ stdin, name, version }) => {
    const commands = spyCommands();
    const outcome = await run(ENV, stdin, OPTIONS, commands);
    expect(outcome.status).toBe(0);
    const args = commands.add.mock.calls[0]?.[0];
    expect(args?.cniVersion).toBe(version);
    expect(args?.stdinData).toEqual(Buffer.from(stdin));
    // `config` is plain JSON.parse: exact keys, unlike Go's case-insensitive match.
    expect(args?.config.name).toBe(name);
  });
});

describe("the same messages as upstream's binary", () => {
  // Debian's binary answers ADD with its own, shorter list of versions, so only code and msg of a
  // version error are compared.
  const comparable = (error: Record<string, unknown>) =>
    error.code === 1 ? { code: error.code, msg: error.msg } : error;

  it.each(ROWS)("$stdin", async ({ stdin }) => {
    const { error } = await ours(stdin);
    expect(error).toBeDefined();
    expect(comparable(await oracle(stdin))).toEqual(comparable(error ?? {}));
  });

  // Random near-JSON: documents built from JSON's own characters, plus random bytes, plus real
  // configurations with one character changed. Whenever ours refuses the config, upstream must refuse
  // it with the same code and message.
  const token = fc.constantFrom(
    ...'{}[]:,"\\ \t\n0123456789-+.eEtrufalsn'.split(""),
    '"name"',
    '"NAME"',
    '"cniVersion"',
    '"ok"',
    '"a b"',
    "\\u00e9",
    "true",
    "null",
    "\u00e9",
  );
  const nearJson = fc.oneof(
    fc.array(token, { maxLength: 24 }).map((parts) => parts.join("")),
    fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes)),
    fc.tuple(fc.json(), fc.nat(), fc.constantFrom(...'{}[]:," x1'.split(""))).map(([doc, at, ch]) => {
      const text = `{"name":"net","cniVersion":"1.0.0","x":${doc}}`;
      const i = at % (text.length + 1);
      return text.slice(0, i) + ch + text.slice(i + 1);
    }),
  );

  it("agrees on random near-JSON input", async () => {
    await fc.assert(
      fc.asyncProperty(nearJson, async (stdin) => {
        const { error } = await ours(stdin);
        if (error === undefined) return;
        expect(comparable(await oracle(stdin))).toEqual(comparable(error));
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
