// POSIX path joining for the store, giving exactly what node:path's `join` and `dirname` give (a test
// holds them to it). Not node:path itself: in the compiled plugin, loading it and the argument
// validators behind it cost a few tenths of a millisecond of every call.

/** Resolves `.`, `..` and repeated slashes lexically, keeping a leading and a trailing slash. */
function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const kept: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== "..") kept.push(part);
    // `..` drops the previous name; above the start it stays (relative) or vanishes (absolute: /.. is /).
    else if (kept.length > 0 && kept[kept.length - 1] !== "..") kept.pop();
    else if (!absolute) kept.push("..");
  }
  const body = kept.join("/");
  if (absolute) return body === "" ? "/" : `/${body}${path.endsWith("/") ? "/" : ""}`;
  const relative = body === "" ? "." : body;
  return path.endsWith("/") ? `${relative}/` : relative;
}

/** node:path's `join`: the non-empty segments joined with `/`, normalized; `.` when nothing is left. */
export function join(...segments: string[]): string {
  const joined = segments.filter((segment) => segment !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/**
 * node:path's `dirname`: `path` up to the slash before its last name (trailing slashes ignored), `/`
 * or `.` when that is the start, and (node:path's quirk) `//` for a name right after `//`.
 */
export function dirname(path: string): string {
  if (path === "") return ".";
  let slash = path.length - 1;
  while (slash > 0 && path[slash] === "/") slash--;
  while (slash > 0 && path[slash] !== "/") slash--;
  if (slash === 0) return path.startsWith("/") ? "/" : ".";
  if (slash === 1 && path.startsWith("/")) return "//";
  return path.slice(0, slash);
}
