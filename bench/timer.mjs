// Runs one plugin process and measures its whole-process wall time and peak memory.
//
// Two ways, chosen once per benchmark run:
// - "exec-timer": bench/exec-timer.c, compiled into the run's temp dir with the system C compiler.
//   It times posix_spawn to wait4 with CLOCK_MONOTONIC and reads the child's ru_maxrss from wait4,
//   so neither Node's own spawn overhead nor a second wrapper process is in the numbers.
// - "spawn": no C compiler. process.hrtime around spawnSync; this includes Node's fork/exec and
//   pipe handling (about 1-2 ms here), the same for both binaries, so ratios drift toward 1.
//   Peak memory then comes from GNU time (`/usr/bin/time -f %M`), when installed, on the
//   warm-up runs only, so its own exec is never inside a timed sample.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const EXEC_TIMER_SOURCE = fileURLToPath(new URL("./exec-timer.c", import.meta.url));
const GNU_TIME = "/usr/bin/time";
const MAX_OUTPUT = 16 * 1024 * 1024;

/** By default, a plugin call still running after this many seconds is killed (SIGKILL). */
export const CALL_TIMEOUT_SECONDS = 120;

/**
 * @typedef {object} Sample
 * @property {number} ms whole-process wall time in milliseconds
 * @property {number | null} maxRssKiB peak resident set size of the plugin process, or null when
 *   this sample could not measure it
 * @property {number | null} exitCode the plugin's exit code, or null when a signal ended it
 * @property {string | null} signal the signal that ended the plugin, if any
 * @property {string} stdout what the plugin printed on stdout
 * @property {string} stderr what the plugin printed on stderr
 */

/**
 * @typedef {object} Timer
 * @property {"exec-timer" | "spawn"} kind which method measures
 * @property {string} description one line for reports saying how samples are taken
 * @property {(program: string, invocation: { env: Record<string, string>, input: string, withMemory?: boolean }) => Sample} run
 *   runs the program once; `withMemory` asks the "spawn" timer to measure memory (slower, not a
 *   timed sample); throws an Error when the program could not be started or measured
 */

/**
 * Creates the timer for one benchmark run.
 *
 * @param {{ workDir: string, prefer?: "auto" | "exec-timer" | "spawn", callTimeoutSeconds?: number }} options
 *   `workDir` is a scratch directory for the compiled helper; "auto" (the default) uses the C
 *   helper when a C compiler is available and falls back to "spawn" otherwise; a call running
 *   longer than `callTimeoutSeconds` (default CALL_TIMEOUT_SECONDS) is killed with SIGKILL and
 *   its sample has `signal: "SIGKILL"`
 * @returns {Timer} the timer
 * @throws {Error} when "exec-timer" is asked for explicitly and cannot be compiled
 */
export function createTimer({ workDir, prefer = "auto", callTimeoutSeconds = CALL_TIMEOUT_SECONDS }) {
  if (prefer !== "spawn") {
    const helper = join(workDir, "exec-timer");
    const compiled = spawnSync("cc", ["-O2", "-o", helper, EXEC_TIMER_SOURCE], { encoding: "utf8" });
    if (compiled.status === 0) {
      return execTimer(helper, callTimeoutSeconds);
    }
    if (prefer === "exec-timer") {
      const reason = compiled.error ? compiled.error.message : compiled.stderr.trim();
      throw new Error(`cannot compile ${EXEC_TIMER_SOURCE}: ${reason}`);
    }
  }
  return spawnTimer(existsSync(GNU_TIME) ? join(workDir, "gnu-time.out") : null, callTimeoutSeconds);
}

function execTimer(helper, timeoutSeconds) {
  return {
    kind: "exec-timer",
    description: "exec-timer (C helper: posix_spawn to wait4, CLOCK_MONOTONIC; peak RSS from wait4)",
    run(program, { env, input }) {
      const result = spawnSync(helper, [String(timeoutSeconds), program], {
        env,
        input,
        stdio: ["pipe", "pipe", "pipe", "pipe"],
        maxBuffer: MAX_OUTPUT,
      });
      if (result.error) {
        throw new Error(`exec-timer could not run ${program}: ${result.error.message}`);
      }
      const report = String(result.output[3] ?? "").trim();
      const match = /^(\d+) (\d+) (-?\d+)$/.exec(report);
      if (result.status !== 0 || match === null) {
        throw new Error(
          `exec-timer failed for ${program} (exit ${result.status}, signal ${result.signal}): ${report || String(result.stderr).trim()}`,
        );
      }
      const waitStatus = Number(match[3]);
      // Decode the wait(2) status by hand: WIFEXITED when the low 7 bits are 0.
      const termSignal = waitStatus & 0x7f;
      return {
        ms: Number(match[1]) / 1e6,
        maxRssKiB: Number(match[2]),
        exitCode: termSignal === 0 ? (waitStatus >> 8) & 0xff : null,
        signal: termSignal === 0 ? null : signalName(termSignal),
        stdout: String(result.stdout),
        stderr: String(result.stderr),
      };
    },
  };
}

