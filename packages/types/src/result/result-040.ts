/**
 * The result format of spec versions 0.3.0, 0.3.1 and 0.4.0 (upstream `types/040`).
 */

import type { Dns, Route } from "./model.js";

/** One assigned address in a 0.3.x/0.4.0 result: like the 1.x one, plus the address family. */
export interface IpConfig040 {
  /** `"4"` for an IPv4 (or IPv4-mapped) address, else `"6"`. */
  version: "4" | "6";
  /** Index into the result's `interfaces`; IPAM plugins leave it unset. */
  interface?: number;
  /** The address with its prefix length, e.g. `10.1.2.2/24`. */
  address: string;
  gateway?: string;
}

/** An interface in a 0.3.x/0.4.0 result (no `mtu`, `socketPath` or `pciID` yet). */
export interface Interface040 {
  name: string;
  mac?: string;
  sandbox?: string;
}

/** A result in the 0.3.0 / 0.3.1 / 0.4.0 format. Routes carry every field, as upstream keeps them. */
export interface Result040 {
  cniVersion: string;
  interfaces?: Interface040[];
  ips?: IpConfig040[];
  routes?: Route[];
  dns?: Dns;
}
