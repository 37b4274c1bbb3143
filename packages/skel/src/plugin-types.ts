/**
 * The shapes a plugin author deals with: what a command receives, what it implements, and how the
 * dispatcher reaches the outside world.
 */

import type { AnyResult } from "@cni-ts/types";

/**
 * Everything one plugin call was given, read from the `CNI_*` environment and stdin.
 * A variable that is unset or empty is `""`; which ones are guaranteed non-empty depends on the command
 * (see the package README).
 */
export interface CmdArgs {
  /** `CNI_CONTAINERID`, validated for ADD, CHECK and DEL. */
  readonly containerId: string;
  /** `CNI_NETNS`, never validated (the path may not exist). */
  readonly netns: string;
  /** `CNI_IFNAME`, validated for ADD, CHECK and DEL. */
  readonly ifName: string;
  /** `CNI_ARGS`, verbatim and unparsed. */
  readonly args: string;
  /** `CNI_PATH`, verbatim (`:`-separated directories). */
  readonly path: string;
  /** `CNI_NETNS_OVERRIDE`, verbatim. */
  readonly netnsOverride: string;
  /** The network configuration exactly as read from stdin: commands parse these bytes themselves. */
  readonly stdinData: Buffer;
  /** The network configuration decoded with `JSON.parse` (always an object once a command runs). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The configuration's `cniVersion` as the dispatcher decoded it; absent or `""` reads as `0.1.0`. */
  readonly cniVersion: string;
}

/** A value or a promise of it: commands may be synchronous or asynchronous. */
export type Awaitable<T> = T | Promise<T>;

/**
 * The commands a plugin implements. Each receives the call's {@link CmdArgs} and either returns or
 * throws: a thrown `CniError` is printed as is, anything else becomes error 999 with its message.
 * Commands never print; the dispatcher does.
 */
export interface PluginCommands {
  /** ADD: returns the result, which the dispatcher converts to the config's `cniVersion` and prints. */
  add(args: CmdArgs): Awaitable<AnyResult>;
  /** DEL: returns nothing on success. */
  del(args: CmdArgs): Awaitable<void>;
  /** CHECK (config version 0.4.0 or later); when absent, CHECK succeeds after the version checks. */
  check?(args: CmdArgs): Awaitable<void>;
  /** GC (config version 1.1.0 or later); when absent, GC succeeds after the version checks. */
  gc?(args: CmdArgs): Awaitable<void>;
  /** STATUS (config version 1.1.0 or later); when absent, STATUS succeeds after the version checks. */
  status?(args: CmdArgs): Awaitable<void>;
}

/** What the dispatcher needs to know about the plugin itself. */
export interface PluginOptions {
  /** The spec versions the plugin accepts, in ascending order; a config's `cniVersion` must be one of them. */
  readonly supportedVersions: readonly string[];
  /**
   * One line naming the plugin, e.g. `CNI host-local plugin version 0.1.0`, printed on stderr (with the
   * supported versions) when `CNI_COMMAND` is not set. Without it, that case is error 4.
   */
  readonly about?: string;
}

/**
 * The dispatcher's connection to the outside world, injectable for tests.
 * `readStdin` is called at most once, and never for VERSION; it may throw, which becomes error 5.
 * The writers get complete documents and may throw; a failed write is reported where possible.
 */
export interface PluginIo {
  /** The process environment (only the `CNI_*` variables are read). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads stdin to end of file. */
  readStdin(): Buffer;
  /** Writes to stdout. */
  writeStdout(text: string): void;
  /** Writes to stderr. */
  writeStderr(text: string): void;
}
