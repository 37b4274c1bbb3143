/**
 * Reading the PEM files a TLS etcd needs: the CA bundle and the client certificate with its key.
 */
import { readFile } from "node:fs/promises";
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import type { EtcdTlsMaterial } from "./etcd-client.js";

/** Paths of the PEM files for a TLS etcd, as the network config names them. */
export interface EtcdTlsFiles {
  /** CA bundle that signs the members' certificates; the system's CAs when absent. */
  caFile?: string | undefined;
  /** Client certificate; needs `keyFile`. */
  certFile?: string | undefined;
  /** The client certificate's private key; needs `certFile`. */
  keyFile?: string | undefined;
}

// Go's wording of the common errno values, as the rest of the plugin prints file errors.
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  ELOOP: "too many levels of symbolic links",
  EIO: "input/output error",
};

async function readPem(path: string | undefined): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (err) {
    const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
    const reason = ERRNO_TEXT[code] ?? (code === "" ? "read failed" : code);
    throw new CniError(CNI_ERROR_CODES.IoFailure, `cannot read etcd TLS file: open ${path}: ${reason}`, {
      cause: err,
    });
  }
}

/**
 * Reads the files named in `files`.
 *
 * @throws CniError 999 `etcd TLS needs both certFile and keyFile, or neither` when only one is given;
 *   CniError 5 `cannot read etcd TLS file: open <path>: <reason>` when a file cannot be read.
 */
export async function readTlsFiles(files: EtcdTlsFiles): Promise<EtcdTlsMaterial> {
  if ((files.certFile === undefined) !== (files.keyFile === undefined)) {
    throw new CniError(CNI_ERROR_CODES.Internal, "etcd TLS needs both certFile and keyFile, or neither");
  }
  const [ca, cert, key] = await Promise.all([
    readPem(files.caFile),
    readPem(files.certFile),
    readPem(files.keyFile),
  ]);
  return { ca, cert, key };
}
