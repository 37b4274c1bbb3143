/**
 * Loading host-local's IPAM configuration from the plugin's stdin and `CNI_ARGS` (upstream
 * `LoadIPAMConfig` in `backend/allocator/config.go`), with Go's JSON decoding semantics and
 * upstream's checks and texts, in upstream's order.
 */
import type { Route } from "@cni-ts/types";
import { CNI_ERROR_CODES, CniError, parseCniArgs, versionAtLeast } from "@cni-ts/types";
import type { FieldContext } from "./go-decode.js";
import {
  decodeInt,
  decodeMembers,
  decodeSlice,
  decodeString,
  decodeStruct,
  GoDecoder,
  jsonKind,
  UnmarshalTypeError,
} from "./go-decode.js";
import type { Cidr, Ip } from "./ip.js";
import { formatCidr, formatIp, parseCidr, parseIp, tryParseCidr, tryParseIp } from "./ip.js";
import type { JsonValue } from "./json-document.js";
import { JsonNumber, JsonObject, parseJsonDocument, toPlainJson } from "./json-document.js";
import type { RangeInit } from "./range.js";
import { RangeSet } from "./range-set.js";

/** A still valid attachment named by GC's `cni.dev/valid-attachments`. */
export interface Attachment {
  containerId: string;
  ifname: string;
}

/** Upstream's store: one file per address under `<dataDir>/<name>` (`@cni-ts/disk-store`). */
export interface DiskStoreConfig {
  type: "disk";
}

/** PEM files for a TLS etcd (`ipam.store.tls`); paths as given, relative ones to the working directory. */
export interface EtcdTlsConfig {
  /** CA bundle that signs the members' certificates; the system's CAs when undefined. */
  caFile: string | undefined;
  /** Client certificate; set exactly when `keyFile` is. */
  certFile: string | undefined;
  /** The client certificate's private key; set exactly when `certFile` is. */
  keyFile: string | undefined;
}

/** A pool shared by many hosts in an etcd cluster (`@cni-ts/etcd-store`). */
export interface EtcdStoreConfig {
  type: "etcd";
  /** Member URLs, `http://` or `https://`, at least one, as given. */
  endpoints: string[];
  /** Key prefix; `/cni-ts` when absent. The network's keys live under `<prefix>/<name>/`. */
  prefix: string;
  /** Bound of every etcd call in milliseconds, 1 to 2^31-1; 5000 when absent. */
  timeoutMs: number;
  /** TLS files, or undefined for none (an `https://` endpoint then trusts the system's CAs). */
  tls: EtcdTlsConfig | undefined;
  /**
   * The name this host records with its reservations, which scopes GC to them; undefined for the host
   * name (the store's default).
   */
  node: string | undefined;
}

/** Where the network's reservations live: `ipam.store`. */
export type StoreConfig = DiskStoreConfig | EtcdStoreConfig;

/** host-local's IPAM configuration, checked and canonical. */
export interface IpamConfig {
  /** The network name (top-level `name`); it names the store's directory. */
  name: string;
  /** The config's `cniVersion`, as given (`""` when absent). */
  cniVersion: string;
  /**
   * The range sets in upstream's order, which fixes each set's index (its `rangeId`):
   * `runtimeConfig.ipRanges`, then the legacy `ipam.subnet` range, then `ipam.ranges`.
   */
  rangeSets: RangeSet[];
  /** `ipam.routes` as upstream prints them: addresses in Go's text, zero `mtu`/`advmss`/`priority` left out. */
  routes: Route[];
  /** `ipam.dataDir`; `/var/lib/cni/networks` when empty or absent. Relative paths stay relative. */
  dataDir: string;
  /** `ipam.resolvConf`, `""` when absent. */
  resolvConf: string;
  /**
   * Requested addresses in canonical text, IPv4-mapped ones as IPv4, duplicates removed: the
   * `CNI_ARGS` `IP`, then `args.cni.ips`, then `runtimeConfig.ips`. Not checked against the ranges.
   */
  requestedIps: string[];
  /**
   * GC's still valid attachments: the union of `cni.dev/valid-attachments` and `cni.dev/attachments`
   * (the key's earlier, misspelled name), or undefined when both are absent.
   */
  validAttachments: Attachment[] | undefined;
  /** The top-level `prevResult`, unparsed (numbers as JavaScript numbers); undefined when absent. */
  prevResult: unknown;
  /**
   * `ipam.store`: the disk store (`{type: "disk"}`, also when absent or null), or an etcd cluster with
   * every default filled in. Not part of upstream's config.
   */
  store: StoreConfig;
}

