/**
 * The current (1.x) result model. Every plugin builds its result in this shape; the printers and
 * converters in this folder turn it into the format a config's `cniVersion` asks for.
 *
 * Addresses are kept as the text the spec prints (`"10.1.2.2/24"`, `"10.1.2.1"`), so this package
 * needs no IP library: the values a plugin puts in are the values that come out.
 */

/** A route, as in the spec's `routes` list (spec 1.1.0 added mtu, advmss, priority, table, scope). */
export interface Route {
  /** Destination in CIDR notation, host bits kept as given. */
  dst: string;
  /** Next hop; absent means the default gateway of the interface. */
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

/** One assigned address (spec `ips[]`). */
export interface IpConfig {
  /** The address with its prefix length, e.g. `10.1.2.2/24`. */
  address: string;
  /** The default gateway for this subnet, if any. */
  gateway?: string;
  /** Index into the result's `interfaces`; IPAM plugins leave it unset. */
  interface?: number;
}

/** DNS settings (spec `dns`). */
export interface Dns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

/** An interface created by an interface plugin (spec `interfaces[]`). */
export interface Interface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
  socketPath?: string;
  pciID?: string;
}

/** A result in the 1.0.0 / 1.1.0 format, the model every other format converts to and from. */
export interface Result {
  cniVersion: string;
  interfaces?: Interface[];
  ips?: IpConfig[];
  routes?: Route[];
  dns?: Dns;
}
