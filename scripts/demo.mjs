#!/usr/bin/env node
// `npm start`: a short, readable session with the built plugin (packages/host-local/dist/host-local),
// the way a container runtime drives it. It uses examples/mynet.conf in a temporary data dir, adds two
// containers (dual stack), checks them, shows the files host-local keeps, deletes both, and removes
// the temporary dir again. Every call prints its environment, its stdout and its exit status.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const plugin = join(root, "packages", "host-local", "dist", "host-local");
if (!existsSync(plugin)) {
  console.error(`demo: ${plugin} does not exist; build it first with: npm run build`);
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), "cni-ts-demo-"));
const config = JSON.parse(readFileSync(join(root, "examples", "mynet.conf"), "utf8"));
config.ipam.dataDir = dataDir;
config.ipam.resolvConf = join(root, "examples", "resolv.conf");
const networkDir = join(dataDir, config.name);

const rule = (title) => console.log(`\n=== ${title} ${"=".repeat(Math.max(0, 72 - title.length))}`);
let failures = 0;

/** Runs one plugin call with an explicit environment (nothing inherited) and prints it. */
function call(title, vars, stdinConfig, expectExit = 0) {
  rule(title);
  const env = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", ...vars };
  for (const [k, v] of Object.entries(vars)) console.log(`  ${k}=${v}`);
  const r = spawnSync(plugin, [], {
    env,
    input: JSON.stringify(stdinConfig),
    encoding: "utf8",
    timeout: 30_000,
  });
  if (r.error) {
    console.log(`  could not run the plugin: ${r.error.message}`);
    failures++;
    return undefined;
  }
  console.log(r.stdout === "" ? "  stdout: (empty)" : `  stdout:\n${r.stdout.replace(/^/gm, "    ")}`);
  if (r.stderr !== "") console.log(`  stderr:\n${r.stderr.replace(/^/gm, "    ")}`);
  console.log(`  exit: ${r.status ?? r.signal}`);
  if (r.status !== expectExit) {
    console.log(`  (unexpected: wanted exit ${expectExit})`);
    failures++;
  }
  return r.stdout === "" ? undefined : JSON.parse(r.stdout);
}

function listFiles() {
  rule(`files in ${networkDir}`);
  for (const name of readdirSync(networkDir).sort()) {
    const full = join(networkDir, name);
    const mode = (statSync(full).mode & 0o777).toString(8).padStart(4, "0");
    const content = JSON.stringify(readFileSync(full, "utf8"));
    console.log(`  ${mode}  ${name.padEnd(22)} ${content}`);
  }
}

const base = { CNI_NETNS: "/var/run/netns/demo", CNI_IFNAME: "eth0", CNI_PATH: "/opt/cni/bin" };
try {
  console.log(`plugin:   ${plugin}`);
  console.log(`data dir: ${dataDir}`);
  console.log(`config:   examples/mynet.conf (dataDir and resolvConf pointed at the above)`);
  call("VERSION", { CNI_COMMAND: "VERSION" }, {});
  const first = call("ADD demo1", { CNI_COMMAND: "ADD", CNI_CONTAINERID: "demo1", ...base }, config);
  const second = call("ADD demo2", { CNI_COMMAND: "ADD", CNI_CONTAINERID: "demo2", ...base }, config);
  call(
    "ADD demo1 again (refused: one address per container and set)",
    { CNI_COMMAND: "ADD", CNI_CONTAINERID: "demo1", ...base },
    config,
    1,
  );
  call(
    "CHECK demo1 (with its ADD result as prevResult)",
    { CNI_COMMAND: "CHECK", CNI_CONTAINERID: "demo1", ...base },
    { ...config, prevResult: first },
  );
  call(
    "CHECK demo2 (with its ADD result as prevResult)",
    { CNI_COMMAND: "CHECK", CNI_CONTAINERID: "demo2", ...base },
    { ...config, prevResult: second },
  );
  listFiles();
  call("DEL demo1", { CNI_COMMAND: "DEL", CNI_CONTAINERID: "demo1", ...base }, config);
  call("DEL demo2", { CNI_COMMAND: "DEL", CNI_CONTAINERID: "demo2", ...base }, config);
  call(
    "CHECK demo1 after DEL (fails: nothing reserved)",
    { CNI_COMMAND: "CHECK", CNI_CONTAINERID: "demo1", ...base },
    config,
    1,
  );
  listFiles();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  rule("done");
  console.log(`  removed ${dataDir}`);
  console.log(
    failures === 0 ? "  every step answered as expected" : `  ${failures} step(s) answered unexpectedly`,
  );
}
process.exitCode = failures === 0 ? 0 : 1;
