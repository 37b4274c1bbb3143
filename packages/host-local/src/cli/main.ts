/**
 * The operator command line of the host-local executable (`host-local ls|release|stats|fsck`).
 * `bin.ts` imports this module dynamically, and only when the executable runs with arguments and no
 * `CNI_COMMAND`, so neither it nor yargs loads on the plugin path.
 */
import { DEFAULT_DATA_DIR } from "@cni-ts/disk-store";
import { PLUGIN_VERSION } from "../version.js";
import { fsckDataDir, fsckJson, renderFsck } from "./commands/fsck.js";
import { listAllocations, listEtcdAllocations, lsJson, renderLs } from "./commands/ls.js";
import { releaseAttachment, releaseEtcdAttachment, releaseJson, renderRelease } from "./commands/release.js";
import { collectStats, renderStats, statsJson } from "./commands/stats.js";
import { errorText } from "./error-text.js";
import type { CliIo } from "./io.js";
import { type CliCommand, parseCommandLine } from "./parser.js";
import { createStyle } from "./style.js";
import { resolveTarget } from "./target.js";

export type { CliIo } from "./io.js";

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** What `--version` prints: the package version embedded at build time (default: `PLUGIN_VERSION`). */
  version?: string;
}

/** Exit status of a successful command. */
const OK = 0;
/** Exit status when the command ran but failed, or (fsck) problems remain. */
const FAILED = 1;
/** Exit status of bad usage. */
const USAGE = 2;

async function execute(command: CliCommand, io: CliIo): Promise<number> {
  const style = createStyle(io);
  switch (command.command) {
    case "ls": {
      const target = resolveTarget(command);
      const report =
        target.kind === "etcd"
          ? await listEtcdAllocations(target.config)
          : await listAllocations(target.dataDir, target.network);
      io.stdout(command.json ? lsJson(report) : renderLs(report, style));
      for (const e of report.errors) io.stderr(`host-local ls: network ${e.network}: ${e.message}\n`);
      return report.errors.length === 0 ? OK : FAILED;
    }
    case "release": {
      const target = resolveTarget(command);
      const who = { containerId: command.containerId, ifname: command.ifname };
      // The parser demands --network or --config, and --config always yields a network name.
      const report =
        target.kind === "etcd"
          ? await releaseEtcdAttachment(target.config, who)
          : await releaseAttachment({ dataDir: target.dataDir, network: target.network ?? "", ...who });
      io.stdout(command.json ? releaseJson(report) : renderRelease(report, style));
      return OK;
    }
    case "stats": {
      const report = await collectStats(command.config, command.dataDir);
      io.stdout(command.json ? statsJson(report) : renderStats(report, style));
      return OK;
    }
    case "fsck": {
      const report = await fsckDataDir({
        dataDir: command.dataDir ?? DEFAULT_DATA_DIR,
        network: command.network,
        repair: command.repair,
      });
      io.stdout(command.json ? fsckJson(report) : renderFsck(report, command.repair, style));
      return report.problems.length === 0 ? OK : FAILED;
    }
  }
}

/**
 * Runs the operator command line and resolves to the exit status: 0 on success, 1 when a command
 * failed (its one-line reason on stderr) or `fsck` leaves problems, 2 for bad usage (a one-line
 * message and the usage on stderr). `argv` holds the arguments after the program name
 * (`process.argv.slice(2)`); `io` is the only way out (stdout, stderr) and in (environment, TTY).
 * Never throws, never exits the process, never reads `process.env`.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  options: RunCliOptions = {},
): Promise<number> {
  const version = options.version ?? PLUGIN_VERSION;
  try {
    const outcome = parseCommandLine(argv, version);
    switch (outcome.kind) {
      case "print":
        io.stdout(`${outcome.text}\n`);
        return OK;
      case "usage-error":
        io.stderr(`host-local: ${outcome.message}\n\n${outcome.usage}\n`);
        return USAGE;
      case "run":
        try {
          return await execute(outcome.command, io);
        } catch (err) {
          io.stderr(`host-local ${outcome.command.command}: ${errorText(err)}\n`);
          return FAILED;
        }
    }
  } catch (err) {
    io.stderr(`host-local: ${errorText(err)}\n`);
    return FAILED;
  }
}
