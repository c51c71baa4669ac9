import { mockServices } from '@backstage/backend-test-utils';
import { StreamDefinition } from '@internal/plugin-realtime-insights-common';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { toEngineStream } from '../../router';
import { ObjectStore, S3ObjectStore, createS3Client } from '../ObjectStore';
import { QueryEngine, hourPrefix } from '../QueryEngine';
import { DEFAULT_STREAM_SETTINGS } from '../Settings';
import { StreamRegistry } from '../StreamRegistry';
import { MemorySummaryCache, SummaryCache } from '../SummaryCache';
import { HealthService } from './HealthService';
import { errorPrefixOf } from './FirehoseErrorReader';

const BUCKET = 'rti-health';
const HOUR_MS = 3_600_000;

const streamNamed = (name: string, prefix: string): StreamDefinition => ({
  name,
  entityRef: `resource:default/${name}`,
  title: name,
  owner: 'group:default/team',
  firehoseStream: `rti-${name}`,
  bucket: BUCKET,
  prefix,
  timestampField: 'ts',
  measures: [],
  dimensions: ['type'],
  bufferIntervalSeconds: 900,
});
const live = streamNamed('live', 'live/events/');
const disabled = streamNamed('disabled', 'disabled/events/');

const gz = (docs: unknown[]) =>
  gzipSync(docs.map(d => `${JSON.stringify(d)}\n`).join(''));

async function deadEndpoint(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return `http://127.0.0.1:${port}`;
}

const registryOf = (streams: StreamDefinition[]): StreamRegistry => ({
  listReadable: async () => streams,
  getReadable: async () => streams[0],
  listAll: async () => ({ streams, invalid: [] }),
});

describe('errorPrefixOf', () => {
  it('puts errors next to events', () => {
    expect(errorPrefixOf('events/')).toBe('errors/');
    expect(errorPrefixOf('team-a/events/')).toBe('team-a/errors/');
    expect(errorPrefixOf('clicks/')).toBe('clicks/errors/');
  });
});