const DEFAULT_DATA_DIR = "/var/lib/cni/networks";
const DEFAULT_ETCD_PREFIX = "/cni-ts";
const DEFAULT_ETCD_TIMEOUT_MS = 5000;
// The longest a JavaScript timer can wait.
const MAX_ETCD_TIMEOUT_MS = 2_147_483_647;

// Go's names for the anonymous struct types of upstream's Net, as its type errors print them.
const RUNTIME_CONFIG_TYPE =
  'struct { IPRanges []allocator.RangeSet "json:\\"ipRanges,omitempty\\""; IPs []*ip.IP "json:\\"ips,omitempty\\"" }';
const ARGS_TYPE = 'struct { A *allocator.IPAMArgs "json:\\"cni\\"" }';
const ATTACHMENT_KEYS = ["cni.dev/valid-attachments", "cni.dev/attachments"] as const;

/** A requested address as decoded: `ip` undefined for `""`; `null` for a JSON null. */
type DecodedRequest = { ip: Ip | undefined } | null;
type DecodedRange = RangeInit;
type DecodedRangeSet = Array<DecodedRange | null> | null;

interface DecodedRoute {
  dst: Cidr | undefined;
  gw: Ip | undefined;
  mtu: number;
  advmss: number;
  priority: number;
  table: number | undefined;
  scope: number | undefined;
}

interface DecodedAttachment {
  containerId: string | undefined;
  ifname: string | undefined;
}

interface DecodedIpam {
  legacy: DecodedRange | undefined;
  name: string;
  type: string;
  routes: Array<DecodedRoute | null> | undefined;
  dataDir: string;
  resolvConf: string;
  ranges: DecodedRangeSet[] | undefined;
  /** `ipam.store` as written (the last one wins; upstream has no such key, so no Go merging). */
  store: JsonValue;
}

interface DecodedNet {
  name: string;
  cniVersion: string;
  ipam: DecodedIpam | undefined;
  ipRanges: DecodedRangeSet[] | undefined;
  runtimeIps: DecodedRequest[] | undefined;
  args: { cniIps: DecodedRequest[] | undefined } | undefined;
  attachments: Record<(typeof ATTACHMENT_KEYS)[number], Array<DecodedAttachment | null> | undefined>;
  prevResult: JsonValue;
}

function configError(msg: string, cause?: unknown): CniError {
  return new CniError(CNI_ERROR_CODES.Internal, msg, cause === undefined ? {} : { cause });
}

// --- Go decoding of upstream's Net struct -------------------------------------------------------

/** A types.IPNet field: Go hands every JSON value, null included, to its string decoder. */
function decodeIpNet(value: JsonValue, at: FieldContext): Cidr {
  if (typeof value === "string") return parseCidr(value);
  if (value === null) return parseCidr("");
  throw new UnmarshalTypeError(jsonKind(value), "string", at);
}

/** A net.IP field: `""` and null mean absent; bad text stops decoding. */
function decodeNetIp(
  d: GoDecoder,
  value: JsonValue,
  current: Ip | undefined,
  at: FieldContext,
): Ip | undefined {
  if (value === null || value === "") return undefined;
  if (typeof value === "string") return parseIp(value);
  d.mismatch(value, "net.IP", at);
  return current;
}

