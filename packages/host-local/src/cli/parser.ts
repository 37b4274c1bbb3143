import yargs, { type Argv } from "yargs";

/** `host-local ls`: every allocation under a data dir. */
export interface LsCommand {
  command: "ls";
  dataDir: string | undefined;
  network: string | undefined;
  config: string | undefined;
  json: boolean;
}

/** `host-local release`: removes one attachment's allocations. */
export interface ReleaseCommand {
  command: "release";
  network: string | undefined;
  containerId: string;
  ifname: string | undefined;
  dataDir: string | undefined;
  config: string | undefined;
  json: boolean;
}

/** `host-local stats`: capacity and use of each range set of a network config. */
export interface StatsCommand {
  command: "stats";
  config: string;
  dataDir: string | undefined;
  json: boolean;
}

/** `host-local fsck`: checks (and with `repair`, fixes) the files of a data dir. */
export interface FsckCommand {
  command: "fsck";
  dataDir: string | undefined;
  network: string | undefined;
  repair: boolean;
  json: boolean;
}

/** A command line that names a command, with its options checked and typed. */
export type CliCommand = LsCommand | ReleaseCommand | StatsCommand | FsckCommand;

/** The names of the operator commands, in the order the help lists them. */
export const COMMAND_NAMES = ["ls", "release", "stats", "fsck"] as const;

/** What a command line asks for. */
export type ParseOutcome =
  /** Run a command. */
  | { kind: "run"; command: CliCommand }
  /** Print this text on stdout and exit 0 (`--help`, `--version`). */
  | { kind: "print"; text: string }
  /** Bad usage: print the one-line message and the usage on stderr and exit 2. */
  | { kind: "usage-error"; message: string; usage: string };

const DATA_DIR_HELP =
  "Root of the data dir (default /var/lib/cni/networks, or the config's ipam.dataDir); always the disk store";
const CONFIG_HELP =
  "Take the network and store from this .conf/.conflist: its ipam.store etcd cluster, or its ipam.dataDir";

const NON_EMPTY_STRINGS = ["data-dir", "network", "config", "container-id", "ifname"] as const;

// Every string option needs a value, and an empty one is a mistake rather than "unset".
function rejectEmptyStrings(argv: Record<string, unknown>): true {
  for (const key of NON_EMPTY_STRINGS) {
    if (argv[key] === "") throw new Error(`--${key} must not be empty`);
  }
  return true;
}

function build(argv: readonly string[], version: string): Argv {
  const str = { type: "string", requiresArg: true } as const;
  return (
    yargs(argv)
      .scriptName("host-local")
      // Help text must not depend on the operator's locale or terminal: the shim would read both from
      // the process, which this module never touches.
      .locale("en")
      .detectLocale(false)
      .wrap(100)
      .parserConfiguration({ "camel-case-expansion": false, "duplicate-arguments-array": false })
      .strict()
      .showHelpOnFail(false)
      .exitProcess(false)
      .usage(
        "Usage: $0 <command> [options]\n\n" +
          "Operator commands for the host-local IPAM store. Run with CNI_COMMAND set (by a container\n" +
          "runtime), host-local is the CNI plugin instead.",
      )
      .version("version", "Print the version and exit", version)
      .help("help", "Print this help and exit")
      .alias("help", "h")
      .command("ls", "List every allocation under a data dir", (y) =>
        y
          .usage("Usage: $0 ls [--data-dir DIR] [--network NAME] [--config FILE] [--json]")
          .option("data-dir", { ...str, describe: DATA_DIR_HELP })
          .option("network", { ...str, describe: "Only this network (default: every network)" })
          .option("config", { ...str, describe: CONFIG_HELP })
          .option("json", {
            type: "boolean",
            describe: "Print a JSON array of {network, ip, containerId, ifname}",
          })
          .check(rejectEmptyStrings),
      )
      .command("release", "Remove one attachment's allocations, like DEL without the config", (y) =>
        y
          .usage(
            "Usage: $0 release --network NAME --container-id ID [--ifname IF] [--data-dir DIR] [--json]\n\n" +
              "Removes the addresses held by the container (only those of --ifname when given, plus the\n" +
              "container's legacy id-only records, as DEL does) under the network's lock. Idempotent.\n" +
              "With --config FILE instead of --network, the network and store come from that config (its\n" +
              "etcd cluster when ipam.store names one).",
          )
          .option("network", { ...str, describe: "Network name (the directory under the data dir)" })
          .option("container-id", { ...str, demandOption: true, describe: "Container ID (CNI_CONTAINERID)" })
          .option("ifname", { ...str, describe: "Interface name (CNI_IFNAME); default: every interface" })
          .option("data-dir", { ...str, describe: DATA_DIR_HELP })
          .option("config", { ...str, describe: CONFIG_HELP })
          .option("json", { type: "boolean", describe: "Print what was released as JSON" })
          .check(rejectEmptyStrings)
          .check((a) => {
            if (a.network === undefined && a.config === undefined) {
              throw new Error("release needs --network NAME or --config FILE");
            }
            return true;
          }),
      )
      .command("stats", "Capacity, used and free addresses of each range set of a network config", (y) =>
        y
          .usage("Usage: $0 stats --config FILE [--data-dir DIR] [--json]")
          .option("config", {
            ...str,
            demandOption: true,
            describe:
              "Network config: a .conf, or a .conflist (its host-local plugin entry is used); its ipam.store " +
              "etcd cluster is counted when it names one",
          })
          .option("data-dir", {
            ...str,
            describe: "Data dir to count allocations in (default: the config's store); always the disk store",
          })
          .option("json", {
            type: "boolean",
            describe: "Print {network, rangeSets: [{ranges, capacity, used, free}]}",
          })
          .check(rejectEmptyStrings),
      )
      .command("fsck", "Check the files of a data dir; --repair fixes what is safe to fix", (y) =>
        y
          .usage(
            "Usage: $0 fsck [--data-dir DIR] [--network NAME] [--repair] [--json]\n\n" +
              "Exits 1 while problems remain. --repair works under each network's lock and only removes\n" +
              "empty or malformed allocation files, leftover temp files and bad last_reserved_ip files;\n" +
              "it never removes a valid allocation.",
          )
          .option("data-dir", { ...str, describe: "Root of the data dir (default /var/lib/cni/networks)" })
          .option("network", { ...str, describe: "Only this network (default: every network)" })
          .option("repair", { type: "boolean", describe: "Fix what is safe to fix" })
          .option("json", {
            type: "boolean",
            describe: "Print {problems: [{network, file, kind, detail}], repaired: [...]}",
          })
          .check(rejectEmptyStrings),
      )
      .demandCommand(1, "no command given")
  );
}