describe('HealthService (real s3rver)', () => {
  let s3: LocalS3;
  let store: S3ObjectStore;
  const now = Date.now();
  const hourStart = Math.floor(now / HOUR_MS) * HOUR_MS;

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    const events = [1, 2, 3].map(i => ({
      eventId: `e${i}`,
      ts: new Date(now - 60_000 - i).toISOString(),
      arrivedAt: new Date(now - 30_000).toISOString(),
      deviceId: 'd',
      customerId: 'c',
      type: 'tap',
    }));
    const events_ = hourPrefix(live.prefix, hourStart);
    await s3.put(BUCKET, `${events_}rti-live-1-x-1.gz`, gz(events));
    // Firehose delivered the same object twice.
    await s3.put(BUCKET, `${events_}rti-live-1-x-2.gz`, gz(events));
    const failed = (errorCode: string, errorMessage: string) => ({
      attemptsMade: 1,
      arrivalTimestamp: now,
      errorCode,
      errorMessage,
      rawData: 'e30=',
    });
    await s3.put(
      BUCKET,
      `${hourPrefix(
        'live/errors/processing-failed/',
        hourStart,
      )}rti-live-1-e-1.gz`,
      gz([
        failed('Lambda.ProcessingFailed', 'not valid JSON'),
        failed('Lambda.ProcessingFailed', 'not valid JSON'),
        failed('Lambda.ProcessingFailed', 'events.0.type: required'),
      ]),
    );
    await s3.put(
      BUCKET,
      `${hourPrefix('live/errors/s3-failed/', hourStart)}rti-live-1-e-2.gz`,
      gz([failed('S3.AccessDenied', 'Access Denied')]),
    );
    store = new S3ObjectStore(s3.client);
  });
  afterAll(() => s3.stop());

  const healthWith = (options: {
    store?: ObjectStore;
    cache?: SummaryCache;
    streams?: StreamDefinition[];
  }) => {
    const chosen = options.store ?? store;
    const cache = options.cache ?? new MemorySummaryCache(1000);
    return new HealthService({
      streams: registryOf(options.streams ?? [live, disabled]),
      engine: new QueryEngine({
        storeFor: () => chosen,
        cache,
        logger: mockServices.logger.mock(),
        settings: () => ({
          maxConcurrency: 4,
          cacheTtlSeconds: 60,
          latenessMinutes: 15,
          settleMinutes: 20,
          maxBuckets: 1440,
          maxPageSize: 1000,
          defaultPageSize: 100,
          maxObjectsPerPage: 200,
        }),
      }),
      cache,
      storeFor: () => chosen,
      engineStream: toEngineStream,
      streamSettings: ref =>
        ref === disabled.entityRef
          ? { ...DEFAULT_STREAM_SETTINGS, enabled: false }
          : DEFAULT_STREAM_SETTINGS,
      logger: mockServices.logger.mock(),
    });
  };

  it('reports freshness, volume, duplicates and the top Firehose errors per stream', async () => {
    const view = await healthWith({}).view();
    expect(view.cache).toMatchObject({ kind: 'memory', degraded: false });
    const [health, off] = view.streams;
    expect(health).toMatchObject({
      name: 'live',
      entityRef: 'resource:default/live',
      owner: 'group:default/team',
      enabled: true,
      status: 'warning',
      objectsLastHour: 2,
      eventsLastHour: 6,
      duplicateObjects: 1,
      errorObjectsLastHour: 2,
      errorRecordsLastHour: 4,
      topErrors: [
        {
          errorCode: 'Lambda.ProcessingFailed',
          errorMessage: 'not valid JSON',
          count: 2,
        },
        expect.objectContaining({ count: 1 }),
        expect.objectContaining({ count: 1 }),
      ],
    });
    expect(health.freshnessSeconds).toBeGreaterThanOrEqual(59);
    expect(health.freshnessSeconds).toBeLessThan(120);
    expect(health.problems).toEqual([
      '2 error objects under the Firehose error prefix in the last hour',
    ]);
    expect(health.eventsPerInterval.reduce((n, b) => n + b.count, 0)).toBe(3);
    expect(health.objectStore?.requests).toBeGreaterThan(0);
    // A disabled stream is not read at all.
    expect(off).toMatchObject({
      name: 'disabled',
      status: 'disabled',
      objectsLastHour: 0,
    });
  });

  it('answers the probe from a recent S3 success, or asks S3 once per interval', async () => {
    const probe = jest.spyOn(store, 'probe');
    const health = healthWith({ streams: [live] });
    // A fresh client: nothing succeeded yet, so it asks.
    const fresh = new S3ObjectStore(
      createS3Client({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        maxConcurrency: 4,
        credentials: s3.credentials,
      }),
    );
    const probeFresh = jest.spyOn(fresh, 'probe');
    const asking = healthWith({ store: fresh, streams: [live] });
    const answers = await Promise.all([asking.probe(), asking.probe()]);
    expect(answers[0]).toEqual({
      status: 200,
      body: {
        status: 'ok',
        checks: { objectStore: 'ok', cache: 'in-process' },
      },
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(probeFresh).toHaveBeenCalledTimes(1);

    // The store answered queries a moment ago: no extra request.
    await store.list(BUCKET, 'live/');
    expect((await health.probe()).status).toBe(200);
    expect(probe).not.toHaveBeenCalled();
  });

  it('fails readiness when S3 is unreachable, and only degrades without Redis', async () => {
    const unreachable = new S3ObjectStore(
      createS3Client({
        endpoint: await deadEndpoint(),
        region: 'us-east-1',
        forcePathStyle: true,
        maxConcurrency: 4,
        credentials: s3.credentials,
      }),
    );
    const down = await healthWith({
      store: unreachable,
      streams: [live],
    }).probe();
    expect(down).toEqual({
      status: 503,
      body: {
        status: 'unavailable',
        checks: { objectStore: 'unreachable', cache: 'in-process' },
      },
    });

    const redisDown: SummaryCache = new MemorySummaryCache(10);
    jest
      .spyOn(redisDown, 'describe')
      .mockReturnValue({ kind: 'redis', degraded: true });
    const degraded = await healthWith({
      cache: redisDown,
      streams: [live],
    }).probe();
    expect(degraded).toEqual({
      status: 200,
      body: {
        status: 'degraded',
        checks: { objectStore: 'ok', cache: 'degraded' },
      },
    });
    // Nothing registered: nothing to reach.
    expect((await healthWith({ streams: [] }).probe()).body.checks).toEqual({
      objectStore: 'not-configured',
      cache: 'in-process',
    });
  }, 30_000);
});