/** Upstream's ip.IP text: an address or `address/prefix` (the prefix is checked, then dropped). */
function parseRequestText(text: string): Ip {
  const ip = text.includes("/") ? tryParseCidr(text)?.ip : tryParseIp(text);
  // Go's text, without the colon that net.IP's error has.
  if (ip === undefined) throw configError(`invalid IP address ${text}`);
  return ip;
}

function decodeRequest(d: GoDecoder, value: JsonValue, at: FieldContext): DecodedRequest {
  if (value === null) return null;
  if (typeof value === "string") return { ip: value === "" ? undefined : parseRequestText(value) };
  d.mismatch(value, "*ip.IP", at);
  return null;
}

function decodeRange(
  d: GoDecoder,
  value: JsonValue,
  previous: DecodedRange | null | undefined,
  setAt: FieldContext,
): DecodedRange | null {
  if (value === null) return previous ?? null;
  const range: DecodedRange = previous ?? {};
  const at = (field: string): FieldContext => ({ struct: "Range", field: `${setAt.field}.${field}` });
  decodeStruct(d, value, "allocator.Range", setAt, {
    rangeStart: (v) => {
      range.rangeStart = decodeNetIp(d, v, range.rangeStart, at("rangeStart"));
    },
    rangeEnd: (v) => {
      range.rangeEnd = decodeNetIp(d, v, range.rangeEnd, at("rangeEnd"));
    },
    subnet: (v) => {
      range.subnet = decodeIpNet(v, at("subnet"));
    },
    gateway: (v) => {
      range.gateway = decodeNetIp(d, v, range.gateway, at("gateway"));
    },
  });
  return range;
}

function decodeRangeSets(
  d: GoDecoder,
  value: JsonValue,
  current: DecodedRangeSet[] | undefined,
  at: FieldContext,
): DecodedRangeSet[] | undefined {
  return decodeSlice(d, value, current, "[]allocator.RangeSet", at, (setValue, previousSet) => {
    if (setValue === null) return null;
    if (!Array.isArray(setValue)) {
      d.mismatch(setValue, "allocator.RangeSet", at);
      return previousSet ?? null;
    }
    return setValue.map((rangeValue, i) => decodeRange(d, rangeValue, previousSet?.[i], at));
  });
}

/**
 * A route: upstream's Route decodes itself with a nested Go decoder, so any type error inside it
 * surfaces at once, labelled with the outer position (`IPAMConfig.ipam.routes`).
 */
function decodeRoute(value: JsonValue, at: FieldContext): DecodedRoute | null {
  if (value === null) return null;
  const route: DecodedRoute = {
    dst: undefined,
    gw: undefined,
    mtu: 0,
    advmss: 0,
    priority: 0,
    table: undefined,
    scope: undefined,
  };
  const inner = new GoDecoder();
  const field = (name: string): FieldContext => ({ struct: "route", field: name });
  const optionalInt = (v: JsonValue, current: number | undefined, name: string) =>
    v === null ? undefined : decodeInt(inner, v, current ?? 0, field(name));
  try {
    decodeStruct(inner, value, "types.route", undefined, {
      dst: (v) => {
        route.dst = decodeIpNet(v, field("dst"));
      },
      gw: (v) => {
        route.gw = decodeNetIp(inner, v, route.gw, field("gw"));
      },
      mtu: (v) => {
        route.mtu = decodeInt(inner, v, route.mtu, field("mtu"));
      },
      advmss: (v) => {
        route.advmss = decodeInt(inner, v, route.advmss, field("advmss"));
      },
      priority: (v) => {
        route.priority = decodeInt(inner, v, route.priority, field("priority"));
      },
      table: (v) => {
        route.table = optionalInt(v, route.table, "table");
      },
      scope: (v) => {
        route.scope = optionalInt(v, route.scope, "scope");
      },
    });
    inner.finish();
  } catch (err) {
    if (err instanceof UnmarshalTypeError) throw err.relabel(at);
    throw err;
  }
  return route;
}

