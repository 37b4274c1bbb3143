/**
 * The result format of spec versions 0.1.0 and 0.2.0 (upstream `types/020`): at most one IPv4 and
 * one IPv6 address, each with its own routes.
 */

import type { Dns } from "./model.js";

/** A route in a 0.1.0/0.2.0 result: only a destination and a gateway. */
export interface Route020 {
  dst: string;
  gw?: string;
}

/** The address of one family in a 0.1.0/0.2.0 result, with the routes of that family. */
export interface IpConfig020 {
  /** The address with its prefix length, e.g. `10.1.2.2/24`. */
  ip: string;
  gateway?: string;
  routes?: Route020[];
}

/** A result in the 0.1.0 / 0.2.0 format. */
export interface Result020 {
  cniVersion: string;
  ip4?: IpConfig020;
  ip6?: IpConfig020;
  dns?: Dns;
}
