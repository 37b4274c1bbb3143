import { DEFAULT_PATH, makeTempDataDir } from "@cni-ts/testutils";
import { CniError } from "@cni-ts/types";
import { afterAll, describe, expect, it } from "vitest";
import { execPlugin } from "../src/index.js";
import { writeFakePlugin } from "./fixtures/fake-plugin.js";

const temp = makeTempDataDir("cni-ts-skel-exec-");
afterAll(() => temp.cleanup());

let failures = 0;
const plugin = (name: string, body: string, mode?: number) => writeFakePlugin(temp.path, name, body, mode);

async function failure(promise: Promise<unknown>): Promise<{ code: number; msg: string; details?: string }> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof CniError)) throw err;
    return err.details === undefined
      ? { code: err.code, msg: err.msg }
      : { code: err.code, msg: err.msg, details: err.details };
  }
  throw new Error("the plugin call succeeded");
}

describe("execPlugin", () => {
  it("gives the plugin the config on stdin and exactly the given environment", async () => {
    const echo = plugin(
      "echo-env",
      'IFS= read -r line; printf \'%s|%s|%s|%s\' "$line" "$CNI_COMMAND" "$CNI_IFNAME" "$HOME"',
    );
    const stdout = await execPlugin(echo, Buffer.from('{"name":"n"}\n'), {
      env: { CNI_COMMAND: "ADD", CNI_IFNAME: "eth9" },
    });
    // Nothing is inherited from the test process (HOME is unset).
    expect(stdout.toString()).toBe('{"name":"n"}|ADD|eth9|');
  });

  it("hands a successful plugin's stderr to onStderr", async () => {
    const chatty = plugin("chatty", "echo note >&2; printf '{}'");
    const seen: string[] = [];
    const stdout = await execPlugin(chatty, Buffer.from("{}"), {
      env: {},
      onStderr: (text) => seen.push(text),
    });
    expect(stdout.toString()).toBe("{}");
    expect(seen).toEqual(["note\n"]);
  });

  it("does not mind a plugin that never reads its stdin", async () => {
    const deaf = plugin("deaf", "printf ok");
    const stdout = await execPlugin(deaf, Buffer.alloc(1 << 20, 0x20), { env: {} });
    expect(stdout.toString()).toBe("ok");
  });

  it.each([
    {
      case: "its own error object",
      body: 'printf \'{"cniVersion":"1.0.0","code":7,"msg":"bad config","details":"field x"}\'; exit 1',
      error: { code: 7, msg: "bad config", details: "field x" },
    },
    {
      case: "an error object without details",
      body: 'printf \'{"code":999,"msg":"no IP addresses available"}\'; exit 1',
      error: { code: 999, msg: "no IP addresses available" },
    },
    {
      case: "only stderr",
      body: "printf 'oops \"x\"\\n' >&2; exit 3",
      error: { code: 999, msg: 'netplugin failed: "oops \\"x\\"\\n": exit status 3' },
    },
    {
      case: "no output at all",
      body: "exit 1",
      error: { code: 999, msg: "netplugin failed with no error message: exit status 1" },
    },
    {
      case: "stdout that is not JSON",
      body: "printf 'garbage'; exit 1",
      error: {
        code: 999,
        msg: "netplugin failed but error parsing its diagnostic message \"garbage\": invalid character 'g' looking for beginning of value",
      },
    },
    {
      case: "an error object with a string code",
      body: 'printf \'{"code":"7"}\'; exit 1',
      error: {
        code: 999,
        msg: 'netplugin failed but error parsing its diagnostic message "{\\"code\\":\\"7\\"}": json: cannot unmarshal string into Go struct field Error.code of type uint',
      },
    },
    {
      case: "an error object that is an array",
      body: "printf '[]'; exit 1",
      error: {
        code: 999,
        msg: 'netplugin failed but error parsing its diagnostic message "[]": json: cannot unmarshal array into Go value of type types.Error',
      },
    },
    {
      case: "death by a signal",
      body: "kill -KILL $$",
      error: { code: 999, msg: "netplugin failed with no error message: signal: killed" },
    },
    {
      case: "a termination signal after writing to stderr",
      body: "echo bye >&2; kill -TERM $$",
      error: { code: 999, msg: 'netplugin failed: "bye\\n": signal: terminated' },
    },
  ])("reports a failed plugin with $case", async ({ body, error }) => {
    const path = plugin(`fail-${++failures}`, body);
    expect(await failure(execPlugin(path, Buffer.from("{}"), { env: {} }))).toEqual(error);
  });

  it("reports a file it cannot execute", async () => {
    const path = plugin("not-executable", "exit 0", 0o644);
    expect(await failure(execPlugin(path, Buffer.from("{}"), { env: {} }))).toEqual({
      code: 999,
      msg: `netplugin failed with no error message: fork/exec ${path}: permission denied`,
    });
  });

  it("reports a path that does not exist", async () => {
    const path = `${temp.path}/missing`;
    expect(await failure(execPlugin(path, Buffer.from("{}"), { env: {} }))).toEqual({
      code: 999,
      msg: `netplugin failed with no error message: fork/exec ${path}: no such file or directory`,
    });
  });

  it("kills the plugin when the call is aborted", async () => {
    const sleeper = plugin("sleeper", "exec sleep 600");
    const controller = new AbortController();
    const call = execPlugin(sleeper, Buffer.from("{}"), {
      env: { PATH: DEFAULT_PATH },
      signal: controller.signal,
    });
    controller.abort();
    expect(await failure(call)).toEqual({
      code: 999,
      msg: "netplugin failed with no error message: signal: killed",
    });
  });
});
