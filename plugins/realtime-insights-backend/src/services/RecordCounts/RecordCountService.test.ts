import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { gzipSync } from 'node:zlib';
import { startLocalS3 } from '@internal/local-s3';
import { readRealtimeInsightsConfig } from '../../config';
import { S3ObjectStore, createS3Client } from '../ObjectStore';
import { MemorySummaryCache } from '../SummaryCache';
import { RecordCountService } from './RecordCountService';

const BUCKET = 'rti-test-events';
const ndjson = (timestamps: string[]) =>
  `${timestamps
    .map((ts, i) => JSON.stringify({ eventId: `e${i}`, ts }))
    .join('\n')}\n`;

describe('RecordCountService (real s3rver)', () => {
  let s3: Awaited<ReturnType<typeof startLocalS3>>;

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    // Hour 10: two objects, one gzip, one plain; hour 11 holds a late event
    // of 10:59 (Firehose partitions by arrival time).
    await s3.put(
      BUCKET,
      'events/year=2026/month=11/day=23/hour=10/s-1-2026-11-23-10-00-05-a.gz',
      gzipSync(
        ndjson([
          '2026-11-23T10:00:01Z',
          '2026-11-23T10:00:59Z',
          '2026-11-23T10:01:00Z',
        ]),
      ),
    );
    await s3.put(
      BUCKET,
      'events/year=2026/month=11/day=23/hour=10/s-1-2026-11-23-10-30-00-b',
      `${ndjson(['2026-11-23T10:30:10Z'])}not json\n{"ts":"garbage"}\n`,
    );
    await s3.put(
      BUCKET,
      'events/year=2026/month=11/day=23/hour=11/s-1-2026-11-23-11-00-02-c.gz',
      gzipSync(ndjson(['2026-11-23T10:59:58Z', '2026-11-23T11:00:01Z'])),
    );
    // Corrupt gzip: counted as corrupt, never a failure.
    await s3.put(
      BUCKET,
      'events/year=2026/month=11/day=23/hour=11/s-1-2026-11-23-11-05-00-d.gz',
      Buffer.concat([
        gzipSync(ndjson(['2026-11-23T11:05:00Z'])).subarray(0, 12),
        Buffer.from('xx'),
      ]),
    );
  });

  afterAll(() => s3.stop());

  function makeService(cache = new MemorySummaryCache(100)) {
    const config = readRealtimeInsightsConfig(
      new ConfigReader({
        realtimeInsights: {
          s3: {
            endpoint: s3.endpoint,
            forcePathStyle: true,
            credentials: s3.credentials,
          },
          streams: [{ name: 'test', bucket: BUCKET }],
        },
      }),
    );
    const service = new RecordCountService({
      store: new S3ObjectStore(createS3Client(config.s3)),
      cache,
      logger: mockServices.logger.mock(),
      config,
    });
    return { service, stream: config.streams[0], cache };
  }

  const now = new Date('2026-11-24T00:00:00Z');

  it('counts events per minute across hour prefixes, including late arrivals', async () => {
    const { service, stream } = makeService();
    const result = await service.countPerMinute(
      stream,
      {
        from: new Date('2026-11-23T10:00:00Z'),
        to: new Date('2026-11-23T11:00:00Z'),
      },
      now,
    );
    expect(result.buckets).toHaveLength(60);
    const nonZero = result.buckets.filter(b => b.count > 0);
    expect(nonZero).toEqual([
      { start: '2026-11-23T10:00:00.000Z', count: 2 },
      { start: '2026-11-23T10:01:00.000Z', count: 1 },
      { start: '2026-11-23T10:30:00.000Z', count: 1 },
      { start: '2026-11-23T10:59:00.000Z', count: 1 },
    ]);
    expect(result.stats).toMatchObject({
      objects: 4,
      objectsFromCache: 0,
      corruptObjects: 1,
    });
  });

  it('serves a repeated query from cached summaries and listings', async () => {
    const { service, stream } = makeService();
    const range = {
      from: new Date('2026-11-23T10:00:00Z'),
      to: new Date('2026-11-23T11:30:00Z'),
    };
    const first = await service.countPerMinute(stream, range, now);
    const second = await service.countPerMinute(stream, range, now);
    expect(second.buckets).toEqual(first.buckets);
    expect(second.stats.objectsFromCache).toBe(4);
    expect(
      first.buckets.find(b => b.start === '2026-11-23T11:00:00.000Z')?.count,
    ).toBe(1);
  });

  it('re-lists hours that are still open', async () => {
    const { service, stream } = makeService();
    const openNow = new Date('2026-11-23T12:10:00Z');
    const range = { from: new Date('2026-11-23T12:00:00Z'), to: openNow };
    expect(
      (await service.countPerMinute(stream, range, openNow)).stats.objects,
    ).toBe(0);
    await s3.put(
      BUCKET,
      'events/year=2026/month=11/day=23/hour=12/s-1-2026-11-23-12-05-00-e.gz',
      gzipSync(ndjson(['2026-11-23T12:04:00Z'])),
    );
    const after = await service.countPerMinute(stream, range, openNow);
    expect(
      after.buckets.find(b => b.start === '2026-11-23T12:04:00.000Z')?.count,
    ).toBe(1);
  });
});
