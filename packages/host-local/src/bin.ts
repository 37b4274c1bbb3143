#!/usr/bin/env node
/**
 * The executable: the CNI plugin when a runtime runs it, the operator command line when a person runs
 * it with arguments. The only module that calls `process.exit`.
 */
import { pluginMain, processIo } from "@cni-ts/skel";
import { SUPPORTED_VERSIONS } from "@cni-ts/types";
import { isOperatorInvocation } from "./invocation.js";
import { createPluginCommands } from "./plugin-commands.js";
import { configuredStoreProvider } from "./store-provider.js";
import { ABOUT, PLUGIN_VERSION } from "./version.js";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (isOperatorInvocation(process.env, args)) {
    // ---- Operator command line (src/cli/) ----
    // Loaded only here, by dynamic import: the plugin path never evaluates the command line or yargs.
    const { runCli } = await import("./cli/main.js");
    const io = processIo(process.env);
    return runCli(
      args,
      {
        stdout: (text) => io.writeStdout(text),
        stderr: (text) => io.writeStderr(text),
        isTty: process.stdout.isTTY === true,
        env: process.env,
      },
      { version: PLUGIN_VERSION },
    );
  }
  // ---- CNI plugin ----
  return pluginMain(createPluginCommands(configuredStoreProvider), {
    supportedVersions: SUPPORTED_VERSIONS,
    about: ABOUT,
  });
}

main().then(
  (status) => process.exit(status),
  () => {
    // pluginMain and runCli never reject; reaching this means the runtime itself broke. Fail without
    // a stack trace.
    process.exitCode = 1;
    try {
      processIo(process.env).writeStderr("host-local: internal error\n");
    } finally {
      process.exit(1);
    }
  },
);
