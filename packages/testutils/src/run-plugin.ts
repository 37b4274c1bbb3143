import { type ChildProcess, spawn } from "node:child_process";
import { DEFAULT_PATH, type ExecOutcome } from "./exec-file.js";

/** One plugin call the way a runtime makes it: the CNI_* variables, extra env, and the config on stdin. */
export interface PluginInvocation {
  /** `CNI_COMMAND` (set even when empty; remove it with `env: { CNI_COMMAND: undefined }`). */
  command: string;
  /** `CNI_CONTAINERID`, set only when given. */
  containerId?: string;
  /** `CNI_IFNAME`, set only when given. */
  ifname?: string;
  /** `CNI_NETNS`, set only when given. */
  netns?: string;
  /** `CNI_ARGS`, set only when given. */
  args?: string;
  /** `CNI_PATH`, set only when given. */
  path?: string;
  /** Applied last: a string sets a variable, `undefined` removes it (PATH included). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The network configuration: bytes as given, or an object serialised with `JSON.stringify`. */
  stdin: string | Buffer | Readonly<Record<string, unknown>>;
  /** Working directory of the plugin. Default: the caller's. */
  cwd?: string;
  /** Kill with SIGKILL and reject after this many milliseconds. Default 30 000. */
  timeoutMs?: number;
}

/** What one plugin call produced. */
export interface PluginRun {
  /** Exit status (a plugin ended by a signal makes {@link runPlugin} reject instead). */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, present only when stdout is non-empty and valid JSON. */
  json?: unknown;
}

/**
 * The complete environment of a plugin call: `PATH` (system directories only), the CNI_* variables the
 * invocation names, then `invocation.env`. Nothing comes from the test process's own environment.
 */
export function pluginEnv(invocation: PluginInvocation): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, CNI_COMMAND: invocation.command };
  const named: [string, string | undefined][] = [
    ["CNI_CONTAINERID", invocation.containerId],
    ["CNI_IFNAME", invocation.ifname],
    ["CNI_NETNS", invocation.netns],
    ["CNI_ARGS", invocation.args],
    ["CNI_PATH", invocation.path],
  ];
  for (const [key, value] of named) if (value !== undefined) env[key] = value;
  for (const [key, value] of Object.entries(invocation.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function stdinBytes(stdin: PluginInvocation["stdin"]): string | Buffer {
  return typeof stdin === "string" || Buffer.isBuffer(stdin) ? stdin : JSON.stringify(stdin);
}

/** A plugin process that is still running, see {@link startPlugin}. */
export interface StartedPlugin {
  /** Process id of the plugin. */
  readonly pid: number;
  /** The underlying child process (to send signals). */
  readonly child: ChildProcess;
  /** Settles when the process has ended and its output is closed; rejects only if it could not start. */
  readonly done: Promise<ExecOutcome>;
}

/**
 * Starts one plugin call and returns at once, so a test can run calls concurrently or kill one mid-way.
 * The process gets exactly {@link pluginEnv}'s environment and the config on stdin. No timeout applies:
 * the caller owns the process and must wait for `done` (or kill it).
 * Throws when `binary` cannot be spawned synchronously (e.g. the process table is full).
 */
export function startPlugin(binary: string, invocation: PluginInvocation): StartedPlugin {
  const child = spawn(binary, [], {
    env: pluginEnv(invocation),
    cwd: invocation.cwd,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const done = new Promise<ExecOutcome>((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
  // A plugin that exits (or is killed) before reading stdin makes the write fail with EPIPE.
  child.stdin?.on("error", () => undefined);
  child.stdin?.end(stdinBytes(invocation.stdin));
  return { pid: child.pid ?? -1, child, done };
}

/** Parses `text` as JSON; `undefined` when it is empty or not JSON. */
export function parseJsonOutput(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON (e.g. a Go panic's text): callers compare the raw stdout instead.
    return undefined;
  }
}

/**
 * Runs the CNI plugin `binary` once (no shell, no arguments) and waits for it.
 * Resolves with its exit status, stdout, stderr and, when stdout is JSON, the parsed document.
 * Rejects when the binary cannot be started, when it ends by a signal, or when it outlives
 * `invocation.timeoutMs` (default 30 000 ms; it is killed first).
 */
export async function runPlugin(binary: string, invocation: PluginInvocation): Promise<PluginRun> {
  const started = startPlugin(binary, invocation);
  const timeoutMs = invocation.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      started.child.kill("SIGKILL");
      reject(new Error(`${binary} (${invocation.command}) timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const outcome = await Promise.race([started.done, timeout]);
    if (outcome.code === null) {
      throw new Error(
        `${binary} (${invocation.command}) ended by ${outcome.signal}; stderr: ${outcome.stderr}`,
      );
    }
    const json = parseJsonOutput(outcome.stdout);
    const run: PluginRun = { code: outcome.code, stdout: outcome.stdout, stderr: outcome.stderr };
    if (json !== undefined) run.json = json;
    return run;
  } finally {
    clearTimeout(timer);
  }
}
