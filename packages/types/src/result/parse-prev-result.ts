/**
 * Decoding a config's `prevResult` as upstream's `version.ParsePrevResult` does (contract 2.5).
 */

import { CNI_ERROR_CODES, CniError } from "../errors.js";
import { goQuote } from "../go-quote.js";
import { type AnyResult, FAMILY_VERSIONS, type ResultFamily, resultFamilyOf } from "./any-result.js";
import { toCurrentResult } from "./convert.js";
import {
  type CustomSchema,
  type Decoded,
  GoDecodeError,
  GoTypeError,
  kindOf,
  type Schema,
  type StructSchema,
  unmarshal,
} from "./go-decode.js";
import type { Dns, Interface, IpConfig, Result, Route } from "./model.js";
import type { IpConfig020, Result020, Route020 } from "./result-020.js";

// The Go types of upstream's result structs, as far as decoding needs them.
const STRING: Schema = { kind: "string" };
const INT: Schema = { kind: "int", pointer: false };
const INT_POINTER: Schema = { kind: "int", pointer: true };
const IPNET: Schema = { kind: "ipnet" };
const IP: Schema = { kind: "ip" };
const STRINGS: Schema = { kind: "slice", goType: "[]string", elem: STRING };

function struct(name: string, goType: string, fields: Record<string, Schema>): StructSchema {
  return { kind: "struct", name, goType, fields };
}

const DNS = struct("DNS", "types.DNS", {
  nameservers: STRINGS,
  domain: STRING,
  search: STRINGS,
  options: STRINGS,
});

const ROUTE: CustomSchema = {
  kind: "custom",
  inner: struct("route", "types.route", {
    dst: IPNET,
    gw: IP,
    mtu: INT,
    advmss: INT,
    priority: INT,
    table: INT_POINTER,
    scope: INT_POINTER,
  }),
};
const ROUTES: Schema = { kind: "slice", goType: "[]*types.Route", elem: { kind: "pointer", elem: ROUTE } };

function resultSchema(
  pkg: string,
  interfaceFields: Record<string, Schema>,
  ipFields: Record<string, Schema>,
) {
  const iface = struct("Interface", `${pkg}.Interface`, interfaceFields);
  const ip: CustomSchema = { kind: "custom", inner: struct("ipConfig", `${pkg}.ipConfig`, ipFields) };
  return struct("Result", `${pkg}.Result`, {
    cniVersion: STRING,
    interfaces: { kind: "slice", goType: `[]*${pkg}.Interface`, elem: { kind: "pointer", elem: iface } },
    ips: { kind: "slice", goType: `[]*${pkg}.IPConfig`, elem: { kind: "pointer", elem: ip } },
    routes: ROUTES,
    dns: DNS,
  });
}

const SCHEMAS: Readonly<Record<ResultFamily, StructSchema>> = {
  "100": resultSchema(
    "types100",
    { name: STRING, mac: STRING, mtu: INT, sandbox: STRING, socketPath: STRING, pciID: STRING },
    { interface: INT_POINTER, address: IPNET, gateway: IP },
  ),
  "040": resultSchema(
    "types040",
    { name: STRING, mac: STRING, sandbox: STRING },
    { version: STRING, interface: INT_POINTER, address: IPNET, gateway: IP },
  ),
  "020": (() => {
    const ip: CustomSchema = {
      kind: "custom",
      inner: struct("ipConfig", "types020.ipConfig", {
        ip: IPNET,
        gateway: IP,
        routes: { kind: "slice", goType: "[]types.Route", elem: ROUTE },
      }),
    };
    const pointer: Schema = { kind: "pointer", elem: ip };
    return struct("Result", "types020.Result", { cniVersion: STRING, ip4: pointer, ip6: pointer, dns: DNS });
  })(),
};

