import { mockServices } from '@backstage/backend-test-utils';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { gzipSync } from 'node:zlib';
import { S3ObjectStore } from '../ObjectStore';
import { MemorySummaryCache } from '../SummaryCache';
import { hourPrefix, sourceOf } from './ObjectListing';
import { defaultEngineSettings } from './engineSettings';
import { EngineStream, QueryEngine } from './QueryEngine';

/*
 * Two S3-compatible stores, each with a bucket of the same name and the
 * same prefix, behind one shared cache: each stream must be answered from
 * its own store, never from the other's cached listing or summaries.
 */

const BUCKET = 'rti-same-name';
const HOUR = Date.parse('2026-11-23T10:00:00Z');
const NOW = HOUR + 48 * 3_600_000; // closed: listings are cached

describe('cache keys name the store (two real s3rvers)', () => {
  let one: LocalS3;
  let two: LocalS3;

  const streamOn = (s3: LocalS3): EngineStream => ({
    name: `on-${s3.endpoint}`,
    bucket: BUCKET,
    prefix: 'events/',
    firehoseStream: 'rti-same',
    endpoint: s3.endpoint,
    timestampField: 'ts',
    measures: [],
    dimensions: ['status'],
    bufferIntervalSeconds: 0,
  });

  async function putEvents(s3: LocalS3, name: string, count: number) {
    const events = Array.from({ length: count }, (_, n) => ({
      eventId: `${name}-${n}`,
      ts: new Date(HOUR + 60_000 + n).toISOString(),
      status: 'ok',
    }));
    await s3.put(
      BUCKET,
      `${hourPrefix('events/', HOUR)}rti-same-1-2026-11-23-10-01-00-${name}.gz`,
      gzipSync(events.map(e => `${JSON.stringify(e)}\n`).join('')),
    );
  }

  beforeAll(async () => {
    one = await startLocalS3([BUCKET]);
    two = await startLocalS3([BUCKET]);
    await putEvents(one, 'one', 2);
    await putEvents(two, 'two', 5);
  });
  afterAll(async () => {
    await one.stop();
    await two.stop();
  });

  it('counts each stream from its own store with one shared cache', async () => {
    const stores = new Map([
      [one.endpoint, new S3ObjectStore(one.client)],
      [two.endpoint, new S3ObjectStore(two.client)],
    ]);
    const engine = new QueryEngine({
      storeFor: stream => stores.get(stream.endpoint!)!,
      cache: new MemorySummaryCache(1000),
      logger: mockServices.logger.mock(),
      settings: () => defaultEngineSettings({ maxConcurrency: 2 }),
    });
    const count = async (stream: EngineStream) =>
      (
        await engine.timeSeries(
          stream,
          { fromMs: HOUR, toMs: HOUR + 3_600_000, bucket: '1h', filters: [] },
          NOW,
        )
      ).buckets[0].count;
    expect(await count(streamOn(one))).toBe(2);
    expect(await count(streamOn(two))).toBe(5);
    // And again, from the cache.
    expect(await count(streamOn(one))).toBe(2);
    expect(await count(streamOn(two))).toBe(5);
  });

  it('names a store by its endpoint host, case and path aside', () => {
    expect(sourceOf({ bucket: 'b' })).toBe('b');
    expect(
      sourceOf({ bucket: 'b', endpoint: 'https://S3.Example.com:9000/' }),
    ).toBe('s3.example.com:9000/b');
  });
});
