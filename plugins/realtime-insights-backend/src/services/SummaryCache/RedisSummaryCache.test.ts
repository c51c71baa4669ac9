import { mockServices } from '@backstage/backend-test-utils';
import Redis from 'ioredis';
import net from 'node:net';
import { REDIS_URL } from '../../__testUtils__/redis';
import { RedisSummaryCache } from './RedisSummaryCache';
import { createSummaryCache } from './createSummaryCache';

const logger = mockServices.logger.mock();
const waitFor = async (predicate: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await predicate()); i++) {
    await new Promise(r => setTimeout(r, 20));
  }
};

/** A port with nothing listening, for the Redis-down cases. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

/**
 * ioredis ends a disconnected client's socket behind a timer (its
 * `disconnectTimeout`, 2 s) that the socket's `close` clears. A socket the
 * dead port refused has closed already, so the timer runs its course and
 * would hold the Jest worker open after the suite (an open upstream change,
 * redis/ioredis#2169, closes such a client at once). The suite waits it out.
 */
const IOREDIS_DISCONNECT_TIMEOUT_MS = 2_000;
let refusedSocketTimersEnd = 0;
/** Called when a client of a dead port has been closed. */
const closedRefused = () => {
  refusedSocketTimersEnd = Date.now() + IOREDIS_DISCONNECT_TIMEOUT_MS;
};
afterAll(async () => {
  const left = refusedSocketTimersEnd - Date.now();
  if (left > 0) await new Promise(r => setTimeout(r, left));
});

describe('RedisSummaryCache (real Redis)', () => {
  const probe = new Redis(REDIS_URL);
  const keys = [`rti:v1:test:${process.pid}:a`, `rti:v1:test:${process.pid}:b`];

  afterAll(async () => {
    await probe.del(...keys);
    probe.disconnect();
  });

  it('writes with a TTL and reads back with MGET', async () => {
    const cache = new RedisSummaryCache({
      url: REDIS_URL,
      commandTimeoutMs: 500,
      logger,
    });
    expect(await cache.connect()).toBe(true);
    cache.setMany([[keys[0], Buffer.from('one')]], 120);
    await waitFor(async () => (await probe.get(keys[0])) === 'one');
    expect(await cache.getMany([keys[0], keys[1]])).toEqual([
      Buffer.from('one'),
      undefined,
    ]);
    const ttl = await probe.ttl(keys[0]);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(cache.describe()).toEqual({ kind: 'redis', degraded: false });
    await cache.close();
  });

  it('reports INFO stats and its own hit rate, and deletes by prefix', async () => {
    const ns = `rti:v1:test:${process.pid}:flush:`;
    const cache = new RedisSummaryCache({
      url: REDIS_URL,
      commandTimeoutMs: 500,
      logger,
    });
    expect(await cache.connect()).toBe(true);
    const entries: Array<[string, Buffer]> = [
      [`${ns}a:1`, Buffer.from('1')],
      [`${ns}a:2`, Buffer.from('2')],
      [`${ns}a*[x]:3`, Buffer.from('glob characters are literal')],
      [`${ns}b:1`, Buffer.from('3')],
    ];
    try {
      cache.setMany(entries, 120);
      await waitFor(async () => (await probe.exists(`${ns}b:1`)) === 1);
      await cache.getMany([`${ns}a:1`, `${ns}a:2`, `${ns}missing`]);

      const stats = await cache.stats();
      expect(stats).toMatchObject({
        kind: 'redis',
        degraded: false,
        hits: 2,
        misses: 1,
        hitRate: 2 / 3,
      });
      expect(stats.memoryBytes).toBeGreaterThan(0);
      expect(stats.keys).toBeGreaterThanOrEqual(entries.length);
      expect(stats.evictions).toBeGreaterThanOrEqual(0);
      expect(stats.maxMemoryBytes).toBeGreaterThanOrEqual(0);
      expect(typeof stats.evictionPolicy).toBe('string');

      // A glob character in a prefix is matched literally.
      expect(await cache.deleteByPrefix([`${ns}a*[x]`])).toBe(1);
      expect(await cache.deleteByPrefix([`${ns}a:`])).toBe(2);
      expect(await probe.exists(`${ns}a:1`, `${ns}a:2`)).toBe(0);
      expect(await probe.get(`${ns}b:1`)).toBe('3');
    } finally {
      await probe.del(...entries.map(([key]) => key));
      await cache.close();
    }
  });

  it('reads as misses, never throws, and reports degraded when Redis is down', async () => {
    const port = await deadPort();
    const cache = new RedisSummaryCache({
      url: `redis://127.0.0.1:${port}`,
      commandTimeoutMs: 100,
      logger,
    });
    expect(await cache.connect(300)).toBe(false);
    expect(await cache.getMany(['x', 'y'])).toEqual([undefined, undefined]);
    expect(() => cache.setMany([['x', Buffer.from('1')]], 10)).not.toThrow();
    expect(cache.describe()).toEqual({ kind: 'redis', degraded: true });
    expect(await cache.stats()).toMatchObject({
      kind: 'redis',
      degraded: true,
      misses: 2,
      memoryBytes: null,
    });
    // A flush must not pretend to have happened.
    await expect(cache.deleteByPrefix(['rti:v1:'])).rejects.toThrow(
      /Redis is not answering/,
    );
    await cache.close();
    closedRefused();
  });
});

