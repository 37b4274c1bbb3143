// The stdin document and environment of one benchmarked plugin call.

import { NETWORK_NAME, RANGES } from "./prefill.mjs";

/** The config version: 1.0.0 is the newest both binaries accept, and it allows CHECK. */
export const CNI_VERSION = "1.0.0";

// Never opened successfully: the netns self-check (HEAD behaviour, section 1.6 of the contract)
// then passes, and upstream 1.1.1 never looks at it. Both pay the same failed open(2).
const NETNS = "/var/run/netns/cni-ts-bench-absent";

/**
 * The network config a runtime would pass: one range (the family's benchmark range) in `dataDir`,
 * and `prevResult` when given (CHECK).
 *
 * @param {{ family: 4 | 6, dataDir: string, prevResult?: unknown }} options
 * @returns {string} the JSON text for the plugin's stdin
 * @throws {RangeError} when the family is not 4 or 6
 */
export function pluginConfig({ family, dataDir, prevResult }) {
  const range = RANGES[family];
  if (range === undefined) {
    throw new RangeError(`unknown family ${family}: expected 4 or 6`);
  }
  const config = {
    cniVersion: CNI_VERSION,
    name: NETWORK_NAME,
    type: "bridge",
    ipam: {
      type: "host-local",
      dataDir,
      ranges: [[{ subnet: range.subnet, gateway: range.gateway }]],
    },
  };
  if (prevResult !== undefined) {
    config.prevResult = prevResult;
  }
  return JSON.stringify(config);
}

/**
 * The result an ADD of `ip` in the family's range returns, used as CHECK's `prevResult` for a
 * prefilled allocation (as a runtime would replay it).
 *
 * @param {4 | 6} family the address family
 * @param {string} ip the allocated address (canonical text)
 * @returns {object} a 1.0.0 result
 */
export function addResultFor(family, ip) {
  const range = RANGES[family];
  return {
    cniVersion: CNI_VERSION,
    ips: [{ address: `${ip}/${range.prefixLength}`, gateway: range.gateway }],
    dns: {},
  };
}

/**
 * The environment of one call: only the CNI variables (plus a fixed PATH), so nothing from the
 * shell that started the benchmark changes what the binaries do.
 *
 * @param {{ command: "ADD" | "DEL" | "CHECK" | "VERSION", containerId: string, ifname: string }} call
 * @returns {Record<string, string>} the environment
 */
export function pluginEnv({ command, containerId, ifname }) {
  return {
    PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
    CNI_COMMAND: command,
    CNI_CONTAINERID: containerId,
    CNI_NETNS: NETNS,
    CNI_IFNAME: ifname,
    CNI_PATH: "/usr/lib/cni",
  };
}
