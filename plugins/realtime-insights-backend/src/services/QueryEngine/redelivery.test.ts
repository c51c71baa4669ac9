/*
 * Firehose is at-least-once: a re-delivered copy of an object may land
 * under a later hour's prefix than the original. Against a real s3rver and
 * the real Redis, a copy counts once whichever hours the copies landed in,
 * whether they were read from S3 or from cached rollups.
 */
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { gzipSync } from 'node:zlib';
import { connectedRedisCache } from '../../__testUtils__/redis';
import { CACHE_KEY_PREFIX, RedisSummaryCache } from '../SummaryCache';
import { hourPrefix } from './ObjectListing';
import { defaultEngineSettings } from './engineSettings';
import { EngineStream, QueryEngine } from './QueryEngine';
import { engineReading } from '../../__testUtils__/engine';

const BUCKET = 'rti-engine-redelivery';
const HOUR_MS = 3_600_000;
const H = Date.parse('2026-11-23T10:00:00Z');
const NOW = Date.parse('2026-11-24T00:00:00Z'); // every hour closed
const settings = defaultEngineSettings({
  maxConcurrency: 4,
  cacheTtlSeconds: 600,
  settleMinutes: 20,
});

type Event = {
  eventId: string;
  ts: string;
  deviceId: string;
  customerId: string;
  status: string;
};

/** `n` events of one device minute, from `first` on. */
function events(tag: string, first: number, n: number, tsMs: number): Event[] {
  return Array.from({ length: n }, (_, i) => ({
    eventId: `${tag}-${first + i}`,
    ts: new Date(tsMs + (first + i) * 1000).toISOString(),
    deviceId: `d${(first + i) % 7}`,
    customerId: `c${(first + i) % 3}`,
    status: (first + i) % 5 === 0 ? 'declined' : 'approved',
  }));
}

const ndjson = (list: Event[]) =>
  list.map(e => `${JSON.stringify(e)}\n`).join('');

/** An object key in the hour holding `arrivalMs`, named as Firehose does. */
function keyAt(prefix: string, arrivalMs: number, suffix: string) {
  const stamp = new Date(arrivalMs)
    .toISOString()
    .slice(0, 19)
    .replace(/[T:]/g, '-');
  return `${hourPrefix(
    prefix,
    Math.floor(arrivalMs / HOUR_MS) * HOUR_MS,
  )}rti-transaction-logs-1-${stamp}-${suffix}.gz`;
}

const streamAt = (prefix: string): EngineStream => ({
  name: 'transaction-logs',
  bucket: BUCKET,
  prefix,
  firehoseStream: 'rti-transaction-logs',
  timestampField: 'ts',
  measures: [],
  dimensions: ['status'],
});

