/**
 * What fsck accepts as the content of an allocation file: what some upstream version could have
 * written. Upstream writes `<id>\r\n<ifname>` (contract 6.2); very old versions wrote only the ID.
 */
import { goTrimSpace, hasGoSpace } from "@cni-ts/types";

/** The verdict on one allocation file's bytes. */
export type ContentVerdict =
  | { kind: "ok"; containerId: string; ifname: string | undefined }
  | { kind: "empty" }
  | { kind: "malformed"; reason: string };

// The container ID rule of the spec (and of upstream's skel): IDs that fail it are never written.
const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

// The interface name rules of upstream's skel (contract 1.2).
function ifnameProblem(ifname: string): string | undefined {
  if (ifname === "") return "the interface name is empty";
  if (Buffer.byteLength(ifname, "utf8") > 15) return "the interface name is longer than 15 bytes";
  if (ifname === "." || ifname === "..") return "the interface name is . or ..";
  if (/[/:]/.test(ifname) || hasGoSpace(ifname)) {
    return "the interface name contains / or : or white space";
  }
  return undefined;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Classifies an allocation file's bytes. Surrounding white space is accepted, because upstream trims
 * what it reads; the rest must be a valid container ID, optionally followed by `\r\n` and a valid
 * interface name. Never throws.
 */
export function checkAllocationContent(bytes: Uint8Array): ContentVerdict {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { kind: "malformed", reason: "the content is not UTF-8 text" };
  }
  const trimmed = goTrimSpace(text);
  if (trimmed === "") return { kind: "empty" };
  const at = trimmed.indexOf("\r\n");
  const containerId = at < 0 ? trimmed : trimmed.slice(0, at);
  if (!CONTAINER_ID.test(containerId)) {
    return { kind: "malformed", reason: "the content is neither <id>\\r\\n<ifname> nor a container ID" };
  }
  if (at < 0) return { kind: "ok", containerId, ifname: undefined };
  const ifname = trimmed.slice(at + 2);
  const problem = ifnameProblem(ifname);
  if (problem !== undefined) return { kind: "malformed", reason: problem };
  return { kind: "ok", containerId, ifname };
}
