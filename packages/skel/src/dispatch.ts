/**
 * The dispatcher: one plugin call from environment and stdin to stdout and an exit status, in the
 * exact order upstream's skel (HEAD) processes it, because that order decides which error a runtime
 * sees when several things are wrong at once.
 */

import {
  CNI_ERROR_CODES,
  CniError,
  convertResult,
  isCniError,
  printError,
  printResult,
  printVersionInfo,
  toCniError,
} from "@cni-ts/types";
import { type CniEnv, readCniEnv } from "./cni-env.js";
import { checkNetns, isNetnsOverride } from "./netns-check.js";
import { decodeConfigVersion, parseNetworkConfig } from "./network-config.js";
import type { CmdArgs, PluginCommands, PluginIo, PluginOptions } from "./plugin-types.js";
import { checkVersionAllows, checkVersionSupported } from "./version-gate.js";

/** The CNI spec version this library implements; VERSION reports it as its `cniVersion`. */
export const SPEC_VERSION = "1.1.0";

/**
 * The text printed on stderr when `CNI_COMMAND` is not set: the plugin's `about` line, then
 * `CNI protocol versions supported: 0.1.0, 0.2.0, ...`, each line ending in `\n`. Never throws.
 */
export function aboutText(about: string, supportedVersions: readonly string[]): string {
  return `${about}\nCNI protocol versions supported: ${supportedVersions.join(", ")}\n`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function readStdin(io: PluginIo): Buffer {
  try {
    return io.readStdin();
  } catch (err) {
    throw new CniError(CNI_ERROR_CODES.IoFailure, `error reading from stdin: ${errorText(err)}`, {
      cause: err,
    });
  }
}

function writeStdout(io: PluginIo, text: string): void {
  try {
    io.writeStdout(text);
  } catch (err) {
    throw new CniError(CNI_ERROR_CODES.IoFailure, errorText(err), { cause: err });
  }
}

function rejectOwnNetns(env: CniEnv): void {
  if (!isNetnsOverride(env.netnsOverride)) checkNetns(env.netns);
}

/** Runs one call; returns normally on success, throws whatever should be reported as the error. */
async function run(commands: PluginCommands, options: PluginOptions, io: PluginIo): Promise<void> {
  const supported = options.supportedVersions;
  if (supported.length === 0) {
    throw new CniError(CNI_ERROR_CODES.Internal, "programmer error: you must support at least one version");
  }
  let env: CniEnv;
  try {
    env = readCniEnv(io.env);
  } catch (err) {
    const noCommand = (io.env.CNI_COMMAND ?? "") === "";
    if (isCniError(err) && err.code === CNI_ERROR_CODES.InvalidEnvironmentVariables && noCommand) {
      if (options.about) {
        try {
          io.writeStderr(aboutText(options.about, supported));
        } catch {
          // Deliberately ignored, as upstream does: the about text is informational only.
        }
        return;
      }
    }
    throw err;
  }

  if (env.command === "VERSION") {
    // Upstream never reads stdin for VERSION: a runtime may not send any.
    writeStdout(io, printVersionInfo(SPEC_VERSION, supported));
    return;
  }

  // Read and check the config before looking at the command, so that even an unknown command
  // reports a broken config first (upstream's order).
  const stdinData = readStdin(io);
  const config = parseNetworkConfig(stdinData);
  const cniVersion = (): string => decodeConfigVersion(stdinData);
  const cmdArgs = (version: string): CmdArgs => ({
    containerId: env.containerId,
    netns: env.netns,
    ifName: env.ifName,
    args: env.args,
    path: env.path,
    netnsOverride: env.netnsOverride,
    stdinData,
    config,
    cniVersion: version,
  });

  switch (env.command) {
    case "ADD": {
      const version = cniVersion();
      checkVersionSupported(version, supported);
      // Deliberate difference from upstream, which checks only after ADD succeeded and so can print
      // a result and then an error: refusing first leaves nothing allocated and one document on stdout.
      rejectOwnNetns(env);
      const result = await commands.add(cmdArgs(version));
      writeStdout(io, printResult(convertResult(result, version)));
      return;
    }
    case "DEL": {
      const version = cniVersion();
      checkVersionSupported(version, supported);
      rejectOwnNetns(env); // before the command, as for ADD
      await commands.del(cmdArgs(version));
      return;
    }
    case "CHECK": {
      const version = cniVersion();
      checkVersionAllows("CHECK", version, supported);
      await commands.check?.(cmdArgs(version));
      return;
    }
    case "GC": {
      const version = cniVersion();
      checkVersionAllows("GC", version, supported);
      await commands.gc?.(cmdArgs(version));
      return;
    }
    case "STATUS": {
      const version = cniVersion();
      checkVersionAllows("STATUS", version, supported);
      await commands.status?.(cmdArgs(version));
      return;
    }
    default:
      throw new CniError(CNI_ERROR_CODES.InvalidEnvironmentVariables, `unknown CNI_COMMAND: ${env.command}`);
  }
}

/**
 * Runs one CNI plugin call against `io`: reads and validates the `CNI_*` environment, reads and checks
 * the configuration from stdin (not for VERSION), negotiates the version, runs the matching command
 * and prints its outcome. On success, ADD prints its result converted to the config's `cniVersion`,
 * VERSION prints the version document, the other commands print nothing, and without `CNI_COMMAND`
 * the about text goes to stderr. On failure the error object goes to stdout: a `CniError` as thrown,
 * anything else as error 999 with its message.
 *
 * Resolves to the exit status, 0 or 1. Never rejects and never throws: every failure, including one of
 * `io` itself, is reported through `io` or, if even that fails, only by the status.
 */
export async function dispatch(
  commands: PluginCommands,
  options: PluginOptions,
  io: PluginIo,
): Promise<number> {
  try {
    await run(commands, options, io);
    return 0;
  } catch (err) {
    try {
      io.writeStdout(printError(toCniError(err)));
    } catch {
      // Deliberately ignored: stdout is the only channel for the error, so there is nowhere left to
      // report this; the exit status still says the call failed.
    }
    return 1;
  }
}
