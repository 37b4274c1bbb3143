import { join } from "node:path";

/** Directory of Debian's upstream CNI plugins (package `containernetworking-plugins`, 1.1.1): the oracle. */
export const UPSTREAM_CNI_DIR = "/usr/lib/cni";

/** Debian's upstream `host-local` binary, the oracle of the differential tests. */
export const UPSTREAM_HOST_LOCAL = "/usr/lib/cni/host-local";

/** Root of this monorepo (this file lives in `packages/testutils/{src,dist}/`). */
export const REPO_ROOT = join(import.meta.dirname, "..", "..", "..");

/** Our standalone plugin executable, as built (Bun-compiled) by `@cni-ts/host-local`'s build. */
export const OURS = join(REPO_ROOT, "packages", "host-local", "dist", "host-local");

/**
 * Name of the environment variable that points the integration tests at another "ours" binary.
 * It exists so a harness can be proven against the oracle itself (`CNI_TS_OURS=/usr/lib/cni/host-local`)
 * before our binary is built; it is read, never written.
 */
export const OURS_ENV_VAR = "CNI_TS_OURS";

/**
 * The binary the integration tests treat as ours: {@link OURS}, unless the environment variable named
 * by {@link OURS_ENV_VAR} is set to a non-empty path. Reads the given environment (default: the test
 * process's own, read-only). Never throws.
 */
export function oursUnderTest(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = env[OURS_ENV_VAR];
  return override !== undefined && override !== "" ? override : OURS;
}
