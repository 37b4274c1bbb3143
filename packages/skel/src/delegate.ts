/**
 * Delegation: a plugin (such as `bridge`) calling another plugin (such as an IPAM plugin) with its own
 * configuration, as upstream's `pkg/invoke` does.
 */

import { writeSync } from "node:fs";
import { CNI_ERROR_CODES, CniError, isCniError, parsePrevResult, type Result } from "@cni-ts/types";
import { execPlugin } from "./exec-plugin.js";
import { findInPath } from "./find-in-path.js";
import { decodeUtf8, goJsonSyntaxError } from "./go-json.js";
import { decodeConfigVersion } from "./network-config.js";

/** Options for the `delegate*` functions. */
export interface DelegateOptions {
  /**
   * The environment the delegated plugin starts from (default: this process's). The `CNI_*` variables
   * the caller received pass through unchanged; `CNI_COMMAND` is replaced by the delegated command.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where to look for the plugin, `:`-separated (default: `CNI_PATH` of {@link DelegateOptions.env}). */
  readonly cniPath?: string;
  /** Aborting kills the delegated plugin with SIGKILL; the call then fails with error 999. */
  readonly signal?: AbortSignal;
  /**
   * Receives what a successful plugin wrote to stderr (default: copied to this process's stderr, as
   * upstream does).
   */
  readonly onStderr?: (text: string) => void;
}

const PREV_RESULT_PREFIX = "could not parse prevResult: ";

type DelegatedCommand = "ADD" | "CHECK" | "DEL" | "GC" | "STATUS";

function copyToStderr(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // Deliberately ignored: the delegated plugin's stderr is informational only.
  }
}

async function delegate(
  command: DelegatedCommand,
  type: string,
  stdinData: Uint8Array,
  options: DelegateOptions,
): Promise<Buffer> {
  const baseEnv = options.env ?? process.env;
  const pluginPath = findInPath(type, options.cniPath ?? baseEnv.CNI_PATH ?? "");
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) env[key] = value;
  env.CNI_COMMAND = command;
  return execPlugin(pluginPath, stdinData, {
    env,
    onStderr: options.onStderr ?? copyToStderr,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

function internal(msg: string, cause?: unknown): CniError {
  return new CniError(CNI_ERROR_CODES.Internal, msg, cause === undefined ? {} : { cause });
}

/**
 * Reads an ADD result printed by another plugin. A result without `cniVersion` (or with `""`) is taken
 * to be in the configuration's version, as upstream does for old plugins.
 */
function parseDelegatedResult(stdinData: Uint8Array, stdout: Buffer): Result {
  let configVersion: string;
  try {
    configVersion = decodeConfigVersion(stdinData);
  } catch (err) {
    // upstream-compat: this is a plain error upstream, so the caller reports it as 999.
    throw internal(err instanceof Error ? err.message : String(err), err);
  }
  const syntax = goJsonSyntaxError(stdout);
  if (syntax !== undefined) throw internal(`failed to unmarshal raw result: ${syntax}`);
  const raw: unknown = JSON.parse(decodeUtf8(stdout)) ?? {};
  if (typeof raw !== "object" || Array.isArray(raw) || raw === null) {
    const kind = Array.isArray(raw) ? "array" : typeof raw === "boolean" ? "bool" : typeof raw;
    throw internal(
      `failed to unmarshal raw result: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`,
    );
  }
  const declared = (raw as Record<string, unknown>).cniVersion;
  const version = typeof declared === "string" && declared !== "" ? declared : configVersion;
  try {
    // Decoding a result with its own version is what parsePrevResult does for a prevResult.
    const result = parsePrevResult({ ...raw, cniVersion: version }, version);
    if (result === undefined) throw internal("netplugin printed no result");
    return result;
  } catch (err) {
    // upstream-compat: the same reasons as upstream's result decoder, without the prevResult context.
    if (isCniError(err) && err.msg.startsWith(PREV_RESULT_PREFIX)) {
      throw new CniError(err.code, err.msg.slice(PREV_RESULT_PREFIX.length), { cause: err });
    }
    throw err;
  }
}

/**
 * Runs plugin `type` (found on `CNI_PATH`) for ADD with the configuration `stdinData`, and resolves to
 * its result converted to the current (1.1.0) model.
 * Rejects with {@link CniError}: from {@link findInPath} when the plugin is missing; the plugin's own
 * error object when it failed with one; otherwise 999 (`netplugin failed...`, or a result that cannot
 * be read).
 */
export async function delegateAdd(
  type: string,
  stdinData: Uint8Array,
  options: DelegateOptions = {},
): Promise<Result> {
  const stdout = await delegate("ADD", type, stdinData, options);
  return parseDelegatedResult(stdinData, stdout);
}

/**
 * Runs plugin `type` for CHECK with the configuration `stdinData`; resolves when it succeeded.
 * Rejects like {@link delegateAdd}.
 */
export async function delegateCheck(
  type: string,
  stdinData: Uint8Array,
  options: DelegateOptions = {},
): Promise<void> {
  await delegate("CHECK", type, stdinData, options);
}

/**
 * Runs plugin `type` for DEL with the configuration `stdinData`; resolves when it succeeded.
 * Rejects like {@link delegateAdd}.
 */
export async function delegateDel(
  type: string,
  stdinData: Uint8Array,
  options: DelegateOptions = {},
): Promise<void> {
  await delegate("DEL", type, stdinData, options);
}

/**
 * Runs plugin `type` for GC with the configuration `stdinData`; resolves when it succeeded.
 * Rejects like {@link delegateAdd}.
 */
export async function delegateGc(
  type: string,
  stdinData: Uint8Array,
  options: DelegateOptions = {},
): Promise<void> {
  await delegate("GC", type, stdinData, options);
}

/**
 * Runs plugin `type` for STATUS with the configuration `stdinData`; resolves when it succeeded.
 * Rejects like {@link delegateAdd}.
 */
export async function delegateStatus(
  type: string,
  stdinData: Uint8Array,
  options: DelegateOptions = {},
): Promise<void> {
  await delegate("STATUS", type, stdinData, options);
}