function signalName(number) {
  const entry = Object.entries(constants.signals).find(([, value]) => value === number);
  return entry === undefined ? `signal ${number}` : entry[0];
}

function spawnTimer(gnuTimeReport, timeoutSeconds) {
  const hasGnuTime = gnuTimeReport !== null;
  return {
    kind: "spawn",
    description: hasGnuTime
      ? "spawnSync + process.hrtime (includes Node's spawn overhead); peak RSS from /usr/bin/time on warm-up runs"
      : "spawnSync + process.hrtime (includes Node's spawn overhead); no peak RSS (GNU time not installed)",
    run(program, { env, input, withMemory = false }) {
      if (withMemory && hasGnuTime) {
        return runUnderGnuTime(program, env, input, gnuTimeReport, timeoutSeconds);
      }
      const start = process.hrtime.bigint();
      const result = spawnSync(program, [], {
        env,
        input,
        maxBuffer: MAX_OUTPUT,
        timeout: timeoutSeconds * 1000,
        killSignal: "SIGKILL",
      });
      const end = process.hrtime.bigint();
      // ETIMEDOUT: killed after the timeout; reported like exec-timer does, through `signal`.
      if (result.error && result.error.code !== "ETIMEDOUT") {
        throw new Error(`could not run ${program}: ${result.error.message}`);
      }
      return {
        ms: Number(end - start) / 1e6,
        maxRssKiB: null,
        exitCode: result.status,
        signal: result.signal,
        stdout: String(result.stdout),
        stderr: String(result.stderr),
      };
    },
  };
}

function runUnderGnuTime(program, env, input, reportFile, timeoutSeconds) {
  // GNU time writes its report to stderr after the child's own stderr; a file (-o) keeps the two
  // apart. (Not /dev/fd/3: Node's stdio pipes are sockets, which cannot be reopened that way.)
  rmSync(reportFile, { force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ["-f", "%M", "-o", reportFile, program], {
    env,
    input,
    maxBuffer: MAX_OUTPUT,
    // Kills GNU time, not the plugin under it: acceptable for this fallback's warm-up calls.
    timeout: timeoutSeconds * 1000,
    killSignal: "SIGKILL",
  });
  const end = process.hrtime.bigint();
  if (result.error) {
    throw new Error(`could not run ${program} under ${GNU_TIME}: ${result.error.message}`);
  }
  const lines = (existsSync(reportFile) ? readFileSync(reportFile, "utf8") : "").trim().split("\n");
  const maxRssKiB = Number(lines[lines.length - 1]);
  return {
    ms: Number(end - start) / 1e6,
    maxRssKiB: Number.isFinite(maxRssKiB) && maxRssKiB > 0 ? maxRssKiB : null,
    // GNU time exits with the child's status.
    exitCode: result.status,
    signal: result.signal,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}

/**
 * Counts the fsync-family system calls (fsync, fdatasync, syncfs, sync_file_range) one plugin run
 * makes, by running it under strace. Only used for `--fsync-compare`.
 *
 * @param {string} program the plugin binary
 * @param {{ env: Record<string, string>, input: string, traceFile: string }} invocation
 *   environment and stdin of the run, and a scratch file for strace's log
 * @returns {{ calls: number, exitCode: number | null, stdout: string }} the count, the plugin's
 *   exit code and stdout
 * @throws {Error} when strace cannot be run
 */
export function countSyncCalls(program, { env, input, traceFile }) {
  const result = spawnSync(
    "strace",
    ["-f", "-qq", "-e", "trace=fsync,fdatasync,syncfs,sync_file_range", "-o", traceFile, program],
    { env, input, maxBuffer: MAX_OUTPUT },
  );
  if (result.error) {
    throw new Error(`could not run strace: ${result.error.message}`);
  }
  const log = existsSync(traceFile) ? readFileSync(traceFile, "utf8") : "";
  // A call interrupted by another thread's output appears as "fsync(3 <unfinished ...>" and later
  // "<... fsync resumed>"; count only the opening line.
  const calls = log
    .split("\n")
    .filter((line) => /^(\d+\s+)?(fsync|fdatasync|syncfs|sync_file_range)\(/.test(line));
  return { calls: calls.length, exitCode: result.status, stdout: String(result.stdout) };
}

/**
 * Whether strace can be run on this machine.
 *
 * @returns {boolean} true when `strace -V` succeeds
 */
export function hasStrace() {
  return spawnSync("strace", ["-V"]).status === 0;
}
