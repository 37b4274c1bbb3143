/**
 * Printing a result exactly as upstream HEAD does for its format (contract 2.2, 2.4).
 *
 * Each printer builds a fresh object whose key order is the order upstream writes, then hands it to
 * the Go-compatible JSON writer. Only known fields are printed, as Go's structs only have those.
 */

import { printJson } from "../print-json.js";
import { type AnyResult, familyOfResult } from "./any-result.js";
import type { Dns, Interface, IpConfig, Result, Route } from "./model.js";
import type { IpConfig020, Result020, Route020 } from "./result-020.js";
import type { Interface040, IpConfig040, Result040 } from "./result-040.js";

type JsonObject = Record<string, unknown>;

/** Sets `key` when `value` is a non-empty string (Go's `omitempty` on a string or net.IP). */
function putText(out: JsonObject, key: string, value: string | undefined): void {
  if (value !== undefined && value !== "") out[key] = value;
}

/** Sets `key` when `value` is a non-zero number (Go's `omitempty` on an int). */
function putNonZero(out: JsonObject, key: string, value: number | undefined): void {
  if (value !== undefined && value !== 0) out[key] = value;
}

/** Sets `key` when `value` is present, 0 included (Go's `omitempty` on a *int). */
function putPresent(out: JsonObject, key: string, value: number | undefined): void {
  if (value !== undefined) out[key] = value;
}

/** Sets `key` when the list is non-empty (Go's `omitempty` on a slice). */
function putList<T>(out: JsonObject, key: string, list: readonly T[] | undefined, map: (item: T) => unknown) {
  if (list !== undefined && list.length > 0) out[key] = list.map(map);
}

function isDnsEmpty(dns: Dns | undefined): boolean {
  return (
    dns === undefined ||
    ((dns.nameservers ?? []).length === 0 &&
      (dns.domain ?? "") === "" &&
      (dns.search ?? []).length === 0 &&
      (dns.options ?? []).length === 0)
  );
}

const same = <T>(value: T): T => value;

/** Fields of `types.DNS` in struct order; the 1.x printer sorts them itself. */
function dnsInStructOrder(dns: Dns | undefined): JsonObject {
  const out: JsonObject = {};
  putList(out, "nameservers", dns?.nameservers, same);
  putText(out, "domain", dns?.domain);
  putList(out, "search", dns?.search, same);
  putList(out, "options", dns?.options, same);
  return out;
}

/** Fields of `types.Route` in struct order. */
function routeInStructOrder(route: Route): JsonObject {
  const out: JsonObject = { dst: route.dst };
  putText(out, "gw", route.gw);
  putNonZero(out, "mtu", route.mtu);
  putNonZero(out, "advmss", route.advmss);
  putNonZero(out, "priority", route.priority);
  putPresent(out, "table", route.table);
  putPresent(out, "scope", route.scope);
  return out;
}

/** Go's map encoding: keys in byte order (the same as code point order for these ASCII keys). */
function sortKeys(object: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(object).sort()) out[key] = object[key];
  return out;
}

function interface100(value: Interface): JsonObject {
  const out: JsonObject = { name: value.name };
  putText(out, "mac", value.mac);
  putNonZero(out, "mtu", value.mtu);
  putText(out, "sandbox", value.sandbox);
  putText(out, "socketPath", value.socketPath);
  putText(out, "pciID", value.pciID);
  return sortKeys(out);
}

function ip100(value: IpConfig): JsonObject {
  const out: JsonObject = {};
  putPresent(out, "interface", value.interface);
  out.address = value.address;
  putText(out, "gateway", value.gateway);
  return sortKeys(out);
}

/**
 * 1.0.0/1.1.0: upstream HEAD marshals the struct, decodes it into a generic map and encodes that
 * again, so keys come out sorted at every level; an empty `dns` is deleted.
 */
function shape100(result: Result): JsonObject {
  const out: JsonObject = {};
  putText(out, "cniVersion", result.cniVersion);
  putList(out, "interfaces", result.interfaces, interface100);
  putList(out, "ips", result.ips, ip100);
  putList(out, "routes", result.routes, (route) => sortKeys(routeInStructOrder(route)));
  if (!isDnsEmpty(result.dns)) out.dns = sortKeys(dnsInStructOrder(result.dns));
  return sortKeys(out);
}

function interface040(value: Interface040): JsonObject {
  const out: JsonObject = { name: value.name };
  putText(out, "mac", value.mac);
  putText(out, "sandbox", value.sandbox);
  return out;
}

function ip040(value: IpConfig040): JsonObject {
  const out: JsonObject = { version: value.version };
  putPresent(out, "interface", value.interface);
  out.address = value.address;
  putText(out, "gateway", value.gateway);
  return out;
}

/** 0.3.0/0.3.1/0.4.0: struct order, and `dns` always present (`{}` when empty). */
function shape040(result: Result040): JsonObject {
  const out: JsonObject = {};
  putText(out, "cniVersion", result.cniVersion);
  putList(out, "interfaces", result.interfaces, interface040);
  putList(out, "ips", result.ips, ip040);
  putList(out, "routes", result.routes, routeInStructOrder);
  out.dns = dnsInStructOrder(result.dns);
  return out;
}

function route020(route: Route020): JsonObject {
  const out: JsonObject = { dst: route.dst };
  putText(out, "gw", route.gw);
  return out;
}

function ip020(value: IpConfig020): JsonObject {
  const out: JsonObject = { ip: value.ip };
  putText(out, "gateway", value.gateway);
  putList(out, "routes", value.routes, route020);
  return out;
}

/** 0.1.0/0.2.0: struct order, and `dns` always present (`{}` when empty). */
function shape020(result: Result020): JsonObject {
  const out: JsonObject = {};
  putText(out, "cniVersion", result.cniVersion);
  if (result.ip4 !== undefined) out.ip4 = ip020(result.ip4);
  if (result.ip6 !== undefined) out.ip6 = ip020(result.ip6);
  out.dns = dnsInStructOrder(result.dns);
  return out;
}

/**
 * Prints a result byte for byte as upstream HEAD prints it for the result's format (told by its
 * `cniVersion`, see `familyOfResult`); the result is printed as is, not converted.
 *
 * - 1.0.0/1.1.0: keys sorted at every level; `dns` left out when it has no nameservers, domain,
 *   search or options; routes keep `mtu`, `advmss`, `priority` (left out when 0) and `table`,
 *   `scope` (left out only when absent).
 * - 0.3.0/0.3.1/0.4.0: `cniVersion, interfaces, ips, routes, dns`, each `ips[]` as
 *   `version, interface, address, gateway`, `"dns": {}` when empty.
 * - 0.1.0/0.2.0: `cniVersion, ip4, ip6, dns`, each `ip4`/`ip6` as `ip, gateway, routes`,
 *   `"dns": {}` when empty.
 *
 * Empty lists and empty strings are left out (Go's `omitempty`), except an interface's `name` and
 * an address's `version`; 4-space indent, Go's string escaping, no trailing newline.
 *
 * @throws {CniError} 999 `json: unsupported value: NaN` (or `+Inf`/`-Inf`) for a non-finite number.
 */
export function printResult(result: AnyResult): string {
  switch (familyOfResult(result)) {
    case "100":
      return printJson(shape100(result as Result));
    case "040":
      return printJson(shape040(result as Result040));
    default:
      return printJson(shape020(result as Result020));
  }
}
