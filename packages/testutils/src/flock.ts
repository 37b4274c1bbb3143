import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { DEFAULT_PATH, execFile } from "./exec-file.js";

/** An flock(2) held by a util-linux `flock` process until {@link HeldLock.release}. */
export interface HeldLock {
  /** Process id of the `flock` holder. */
  readonly pid: number;
  /**
   * Makes the holder append `event` (if given) to `eventsFile` (if given) and exit, which drops the lock.
   * Resolves once the holder has exited. Never throws; calling it twice is harmless.
   */
  release(): Promise<void>;
}

/** Options of {@link holdFlock}. */
export interface HoldFlockOptions {
  /** Take a shared (`-s`) instead of an exclusive (`-x`) lock. */
  shared?: boolean;
  /** A file the holder appends one line to right before it lets go of the lock. */
  eventsFile?: string;
  /** The line appended to `eventsFile`. Default `released`. */
  event?: string;
}

/**
 * Takes an flock on `file` (created if missing) with util-linux `flock`, the way another CNI plugin or
 * an operator would, and resolves once the lock is held. The holder keeps it until `release()` or until
 * this process exits (its stdin closes). Rejects when `flock` cannot be started or exits early.
 */
export function holdFlock(file: string, options: HoldFlockOptions = {}): Promise<HeldLock> {
  const script =
    'echo locked; read _line; if [ -n "$EVENTS" ]; then printf "%s\\n" "$EVENT" >> "$EVENTS"; fi';
  const child = spawn("flock", [options.shared === true ? "-s" : "-x", file, "sh", "-c", script], {
    env: { PATH: DEFAULT_PATH, EVENTS: options.eventsFile ?? "", EVENT: options.event ?? "released" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => reject(new Error(`flock ${file} exited early (${code}): ${err.trim()}`)));
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString("utf8");
      if (out.includes("locked\n")) {
        resolve({
          pid: child.pid ?? -1,
          release: async () => {
            // The holder may be gone already (released twice); the write then fails harmlessly.
            child.stdin.on("error", () => undefined);
            child.stdin.end("\n");
            await exited;
          },
        });
      }
    });
  });
}

/**
 * True when `flock -n <file> true` gets the lock at once, i.e. nobody holds an flock on `file` (the file
 * is created if missing). Rejects when `flock` cannot be run.
 */
export async function isUnlocked(file: string): Promise<boolean> {
  const r = await execFile("flock", ["-n", file, "true"]);
  return r.code === 0;
}

/**
 * True when the process `pid` is blocked waiting for a POSIX or flock lock, as listed by `/proc/locks`
 * (pending requests are the lines marked `->`). Throws when `/proc/locks` cannot be read.
 */
export function isWaitingForLock(pid: number): boolean {
  return readFileSync("/proc/locks", "utf8")
    .split("\n")
    .some((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1] === "->" && fields[5] === String(pid);
    });
}

/**
 * Polls `predicate` every `intervalMs` (default 10) until it returns true. Resolves then; rejects with
 * `message` when it has not become true within `timeoutMs` (default 10 000), or with the predicate's error.
 * The timeout is a safety net against hanging, never a measured threshold.
 */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  message: string,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${message}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
