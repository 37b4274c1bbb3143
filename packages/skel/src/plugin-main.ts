/**
 * The entry point a plugin's executable calls.
 */

import { dispatch } from "./dispatch.js";
import type { PluginCommands, PluginOptions } from "./plugin-types.js";
import { processIo } from "./process-io.js";

/**
 * Runs the plugin for this process: {@link dispatch} wired to `process.env`, fd 0 (read to end of file
 * with blocking reads) and fds 1 and 2 (blocking writes, complete before this resolves). Sets
 * `process.exitCode` to the exit status and resolves to it; it never calls `process.exit`, so the
 * caller decides when the process ends (exiting at once is safe: nothing is left buffered).
 * Never rejects.
 */
export async function pluginMain(commands: PluginCommands, options: PluginOptions): Promise<number> {
  const status = await dispatch(commands, options, processIo(process.env));
  process.exitCode = status;
  return status;
}
