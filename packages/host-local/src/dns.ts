/**
 * resolv.conf parsing for ADD's `dns` result (contract section 8; upstream `dns.go`).
 */
import { readFile } from "node:fs/promises";
import { CNI_ERROR_CODES, CniError, type Dns } from "@cni-ts/types";
import { goPathErrorText } from "./go-error-text.js";
import { goFields, goTrimSpace } from "./go-strings.js";

/**
 * Parses the text of a resolv.conf into the CNI `dns` object, exactly as upstream does:
 * surrounding whitespace trimmed, empty lines and lines starting with `#` or `;` skipped, lines with
 * fewer than two fields skipped; `nameserver` appends its first argument, `domain` overwrites,
 * `search` and `options` append all their arguments and accumulate across lines; keywords are
 * case-sensitive and anything else is ignored. Empty lists and an empty domain are left out.
 * No inline comment stripping (`search a # b` yields `a`, `#`, `b`). Never throws.
 */
export function parseResolvConfText(text: string): Dns {
  const nameservers: string[] = [];
  const search: string[] = [];
  const options: string[] = [];
  let domain = "";
  for (const raw of text.split("\n")) {
    const line = goTrimSpace(raw);
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const [keyword, ...rest] = goFields(line);
    const first = rest[0];
    if (keyword === undefined || first === undefined) continue;
    switch (keyword) {
      case "nameserver":
        nameservers.push(first);
        break;
      case "domain":
        domain = first;
        break;
      // upstream-compat: later search lines accumulate instead of replacing earlier ones (glibc keeps the last).
      case "search":
        search.push(...rest);
        break;
      case "options":
        options.push(...rest);
        break;
    }
  }
  const dns: Dns = {};
  if (nameservers.length > 0) dns.nameservers = nameservers;
  if (domain !== "") dns.domain = domain;
  if (search.length > 0) dns.search = search;
  if (options.length > 0) dns.options = options;
  return dns;
}

/**
 * Reads and parses the resolv.conf at `path` (see {@link parseResolvConfText}).
 *
 * @throws CniError 999 with upstream's Go-style text when the file cannot be read, e.g.
 *   `open /etc/none: no such file or directory` or `read /etc: is a directory`.
 */
export async function parseResolvConf(path: string): Promise<Dns> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new CniError(CNI_ERROR_CODES.Internal, goPathErrorText(err, path), { cause: err });
  }
  return parseResolvConfText(bytes.toString("utf8"));
}

/** True when `dns` carries nothing (no nameservers, domain, search or options). */
export function isEmptyDns(dns: Dns): boolean {
  return !dns.nameservers?.length && !dns.domain && !dns.search?.length && !dns.options?.length;
}
