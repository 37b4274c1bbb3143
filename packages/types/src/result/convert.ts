/**
 * Conversion between the result formats of every supported spec version, up and down, with the
 * rules of upstream's converters (`types/020`, `types/040`, `types/100`, `types/internal`).
 */

import { CNI_ERROR_CODES, CniError } from "../errors.js";
import { ipFamilyOf } from "../ip-text.js";
import {
  type AnyResult,
  FAMILY_NEWEST,
  familyOfResult,
  type ResultFamily,
  resultFamilyOf,
} from "./any-result.js";
import type { Dns, Interface, IpConfig, Result, Route } from "./model.js";
import type { IpConfig020, Result020, Route020 } from "./result-020.js";
import type { Interface040, IpConfig040, Result040 } from "./result-040.js";

function copyDns(dns: Dns): Dns {
  const out: Dns = {};
  if (dns.nameservers !== undefined) out.nameservers = [...dns.nameservers];
  if (dns.domain !== undefined) out.domain = dns.domain;
  if (dns.search !== undefined) out.search = [...dns.search];
  if (dns.options !== undefined) out.options = [...dns.options];
  return out;
}

function copyRoute(route: Route): Route {
  return { ...route };
}

function copyRoute020(route: Route020): Route020 {
  const out: Route020 = { dst: route.dst };
  if (route.gw !== undefined) out.gw = route.gw;
  return out;
}

function copyIpConfig020(ip: IpConfig020): IpConfig020 {
  const out: IpConfig020 = { ip: ip.ip };
  if (ip.gateway !== undefined) out.gateway = ip.gateway;
  if (ip.routes !== undefined) out.routes = ip.routes.map(copyRoute020);
  return out;
}

function toInterface040(from: Interface | Interface040): Interface040 {
  // The 0.x interface has no mtu, socketPath or pciID: converting down drops them.
  const out: Interface040 = { name: from.name };
  if (from.mac !== undefined) out.mac = from.mac;
  if (from.sandbox !== undefined) out.sandbox = from.sandbox;
  return out;
}

function toIpConfig040(from: IpConfig): IpConfig040 {
  const out: IpConfig040 = { version: ipFamilyOf(from.address) === 4 ? "4" : "6", address: from.address };
  if (from.interface !== undefined) out.interface = from.interface;
  if (from.gateway !== undefined) out.gateway = from.gateway;
  return out;
}

function toIpConfig100(from: IpConfig040): IpConfig {
  const out: IpConfig = { address: from.address };
  if (from.gateway !== undefined) out.gateway = from.gateway;
  if (from.interface !== undefined) out.interface = from.interface;
  return out;
}

/** Copies `ips` (mapped by `toIp`) and what every 0.3+ format shares, into a new result. */
function build<T extends Result | Result040, I, F extends { ips?: I[] } & Pick<Result, "routes" | "dns">>(
  toVersion: string,
  from: F & { interfaces?: Array<Interface | Interface040> },
  toIp: (ip: I) => NonNullable<T["ips"]>[number],
  toInterface: (i: Interface | Interface040) => NonNullable<T["interfaces"]>[number],
): T {
  const to = { cniVersion: toVersion } as T;
  if (from.interfaces !== undefined) to.interfaces = from.interfaces.map(toInterface);
  if (from.ips !== undefined) to.ips = from.ips.map(toIp);
  if (from.routes !== undefined) to.routes = from.routes.map(copyRoute);
  if (from.dns !== undefined) to.dns = copyDns(from.dns);
  return to;
}

function copy100(from: Result, toVersion: string): Result {
  return build<Result, IpConfig, Result>(
    toVersion,
    from,
    (ip) => ({ ...ip }),
    (i) => ({ ...i }),
  );
}

function copy040(from: Result040, toVersion: string): Result040 {
  return build<Result040, IpConfig040, Result040>(toVersion, from, (ip) => ({ ...ip }), toInterface040);
}

function copy020(from: Result020, toVersion: string): Result020 {
  const to: Result020 = { cniVersion: toVersion };
  if (from.ip4 !== undefined) to.ip4 = copyIpConfig020(from.ip4);
  if (from.ip6 !== undefined) to.ip6 = copyIpConfig020(from.ip6);
  if (from.dns !== undefined) to.dns = copyDns(from.dns);
  return to;
}

function from100To040(from: Result, toVersion: string): Result040 {
  return build<Result040, IpConfig, Result>(toVersion, from, toIpConfig040, toInterface040);
}

function from040To100(from: Result040, toVersion: string): Result {
  return build<Result, IpConfig040, Result040>(toVersion, from, toIpConfig100, toInterface040);
}

