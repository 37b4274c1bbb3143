#!/usr/bin/env node
// `npm test` runs this first: the integration tests need Debian's upstream plugins (the oracle and the
// bridge plugin), iproute2 (network namespaces), util-linux (flock), ping, and for the etcd store a
// private etcd server and openssl (test certificates). Installs whatever is missing, once, and says
// clearly what to do when that is impossible.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const needs = [
  { pkg: "containernetworking-plugins", file: "/usr/lib/cni/host-local" },
  { pkg: "containernetworking-plugins", file: "/usr/lib/cni/bridge" },
  { pkg: "iproute2", file: "/usr/bin/ip", alt: "/usr/sbin/ip" },
  { pkg: "util-linux", file: "/usr/bin/flock" },
  { pkg: "iputils-ping", file: "/usr/bin/ping", alt: "/bin/ping" },
  { pkg: "etcd-server", file: "/usr/bin/etcd" },
  { pkg: "openssl", file: "/usr/bin/openssl" },
];
const missing = [
  ...new Set(needs.filter((n) => !existsSync(n.file) && !(n.alt && existsSync(n.alt))).map((n) => n.pkg)),
];
if (missing.length === 0) process.exit(0);

if (typeof process.getuid === "function" && process.getuid() !== 0) {
  console.error(
    `The integration tests need these Debian packages: ${missing.join(" ")}.\n` +
      `Run as root, or install them first: sudo apt-get install -y ${missing.join(" ")}`,
  );
  process.exit(1);
}
console.log(`installing ${missing.join(" ")} ...`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
  stdio: "inherit",
  env,
});
