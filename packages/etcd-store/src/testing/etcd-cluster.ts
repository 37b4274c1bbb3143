/**
 * Private etcd clusters for tests: `/usr/bin/etcd` (Debian's `etcd-server`) on loopback, random ports,
 * a temp data dir per member, always torn down. Members can be stopped, paused (SIGSTOP: connections
 * are accepted and never answered, the timeout path) and started again on their old ports and data.
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where Debian's `etcd-server` installs the server. */
export const ETCD_BINARY = "/usr/bin/etcd";

/** PEM files for a cluster that serves clients over TLS and demands client certificates. */
export interface EtcdServerTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A client certificate and key signed by `caFile`, used to ask members whether they are healthy. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** Options of {@link startEtcdCluster}. */
export interface EtcdClusterOptions {
  /** Number of members (default 1). */
  size?: number;
  /** Serve clients over TLS with client-certificate authentication. */
  tls?: EtcdServerTls;
}

/** One member of a test cluster. */
export interface EtcdMember {
  readonly name: string;
  /** The client URL (`http://127.0.0.1:<port>` or `https://...`). */
  readonly clientUrl: string;
  /** Whether the process is running (paused counts as running). */
  readonly running: boolean;
  /** Stops the member with SIGTERM (SIGKILL when `hard`) and waits for it to exit. */
  stop(options?: { hard?: boolean }): Promise<void>;
  /** Starts a stopped member again on its old ports and data dir and waits until it is healthy. */
  start(): Promise<void>;
  /** SIGSTOP: the member still accepts connections but answers nothing until {@link EtcdMember.resume}. */
  pause(): void;
  /** SIGCONT after {@link EtcdMember.pause}. */
  resume(): void;
}

/** A running test cluster. */
export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Every member's client URL. */
  readonly endpoints: readonly string[];
  /** The temp dir holding every member's data dir and log. */
  readonly dir: string;
  /** Waits until every running member reports itself healthy (has a leader). */
  waitHealthy(): Promise<void>;
  /** Kills every member and removes the temp dir. Idempotent; never throws. */
  cleanup(): Promise<void>;
}

const STARTUP_MS = 30_000;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port from the kernel");
  return address.port;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function healthy(url: string, tls: EtcdServerTls | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const secure = url.startsWith("https:");
    const options =
      secure && tls !== undefined
        ? {
            ca: readFileSync(tls.caFile),
            cert: readFileSync(tls.clientCertFile),
            key: readFileSync(tls.clientKeyFile),
          }
        : {};
    const req = (secure ? https : http).get(`${url}/health`, { ...options, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
      res.on("error", () => resolve(false));
    });
    req.setTimeout(2000, () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

class Member implements EtcdMember {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly clientUrl: string,
    private readonly args: readonly string[],
    private readonly logFile: string,
    private readonly tls: EtcdServerTls | undefined,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Spawns the process without waiting for it to be healthy. */
  spawn(): void {
    if (this.child !== undefined) return;
    const log = openSync(this.logFile, "a");
    try {
      const child = spawn(ETCD_BINARY, this.args, { stdio: ["ignore", log, log] });
      this.child = child;
      this.exited = new Promise((resolve) => {
        child.once("exit", () => {
          if (this.child === child) this.child = undefined;
          resolve();
        });
        child.once("error", () => {
          if (this.child === child) this.child = undefined;
          resolve();
        });
      });
    } finally {
      closeSync(log);
    }
  }

  async waitHealthy(): Promise<void> {
    const deadline = Date.now() + STARTUP_MS;
    while (Date.now() < deadline) {
      if (this.child === undefined) break;
      if (await healthy(this.clientUrl, this.tls)) return;
      await sleep(100);
    }
    const log = await readFile(this.logFile, "utf8").catch(() => "");
    throw new Error(`etcd member ${this.name} did not become healthy; log tail:\n${log.slice(-2000)}`);
  }

  async start(): Promise<void> {
    this.spawn();
    await this.waitHealthy();
  }

  async stop(options: { hard?: boolean } = {}): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    // A paused process would never act on SIGTERM.
    child.kill("SIGCONT");
    child.kill(options.hard === true ? "SIGKILL" : "SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  pause(): void {
    const child = this.child;
    if (child === undefined) return;
    child.kill("SIGSTOP");
    // kill(2) returns once the signal is queued, not once every thread of etcd has stopped: a request
    // sent right after could still be served. Wait until each thread reports the stopped state.
    if (child.pid !== undefined) waitUntilStopped(child.pid);
  }

  resume(): void {
    this.child?.kill("SIGCONT");
  }
}

/** Blocks (at most 5 s) until every thread of `pid` is in the stopped state (`T` in /proc). */
function waitUntilStopped(pid: number): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; attempt < 5000; attempt++) {
    let stopped = true;
    try {
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
        // The state is the field after the parenthesised command name.
        const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        if (state !== "T" && state !== "t") stopped = false;
      }
    } catch {
      // Deliberately ignored: a thread that exited between listing and reading counts as stopped; a
      // process that is gone has nothing left to serve.
      return;
    }
    if (stopped) return;
    Atomics.wait(pause, 0, 0, 1);
  }
  throw new Error(`etcd (pid ${pid}) did not stop within 5 s of SIGSTOP`);
}

