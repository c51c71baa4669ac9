import { ChildProcess } from 'node:child_process';
import tls from 'node:tls';
import fs from 'node:fs';
import { startLogged, waitUntil } from '../processes';
import { ThrowawayTls } from '../tls/makeThrowawayTls';

export type TlsRedis = {
  host: string;
  port: number;
  password: string;
  child: ChildProcess;
};

/** Answers PONG over TLS with the password, trusting only `caFile`. */
function pingsOverTls(port: number, password: string, caFile: string) {
  return new Promise<boolean>(resolve => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: fs.readFileSync(caFile),
    });
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('secureConnect', () =>
      socket.write(`AUTH ${password}\r\nPING\r\n`),
    );
    socket.on('data', data => {
      resolve(String(data).includes('+PONG'));
      socket.end();
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

/**
 * Redis as ElastiCache runs it for the portal: TLS only (no plain port) and
 * AUTH with a token, certificate from the throwaway CA. Nothing on disk.
 */
export async function startTlsRedis(options: {
  port: number;
  password: string;
  tls: ThrowawayTls;
}): Promise<TlsRedis> {
  const { port, password } = options;
  // prettier-ignore
  const child = startLogged('redis', 'redis-server', [
    '--bind', '127.0.0.1', '--port', '0', '--tls-port', String(port),
    '--tls-cert-file', options.tls.certFile,
    '--tls-key-file', options.tls.keyFile,
    '--tls-ca-cert-file', options.tls.caFile,
    '--tls-auth-clients', 'no',
    '--requirepass', password,
    '--save', '', '--appendonly', 'no', '--loglevel', 'warning',
  ]);
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', error =>
      reject(
        new Error(
          `redis-server could not start (${error.message}); install it, e.g. apt-get install redis-server`,
        ),
      ),
    );
  });
  await spawned;
  await waitUntil(() => pingsOverTls(port, password, options.tls.caFile), {
    timeoutMs: 15_000,
    intervalMs: 200,
    failure: `redis-server did not answer over TLS on 127.0.0.1:${port}`,
  });
  return { host: 'localhost', port, password, child };
}
