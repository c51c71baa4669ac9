import { ChildProcess, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startLogged, waitUntil } from '../processes';
import { ThrowawayTls } from '../tls/makeThrowawayTls';

export type TlsPostgres = {
  host: string;
  port: number;
  user: string;
  password: string;
  child: ChildProcess;
};

/** The newest installed PostgreSQL server's bin directory. */
function postgresBinDir(): string {
  const fromEnv = process.env.RTI_POSTGRES_BIN;
  if (fromEnv) return fromEnv;
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter(v => fs.existsSync(path.join(base, v, 'bin/postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'the production-like stack runs its own PostgreSQL server: install one (apt-get install postgresql) or set RTI_POSTGRES_BIN to its bin directory',
    );
  }
  return path.join(base, versions[0], 'bin');
}

/**
 * PostgreSQL refuses to run as root: as root, its files and process belong
 * to the `postgres` system user the Debian package creates.
 */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

function run(command: string, args: string[]) {
  const [cmd, argv] = asServerUser(command, args);
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(command)} failed: ${(
        result.stderr ||
        result.stdout ||
        String(result.error)
      ).trim()}`,
    );
  }
}

/**
 * A throwaway PostgreSQL cluster as RDS runs it for the portal: TCP on
 * loopback only, TLS required (no plain connections are accepted), password
 * authentication (SCRAM), server certificate from the throwaway CA. Made
 * fresh at each start in `dir`.
 */
export async function startTlsPostgres(options: {
  dir: string;
  port: number;
  user: string;
  password: string;
  tls: ThrowawayTls;
}): Promise<TlsPostgres> {
  const bin = postgresBinDir();
  const { dir, port, user, password } = options;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    // The server user must reach the directory through its parents.
    for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
      if ((fs.statSync(d).mode & 0o001) === 0 && d !== dir) {
        throw new Error(
          `the postgres user cannot enter ${d}; run the stack from a directory others can traverse`,
        );
      }
    }
    spawnSync('chown', ['-R', 'postgres:postgres', dir]);
  }
  // prettier-ignore
  run(path.join(bin, 'initdb'), ['-D', data, '-U', user, '--pwfile', pwfile,
    '--auth', 'scram-sha-256', '--encoding', 'UTF8', '--no-instructions']);
  for (const [from, to] of [
    [options.tls.certFile, 'server.crt'],
    [options.tls.keyFile, 'server.key'],
  ]) {
    fs.copyFileSync(from, path.join(data, to));
    fs.chmodSync(path.join(data, to), 0o600);
    if (process.getuid?.() === 0) {
      spawnSync('chown', ['postgres:postgres', path.join(data, to)]);
    }
  }
  fs.appendFileSync(
    path.join(data, 'postgresql.conf'),
    [
      '',
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      'ssl = on',
      "ssl_cert_file = 'server.crt'",
      "ssl_key_file = 'server.key'",
      'fsync = off',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(data, 'pg_hba.conf'),
    [
      '# TLS and a password, or nothing.',
      'local     all all              scram-sha-256',
      'hostssl   all all 127.0.0.1/32 scram-sha-256',
      'hostnossl all all 0.0.0.0/0    reject',
      '',
    ].join('\n'),
  );
  const [cmd, argv] = asServerUser(path.join(bin, 'postgres'), ['-D', data]);
  const child = startLogged('postgres', cmd, argv);
  await waitUntil(
    async () => {
      const probe = spawnSync(
        path.join(bin, 'pg_isready'),
        ['-h', '127.0.0.1', '-p', String(port)],
        { encoding: 'utf8' },
      );
      return probe.status === 0;
    },
    {
      timeoutMs: 30_000,
      intervalMs: 250,
      failure: `PostgreSQL did not accept connections on 127.0.0.1:${port}`,
    },
  );
  return { host: 'localhost', port, user, password, child };
}