function decodeAttachments(
  d: GoDecoder,
  value: JsonValue,
  current: Array<DecodedAttachment | null> | undefined,
  key: string,
): Array<DecodedAttachment | null> | undefined {
  const at: FieldContext = { struct: "Net", field: key };
  return decodeSlice(d, value, current, "[]types.GCAttachment", at, (v, previous) => {
    if (v === null) return previous ?? null;
    const attachment: DecodedAttachment = previous ?? { containerId: undefined, ifname: undefined };
    const field = (name: string): FieldContext => ({ struct: "GCAttachment", field: `${key}.${name}` });
    decodeStruct(d, v, "types.GCAttachment", at, {
      containerID: (x) => {
        attachment.containerId =
          x === null ? attachment.containerId : decodeString(d, x, "", field("containerID"));
      },
      ifname: (x) => {
        attachment.ifname = x === null ? attachment.ifname : decodeString(d, x, "", field("ifname"));
      },
    });
    return attachment;
  });
}

function decodeIpam(d: GoDecoder, object: JsonObject, ipam: DecodedIpam): void {
  const at = (field: string): FieldContext => ({ struct: "IPAMConfig", field: `ipam.${field}` });
  // The legacy single range is embedded in upstream's IPAMConfig: any of its keys creates it.
  const legacy = (): DecodedRange => {
    ipam.legacy ??= {};
    return ipam.legacy;
  };
  decodeMembers(object, {
    subnet: (v) => {
      legacy().subnet = decodeIpNet(v, at("subnet"));
    },
    rangeStart: (v) => {
      const r = legacy();
      r.rangeStart = decodeNetIp(d, v, r.rangeStart, at("rangeStart"));
    },
    rangeEnd: (v) => {
      const r = legacy();
      r.rangeEnd = decodeNetIp(d, v, r.rangeEnd, at("rangeEnd"));
    },
    gateway: (v) => {
      const r = legacy();
      r.gateway = decodeNetIp(d, v, r.gateway, at("gateway"));
    },
    Name: (v) => {
      ipam.name = decodeString(d, v, ipam.name, at("Name"));
    },
    type: (v) => {
      ipam.type = decodeString(d, v, ipam.type, at("type"));
    },
    routes: (v) => {
      const routesAt = at("routes");
      ipam.routes = decodeSlice(d, v, ipam.routes, "[]*types.Route", routesAt, (r) =>
        decodeRoute(r, routesAt),
      );
    },
    dataDir: (v) => {
      ipam.dataDir = decodeString(d, v, ipam.dataDir, at("dataDir"));
    },
    resolvConf: (v) => {
      ipam.resolvConf = decodeString(d, v, ipam.resolvConf, at("resolvConf"));
    },
    ranges: (v) => {
      ipam.ranges = decodeRangeSets(d, v, ipam.ranges, at("ranges"));
    },
    store: (v) => {
      ipam.store = v;
    },
  });
}