async function launch(dir: string, size: number, tls: EtcdServerTls | undefined): Promise<Member[]> {
  const scheme = tls === undefined ? "http" : "https";
  const token = `cni-ts-${process.pid}-${Date.now()}`;
  const specs = [];
  for (let i = 0; i < size; i++) {
    specs.push({ name: `m${i}`, client: await freePort(), peer: await freePort() });
  }
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(",");
  return specs.map((s) => {
    const clientUrl = `${scheme}://127.0.0.1:${s.client}`;
    const args = [
      "--name",
      s.name,
      "--data-dir",
      join(dir, s.name),
      "--listen-client-urls",
      clientUrl,
      "--advertise-client-urls",
      clientUrl,
      "--listen-peer-urls",
      `http://127.0.0.1:${s.peer}`,
      "--initial-advertise-peer-urls",
      `http://127.0.0.1:${s.peer}`,
      "--initial-cluster",
      initialCluster,
      "--initial-cluster-token",
      token,
      "--initial-cluster-state",
      "new",
      "--logger",
      "zap",
      "--log-level",
      "warn",
      ...(tls === undefined
        ? []
        : [
            "--cert-file",
            tls.certFile,
            "--key-file",
            tls.keyFile,
            "--trusted-ca-file",
            tls.caFile,
            "--client-cert-auth",
          ]),
    ];
    return new Member(s.name, clientUrl, args, join(dir, `${s.name}.log`), tls);
  });
}

/**
 * Starts a private etcd cluster on 127.0.0.1 and waits until every member is healthy. Ports are picked
 * by the kernel; a start that loses a port to another process is retried with new ones.
 *
 * @throws Error when `/usr/bin/etcd` cannot be started or the cluster never becomes healthy (the
 *   message ends with the log tail); everything started is torn down first.
 */
export async function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const size = options.size ?? 1;
  const dir = await mkdtemp(join(tmpdir(), "cni-ts-etcd-"));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const members = await launch(dir, size, options.tls);
    const cleanup = async () => {
      await Promise.all(members.map((m) => m.stop({ hard: true })));
      await rm(dir, { recursive: true, force: true });
    };
    try {
      for (const m of members) m.spawn();
      for (const m of members) await m.waitHealthy();
      return {
        members,
        endpoints: members.map((m) => m.clientUrl),
        dir,
        waitHealthy: async () => {
          for (const m of members) if (m.running) await m.waitHealthy();
        },
        cleanup,
      };
    } catch (err) {
      lastError = err;
      await Promise.all(members.map((m) => m.stop({ hard: true })));
      for (const m of members) await rm(join(dir, m.name), { recursive: true, force: true });
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error("etcd did not start");
}