describe('createSummaryCache', () => {
  const base = {
    ttlSeconds: 60,
    redis: {
      url: REDIS_URL,
      mode: 'standalone' as const,
      commandTimeoutMs: 250,
    },
    memory: { maxEntries: 10 },
  };

  it('uses Redis in auto mode when it answers', async () => {
    const cache = await createSummaryCache({ ...base, type: 'auto' }, logger);
    expect(cache.describe().kind).toBe('redis');
    await cache.close();
  });

  it('falls back to the in-process cache in auto mode when Redis is absent', async () => {
    const port = await deadPort();
    const cache = await createSummaryCache(
      {
        ...base,
        type: 'auto',
        redis: {
          url: `redis://127.0.0.1:${port}`,
          mode: 'standalone',
          commandTimeoutMs: 100,
        },
      },
      logger,
    );
    closedRefused(); // the Redis client it tried, before falling back
    expect(cache.describe()).toEqual({ kind: 'memory', degraded: false });
    await cache.close();
  });
});

describe('a Redis that refuses the password', () => {
  // A user of the real Redis with a password the cache does not have, as
  // ElastiCache refuses a wrong AUTH token.
  const user = `rti-test-${process.pid}`;
  const admin = new Redis(REDIS_URL);
  beforeAll(async () => {
    await admin.call(
      'ACL',
      'SETUSER',
      user,
      'on',
      '>right-password',
      '~*',
      '+@all',
    );
  });
  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', user);
    admin.disconnect();
  });

  it('starts degraded with a log line naming the setting, and reads as misses', async () => {
    const warnings: string[] = [];
    const log = mockServices.logger.mock({
      warn: (message: string) => void warnings.push(message),
    });
    const url = new URL(REDIS_URL);
    url.username = user;
    url.password = 'wrong-password';
    const cache = await createSummaryCache(
      {
        ttlSeconds: 60,
        type: 'redis',
        redis: { url: url.href, mode: 'standalone', commandTimeoutMs: 100 },
        memory: { maxEntries: 10 },
      },
      log,
    );
    expect(cache.describe()).toEqual({ kind: 'redis', degraded: true });
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /^Redis refused the password in realtimeInsights\.cache\.redis\.url; the summary cache is off and queries read S3 until it accepts one: WRONGPASS/,
      ),
    );
    // Queries still answer: every read is a miss, served from S3.
    expect(await cache.getMany(['rti:v1:x'])).toEqual([undefined]);
    await cache.close();
  });
});