function decodeNet(document: JsonValue): DecodedNet {
  const d = new GoDecoder();
  const net: DecodedNet = {
    name: "",
    cniVersion: "",
    ipam: undefined,
    ipRanges: undefined,
    runtimeIps: undefined,
    args: undefined,
    attachments: { "cni.dev/valid-attachments": undefined, "cni.dev/attachments": undefined },
    prevResult: null,
  };
  const at = (field: string): FieldContext => ({ struct: "Net", field });
  decodeStruct(d, document, "allocator.Net", undefined, {
    name: (v) => {
      net.name = decodeString(d, v, net.name, at("name"));
    },
    cniVersion: (v) => {
      net.cniVersion = decodeString(d, v, net.cniVersion, at("cniVersion"));
    },
    ipam: (v) => {
      if (v === null) net.ipam = undefined;
      else if (!(v instanceof JsonObject)) d.mismatch(v, "allocator.IPAMConfig", at("ipam"));
      else {
        net.ipam ??= {
          legacy: undefined,
          name: "",
          type: "",
          routes: undefined,
          dataDir: "",
          resolvConf: "",
          ranges: undefined,
          store: null,
        };
        decodeIpam(d, v, net.ipam);
      }
    },
    runtimeConfig: (v) => {
      const ipsAt: FieldContext = { struct: "", field: "runtimeConfig.ips" };
      decodeStruct(d, v, RUNTIME_CONFIG_TYPE, at("runtimeConfig"), {
        ipRanges: (x) => {
          net.ipRanges = decodeRangeSets(d, x, net.ipRanges, { struct: "", field: "runtimeConfig.ipRanges" });
        },
        ips: (x) => {
          net.runtimeIps = decodeSlice(d, x, net.runtimeIps, "[]*ip.IP", ipsAt, (e) =>
            decodeRequest(d, e, ipsAt),
          );
        },
      });
    },
    args: (v) => {
      if (v === null) net.args = undefined;
      else if (!(v instanceof JsonObject)) d.mismatch(v, ARGS_TYPE, at("args"));
      else {
        const args = net.args ?? { cniIps: undefined };
        net.args = args;
        decodeMembers(v, {
          cni: (x) => {
            const ipsAt: FieldContext = { struct: "IPAMArgs", field: "args.cni.ips" };
            if (x === null) {
              args.cniIps = undefined;
            } else if (!(x instanceof JsonObject)) {
              d.mismatch(x, "allocator.IPAMArgs", { struct: "", field: "args.cni" });
            } else {
              decodeMembers(x, {
                ips: (y) => {
                  args.cniIps = decodeSlice(d, y, args.cniIps, "[]*ip.IP", ipsAt, (e) =>
                    decodeRequest(d, e, ipsAt),
                  );
                },
              });
            }
          },
        });
      }
    },
    "cni.dev/valid-attachments": (v) => {
      const key = "cni.dev/valid-attachments";
      net.attachments[key] = decodeAttachments(d, v, net.attachments[key], key);
    },
    "cni.dev/attachments": (v) => {
      const key = "cni.dev/attachments";
      net.attachments[key] = decodeAttachments(d, v, net.attachments[key], key);
    },
    prevResult: (v) => {
      net.prevResult = v;
    },
  });
  d.finish();
  return net;
}

// --- Checks after decoding ----------------------------------------------------------------------

// CNI_ARGS `IP`: upstream's ip.IP again, where an empty value requests nothing.
function parseEnvIp(value: string): Ip | undefined {
  return value === "" ? undefined : parseRequestText(value);
}

