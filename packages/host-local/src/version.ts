/**
 * The package version, embedded at build time: `build.mjs` has Bun define the identifier declared
 * below for the compiled executable and substitutes it in the Node build's output, and vitest's config
 * defines it for tests. Code that runs unbuilt sees `unknown`, like an upstream build without version
 * flags.
 */

declare const CNI_TS_VERSION: string | undefined;

/** The version of this plugin, e.g. `0.1.0`; `unknown` when it was not embedded at build time. */
export const PLUGIN_VERSION: string = typeof CNI_TS_VERSION === "string" ? CNI_TS_VERSION : "unknown";

/**
 * The first line of the about text printed when the plugin runs without `CNI_COMMAND`
 * (skel adds the line listing the protocol versions), e.g. `CNI host-local plugin cni-ts v0.1.0`.
 */
export const ABOUT: string = `CNI host-local plugin cni-ts v${PLUGIN_VERSION}`;
