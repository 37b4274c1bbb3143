/**
 * A throw-away certificate authority for TLS tests: a CA, a server certificate for 127.0.0.1 and
 * `localhost`, and a client certificate, made with the `openssl` command line.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The PEM files {@link makeTestCertificates} writes. */
export interface TestCertificates {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** A second CA and a client certificate it signed, which members of the first CA must refuse. */
  strangerCertFile: string;
  strangerKeyFile: string;
}

async function openssl(dir: string, args: readonly string[]): Promise<void> {
  await run("openssl", [...args], { cwd: dir });
}

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
  ]);
}

async function makeLeaf(dir: string, ca: string, name: string, extensions: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, [
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${name}`,
  ]);
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
  ]);
}

/**
 * Writes a CA, a server certificate (serverAuth and clientAuth, for 127.0.0.1 and localhost), a client
 * certificate, and a client certificate of an unrelated CA into `dir`.
 *
 * @throws Error when `openssl` fails or is missing.
 */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  await makeCa(dir, "ca");
  await makeCa(dir, "stranger-ca");
  await makeLeaf(
    dir,
    "ca",
    "server",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n",
  );
  await makeLeaf(dir, "ca", "client", "extendedKeyUsage=clientAuth\n");
  await makeLeaf(dir, "stranger-ca", "stranger", "extendedKeyUsage=clientAuth\n");
  return {
    caFile: join(dir, "ca.crt"),
    serverCertFile: join(dir, "server.crt"),
    serverKeyFile: join(dir, "server.key"),
    clientCertFile: join(dir, "client.crt"),
    clientKeyFile: join(dir, "client.key"),
    strangerCertFile: join(dir, "stranger.crt"),
    strangerKeyFile: join(dir, "stranger.key"),
  };
}