function requestedIps(net: DecodedNet, envArgs: string): string[] {
  const sources: Array<[string, DecodedRequest]> = [];
  const env = parseCniArgs(envArgs, { IP: parseEnvIp });
  if (env.IP !== undefined) sources.push(["CNI_ARGS IP", { ip: env.IP }]);
  for (const [i, r] of (net.args?.cniIps ?? []).entries()) sources.push([`args.cni.ips[${i}]`, r]);
  for (const [i, r] of (net.runtimeIps ?? []).entries()) sources.push([`runtimeConfig.ips[${i}]`, r]);

  // Upstream crashes on a null entry (nil pointer); it is a config error here.
  for (const [where, request] of sources) {
    if (request === null) throw configError(`cannot understand ip: ${where} is null`);
  }
  const out: string[] = [];
  for (const [, request] of sources) {
    if (request?.ip === undefined) throw configError("cannot understand ip: IP <nil> not v4 nor v6");
    const text = formatIp(request.ip);
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

function buildRangeSets(net: DecodedNet, ipam: DecodedIpam): RangeSet[] {
  const sources: Array<[string, DecodedRangeSet]> = [];
  for (const [i, s] of (net.ipRanges ?? []).entries()) sources.push([`runtimeConfig.ipRanges[${i}]`, s]);
  if (ipam.legacy?.subnet !== undefined) sources.push(["ipam", [ipam.legacy]]);
  for (const [i, s] of (ipam.ranges ?? []).entries()) sources.push([`ipam.ranges[${i}]`, s]);
  if (sources.length === 0) throw configError("no IP ranges specified");

  const sets = sources.map(([where, decoded], i) => {
    // Upstream reads a null set as empty and a null range as one without a subnet; name them instead.
    if (decoded === null) throw configError(`invalid range set ${i}: ${where} is null`);
    const inits = decoded.map((range, j) => {
      if (range === null) throw configError(`invalid range set ${i}: ${where}[${j}] is null`);
      return range;
    });
    try {
      return RangeSet.canonicalize(inits);
    } catch (err) {
      const reason = err instanceof CniError ? err.msg : String(err);
      throw configError(`invalid range set ${i}: ${reason}`, err);
    }
  });

  const count = (family: 4 | 6) => sets.filter((s) => s.family === family).length;
  if (count(4) > 1 || count(6) > 1) {
    let modern: boolean;
    try {
      modern = versionAtLeast(net.cniVersion, "0.3.0");
    } catch {
      // upstream-compat: a version that does not parse counts as older than 0.3.0.
      modern = false;
    }
    if (!modern) {
      throw configError(`CNI version ${net.cniVersion} does not support more than 1 address per family`);
    }
  }

  sets.forEach((a, i) => {
    sets.forEach((b, j) => {
      if (j > i && a.overlaps(b)) throw configError(`range set ${i} overlaps with ${j}`);
    });
  });
  return sets;
}

function buildRoutes(ipam: DecodedIpam): Route[] {
  return (ipam.routes ?? []).map((decoded, i) => {
    if (decoded === null) throw configError(`ipam.routes[${i}] is null`);
    // Upstream prints a route without dst as "<nil>"; refusing it is a deliberate difference.
    if (decoded.dst === undefined) throw configError(`ipam.routes[${i}] has no "dst"`);
    const route: Route = { dst: formatCidr(decoded.dst) };
    if (decoded.gw !== undefined) route.gw = formatIp(decoded.gw);
    // Go's omitempty: zero ints are left out, the pointer fields only when absent.
    if (decoded.mtu !== 0) route.mtu = decoded.mtu;
    if (decoded.advmss !== 0) route.advmss = decoded.advmss;
    if (decoded.priority !== 0) route.priority = decoded.priority;
    if (decoded.table !== undefined) route.table = decoded.table;
    if (decoded.scope !== undefined) route.scope = decoded.scope;
    return route;
  });
}

function buildAttachments(net: DecodedNet): Attachment[] | undefined {
  const lists = ATTACHMENT_KEYS.map((key) => [key, net.attachments[key]] as const);
  if (lists.every(([, list]) => list === undefined)) return undefined;
  const out: Attachment[] = [];
  for (const [key, list] of lists) {
    for (const [i, entry] of (list ?? []).entries()) {
      if (entry === null) throw configError(`${key}[${i}] is null`);
      if (entry.containerId === undefined) throw configError(`${key}[${i}] has no "containerID"`);
      if (entry.ifname === undefined) throw configError(`${key}[${i}] has no "ifname"`);
      const { containerId, ifname } = entry;
      if (!out.some((a) => a.containerId === containerId && a.ifname === ifname))
        out.push({ containerId, ifname });
    }
  }
  return out;
}

// --- ipam.store (ours; upstream ignores the key) -------------------------------------------------

function storeError(msg: string): CniError {
  return configError(`ipam.store${msg}`);
}

/** The members of a JSON object by Go's case-insensitive key matching, the last of a repeated key winning. */
function membersOf(object: JsonObject, names: readonly string[]): Map<string, JsonValue> {
  const found = new Map<string, JsonValue>();
  const handlers: Record<string, (value: JsonValue) => void> = {};
  for (const name of names) {
    handlers[name] = (value) => {
      // null means absent, as for every other field.
      if (value === null) found.delete(name);
      else found.set(name, value);
    };
  }
  decodeMembers(object, handlers);
  return found;
}

function isHttpUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.hostname !== "" &&
    url.username === "" &&
    url.password === "" &&
    url.search === "" &&
    url.hash === ""
  );
}

