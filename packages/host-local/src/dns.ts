/**
 * resolv.conf parsing for ADD's `dns` result (contract section 8; upstream `dns.go`).
 */
import { CNI_ERROR_CODES, CniError, type Dns, goFields, goTrimSpace } from "@cni-ts/types";
import { goPathErrorText } from "./go-error-text.js";

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

// The most of a resolv.conf ADD reads: a real one is a few lines, and glibc's resolver reads far less.
const RESOLV_CONF_MAX_BYTES = 1024 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * Reads and parses the resolv.conf at `path` (see {@link parseResolvConfText}).
 *
 * The file is opened without waiting (`O_NONBLOCK`: a FIFO nobody writes to reads as empty instead of
 * blocking the plugin, where upstream blocks) and read up to 1 MiB, so an endless source such as
 * `/dev/zero` fails instead of growing the process until the node runs out of memory (upstream fails
 * there only because one line exceeds 64 KiB).
 *
 * @throws CniError 999 with upstream's Go-style text when the file cannot be opened or read, e.g.
 *   `open /etc/none: no such file or directory` or `read /etc: is a directory`; and
 *   `read <path>: larger than 1048576 bytes; resolvConf must name a resolv.conf file` beyond the limit.
 */
export async function parseResolvConf(path: string): Promise<Dns> {
  // Obtained here, not imported: only an ADD whose config names a resolv.conf pays for loading node:fs
  // (the compiled plugin's other calls avoid it, see @cni-ts/disk-store's system calls).
  const { closeSync, constants, openSync, readSync } = process.getBuiltinModule("node:fs");
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new CniError(CNI_ERROR_CODES.Internal, goPathErrorText(err, path, "open"), { cause: err });
  }
  try {
    return parseResolvConfText(readAtMost(readSync, fd, path, RESOLV_CONF_MAX_BYTES).toString("utf8"));
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Deliberately ignored: the file was only read, and the plugin exits right after ADD.
    }
  }
}

/** Reads `fd` to its end with `readSync`, failing as soon as more than `limit` bytes have arrived. */
function readAtMost(
  readSync: (fd: number, buffer: Buffer, offset: number, length: number, position: null) => number,
  fd: number,
  path: string,
  limit: number,
): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      throw new CniError(CNI_ERROR_CODES.Internal, goPathErrorText(err, path, "read"), { cause: err });
    }
    if (n === 0) return Buffer.concat(chunks, total);
    total += n;
    if (total > limit) {
      throw new CniError(
        CNI_ERROR_CODES.Internal,
        `read ${path}: larger than ${limit} bytes; resolvConf must name a resolv.conf file`,
      );
    }
    chunks.push(chunk.subarray(0, n));
  }
}

/** True when `dns` carries nothing (no nameservers, domain, search or options). */
export function isEmptyDns(dns: Dns): boolean {
  return !dns.nameservers?.length && !dns.domain && !dns.search?.length && !dns.options?.length;
}