function from040To020(from: Result040, toVersion: string): Result020 {
  const to: Result020 = { cniVersion: toVersion };
  // Only the first address of each family fits in 0.2.0.
  for (const ip of from.ips ?? []) {
    const config: IpConfig020 = { ip: ip.address };
    if (ip.gateway !== undefined) config.gateway = ip.gateway;
    if (ip.version === "4" && to.ip4 === undefined) to.ip4 = config;
    else if (ip.version === "6" && to.ip6 === undefined) to.ip6 = config;
  }
  // Each route goes to the address of its destination's family, keeping only dst and gw; a route
  // whose family has no address is dropped.
  for (const route of from.routes ?? []) {
    const target = ipFamilyOf(route.dst) === 4 ? to.ip4 : to.ip6;
    if (target === undefined) continue;
    target.routes ??= [];
    target.routes.push(copyRoute020(route));
  }
  if (to.ip4 === undefined && to.ip6 === undefined) {
    throw new CniError(CNI_ERROR_CODES.Internal, "cannot convert: no valid IP addresses");
  }
  if (from.dns !== undefined) to.dns = copyDns(from.dns);
  return to;
}

function from020To040(from: Result020, toVersion: string): Result040 {
  const to: Result040 = { cniVersion: toVersion };
  const ips: IpConfig040[] = [];
  const routes: Route[] = [];
  for (const [config, version] of [
    [from.ip4, "4"],
    [from.ip6, "6"],
  ] as const) {
    if (config === undefined) continue;
    const ip: IpConfig040 = { version, address: config.ip };
    if (config.gateway !== undefined) ip.gateway = config.gateway;
    ips.push(ip);
    routes.push(...(config.routes ?? []).map(copyRoute020));
  }
  if (ips.length > 0) to.ips = ips;
  if (routes.length > 0) to.routes = routes;
  if (from.dns !== undefined) to.dns = copyDns(from.dns);
  return to;
}

function convertBetween(
  from: AnyResult,
  fromFamily: ResultFamily,
  to: ResultFamily,
  version: string,
): AnyResult {
  // Each branch narrows `from` by the family it was classified as.
  switch (`${fromFamily}>${to}`) {
    case "100>100":
      return copy100(from as Result, version);
    case "040>040":
      return copy040(from as Result040, version);
    case "020>020":
      return copy020(from as Result020, version);
    case "100>040":
      return from100To040(from as Result, version);
    case "040>100":
      return from040To100(from as Result040, version);
    case "040>020":
      return from040To020(from as Result040, version);
    case "020>040":
      return from020To040(from as Result020, version);
    case "100>020":
      // upstream-compat: 1.x goes down through 0.4.0, as upstream's converter does.
      return from040To020(from100To040(from as Result, "0.4.0"), version);
    default:
      // "020>100": up through 0.4.0.
      return from040To100(from020To040(from as Result020, "0.4.0"), version);
  }
}

/**
 * Converts a result to the format of spec version `toVersion`, following upstream's rules
 * (contract 2.3):
 *
 * - `toVersion` `""` means 0.1.0; a result whose `cniVersion` is `""` is first taken to be the
 *   newest version of its format (told by its shape);
 * - 1.1.0 and 1.0.0, and 0.3.0/0.3.1/0.4.0, and 0.1.0/0.2.0 differ only in the version string;
 * - going to 0.3.x/0.4.0, each address gains `version` from its family and interfaces keep only
 *   `name`, `mac` and `sandbox`; going up, `version` is dropped;
 * - going to 0.1.0/0.2.0 keeps the first IPv4 and the first IPv6 address and gives each route
 *   (dst and gw only) to the address of its destination's family, dropping it when there is none;
 *   going up, `ip4` then `ip6` become `ips` and their routes the top-level `routes`.
 *
 * The input is never modified; the output shares no objects with it. Converting to the result's
 * own version returns a copy, even for a version this library does not know.
 *
 * @throws {CniError} 999 `no converter for CNI result version <from> to <to>` when either version
 *   is not a known spec version, and `cannot convert: no valid IP addresses` when a result without
 *   any address is converted to 0.1.0/0.2.0.
 */
export function convertResult(result: AnyResult, toVersion: string): AnyResult {
  const fromFamily = familyOfResult(result);
  const fromVersion = result.cniVersion === "" ? FAMILY_NEWEST[fromFamily] : result.cniVersion;
  const target = toVersion === "" ? "0.1.0" : toVersion;
  const toFamily = resultFamilyOf(target);
  if (fromVersion === target) return convertBetween(result, fromFamily, fromFamily, target);
  if (toFamily === undefined || resultFamilyOf(fromVersion) === undefined) {
    throw new CniError(
      CNI_ERROR_CODES.Internal,
      `no converter for CNI result version ${fromVersion} to ${target}`,
    );
  }
  return convertBetween(result, fromFamily, toFamily, target);
}

/**
 * Converts any result to the current model, spec version 1.1.0 (upstream `NewResultFromResult`).
 *
 * @throws {CniError} 999 `no converter for CNI result version <v> to 1.1.0` for an unknown version.
 */
export function toCurrentResult(result: AnyResult): Result {
  return convertResult(result, "1.1.0") as Result;
}