function buildEndpoints(value: JsonValue | undefined): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw storeError(".endpoints must be a non-empty array of http:// or https:// URLs");
  }
  return value.map((entry, i) => {
    if (typeof entry !== "string") throw storeError(`.endpoints[${i}] must be a string`);
    if (!isHttpUrl(entry))
      throw storeError(`.endpoints[${i}] is not an http:// or https:// URL: ${JSON.stringify(entry)}`);
    return entry;
  });
}

function buildTimeout(value: JsonValue | undefined): number {
  if (value === undefined) return DEFAULT_ETCD_TIMEOUT_MS;
  const n = value instanceof JsonNumber && /^[0-9]+$/.test(value.text) ? Number(value.text) : Number.NaN;
  if (!(n >= 1 && n <= MAX_ETCD_TIMEOUT_MS)) {
    throw storeError(`.timeoutMs must be a whole number of milliseconds from 1 to ${MAX_ETCD_TIMEOUT_MS}`);
  }
  return n;
}

function buildTls(value: JsonValue | undefined, endpoints: readonly string[]): EtcdTlsConfig | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof JsonObject)) throw storeError(".tls must be an object");
  const members = membersOf(value, ["caFile", "certFile", "keyFile"]);
  const file = (name: string): string | undefined => {
    const v = members.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") throw storeError(`.tls.${name} must be a non-empty string`);
    return v;
  };
  const tls = { caFile: file("caFile"), certFile: file("certFile"), keyFile: file("keyFile") };
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw storeError(".tls needs both certFile and keyFile, or neither");
  }
  const plain = endpoints.find((e) => !e.startsWith("https:"));
  // TLS files with a plain-text endpoint are a mistake that would send the pool's traffic unencrypted.
  if (plain !== undefined)
    throw storeError(`.tls is set but endpoint ${JSON.stringify(plain)} is not https://`);
  return tls;
}

function buildStore(value: JsonValue): StoreConfig {
  if (value === null) return { type: "disk" };
  if (!(value instanceof JsonObject)) throw storeError(" must be an object");
  const members = membersOf(value, ["type", "endpoints", "prefix", "timeoutMs", "tls", "node"]);
  const type = members.get("type");
  if (type === undefined) throw storeError(' has no "type"');
  if (type === "disk") return { type: "disk" };
  if (type !== "etcd") {
    const shown = typeof type === "string" ? JSON.stringify(type) : "a non-string";
    throw storeError(`.type must be "disk" or "etcd", not ${shown}`);
  }
  const endpoints = buildEndpoints(members.get("endpoints"));
  const prefix = members.get("prefix");
  if (prefix !== undefined && typeof prefix !== "string") throw storeError(".prefix must be a string");
  const node = members.get("node");
  if (node !== undefined && (typeof node !== "string" || node === "")) {
    throw storeError(".node must be a non-empty string");
  }
  return {
    type: "etcd",
    endpoints,
    prefix: prefix ?? DEFAULT_ETCD_PREFIX,
    timeoutMs: buildTimeout(members.get("timeoutMs")),
    tls: buildTls(members.get("tls"), endpoints),
    node,
  };
}