describe('QueryEngine with re-delivered objects across hours (real s3rver and Redis)', () => {
  let s3: LocalS3;
  let cache: RedisSummaryCache;
  const flush = () =>
    cache.deleteByPrefix(
      ['list', 'sum', 'hour'].map(
        kind => `${CACHE_KEY_PREFIX}${kind}:${BUCKET}:`,
      ),
    );
  const engine = () => engineReading(s3, settings, cache);
  const put = (key: string, list: Event[]) =>
    s3.put(BUCKET, key, gzipSync(ndjson(list)));

  /** The same query cold (nothing cached), warm, and on a fresh replica. */
  async function coldWarmAndFresh<
    T extends { stats: { objectsFromCache: number } },
  >(ask: (e: QueryEngine) => Promise<T>): Promise<T> {
    await flush();
    const first = engine();
    const cold = await ask(first);
    const warm = await ask(first);
    // A replica with nothing in memory reads the rollups from Redis.
    const fresh = await ask(engine());
    expect(cold.stats.objectsFromCache).toBe(0);
    expect(warm.stats.objectsFromCache).toBeGreaterThan(0);
    expect(fresh.stats.objectsFromCache).toBe(warm.stats.objectsFromCache);
    const withoutCacheCounts = (r: { stats: object }) => ({
      ...r,
      stats: { ...r.stats, objectsFromCache: 0 },
    });
    expect(withoutCacheCounts(warm)).toEqual(withoutCacheCounts(cold));
    expect(withoutCacheCounts(fresh)).toEqual(withoutCacheCounts(cold));
    return cold;
  }

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    cache = await connectedRedisCache();
  });
  afterAll(async () => {
    await flush();
    await cache.close();
    await s3.stop();
  });

  describe('a copy in the next hour', () => {
    const prefix = 'next/events/';
    const stream = streamAt(prefix);
    const original = events('a', 0, 120, H + 40 * 60_000);
    const other = events('b', 0, 30, H + 10 * 60_000);
    const later = events('c', 0, 45, H + 70 * 60_000);

    beforeAll(async () => {
      await put(keyAt(prefix, H + 12 * 60_000, 'b'), other);
      await put(keyAt(prefix, H + 43 * 60_000, 'a'), original);
      // Re-delivered after the hour: the same events, another key and hour.
      await put(keyAt(prefix, H + 66 * 60_000, 'a-again'), original);
      await put(keyAt(prefix, H + 72 * 60_000, 'c'), later);
    });

    it('counts it once, with one duplicate object, cold and warm', async () => {
      const answer = await coldWarmAndFresh(e =>
        e.timeSeries(
          stream,
          { fromMs: H, toMs: H + 2 * HOUR_MS, bucket: '1h', filters: [] },
          NOW,
        ),
      );
      expect(answer.buckets.map(b => b.count)).toEqual([
        original.length + other.length,
        later.length,
      ]);
      expect(answer.stats).toMatchObject({
        objects: 4,
        duplicateObjects: 1,
        duplicateEvents: 0,
      });
    });

    it('counts it once in minute buckets, breakdowns and filtered queries', async () => {
      const minutes = await coldWarmAndFresh(e =>
        e.timeSeries(
          stream,
          { fromMs: H, toMs: H + 2 * HOUR_MS, bucket: '5m', filters: [] },
          NOW,
        ),
      );
      expect(minutes.buckets.reduce((n, b) => n + b.count, 0)).toBe(
        original.length + other.length + later.length,
      );
      const declined = await coldWarmAndFresh(e =>
        e.breakdown(
          stream,
          {
            fromMs: H,
            toMs: H + 2 * HOUR_MS,
            dimension: 'status',
            filters: [{ field: 'status', values: ['declined'] }],
          },
          NOW,
        ),
      );
      expect(declined.total).toBe(
        [...original, ...other, ...later].filter(e => e.status === 'declined')
          .length,
      );
      expect(declined.stats.duplicateObjects).toBe(1);
    });

    it('keeps the earlier copy while the later hour is still open', async () => {
      await flush();
      const e = engine();
      const now = H + HOUR_MS + 30 * 60_000; // the first hour closed, the next open
      const result = await e.timeSeries(
        stream,
        { fromMs: H, toMs: now, bucket: '1h', filters: [] },
        now,
      );
      expect(result.buckets.map(b => b.count)).toEqual([
        original.length + other.length,
        later.length,
      ]);
      expect(result.stats.duplicateObjects).toBe(1);
    });
  });

  describe('a copy that lands after a query', () => {
    const prefix = 'landing/events/';
    const stream = streamAt(prefix);
    const original = events('a', 0, 40, H + 50 * 60_000);
    const later = events('c', 0, 25, H + 65 * 60_000);

    beforeAll(async () => {
      await put(keyAt(prefix, H + 52 * 60_000, 'a'), original);
      await put(keyAt(prefix, H + 66 * 60_000, 'c'), later);
    });

    it('does not change the answer, before or after its hour closes', async () => {
      await flush();
      const e = engine();
      const ask = (now: number) =>
        e.timeSeries(
          stream,
          { fromMs: H, toMs: H + 2 * HOUR_MS, bucket: '15m', filters: [] },
          now,
        );
      const open = H + HOUR_MS + 30 * 60_000; // the first hour closed, the next open
      const before = await ask(open);
      expect(before.stats.duplicateObjects).toBe(0);

      await put(keyAt(prefix, H + 70 * 60_000, 'a-again'), original);
      const after = await ask(open + 5_000);
      expect(after.buckets).toEqual(before.buckets);
      expect(after.stats).toMatchObject({ objects: 3, duplicateObjects: 1 });

      // Both hours closed: the first hour's rollup comes from the cache.
      const closed = await ask(NOW);
      expect(closed.buckets).toEqual(before.buckets);
      expect(closed.stats).toMatchObject({ objects: 3, duplicateObjects: 1 });
    });
  });

  describe('copies over three hours', () => {
    const prefix = 'three/events/';
    const stream = streamAt(prefix);
    const original = events('a', 0, 80, H + 50 * 60_000);

    beforeAll(async () => {
      await put(keyAt(prefix, H + 55 * 60_000, 'a'), original);
      // A copy in the same order (same bytes), and one in another order.
      await put(keyAt(prefix, H + 65 * 60_000, 'a-2'), original);
      await put(
        keyAt(prefix, H + 2 * HOUR_MS + 5 * 60_000, 'a-3'),
        [...original].reverse(),
      );
      await put(
        keyAt(prefix, H + 2 * HOUR_MS + 6 * 60_000, 'own'),
        events('own', 0, 10, H + 2 * HOUR_MS),
      );
    });

    it('counts the events once and every later copy as a duplicate', async () => {
      const answer = await coldWarmAndFresh(e =>
        e.timeSeries(
          stream,
          { fromMs: H, toMs: H + 3 * HOUR_MS, bucket: '1h', filters: [] },
          NOW,
        ),
      );
      expect(answer.buckets.map(b => b.count)).toEqual([80, 0, 10]);
      expect(answer.stats).toMatchObject({ objects: 4, duplicateObjects: 2 });
    });

    it('keeps the earliest copy among the hours a query reads', async () => {
      // The first hour is not read (the stream buffers nothing, so no
      // object before the range holds its events): the second hour's copy
      // is the earliest.
      const answer = await coldWarmAndFresh(e =>
        e.breakdown(
          { ...stream, bufferIntervalSeconds: 0 },
          {
            fromMs: H + HOUR_MS,
            toMs: H + 3 * HOUR_MS,
            dimension: 'status',
            filters: [],
          },
          NOW,
        ),
      );
      expect(answer.total).toBe(10);
      expect(answer.stats).toMatchObject({ objects: 3, duplicateObjects: 1 });
    });
  });

  describe('a partial overlap', () => {
    const prefix = 'partial/events/';
    const stream = streamAt(prefix);
    const first = events('a', 0, 50, H + 30 * 60_000);
    const more = [...first, ...events('a', 50, 10, H + 30 * 60_000)];

    beforeAll(async () => {
      await put(keyAt(prefix, H + 32 * 60_000, 'a'), first);
      await put(keyAt(prefix, H + 64 * 60_000, 'a-more'), more);
    });

    it('counts a copy with extra events as another object, overlap included', async () => {
      const answer = await coldWarmAndFresh(e =>
        e.timeSeries(
          stream,
          { fromMs: H, toMs: H + 2 * HOUR_MS, bucket: '1h', filters: [] },
          NOW,
        ),
      );
      // Not a re-delivery by fingerprint: nothing is dropped (the extra
      // events are kept), and the 50 shared events count twice.
      expect(answer.buckets[0].count).toBe(first.length + more.length);
      expect(answer.stats).toMatchObject({
        objects: 2,
        duplicateObjects: 0,
        duplicateEvents: 0,
      });
    });
  });
});