function str(argv: Record<string, unknown>, key: string): string | undefined {
  const value = argv[key];
  return typeof value === "string" ? value : undefined;
}

function bool(argv: Record<string, unknown>, key: string): boolean {
  return argv[key] === true;
}

function toCommand(argv: Record<string, unknown>, name: string): CliCommand | undefined {
  switch (name) {
    case "ls":
      return {
        command: "ls",
        dataDir: str(argv, "data-dir"),
        network: str(argv, "network"),
        config: str(argv, "config"),
        json: bool(argv, "json"),
      };
    case "release": {
      const containerId = str(argv, "container-id");
      if (containerId === undefined) return undefined;
      return {
        command: "release",
        network: str(argv, "network"),
        containerId,
        ifname: str(argv, "ifname"),
        dataDir: str(argv, "data-dir"),
        config: str(argv, "config"),
        json: bool(argv, "json"),
      };
    }
    case "stats": {
      const config = str(argv, "config");
      if (config === undefined) return undefined;
      return { command: "stats", config, dataDir: str(argv, "data-dir"), json: bool(argv, "json") };
    }
    case "fsck":
      return {
        command: "fsck",
        dataDir: str(argv, "data-dir"),
        network: str(argv, "network"),
        repair: bool(argv, "repair"),
        json: bool(argv, "json"),
      };
    default:
      return undefined;
  }
}

interface RawParse {
  error: Error | undefined;
  argv: Record<string, unknown>;
  output: string;
}

// With a parse callback yargs neither prints nor exits: help, version and messages come back as text.
function rawParse(args: readonly string[], version: string): RawParse {
  let result: RawParse = { error: new Error("command line not parsed"), argv: {}, output: "" };
  build(args, version).parse([...args], {}, (error, argv, output) => {
    result = { error: error ?? undefined, argv: argv as Record<string, unknown>, output };
  });
  return result;
}

/** The help text of `command` (or the top-level help), as `--help` prints it. */
export function usageText(command: string | undefined, version: string): string {
  return rawParse(command === undefined ? ["--help"] : [command, "--help"], version).output;
}

// The command whose usage goes with an error: the first argument naming one, if any.
function commandIn(args: readonly string[]): string | undefined {
  return args.find((a): a is (typeof COMMAND_NAMES)[number] =>
    (COMMAND_NAMES as readonly string[]).includes(a),
  );
}

/**
 * Parses the operator command line (`args` are the arguments after the program name) into what to do.
 * Never throws for bad input: every mistake becomes a `usage-error` with yargs' one-line message.
 * `version` is what `--version` prints.
 */
export function parseCommandLine(args: readonly string[], version: string): ParseOutcome {
  const { error, argv, output } = rawParse(args, version);
  const usage = (): string => usageText(commandIn(args), version);
  if (error !== undefined) {
    return { kind: "usage-error", message: firstLine(error.message), usage: usage() };
  }
  if (argv.help === true || argv.version === true) return { kind: "print", text: output };
  const positional = Array.isArray(argv._) ? argv._ : [];
  const name = String(positional[0] ?? "");
  const command = toCommand(argv, name);
  if (command === undefined) return { kind: "usage-error", message: "no command given", usage: usage() };
  return { kind: "run", command };
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
