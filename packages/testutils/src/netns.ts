import { randomBytes } from "node:crypto";
import { type ExecOutcome, execFile } from "./exec-file.js";

/** Where `ip netns add` puts the namespace handle that `CNI_NETNS` must name. */
export const NETNS_RUN_DIR = "/var/run/netns";

/** The `CNI_NETNS` path of the named namespace created by {@link netnsAdd}. */
export function netnsPath(name: string): string {
  return `${NETNS_RUN_DIR}/${name}`;
}

/**
 * A name nobody else uses: `prefix` plus random hex, at most 15 characters so it is also a valid
 * interface name (IFNAMSIZ). Throws a `RangeError` when `prefix` leaves fewer than 4 characters of randomness.
 */
export function uniqueName(prefix: string): string {
  const room = 15 - prefix.length;
  if (room < 4) throw new RangeError(`prefix "${prefix}" is too long for a unique interface name`);
  return prefix + randomBytes(8).toString("hex").slice(0, room);
}

async function ip(args: readonly string[]): Promise<ExecOutcome> {
  return execFile("ip", args, { timeoutMs: 30_000 });
}

async function ipOrThrow(args: readonly string[]): Promise<string> {
  const r = await ip(args);
  if (r.code !== 0)
    throw new Error(`ip ${args.join(" ")} failed (${r.code ?? r.signal}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** `ip netns add <name>`. Throws (with ip's message) when it fails, e.g. the name exists or not root. */
export async function netnsAdd(name: string): Promise<void> {
  await ipOrThrow(["netns", "add", name]);
}

/**
 * `ip netns del <name>`; a namespace that is already gone is not an error. Throws on any other failure.
 */
export async function netnsDel(name: string): Promise<void> {
  const r = await ip(["netns", "del", name]);
  if (r.code !== 0 && !/No such file or directory/.test(r.stderr)) {
    throw new Error(`ip netns del ${name} failed: ${r.stderr.trim()}`);
  }
}

/**
 * Runs `argv` inside the namespace with `ip netns exec` and resolves with whatever it produced
 * (a non-zero exit is not an error). Rejects when `ip` cannot be started or the command outlives 30 s.
 */
export async function netnsExec(name: string, argv: readonly string[]): Promise<ExecOutcome> {
  return ip(["netns", "exec", name, ...argv]);
}

/**
 * Creates the namespace `name`, runs `fn` with its `CNI_NETNS` path, and deletes the namespace afterwards
 * whether `fn` resolved or threw. Resolves with `fn`'s value; rejects with `fn`'s error (or the creation
 * or deletion error).
 */
export async function withNetns<T>(name: string, fn: (path: string) => Promise<T>): Promise<T> {
  await netnsAdd(name);
  try {
    return await fn(netnsPath(name));
  } finally {
    await netnsDel(name);
  }
}

/** True when a network namespace of that name is listed by `ip netns list`. Throws when `ip` fails. */
export async function netnsExists(name: string): Promise<boolean> {
  const out = await ipOrThrow(["netns", "list"]);
  return out.split("\n").some((line) => line.split(" ")[0] === name);
}

/** `ip link del <name>` in the host namespace; a link that does not exist is not an error. */
export async function linkDel(name: string): Promise<void> {
  const r = await ip(["link", "del", name]);
  if (r.code !== 0 && !/Cannot find device|does not exist/.test(r.stderr)) {
    throw new Error(`ip link del ${name} failed: ${r.stderr.trim()}`);
  }
}

/** True when a link of that name exists in the host namespace. Never throws for a missing link. */
export async function linkExists(name: string): Promise<boolean> {
  const r = await ip(["link", "show", "dev", name]);
  return r.code === 0;
}

/** One address of `ip -j addr`: the parts the tests look at. */
export interface LinkAddress {
  readonly ifname: string;
  readonly family: "inet" | "inet6";
  readonly local: string;
  readonly prefixlen: number;
}

interface IpAddrJson {
  ifname?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

/**
 * The addresses of every link in the namespace (`ip -j addr` run with `ip netns exec`), or in the host
 * namespace when `name` is `null`. Throws when the command fails or prints something that is not JSON.
 */
export async function listAddresses(name: string | null): Promise<LinkAddress[]> {
  const args = name === null ? ["-j", "addr"] : ["netns", "exec", name, "ip", "-j", "addr"];
  const links = JSON.parse(await ipOrThrow(args)) as IpAddrJson[];
  const out: LinkAddress[] = [];
  for (const link of links) {
    for (const a of link.addr_info ?? []) {
      if (
        (a.family === "inet" || a.family === "inet6") &&
        a.local !== undefined &&
        a.prefixlen !== undefined
      ) {
        out.push({ ifname: link.ifname ?? "", family: a.family, local: a.local, prefixlen: a.prefixlen });
      }
    }
  }
  return out;
}