/**
 * Loads and checks host-local's IPAM configuration from the plugin's stdin and `CNI_ARGS`.
 *
 * Decoding follows Go: keys match case-insensitively and the last of several wins (objects merge),
 * `null` means absent, `""` means absent for IP fields. Then, in upstream's order: `ipam` must be
 * present; `CNI_ARGS` is parsed with the known keys `IP` and `IgnoreUnknown`; requested addresses
 * are gathered; range sets are assembled (runtime, legacy, `ranges`) and canonicalized; more than
 * one set per family needs cniVersion 0.3.0 or newer; no two sets may overlap. Checks upstream does
 * not make come last: null entries, a route without `dst`, malformed GC attachments.
 *
 * @throws CniError 6 (`unexpected end of JSON input`, `invalid character …`) when stdin is not JSON.
 * @throws CniError 999 with upstream's texts: Go's `json: cannot unmarshal <kind> into Go struct
 *   field <Struct>.<path> of type <type>`, `invalid CIDR address: <x>`, `invalid IP address: <x>`,
 *   `invalid IP address <x>` (requested addresses), `IPAM config missing 'ipam' key`, the `ARGS: …`
 *   texts, `cannot understand ip: IP <nil> not v4 nor v6`, `no IP ranges specified`,
 *   `invalid range set <i>: <reason>`, `CNI version <v> does not support more than 1 address per
 *   family`, `range set <i> overlaps with <j>`; and this implementation's own
 *   `cannot understand ip: <where> is null`, `invalid range set <i>: <where> is null`,
 *   `ipam.routes[<i>] is null`, `ipam.routes[<i>] has no "dst"`, `<key>[<i>] is null`,
 *   `<key>[<i>] has no "containerID"` / `"ifname"` (GC attachments); and, last, the `ipam.store`
 *   texts: `ipam.store must be an object`, `ipam.store has no "type"`, `ipam.store.type must be "disk"
 *   or "etcd", not <x>`, `ipam.store.endpoints must be a non-empty array of http:// or https:// URLs`,
 *   `ipam.store.endpoints[<i>] must be a string`, `ipam.store.endpoints[<i>] is not an http:// or
 *   https:// URL: <x>`, `ipam.store.prefix must be a string`, `ipam.store.node must be a non-empty string`,
 *   `ipam.store.timeoutMs must be a whole
 *   number of milliseconds from 1 to 2147483647`, `ipam.store.tls must be an object`,
 *   `ipam.store.tls.<file> must be a non-empty string`, `ipam.store.tls needs both certFile and
 *   keyFile, or neither`, `ipam.store.tls is set but endpoint <x> is not https://`.
 */
export function loadIpamConfig(stdinData: Buffer | string, envArgs: string): IpamConfig {
  // ignoreBOM keeps a byte-order mark in the text, where Go's decoder refuses it too.
  const text =
    typeof stdinData === "string"
      ? stdinData
      : new TextDecoder("utf-8", { ignoreBOM: true }).decode(stdinData);
  let net: DecodedNet;
  try {
    net = decodeNet(parseJsonDocument(text));
  } catch (err) {
    if (err instanceof UnmarshalTypeError) throw err.toCniError();
    throw err;
  }
  const ipam = net.ipam;
  if (ipam === undefined) throw configError("IPAM config missing 'ipam' key");

  const requested = requestedIps(net, envArgs);
  const rangeSets = buildRangeSets(net, ipam);
  const routes = buildRoutes(ipam);
  const validAttachments = buildAttachments(net);
  const store = buildStore(ipam.store);
  return {
    name: net.name,
    cniVersion: net.cniVersion,
    rangeSets,
    routes,
    dataDir: ipam.dataDir === "" ? DEFAULT_DATA_DIR : ipam.dataDir,
    resolvConf: ipam.resolvConf,
    requestedIps: requested,
    validAttachments,
    prevResult: net.prevResult === null ? undefined : toPlainJson(net.prevResult),
    store,
  };
}
