/**
 * A throw-away certificate authority and a `localhost` server certificate, made with `openssl`
 * in a private temporary directory, for the TLS mode of the fake STS and the proxy tests.
 *
 * @module
 */

/** PEM files of a throw-away CA and of a server certificate it signed. */
export interface TestCa {
  /** The temporary directory holding every file; removed by {@linkcode TestCa.remove}. */
  readonly dir: string;
  /** Path of the CA certificate (PEM), the one a client must trust. */
  readonly caCertPath: string;
  /** The CA certificate (PEM text). */
  readonly caCertPem: string;
  /** The server certificate (PEM text), valid for `localhost`, `127.0.0.1` and `::1`. */
  readonly certPem: string;
  /** The server's private key (PEM, PKCS#8). */
  readonly keyPem: string;
  /** Removes the temporary directory; safe to call twice. */
  remove(): Promise<void>;
}

const OPENSSL = "openssl";

async function openssl(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command(OPENSSL, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`openssl ${args[0]} failed (exit ${out.code}): ${err}`);
  }
}

/**
 * Creates a fresh CA (EC P-256, valid two days) and a server certificate for `localhost`,
 * `127.0.0.1` and `::1` signed by it. Needs `openssl` on the PATH.
 *
 * @param options.hostnames extra DNS names to put in the server certificate.
 */
export async function createTestCa(options: { hostnames?: string[] } = {}): Promise<TestCa> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa_test_ca_" });
  try {
    const names = ["localhost", ...(options.hostnames ?? [])];
    const san = [
      ...names.map((n) => `DNS:${n}`),
      "IP:127.0.0.1",
      "IP:::1",
    ].join(",");
    await Deno.writeTextFile(
      `${dir}/server_ext.cnf`,
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=${san}`,
        "subjectKeyIdentifier=hash",
        "authorityKeyIdentifier=keyid",
        "",
      ].join("\n"),
    );
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    await openssl([
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=awsmfa throw-away test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ], dir);
    await openssl([
      "req",
      ...ec,
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=localhost",
    ], dir);
    await openssl([
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "2",
      "-extfile",
      "server_ext.cnf",
    ], dir);
    const [caCertPem, certPem, keyPem] = await Promise.all([
      Deno.readTextFile(`${dir}/ca.pem`),
      Deno.readTextFile(`${dir}/server.pem`),
      Deno.readTextFile(`${dir}/server.key`),
    ]);
    // The CA's key is never needed again: drop it at once.
    await Deno.remove(`${dir}/ca.key`);
    let removed = false;
    return {
      dir,
      caCertPath: `${dir}/ca.pem`,
      caCertPem,
      certPem,
      keyPem,
      async remove() {
        if (removed) return;
        removed = true;
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      },
    };
  } catch (err) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
}
