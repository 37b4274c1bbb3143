#!/usr/bin/env node
/**
 * The executable: the CNI plugin when a runtime runs it, the operator command line when a person runs
 * it with arguments. The only module that calls `process.exit`.
 */
import { writeSync } from "node:fs";
import { pluginMain } from "@cni-ts/skel";
import { SUPPORTED_VERSIONS } from "@cni-ts/types";
import { diskStoreProvider } from "./disk-store-provider.js";
import { isOperatorInvocation } from "./invocation.js";
import { createPluginCommands } from "./plugin-commands.js";
import { ABOUT } from "./version.js";

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (isOperatorInvocation(process.env, args)) {
    // Loaded only here: the plugin path never evaluates the command line or its dependencies.
    const { runOperator } = await import("./operator-entry.js");
    return runOperator(args, {
      stdout: (text) => writeAll(1, text),
      stderr: (text) => writeAll(2, text),
      isTty: process.stdout.isTTY === true,
      env: process.env,
    });
  }
  await pluginMain(createPluginCommands(diskStoreProvider), {
    supportedVersions: SUPPORTED_VERSIONS,
    about: ABOUT,
  });
  return typeof process.exitCode === "number" ? process.exitCode : 0;
}

main().then(
  (code) => process.exit(code),
  () => {
    // skel turns every failure into an error object; reaching this means the runtime itself broke.
    // Say so without a stack trace, and fail.
    try {
      writeAll(2, "host-local: internal error\n");
    } finally {
      process.exit(1);
    }
  },
);
