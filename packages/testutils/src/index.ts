export type { DataFile, ReadDataDirOptions } from "./data-dir.js";
export { dataDirContents, readDataDir } from "./data-dir.js";
export type { ExecFileOptions, ExecOutcome } from "./exec-file.js";
export { DEFAULT_PATH, execFile } from "./exec-file.js";
export type { HeldLock, HoldFlockOptions } from "./flock.js";
export { holdFlock, isUnlocked, isWaitingForLock, waitUntil } from "./flock.js";
export type { LinkAddress } from "./netns.js";
export {
  linkDel,
  linkExists,
  listAddresses,
  NETNS_RUN_DIR,
  netnsAdd,
  netnsDel,
  netnsExec,
  netnsExists,
  netnsPath,
  uniqueName,
  withNetns,
} from "./netns.js";
export type { OracleVersion } from "./oracle.js";
export { compareDataDirs, normaliseError, normaliseResult, ORACLE_VERSIONS } from "./oracle.js";
export {
  OURS,
  OURS_ENV_VAR,
  oursUnderTest,
  REPO_ROOT,
  UPSTREAM_CNI_DIR,
  UPSTREAM_HOST_LOCAL,
} from "./paths.js";
export type { PluginInvocation, PluginRun, StartedPlugin } from "./run-plugin.js";
export { parseJsonOutput, pluginEnv, runPlugin, startPlugin } from "./run-plugin.js";
export type { TempDir } from "./temp-dir.js";
export { makeTempDataDir } from "./temp-dir.js";
