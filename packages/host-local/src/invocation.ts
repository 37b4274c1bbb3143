/**
 * Which of the two programs in the executable runs: the CNI plugin, or the operator command line.
 */

/**
 * True when the executable was started by a person rather than a runtime: `CNI_COMMAND` is unset or
 * empty and there are command-line arguments (runtimes never pass any). With neither, the plugin path
 * runs and prints the about text, as upstream does.
 *
 * @param env the process environment
 * @param args the command-line arguments after the executable (and script) name
 */
export function isOperatorInvocation(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[],
): boolean {
  return (env.CNI_COMMAND ?? "") === "" && args.length > 0;
}
