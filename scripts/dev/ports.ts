import net from 'node:net';

/** The ports the local system listens on, and who uses them. */
export const LOCAL_PORTS = {
  app: 3000,
  backend: 7007,
  s3: 4569,
  firehose: 4573,
} as const;

/** Resolves to true when nothing listens on 127.0.0.1:port. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.once('listening', () => server.close(() => resolve(true)));
    server.listen({ port, host: '0.0.0.0', exclusive: true });
  });
}

/** Throws one message naming every busy port and what needs it. */
export async function assertPortsFree(
  ports: Record<string, number>,
): Promise<void> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isPortFree(port))) busy.push(`${port} (${name})`);
  }
  if (busy.length) {
    throw new Error(
      `Port${busy.length > 1 ? 's' : ''} already in use: ${busy.join(', ')}. ` +
        `Is another copy of the system running? Stop it (Ctrl-C in its terminal), ` +
        `or find the process with: ss -ltnp | grep -E ':(${Object.values(
          ports,
        ).join('|')})\\b'`,
    );
  }
}

/** The ports of the production-like stack (`npm run start:prod`). */
export const PROD_PORTS = {
  portal: 7007,
  s3: 4569,
  firehose: 4573,
  sso: 4580,
  redis: 6380,
  postgres: 5433,
} as const;
