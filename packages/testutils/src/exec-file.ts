import { spawn } from "node:child_process";

/** What a finished child process produced. */
export interface ExecOutcome {
  /** Exit status, or `null` when the process ended by a signal. */
  code: number | null;
  /** The signal that ended the process, or `null` when it exited. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link execFile}. */
export interface ExecFileOptions {
  /** The complete environment of the child (nothing is inherited). Default: `{ PATH: DEFAULT_PATH }`. */
  env?: Readonly<Record<string, string>>;
  /** Bytes written to the child's stdin, which is then closed. Default: nothing (stdin closed at once). */
  stdin?: string | Buffer;
  /** Working directory. Default: the caller's. */
  cwd?: string;
  /** Kill the child with SIGKILL and reject after this many milliseconds. Default 30 000. */
  timeoutMs?: number;
}

/** The PATH children get unless told otherwise: the system directories, nothing from the repository. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Runs `file` with `args` (no shell) and an explicit environment, collecting stdout and stderr as UTF-8.
 * Resolves with the exit status or the ending signal, whatever they are. Rejects when the program cannot
 * be started (e.g. ENOENT) or when it outlives `timeoutMs` (it is killed first).
 */
export function execFile(
  file: string,
  args: readonly string[],
  options: ExecFileOptions = {},
): Promise<ExecOutcome> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { ...(options.env ?? { PATH: DEFAULT_PATH }) },
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    // A child that exits without reading stdin makes the write fail with EPIPE; that is its business.
    child.stdin.on("error", () => undefined);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (timedOut) {
        reject(new Error(`${file} ${args.join(" ")} timed out after ${timeoutMs} ms; stderr: ${stderr}`));
        return;
      }
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}
