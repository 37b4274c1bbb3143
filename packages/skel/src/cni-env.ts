/**
 * Reading and checking the `CNI_*` environment variables, in upstream's fixed order.
 */

import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import { validateContainerId, validateInterfaceName } from "./validation.js";

/** The `CNI_*` variables of one call; unset and empty are both `""`. */
export interface CniEnv {
  readonly command: string;
  readonly containerId: string;
  readonly netns: string;
  readonly ifName: string;
  readonly args: string;
  readonly path: string;
  readonly netnsOverride: string;
}

interface EnvVariable {
  readonly name: string;
  readonly key: keyof CniEnv;
  /** Commands for which the variable must be non-empty. */
  readonly requiredFor: readonly string[];
  /** Runs on a non-empty value, only for commands that require the variable. */
  readonly validate?: (value: string) => void;
}

const ALL_COMMANDS = ["ADD", "CHECK", "DEL", "GC", "STATUS"];

// The order is part of the protocol: it decides which error wins and the order of names in the
// "required env variables [...] missing" message.
const VARIABLES: readonly EnvVariable[] = [
  { name: "CNI_COMMAND", key: "command", requiredFor: ALL_COMMANDS },
  {
    name: "CNI_CONTAINERID",
    key: "containerId",
    requiredFor: ["ADD", "CHECK", "DEL"],
    validate: validateContainerId,
  },
  { name: "CNI_NETNS", key: "netns", requiredFor: ["ADD", "CHECK"] },
  {
    name: "CNI_IFNAME",
    key: "ifName",
    requiredFor: ["ADD", "CHECK", "DEL"],
    validate: validateInterfaceName,
  },
  { name: "CNI_ARGS", key: "args", requiredFor: [] },
  { name: "CNI_PATH", key: "path", requiredFor: ALL_COMMANDS },
  { name: "CNI_NETNS_OVERRIDE", key: "netnsOverride", requiredFor: [] },
];

/**
 * Reads the `CNI_*` variables from `env` in upstream's order. A variable required by the command is
 * validated as soon as it is read, so an invalid container ID wins over a missing `CNI_PATH`.
 * `CNI_COMMAND` is always required; an unknown command requires nothing else (it is refused later).
 * Throws {@link CniError} from the validators (3/4), or 4 `required env variables [A,B] missing`.
 */
export function readCniEnv(env: Readonly<Record<string, string | undefined>>): CniEnv {
  const command = env.CNI_COMMAND ?? "";
  const values: Record<keyof CniEnv, string> = {
    command,
    containerId: "",
    netns: "",
    ifName: "",
    args: "",
    path: "",
    netnsOverride: "",
  };
  const missing: string[] = [];
  for (const variable of VARIABLES) {
    const value = env[variable.name] ?? "";
    values[variable.key] = value;
    const required = variable.requiredFor.includes(command);
    if (value === "") {
      if (required || variable.key === "command") missing.push(variable.name);
    } else if (required) {
      variable.validate?.(value);
    }
  }
  if (missing.length > 0) {
    throw new CniError(
      CNI_ERROR_CODES.InvalidEnvironmentVariables,
      `required env variables [${missing.join(",")}] missing`,
    );
  }
  return values;
}
