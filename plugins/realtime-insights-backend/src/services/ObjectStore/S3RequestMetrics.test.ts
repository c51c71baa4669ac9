import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { startThrottlingS3Proxy } from '../../__testUtils__/faultyProxies';
import { S3ObjectStore, createS3Client } from './S3ObjectStore';
import { S3RequestMetrics } from './S3RequestMetrics';

describe('S3RequestMetrics', () => {
  let s3: LocalS3;
  const bucket = 'rti-metrics';

  beforeAll(async () => {
    s3 = await startLocalS3([bucket]);
    await s3.put(bucket, 'events/a', 'x');
  });
  afterAll(() => s3.stop());

  it('counts every attempt through a throttling S3, per bucket', async () => {
    // Every 3rd request answers 503 SlowDown or 500 (alternately).
    const proxy = await startThrottlingS3Proxy(s3.endpoint, 3);
    const client = createS3Client({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      maxConcurrency: 4,
      credentials: s3.credentials,
    });
    try {
      const store = new S3ObjectStore(client);
      // A second store on the same client shares (not doubles) the counts.
      expect(new S3ObjectStore(client).metrics).toBe(store.metrics);
      for (let i = 0; i < 6; i++) {
        expect(await store.list(bucket, 'events/')).toHaveLength(1);
      }
      const { requests, failures } = proxy.stats();
      const stats = store.metrics.stats(bucket);
      expect(stats.requests).toBe(requests);
      expect(stats.errors).toBe(failures);
      expect(stats.throttled).toBe(Math.ceil(failures / 2));
      expect(stats.throttled).toBeGreaterThan(0);
      expect(stats.p50LatencyMs).toBeGreaterThan(0);
      expect(stats.p95LatencyMs).toBeGreaterThanOrEqual(stats.p50LatencyMs!);
      expect(stats.minutes.reduce((n, m) => n + m.requests, 0)).toBe(requests);
      expect(store.metrics.stats('other-bucket').requests).toBe(0);
      expect(store.metrics.lastSuccessAt()).toBeGreaterThan(
        Date.now() - 60_000,
      );
    } finally {
      client.destroy();
      await proxy.stop();
    }
  }, 60_000);

  it('keeps one hour, minute by minute', () => {
    let now = Date.parse('2026-11-23T10:00:10Z');
    const metrics = new S3RequestMetrics(() => now);
    metrics.record('b', 10, 'ok');
    now += 30 * 60_000;
    metrics.record('b', 30, 'throttled');
    metrics.record('b', 50, 'error');
    expect(metrics.stats('b')).toMatchObject({
      requests: 3,
      errors: 2,
      throttled: 1,
      p50LatencyMs: 30,
      minutes: [
        { minute: '2026-11-23T10:00:00.000Z', requests: 1, avgLatencyMs: 10 },
        {
          minute: '2026-11-23T10:30:00.000Z',
          requests: 2,
          errors: 2,
          throttled: 1,
          avgLatencyMs: 40,
        },
      ],
    });
    now += 31 * 60_000; // 10:00 is out of the last hour, 10:30 still in
    expect(metrics.stats('b')).toMatchObject({ requests: 2, throttled: 1 });
    now += 30 * 60_000;
    expect(metrics.stats('b')).toMatchObject({
      requests: 0,
      p50LatencyMs: null,
      minutes: [],
    });
  });
});
