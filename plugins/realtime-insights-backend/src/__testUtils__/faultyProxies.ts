import http from 'node:http';
import net from 'node:net';

/**
 * A TCP proxy in front of a real server that can be frozen: while frozen,
 * bytes are held back in both directions, like a Redis that stopped
 * answering mid-query (a GC pause, a failover, a full network buffer).
 */
export async function startFreezableTcpProxy(target: {
  host: string;
  port: number;
}) {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer(client => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const pipe = (from: net.Socket, to: net.Socket) =>
      from.on('data', chunk => {
        if (!frozen) to.write(chunk);
      });
    pipe(client, upstream);
    pipe(upstream, client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

/**
 * An HTTP proxy in front of an S3-compatible server that answers some
 * requests with S3's throttling error (503 SlowDown) or a 500, as S3 does
 * under load.
 */
export async function startThrottlingS3Proxy(
  targetEndpoint: string,
  failEvery: number,
) {
  const target = new URL(targetEndpoint);
  let requests = 0;
  let failures = 0;
  const server = http.createServer((req, res) => {
    requests++;
    if (requests % failEvery === 0) {
      failures++;
      const slowDown = failures % 2 === 1;
      res.writeHead(slowDown ? 503 : 500, {
        'content-type': 'application/xml',
      });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${
          slowDown ? 'SlowDown' : 'InternalError'
        }</Code><Message>injected</Message></Error>`,
      );
      req.resume();
      return;
    }
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      response => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ requests, failures }),
    stop: () => new Promise(resolve => server.close(resolve)),
  };
}
