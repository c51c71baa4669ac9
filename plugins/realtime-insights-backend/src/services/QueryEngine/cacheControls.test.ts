import { mockServices } from '@backstage/backend-test-utils';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { gzipSync } from 'node:zlib';
import { ObjectStore, S3ObjectStore } from '../ObjectStore';
import { MemorySummaryCache } from '../SummaryCache';
import { hourPrefix } from './ObjectListing';
import { defaultEngineSettings } from './engineSettings';
import { EngineStream, QueryEngine } from './QueryEngine';

const BUCKET = 'rti-engine-cache-controls';
const HOUR = Date.parse('2026-11-23T10:00:00Z');
const NOW = Date.parse('2026-11-24T00:00:00Z'); // the hour is closed
const settings = defaultEngineSettings({
  maxConcurrency: 4,
  cacheTtlSeconds: 600,
  latenessMinutes: 0,
});
const streamAt = (name: string, prefix: string): EngineStream => ({
  name,
  bucket: BUCKET,
  prefix,
  firehoseStream: `rti-${name}`,
  timestampField: 'ts',
  measures: [],
  dimensions: ['type'],
});
const a = streamAt('a', 'a/events/');
const b = streamAt('b', 'b/events/');

describe('QueryEngine cache controls (real s3rver)', () => {
  let s3: LocalS3;
  let opened: string[];
  let store: ObjectStore;

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    for (const stream of [a, b]) {
      for (let i = 0; i < 3; i++) {
        const events = [0, 1].map(n => ({
          eventId: `${stream.name}-${i}-${n}`,
          ts: new Date(HOUR + i * 60_000 + n).toISOString(),
          deviceId: 'd',
          customerId: 'c',
          type: 'tap',
        }));
        await s3.put(
          BUCKET,
          `${hourPrefix(stream.prefix, HOUR)}${
            stream.firehoseStream
          }-1-2026-11-23-10-0${i}-00-${i}.gz`,
          gzipSync(events.map(e => `${JSON.stringify(e)}\n`).join('')),
        );
      }
    }
  });
  afterAll(() => s3.stop());
  beforeEach(() => {
    opened = [];
    const s3Store = new S3ObjectStore(s3.client);
    store = {
      list: s3Store.list.bind(s3Store),
      open: (bucket, key) => {
        opened.push(key);
        return s3Store.open(bucket, key);
      },
    };
  });

  const count = async (engine: QueryEngine, stream: EngineStream) =>
    (
      await engine.timeSeries(
        stream,
        { fromMs: HOUR, toMs: HOUR + 3_600_000, bucket: '1h', filters: [] },
        NOW,
      )
    ).buckets[0].count;

  it('neither reads nor writes any cache for a stream whose cache is off', async () => {
    const cache = new MemorySummaryCache(1000);
    const engine = new QueryEngine({
      storeFor: () => store,
      cache,
      logger: mockServices.logger.mock(),
      settings: () => settings,
      cacheEnabled: stream => stream.name !== 'a',
    });
    expect(await count(engine, a)).toBe(6);
    expect(await count(engine, a)).toBe(6);
    expect(opened.filter(k => k.startsWith('a/'))).toHaveLength(6);
    expect(cache.size).toBe(0);

    expect(await count(engine, b)).toBe(6);
    expect(await count(engine, b)).toBe(6);
    expect(opened.filter(k => k.startsWith('b/'))).toHaveLength(3);
    expect(cache.size).toBeGreaterThan(0);
  });

  it('flushes one stream from the shared cache and from memory, and only that one', async () => {
    const cache = new MemorySummaryCache(1000);
    const engine = new QueryEngine({
      storeFor: () => store,
      cache,
      logger: mockServices.logger.mock(),
      settings: () => settings,
    });
    await count(engine, a);
    await count(engine, b);
    // Per stream: 3 object summaries, and a rollup and a listing for each
    // of the three hours the range reads: the hour before (objects there
    // can hold its first events), its own, and the next (its end is that
    // hour's start).
    expect(cache.size).toBe(18);

    expect(await engine.flushStream(a)).toBe(9);
    expect(cache.size).toBe(9);
    opened = [];
    await count(engine, a);
    await count(engine, b);
    expect(opened.every(k => k.startsWith('a/'))).toBe(true);
    expect(opened).toHaveLength(3);
  });

  it('tells the follower how many objects landed for a stream without a cache', async () => {
    const engine = new QueryEngine({
      storeFor: () => store,
      cache: new MemorySummaryCache(1000),
      logger: mockServices.logger.mock(),
      settings: () => settings,
      cacheEnabled: () => false,
    });
    const now = HOUR + 30 * 60_000; // in the open hour
    expect(await engine.warm(a, now)).toBe(3);
    expect(await engine.warm(a, now + 5_000)).toBe(0);
    await s3.put(
      BUCKET,
      `${hourPrefix(a.prefix, HOUR)}rti-a-1-2026-11-23-10-29-00-x.gz`,
      gzipSync('{"eventId":"late","ts":"2026-11-23T10:29:00Z"}\n'),
    );
    expect(await engine.warm(a, now + 10_000)).toBe(1);
    // The next hour has nothing yet: the last hour's objects (within a
    // buffering interval of it) are not counted as landed again.
    expect(await engine.warm(a, HOUR + 3_600_000 + 60_000)).toBe(0);
    expect(opened).toEqual([]);
  });
});
