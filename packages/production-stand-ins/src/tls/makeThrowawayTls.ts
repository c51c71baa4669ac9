import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A certificate authority made for one run, and a server certificate it signed. */
export type ThrowawayTls = {
  /** PEM of the CA: what clients trust (as production trusts the RDS CA bundle). */
  caFile: string;
  /** PEM of the server certificate, for localhost and 127.0.0.1. */
  certFile: string;
  keyFile: string;
};

function openssl(cwd: string, args: string[]) {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `openssl is needed to make the throwaway CA (apt-get install openssl): ${result.error.message}`,
    );
  }
  if (result.status !== 0) {
    throw new Error(`openssl ${args[0]} failed: ${result.stderr.trim()}`);
  }
}

/**
 * Makes a fresh CA and a server certificate in `dir` (replacing any from
 * an earlier run), valid two days: the portal's HTTPS, Redis's TLS and
 * PostgreSQL's SSL all present it.
 */
export function makeThrowawayTls(dir: string): ThrowawayTls {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(
    path.join(dir, 'server.ext'),
    [
      'basicConstraints = CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = DNS:localhost, IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  // prettier-ignore
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256',
    '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
    '-subj', '/CN=Real-time Insights throwaway CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  // prettier-ignore
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-sha256',
    '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  // prettier-ignore
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-sha256', '-days', '2',
    '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-extfile', 'server.ext', '-out', 'server.crt']);
  return {
    caFile: path.join(dir, 'ca.crt'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
  };
}
