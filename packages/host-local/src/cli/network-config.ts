import { readFileSync } from "node:fs";
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import { goPathErrorText } from "../go-error-text.js";

/** A network config file reduced to the one plugin config that host-local would receive on stdin. */
export interface PluginConfigFile {
  /** The file as given on the command line. */
  file: string;
  /** The network name (a conflist's top-level `name`). */
  name: string;
  /** The JSON document a runtime would pass to host-local on stdin, ready for `loadIpamConfig`. */
  stdinData: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function ipamType(plugin: Record<string, unknown>): unknown {
  const ipam = plugin.ipam;
  return isObject(ipam) ? ipam.type : undefined;
}

// The highest version listed in a 1.1.0 conflist's `cniVersions`, compared numerically.
function highestVersion(versions: unknown): string | undefined {
  if (!Array.isArray(versions)) return undefined;
  const numeric = (v: string): number[] => v.split(".").map((p) => Number.parseInt(p, 10) || 0);
  let best: string | undefined;
  for (const v of versions) {
    if (typeof v !== "string") continue;
    if (best === undefined) {
      best = v;
      continue;
    }
    const a = numeric(v);
    const b = numeric(best);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d !== 0) {
        if (d > 0) best = v;
        break;
      }
    }
  }
  return best;
}

function fail(file: string, msg: string, cause?: unknown): CniError {
  return new CniError(CNI_ERROR_CODES.InvalidNetworkConfig, `${file}: ${msg}`, { cause });
}

/**
 * Reads a network config file the way a runtime would and returns the stdin document host-local would
 * get: a `.conf` as it is; a `.conflist` (or any file with a `plugins` array) reduced to its plugin
 * entry whose `ipam.type` is `host-local`, with the list's `name` and `cniVersion` injected as libcni
 * does (a 1.1.0 list without `cniVersion` gets the highest of its `cniVersions`).
 *
 * Throws CniError 5 when the file cannot be read, 6 when it is not a JSON object, and 7 when it has no
 * network name or no host-local IPAM.
 */
export function readPluginConfig(file: string): PluginConfigFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CniError(
      CNI_ERROR_CODES.IoFailure,
      `cannot read the network config: ${goPathErrorText(err, file, "open")}`,
      {
        cause: err,
      },
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CniError(CNI_ERROR_CODES.DecodingFailure, `${file}: not valid JSON`, { cause: err });
  }
  if (!isObject(doc)) {
    throw new CniError(CNI_ERROR_CODES.DecodingFailure, `${file}: not a JSON object`);
  }
  const name = doc.name;
  if (typeof name !== "string" || name === "") throw fail(file, "the network config has no name");

  const isList = Array.isArray(doc.plugins) || file.endsWith(".conflist");
  if (!isList) {
    if (ipamType(doc) !== "host-local")
      throw fail(file, 'no "ipam" of type "host-local" in the network config');
    return { file, name, stdinData: text };
  }
  if (!Array.isArray(doc.plugins)) throw fail(file, 'the network config list has no "plugins" array');
  const plugin = doc.plugins.find(
    (p): p is Record<string, unknown> => isObject(p) && ipamType(p) === "host-local",
  );
  if (plugin === undefined) throw fail(file, 'no plugin in the list has an "ipam" of type "host-local"');
  const cniVersion = typeof doc.cniVersion === "string" ? doc.cniVersion : highestVersion(doc.cniVersions);
  const injected: Record<string, unknown> = { ...plugin, name };
  if (cniVersion !== undefined) injected.cniVersion = cniVersion;
  return { file, name, stdinData: JSON.stringify(injected) };
}
