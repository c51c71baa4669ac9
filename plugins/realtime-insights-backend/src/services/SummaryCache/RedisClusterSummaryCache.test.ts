import { mockServices } from '@backstage/backend-test-utils';
import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { RedisSummaryCache } from './RedisSummaryCache';

const run = promisify(execFile);
const logger = mockServices.logger.mock();

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

async function answers(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

// Without redis-server (a user machine may lack it) the case shows as skipped.
const HAS_REDIS_SERVER =
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
// eslint-disable-next-line jest/no-disabled-tests
const describeWithRedisServer = HAS_REDIS_SERVER ? describe : describe.skip;

/**
 * A real three-primary Redis Cluster on loopback, made with redis-server and
 * `redis-cli --cluster create`, as ElastiCache's cluster mode shards keys.
 */
describeWithRedisServer(
  'RedisSummaryCache in cluster mode (real Redis Cluster)',
  () => {
    const nodes: ChildProcess[] = [];
    const ports: number[] = [];
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'rti-redis-cluster-'));
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        ports.push(port);
        nodes.push(
          spawn(
            'redis-server',
            [
              '--port',
              String(port),
              '--bind',
              '127.0.0.1',
              '--cluster-enabled',
              'yes',
              '--cluster-config-file',
              path.join(dir, `nodes-${port}.conf`),
              '--dir',
              dir,
              '--save',
              '',
              '--appendonly',
              'no',
            ],
            { stdio: 'ignore' },
          ),
        );
      }
      for (const port of ports) {
        for (let i = 0; i < 100 && !(await answers(port)); i++) {
          await new Promise(r => setTimeout(r, 50));
        }
      }
      await run('redis-cli', [
        '--cluster',
        'create',
        ...ports.map(p => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      // Wait until every node agrees the cluster is up.
      for (const port of ports) {
        for (let i = 0; i < 100; i++) {
          const { stdout } = await run('redis-cli', [
            '-p',
            String(port),
            'cluster',
            'info',
          ]);
          if (stdout.includes('cluster_state:ok')) break;
          await new Promise(r => setTimeout(r, 100));
        }
      }
    }, 60_000);

    afterAll(() => {
      for (const node of nodes) node.kill('SIGKILL');
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('reads, writes, counts and flushes keys spread over every shard', async () => {
      const cache = new RedisSummaryCache({
        url: `redis://127.0.0.1:${ports[0]}`,
        mode: 'cluster',
        commandTimeoutMs: 1000,
        logger,
      });
      expect(await cache.connect(5_000)).toBe(true);

      // Enough keys that every one of the three shards holds some.
      const keys = Array.from(
        { length: 60 },
        (_, i) => `rti:v1:sum:cluster:${i}`,
      );
      cache.setMany(
        keys.map((key, i) => [key, Buffer.from(`value-${i}`)]),
        120,
      );
      let values: Array<Buffer | undefined> = [];
      for (let i = 0; i < 100; i++) {
        values = await cache.getMany([...keys, 'rti:v1:sum:cluster:missing']);
        if (values.slice(0, -1).every(Boolean)) break;
        await new Promise(r => setTimeout(r, 20));
      }
      expect(values.map(v => v?.toString())).toEqual([
        ...keys.map((_, i) => `value-${i}`),
        undefined,
      ]);

      const perNode = await Promise.all(
        ports.map(async port => {
          const { stdout } = await run('redis-cli', [
            '-p',
            String(port),
            'dbsize',
          ]);
          return Number(stdout.trim());
        }),
      );
      expect(perNode.every(n => n > 0)).toBe(true);

      const stats = await cache.stats();
      expect(stats).toMatchObject({
        kind: 'redis',
        degraded: false,
        keys: 60,
      });
      expect(stats.memoryBytes).toBeGreaterThan(0);

      expect(await cache.deleteByPrefix(['rti:v1:sum:cluster:1'])).toBe(11); // 1, 10-19
      expect((await cache.stats()).keys).toBe(49);
      await cache.clear();
      expect((await cache.stats()).keys).toBe(0);
      await cache.close();
    });
  },
);
