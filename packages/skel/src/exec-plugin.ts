/**
 * Running another plugin executable the way a CNI runtime does (upstream's `pkg/invoke` raw exec):
 * config on stdin, environment as given, the error object read from stdout when it fails.
 */

import { CNI_ERROR_CODES, CniError, goQuote } from "@cni-ts/types";
import { goJsonSyntaxError } from "./go-json.js";

/** Options for {@link execPlugin}. */
export interface ExecPluginOptions {
  /** The complete environment of the plugin process. */
  readonly env: Readonly<Record<string, string>>;
  /** Aborting kills the plugin with SIGKILL; the call then fails like any killed plugin. */
  readonly signal?: AbortSignal;
  /** Receives what the plugin wrote to stderr when it succeeded (stderr is only informational). */
  readonly onStderr?: (text: string) => void;
}

interface Outcome {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly spawnError: (Error & { code?: unknown }) | undefined;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

// "text file busy": the plugin binary is still being written (e.g. during an upgrade). Upstream waits
// a second and tries again, up to five more times.
const BUSY_RETRIES = 5;
const BUSY_WAIT_MS = 1000;

// node:child_process is imported when a plugin is first delegated to, not with this package: every
// plugin imports skel, and loading child_process (and what it pulls in) costs milliseconds of start-up
// in a Bun-compiled plugin that never delegates.
async function runOnce(
  pluginPath: string,
  stdinData: Uint8Array,
  options: ExecPluginOptions,
): Promise<Outcome> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let spawnError: Outcome["spawnError"];
    const child = spawn(pluginPath, [], {
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      killSignal: "SIGKILL",
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (err) => {
      // Only a process that never started is a spawn failure; an abort of a running one shows up
      // as its death by SIGKILL in "close".
      if (child.pid === undefined) spawnError = err;
    });
    child.on("close", (status, signal) => {
      resolve({
        status,
        signal,
        spawnError,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
      });
    });
    // Deliberately ignored: a plugin may exit without reading its stdin (EPIPE); its exit status and
    // output tell what happened.
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdinData);
  });
}

// Go's names for the signals a plugin is likely to die of, as in its "signal: killed" texts.
const GO_SIGNAL_NAMES: Readonly<Partial<Record<NodeJS.Signals, string>>> = {
  SIGABRT: "aborted",
  SIGBUS: "bus error",
  SIGFPE: "floating point exception",
  SIGHUP: "hangup",
  SIGILL: "illegal instruction",
  SIGINT: "interrupt",
  SIGKILL: "killed",
  SIGPIPE: "broken pipe",
  SIGQUIT: "quit",
  SIGSEGV: "segmentation fault",
  SIGTERM: "terminated",
  SIGTRAP: "trace/breakpoint trap",
  SIGUSR1: "user defined signal 1",
  SIGUSR2: "user defined signal 2",
};

const SPAWN_ERRORS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  ENOENT: "no such file or directory",
  ENOEXEC: "exec format error",
  ETXTBSY: "text file busy",
  ENOTDIR: "not a directory",
};

/** Why the process failed, in Go's words (`exit status 1`, `signal: killed`, `fork/exec ...`). */
function failureReason(pluginPath: string, outcome: Outcome): string {
  if (outcome.spawnError !== undefined) {
    const code = typeof outcome.spawnError.code === "string" ? outcome.spawnError.code : "";
    return `fork/exec ${pluginPath}: ${SPAWN_ERRORS[code] ?? (code || "cannot execute")}`;
  }
  if (outcome.signal !== null) return `signal: ${GO_SIGNAL_NAMES[outcome.signal] ?? outcome.signal}`;
  return `exit status ${outcome.status ?? "unknown"}`;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value === "object" ? "object" : typeof value;
}

/** Decodes the error object a failed plugin printed; returns a Go-style decoding error text instead. */
function decodeErrorObject(stdout: Buffer): CniError | string {
  const syntax = goJsonSyntaxError(stdout);
  if (syntax !== undefined) return syntax;
  const value: unknown = JSON.parse(stdout.toString("utf8"));
  if (value === null) return new CniError(0, "");
  if (typeof value !== "object" || Array.isArray(value)) {
    return `json: cannot unmarshal ${jsonKind(value)} into Go value of type types.Error`;
  }
  const { code = 0, msg = "", details = "" } = value as Record<string, unknown>;
  if (typeof code !== "number" || !Number.isInteger(code) || code < 0) {
    const shown = typeof code === "number" ? `number ${code}` : jsonKind(code);
    return `json: cannot unmarshal ${shown} into Go struct field Error.code of type uint`;
  }
  for (const [field, fieldValue] of [
    ["msg", msg],
    ["details", details],
  ] as const) {
    if (typeof fieldValue !== "string" && fieldValue !== null) {
      return `json: cannot unmarshal ${jsonKind(fieldValue)} into Go struct field Error.${field} of type string`;
    }
  }
  return new CniError(code, typeof msg === "string" ? msg : "", {
    ...(typeof details === "string" && details !== "" ? { details } : {}),
  });
}

/** The error a failed plugin call is reported as (upstream's `pluginErr`). */
function pluginError(pluginPath: string, outcome: Outcome): CniError {
  const reason = failureReason(pluginPath, outcome);
  const internal = (msg: string): CniError => new CniError(CNI_ERROR_CODES.Internal, msg);
  if (outcome.stdout.length === 0) {
    if (outcome.stderr.length === 0) return internal(`netplugin failed with no error message: ${reason}`);
    return internal(`netplugin failed: ${goQuote(outcome.stderr.toString("utf8"))}: ${reason}`);
  }
  const decoded = decodeErrorObject(outcome.stdout);
  if (typeof decoded !== "string") return decoded;
  const shown = goQuote(outcome.stdout.toString("utf8"));
  return internal(`netplugin failed but error parsing its diagnostic message ${shown}: ${decoded}`);
}

/**
 * Runs the plugin executable at `pluginPath` with `stdinData` on stdin and exactly `options.env` as
 * its environment, and resolves to what it printed on stdout once it exited with status 0.
 * If the executable is busy being written, it is retried up to five times, a second apart.
 * Rejects with the plugin's own error object as a {@link CniError} when it failed and printed one;
 * otherwise with {@link CniError} 999: `netplugin failed with no error message: exit status 1`,
 * `netplugin failed: "<stderr>": exit status 1`, or `netplugin failed but error parsing its diagnostic
 * message "<stdout>": <reason>` (the reason may also be `signal: killed` or `fork/exec <path>: ...`).
 */
export async function execPlugin(
  pluginPath: string,
  stdinData: Uint8Array,
  options: ExecPluginOptions,
): Promise<Buffer> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await runOnce(pluginPath, stdinData, options);
    if (outcome.spawnError?.code === "ETXTBSY" && attempt < BUSY_RETRIES) {
      await new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS));
      continue;
    }
    if (outcome.spawnError === undefined && outcome.status === 0) {
      if (outcome.stderr.length > 0) options.onStderr?.(outcome.stderr.toString("utf8"));
      return outcome.stdout;
    }
    throw pluginError(pluginPath, outcome);
  }
}
