/*
 * Faults the engine must survive without failing a query: Redis freezing
 * mid-query (real Redis behind a freezable proxy) and S3 throttling or
 * erroring (real s3rver behind a proxy injecting 503 SlowDown and 500).
 */
import { mockServices } from '@backstage/backend-test-utils';
import { ServiceUnavailableError } from '@backstage/errors';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { REDIS_URL } from './__testUtils__/redis';
import {
  startFreezableTcpProxy,
  startThrottlingS3Proxy,
} from './__testUtils__/faultyProxies';
import { S3ObjectStore, createS3Client } from './services/ObjectStore';
import {
  defaultEngineSettings,
  EngineStream,
  QueryEngine,
  hourPrefix,
} from './services/QueryEngine';
import { MemorySummaryCache, RedisSummaryCache } from './services/SummaryCache';
import { engineReading } from './__testUtils__/engine';

const BUCKET = 'rti-faults';
const HOUR = Date.parse('2026-11-22T08:00:00Z');
const NOW = Date.parse('2026-11-23T00:00:00Z');
const stream: EngineStream = {
  name: 'faults',
  bucket: BUCKET,
  prefix: 'events/',
  firehoseStream: 'rti-faults',
  timestampField: 'ts',
  measures: [],
  dimensions: [],
};
const settings = defaultEngineSettings({
  maxConcurrency: 4,
  cacheTtlSeconds: 60,
  latenessMinutes: 0,
});
const OBJECTS = 30;
const EVENTS_PER_OBJECT = 5;

describe('faults', () => {
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    for (let o = 0; o < OBJECTS; o++) {
      const lines = Array.from({ length: EVENTS_PER_OBJECT }, (_, i) =>
        JSON.stringify({
          eventId: `faults-${process.pid}-${o}-${i}`,
          ts: new Date(HOUR + o * 60_000 + i).toISOString(),
        }),
      );
      const minute = String(o).padStart(2, '0');
      await s3.put(
        BUCKET,
        `${hourPrefix(
          'events/',
          HOUR,
        )}rti-faults-1-2026-11-22-08-${minute}-00-${o}.gz`,
        gzipSync(`${lines.join('\n')}\n`),
      );
    }
  });
  afterAll(() => s3.stop());

  const total = async (engine: QueryEngine) => {
    const result = await engine.timeSeries(
      stream,
      { fromMs: HOUR, toMs: HOUR + 3_600_000, bucket: '1h', filters: [] },
      NOW,
    );
    return { count: result.buckets[0].count, stats: result.stats };
  };

  it('answers from S3 within command timeouts when Redis freezes mid-query', async () => {
    const redisUrl = new URL(REDIS_URL);
    const proxy = await startFreezableTcpProxy({
      host: redisUrl.hostname,
      port: Number(redisUrl.port || 6379),
    });
    const cache = new RedisSummaryCache({
      url: proxy.url,
      commandTimeoutMs: 200,
      logger: mockServices.logger.mock(),
    });
    try {
      expect(await cache.connect()).toBe(true);
      await cache.clear();
      const engine = () => engineReading(s3, settings, cache);
      expect((await total(engine())).count).toBe(OBJECTS * EVENTS_PER_OBJECT);

      proxy.freeze();
      const started = Date.now();
      // A new engine has nothing in memory: every read goes to the frozen Redis.
      const frozen = await total(engine());
      expect(frozen.count).toBe(OBJECTS * EVENTS_PER_OBJECT);
      expect(frozen.stats.objectsFromCache).toBe(0);
      // Bounded by command timeouts, not by Redis coming back.
      expect(Date.now() - started).toBeLessThan(20_000);
      proxy.thaw();
    } finally {
      await cache.close();
      await proxy.stop();
    }
  });

  it('retries S3 throttling and server errors and still counts everything', async () => {
    const proxy = await startThrottlingS3Proxy(s3.endpoint, 4);
    const client = createS3Client({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      maxConcurrency: 4,
      credentials: s3.credentials,
    });
    try {
      const engine = new QueryEngine({
        storeFor: () => new S3ObjectStore(client),
        cache: new MemorySummaryCache(100),
        logger: mockServices.logger.mock(),
        settings: () => settings,
      });
      const result = await total(engine);
      expect(result.count).toBe(OBJECTS * EVENTS_PER_OBJECT);
      expect(result.stats.corruptObjects).toBe(0);
      expect(proxy.stats().failures).toBeGreaterThan(3);
    } finally {
      client.destroy();
      await proxy.stop();
    }
  }, 60_000);

  /** An engine reading S3 through `endpoint`, with short S3 timeouts. */
  const engineAt = (endpoint: string, logger = mockServices.logger.mock()) => {
    const client = createS3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      maxConcurrency: 4,
      credentials: s3.credentials,
      connectTimeoutMs: 300,
      requestTimeoutMs: 300,
    });
    return {
      client,
      engine: new QueryEngine({
        storeFor: () => new S3ObjectStore(client, { logger }),
        cache: new MemorySummaryCache(100),
        logger: mockServices.logger.mock(),
        settings: () => settings,
      }),
    };
  };

  it('answers 503 with a plain message when S3 is down, and logs why', async () => {
    // A port nothing listens on.
    const server = net.createServer();
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise(r => server.close(r));
    const warnings: string[] = [];
    const { client, engine } = engineAt(
      `http://127.0.0.1:${port}`,
      mockServices.logger.mock({ warn: m => void warnings.push(String(m)) }),
    );
    try {
      const failure = await total(engine).catch(error => error);
      expect(failure).toBeInstanceOf(ServiceUnavailableError);
      expect(failure.message).toBe(
        'The object store is unavailable; try again',
      );
      expect(warnings).toEqual([
        expect.stringMatching(
          /^S3 list s3:\/\/rti-faults\/events\/.* failed: /,
        ),
      ]);
    } finally {
      client.destroy();
    }
  }, 60_000);

  it('passes on what S3 says about the request itself, such as a deleted object', async () => {
    const store = new S3ObjectStore(s3.client);
    const failure = await store
      .open(BUCKET, 'events/no-such-object.gz')
      .catch(error => error);
    expect(failure).not.toBeInstanceOf(ServiceUnavailableError);
    expect(failure.name).toBe('NoSuchKey');
  });

  it('answers 503 when S3 hangs, instead of waiting for it', async () => {
    const proxy = await startFreezableTcpProxy({
      host: '127.0.0.1',
      port: Number(new URL(s3.endpoint).port),
    });
    const { client, engine } = engineAt(proxy.url.replace(/^redis:/, 'http:'));
    try {
      proxy.freeze();
      const failure = await total(engine).catch(error => error);
      expect(failure).toBeInstanceOf(ServiceUnavailableError);
    } finally {
      proxy.thaw();
      client.destroy();
      await proxy.stop();
    }
  }, 60_000);
});