// Readers for decoded structs. Go's zero values: "" for strings, and the text Go prints for an
// address that was never set.
const NIL_ADDRESS = "<nil>";

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function number(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

function structs(value: unknown): Decoded[] | undefined {
  // A `null` entry is a nil pointer upstream, which its converters would dereference and crash on;
  // it carries nothing, so it is dropped.
  return Array.isArray(value)
    ? value.filter((item): item is Decoded => typeof item === "object" && item !== null)
    : undefined;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((item) => (typeof item === "string" ? item : "")) : undefined;
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function toDns(decoded: unknown): Dns | undefined {
  if (typeof decoded !== "object" || decoded === null) return undefined;
  const dns: Dns = {};
  const d = decoded as Decoded;
  assign(dns, "nameservers", strings(d.nameservers));
  assign(dns, "domain", text(d.domain));
  assign(dns, "search", strings(d.search));
  assign(dns, "options", strings(d.options));
  return dns;
}

function toRoute(d: Decoded): Route {
  const route: Route = { dst: text(d.dst) ?? NIL_ADDRESS };
  assign(route, "gw", text(d.gw));
  for (const key of ["mtu", "advmss", "priority", "table", "scope"] as const)
    assign(route, key, number(d[key]));
  return route;
}

function toRoute020(d: Decoded): Route020 {
  const route: Route020 = { dst: text(d.dst) ?? NIL_ADDRESS };
  assign(route, "gw", text(d.gw));
  return route;
}

function toInterface(d: Decoded): Interface {
  const out: Interface = { name: text(d.name) ?? "" };
  assign(out, "mac", text(d.mac));
  assign(out, "mtu", number(d.mtu));
  assign(out, "sandbox", text(d.sandbox));
  assign(out, "socketPath", text(d.socketPath));
  assign(out, "pciID", text(d.pciID));
  return out;
}

function toIpConfig(d: Decoded): IpConfig {
  // The 0.3/0.4 `version` is not read: going to 1.x drops it anyway.
  const ip: IpConfig = { address: text(d.address) ?? NIL_ADDRESS };
  assign(ip, "gateway", text(d.gateway));
  assign(ip, "interface", number(d.interface));
  return ip;
}

function toIpConfig020(d: Decoded | undefined): IpConfig020 | undefined {
  if (d === undefined) return undefined;
  const ip: IpConfig020 = { ip: text(d.ip) ?? NIL_ADDRESS };
  assign(ip, "gateway", text(d.gateway));
  assign(ip, "routes", structs(d.routes)?.map(toRoute020));
  return ip;
}

/** Builds a result from the decoded struct; 0.3/0.4 results are built directly in the 1.x shape. */
function toResult(family: ResultFamily, version: string, d: Decoded): AnyResult {
  if (family === "020") {
    const result: Result020 = { cniVersion: version };
    assign(result, "ip4", toIpConfig020(d.ip4 as Decoded | undefined));
    assign(result, "ip6", toIpConfig020(d.ip6 as Decoded | undefined));
    assign(result, "dns", toDns(d.dns));
    return result;
  }
  const result: Result = { cniVersion: family === "100" ? version : "1.1.0" };
  assign(result, "interfaces", structs(d.interfaces)?.map(toInterface));
  assign(result, "ips", structs(d.ips)?.map(toIpConfig));
  assign(result, "routes", structs(d.routes)?.map(toRoute));
  assign(result, "dns", toDns(d.dns));
  return result;
}

function prevResultError(reason: string, cause?: unknown): CniError {
  return new CniError(
    CNI_ERROR_CODES.Internal,
    `could not parse prevResult: ${reason}`,
    cause === undefined ? {} : { cause },
  );
}

/**
 * Decodes a config's `prevResult` the way upstream's library does (contract 2.5) and returns it in
 * the current model (`cniVersion` 1.1.0, see {@link toCurrentResult}); `undefined` when there is no
 * prevResult (`undefined` or `null`).
 *
 * - A prevResult without `cniVersion` is given the config's version.
 * - It is decoded with the result format of the **config's** version, which must also accept the
 *   prevResult's own version: a 1.x config takes only 1.0.0/1.1.0, a 0.3/0.4 config only
 *   0.3.0/0.3.1/0.4.0, a 0.1/0.2 config only `""`/0.1.0/0.2.0.
 * - Decoding follows Go's rules: field names match case-insensitively, unknown keys (such as a
 *   stray `version` in a 1.x `ips` entry) are ignored, addresses are parsed strictly and printed in
 *   Go's canonical form (`2001:DB8::1/64` becomes `2001:db8::1/64`, host bits kept).
 *
 * @throws {CniError} 999, each message starting `could not parse prevResult: `, followed by
 *   upstream's reason: `result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion is "0.2.0"`,
 *   `unsupported CNI result version "<config version>"`, `invalid CIDR address: <text>`,
 *   `invalid IP address: <text>`, or a Go type error such as
 *   `json: cannot unmarshal number into Go struct field Result.ips.address of type string`.
 */
export function parsePrevResult(prevResult: unknown, configVersion: string): Result | undefined {
  if (prevResult === undefined || prevResult === null) return undefined;
  const family = resultFamilyOf(configVersion);
  let decoded: Decoded;
  if (typeof prevResult !== "object" || Array.isArray(prevResult)) {
    // upstream-compat: the config struct holds prevResult as a JSON object; anything else fails there.
    throw prevResultError(
      `json: cannot unmarshal ${kindOf(prevResult)} into Go struct field PluginConf.prevResult of type map[string]interface {}`,
    );
  }
  const raw: Record<string, unknown> = { ...(prevResult as Record<string, unknown>) };
  // upstream-compat: upstream looks for the key `CNIVersion` (capitalised) and adds it when missing
  // or empty; decoding then lets a lower-case `cniVersion` win, as it sorts after.
  if (!Object.hasOwn(raw, "CNIVersion") || raw.CNIVersion === "") raw.CNIVersion = configVersion;
  if (family === undefined) throw prevResultError(`unsupported CNI result version ${goQuote(configVersion)}`);
  try {
    decoded = unmarshal(SCHEMAS[family], raw);
  } catch (err) {
    if (err instanceof GoTypeError || err instanceof GoDecodeError) throw prevResultError(err.message, err);
    throw err;
  }
  const version = typeof decoded.cniVersion === "string" ? decoded.cniVersion : "";
  const accepted = FAMILY_VERSIONS[family];
  if (!accepted.includes(version)) {
    // upstream-compat: Go's %v of the list, so the 0.1/0.2 list prints as `[ 0.1.0 0.2.0]`.
    throw prevResultError(
      `result type supports [${accepted.join(" ")}] but unmarshalled CNIVersion is ${goQuote(version)}`,
    );
  }
  return toCurrentResult(toResult(family, version === "" ? "0.1.0" : version, decoded));
}
