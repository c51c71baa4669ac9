import { mockServices } from '@backstage/backend-test-utils';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { ObjectStore, S3ObjectStore } from '../ObjectStore';
import { ObjectWorkerPool } from '../ObjectWorkers';
import { MemorySummaryCache } from '../SummaryCache';
import { hourPrefix } from './ObjectListing';
import { defaultEngineSettings } from './engineSettings';
import { EngineStream, QueryEngine } from './QueryEngine';
import { rng } from '../../__testUtils__/random';
import { engineReading } from '../../__testUtils__/engine';

const BUCKET = 'rti-engine-test';
const stream: EngineStream = {
  name: 'transaction-logs',
  bucket: BUCKET,
  prefix: 'events/',
  firehoseStream: 'rti-transaction-logs',
  timestampField: 'ts',
  measures: ['amount', 'latencyMs'],
  dimensions: ['status', 'currency'],
};
const settings = defaultEngineSettings({
  maxConcurrency: 4,
  cacheTtlSeconds: 600,
});

type Event = {
  eventId: string;
  ts: string;
  arrivedAt: string;
  deviceId: string;
  customerId: string;
  status: string;
  currency: string;
  amount: number;
  latencyMs: number;
};

const START = Date.parse('2026-11-23T10:00:00Z');
const NOW = Date.parse('2026-11-24T00:00:00Z'); // all hours closed

/** Two hours of events in 24 objects (5 minutes of arrivals each). */
function generate(): {
  objects: Array<{ key: string; events: Event[] }>;
  events: Event[];
} {
  const random = rng(42);
  const objects: Array<{ key: string; events: Event[] }> = [];
  const all: Event[] = [];
  let id = 0;
  for (let o = 0; o < 24; o++) {
    const arrival = START + o * 5 * 60_000 + 4 * 60_000;
    const events: Event[] = [];
    for (let i = 0; i < 800; i++) {
      const ts = arrival - Math.floor(random() * 5 * 60_000);
      const roll = random();
      let status = 'approved';
      if (roll < 0.06) status = 'declined';
      else if (roll < 0.15) status = 'pending';
      events.push({
        eventId: (id++).toString(16).padStart(32, '0'),
        ts: new Date(ts).toISOString(),
        arrivedAt: new Date(arrival).toISOString(),
        deviceId: `d${Math.floor(random() * 3000)}`,
        customerId: `c${Math.floor(random() * 900)}`,
        status,
        currency: ['USD', 'EUR', 'GBP', 'JPY'][Math.floor(random() ** 2 * 4)],
        amount: Math.round(Math.exp(3 + random() * 2) * 100) / 100,
        latencyMs: Math.floor(50 + random() ** 3 * 2000),
      });
    }
    const d = new Date(arrival);
    const stamp = d.toISOString().slice(0, 19).replace(/[T:]/g, '-');
    objects.push({
      key: `${hourPrefix(
        'events/',
        Math.floor(arrival / 3_600_000) * 3_600_000,
      )}rti-transaction-logs-1-${stamp}-${o}.gz`,
      events,
    });
    all.push(...events);
  }
  return { objects, events: all };
}

const ndjson = (events: unknown[]) =>
  events.map(e => `${JSON.stringify(e)}\n`).join('');

function exactQuantile(values: number[], q: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))];
}

describe('QueryEngine (real s3rver)', () => {
  let s3: LocalS3;
  const data = generate();
  let engine: QueryEngine;

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    for (const object of data.objects) {
      await s3.put(BUCKET, object.key, gzipSync(ndjson(object.events)));
    }
  });
  afterAll(() => s3.stop());
  beforeEach(() => {
    engine = engineReading(s3, settings);
  });

  it('answers a time series that matches a brute-force computation', async () => {
    const fromMs = START;
    const toMs = START + 2 * 3_600_000;
    const result = await engine.timeSeries(
      stream,
      { fromMs, toMs, bucket: '15m', filters: [] },
      NOW,
    );
    expect(result.buckets).toHaveLength(8);
    for (const bucket of result.buckets) {
      const start = Date.parse(bucket.start);
      const inBucket = data.events.filter(e => {
        const t = Date.parse(e.ts);
        return t >= start && t < start + 15 * 60_000;
      });
      expect(bucket.count).toBe(inBucket.length);
      const devices = new Set(inBucket.map(e => e.deviceId)).size;
      expect(Math.abs(bucket.devices - devices) / devices).toBeLessThanOrEqual(
        0.02,
      );
      const customers = new Set(inBucket.map(e => e.customerId)).size;
      expect(
        Math.abs(bucket.customers - customers) / customers,
      ).toBeLessThanOrEqual(0.02);
      const amounts = inBucket.map(e => e.amount);
      const amount = bucket.measures.amount;
      expect(amount.count).toBe(amounts.length);
      expect(amount.sum).toBeCloseTo(
        amounts.reduce((a, b) => a + b, 0),
        6,
      );
      expect(amount.min).toBe(Math.min(...amounts));
      expect(amount.max).toBe(Math.max(...amounts));
      for (const [q, key] of [
        [0.5, 'p50'],
        [0.95, 'p95'],
        [0.99, 'p99'],
      ] as const) {
        const exact = exactQuantile(amounts, q);
        expect(Math.abs(amount[key]! - exact) / exact).toBeLessThanOrEqual(
          0.01,
        );
      }
    }
  });

  it('groups by a dimension into top values and (other)', async () => {
    const result = await engine.timeSeries(
      stream,
      {
        fromMs: START,
        toMs: START + 3_600_000,
        bucket: '1h',
        groupBy: 'currency',
        top: 2,
        filters: [],
      },
      NOW,
    );
    const inHour = data.events.filter(
      e => Date.parse(e.ts) >= START && Date.parse(e.ts) < START + 3_600_000,
    );
    const byCurrency = new Map<string, number>();
    for (const e of inHour)
      byCurrency.set(e.currency, (byCurrency.get(e.currency) ?? 0) + 1);
    const top = [...byCurrency].sort((a, b) => b[1] - a[1]).slice(0, 2);
    expect(result.groupBy).toEqual({
      dimension: 'currency',
      values: top.map(([c]) => c),
    });
    expect(result.buckets[0].groups).toEqual({
      [top[0][0]]: top[0][1],
      [top[1][0]]: top[1][1],
      '(other)': inHour.length - top[0][1] - top[1][1],
    });
  });

  it('filters on dimensions and breaks down by another', async () => {
    const fromMs = START;
    const toMs = START + 2 * 3_600_000;
    const declined = data.events.filter(
      e =>
        e.status === 'declined' &&
        Date.parse(e.ts) >= fromMs &&
        Date.parse(e.ts) < toMs,
    );
    const result = await engine.breakdown(
      stream,
      {
        fromMs,
        toMs,
        dimension: 'currency',
        top: 10,
        filters: [{ field: 'status', values: ['declined'] }],
      },
      NOW,
    );
    expect(result.total).toBe(declined.length);
    for (const { value, count } of result.values) {
      expect(count).toBe(declined.filter(e => e.currency === value).length);
    }
    expect(result.other).toBe(0);
  });

  it('serves repeated queries from cached summaries', async () => {
    const range = {
      fromMs: START,
      toMs: START + 2 * 3_600_000,
      bucket: '1h' as const,
      filters: [],
    };
    const first = await engine.timeSeries(stream, range, NOW);
    const second = await engine.timeSeries(stream, range, NOW);
    expect(first.stats.objectsFromCache).toBe(0);
    expect(second.stats.objectsFromCache).toBe(second.stats.objects);
    expect(second.buckets).toEqual(first.buckets);
  });

  it('pages through raw records newest first without gaps or duplicates', async () => {
    const fromMs = START + 30 * 60_000;
    const toMs = START + 50 * 60_000;
    const filters = [{ field: 'currency', values: ['EUR', 'GBP'] }];
    const expected = data.events.filter(
      e =>
        Date.parse(e.ts) >= fromMs &&
        Date.parse(e.ts) < toMs &&
        ['EUR', 'GBP'].includes(e.currency),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await engine.records(
        stream,
        { fromMs, toMs, limit: 97, cursor, filters },
        NOW,
      );
      seen.push(...page.items.map(e => e.eventId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(expected.map(e => e.eventId).sort());
  });

  it('rejects a cursor of another query and a page over the maximum', async () => {
    const page = await engine.records(
      stream,
      { fromMs: START, toMs: START + 3_600_000, limit: 5, filters: [] },
      NOW,
    );
    await expect(
      engine.records(
        stream,
        {
          fromMs: START,
          toMs: START + 1_800_000,
          limit: 5,
          cursor: page.nextCursor,
          filters: [],
        },
        NOW,
      ),
    ).rejects.toThrow(/belongs to another query/);
    await expect(
      engine.records(
        stream,
        { fromMs: START, toMs: START + 3_600_000, limit: 5000, filters: [] },
        NOW,
      ),
    ).rejects.toThrow(/'limit': at most 1000/);
  });

  it('names unknown dimensions', async () => {
    await expect(
      engine.breakdown(
        stream,
        {
          fromMs: START,
          toMs: START + 60_000,
          dimension: 'colour',
          filters: [],
        },
        NOW,
      ),
    ).rejects.toThrow(/'dimension': 'colour' is not a dimension/);
  });

  it('reports freshness from the newest objects', async () => {
    const now = START + 2 * 3_600_000;
    const result = await engine.freshness(stream, now);
    const newestArrival = Math.max(
      ...data.events.map(e => Date.parse(e.arrivedAt)),
    );
    expect(result.newestArrivalAt).toBe(new Date(newestArrival).toISOString());
    expect(result.lagSeconds).toBe(Math.round((now - newestArrival) / 1000));
  });
});

describe('QueryEngine with bad data (real s3rver)', () => {
  let s3: LocalS3;
  const bucket = 'rti-engine-bad';
  const hour = Date.parse('2026-11-23T10:00:00Z');
  const prefix = hourPrefix('events/', hour);
  const event = (i: number) => ({
    eventId: `${i.toString(16).padStart(32, 'a')}`,
    ts: new Date(hour + i * 1000).toISOString(),
    deviceId: `d${i}`,
    customerId: 'c',
    status: 'approved',
    currency: 'USD',
    amount: i,
    latencyMs: 1,
  });

  beforeAll(async () => {
    s3 = await startLocalS3([bucket]);
    const good = [event(1), event(2), event(3)];
    // The same records delivered twice (at-least-once), once more inside one object.
    await s3.put(
      bucket,
      `${prefix}rti-transaction-logs-1-2026-11-23-10-00-05-a.gz`,
      gzipSync(ndjson(good)),
    );
    await s3.put(
      bucket,
      `${prefix}rti-transaction-logs-1-2026-11-23-10-00-09-b.gz`,
      gzipSync(ndjson(good)),
    );
    await s3.put(
      bucket,
      `${prefix}rti-transaction-logs-1-2026-11-23-10-01-00-c`,
      `${ndjson([event(4), event(4)])}not json\n{"ts":"never"}\n`,
    );
    const truncated = gzipSync(ndjson([event(5), event(6)]));
    await s3.put(
      bucket,
      `${prefix}rti-transaction-logs-1-2026-11-23-10-02-00-d.gz`,
      truncated.subarray(0, truncated.length - 9),
    );
  });
  afterAll(() => s3.stop());

  it.each(['in process', 'on worker threads'])(
    'de-duplicates, skips bad lines and corrupt objects, and counts them (%s)',
    async where => {
      const pool =
        where === 'in process'
          ? undefined
          : new ObjectWorkerPool({
              threads: 1,
              logger: mockServices.logger.mock(),
            });
      // An object whose body breaks off after its first bytes counts as corrupt.
      const s3Store = new S3ObjectStore(s3.client);
      const store: ObjectStore = {
        list: (...args) => s3Store.list(...args),
        open: async (b, key) => {
          const body = await s3Store.open(b, key);
          if (!key.endsWith('-a.gz')) return body;
          const [first] = await body.toArray();
          return Readable.from(
            (async function* breaking() {
              yield first.subarray(0, 10);
              throw new Error('connection reset');
            })(),
          );
        },
      };
      const engine = new QueryEngine({
        storeFor: () => store,
        cache: new MemorySummaryCache(100),
        logger: mockServices.logger.mock(),
        settings: () => settings,
        summarisers: pool,
      });
      try {
        const result = await engine.timeSeries(
          { ...stream, bucket },
          { fromMs: hour, toMs: hour + 3_600_000, bucket: '1h', filters: [] },
          NOW,
        );
        expect(result.buckets[0].count).toBe(4);
        expect(result.stats).toMatchObject({
          objects: 4,
          duplicateObjects: 0,
          duplicateEvents: 1,
          badLines: 2,
          corruptObjects: 2,
        });
        // The closed hour was rolled up by the worker, natively.
        expect(pool?.rolledUp).toEqual(
          pool ? { native: 1, typescript: 0 } : undefined,
        );
      } finally {
        await pool?.close();
      }
    },
    30_000,
  );

  it('lists an event repeated within an object once, across page boundaries too', async () => {
    const engine = engineReading(s3, settings, new MemorySummaryCache(100));
    const range = { fromMs: hour, toMs: hour + 3_600_000, filters: [] };
    const idsOf = (items: Array<{ eventId?: unknown }>) =>
      items.map(item => String(item.eventId));
    const onePage = await engine.records(
      { ...stream, bucket },
      { ...range, limit: 100 },
      NOW,
    );
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await engine.records(
        { ...stream, bucket },
        { ...range, limit: 1, cursor },
        NOW,
      );
      paged.push(...idsOf(page.items));
      cursor = page.nextCursor;
    } while (cursor);
    for (const ids of [idsOf(onePage.items), paged]) {
      expect(ids.filter(id => id === event(4).eventId)).toHaveLength(1);
      // Copies in other objects (re-deliveries) are listed as they are.
      expect(ids.filter(id => id === event(1).eventId)).toHaveLength(2);
    }
    expect(paged).toEqual(idsOf(onePage.items));
  });
});

describe('QueryEngine on an open hour (real s3rver)', () => {
  let s3: LocalS3;
  const bucket = 'rti-engine-open';
  const hour = Date.parse('2026-11-23T12:00:00Z');
  const prefix = hourPrefix('events/', hour);
  const put = (stamp: string, ts: string) =>
    s3.put(
      bucket,
      `${prefix}rti-transaction-logs-1-2026-11-23-12-${stamp}-x.gz`,
      gzipSync(
        ndjson([
          { eventId: `id-${stamp}`, ts, deviceId: 'd', customerId: 'c' },
        ]),
      ),
    );

  beforeAll(async () => {
    s3 = await startLocalS3([bucket]);
  });
  afterAll(() => s3.stop());

  it('re-lists the open hour after newer objects land, and not settled ones again', async () => {
    const list = jest.fn();
    const store = new S3ObjectStore(s3.client);
    const spied = {
      open: store.open.bind(store),
      list: (...args: Parameters<S3ObjectStore['list']>) => {
        list(args[2]);
        return store.list(...args);
      },
    };
    const engine = new QueryEngine({
      storeFor: () => spied,
      cache: new MemorySummaryCache(100),
      logger: mockServices.logger.mock(),
      settings: () => ({ ...settings, settleMinutes: 20 }),
    });
    const count = async (now: number) =>
      (
        await engine.timeSeries(
          { ...stream, bucket },
          { fromMs: hour, toMs: now, bucket: '1h', filters: [] },
          now,
        )
      ).buckets[0].count;

    await put('01-00', '2026-11-23T12:00:30Z');
    const t0 = Date.parse('2026-11-23T12:40:00Z');
    expect(await count(t0)).toBe(1);
    await put('39-00', '2026-11-23T12:38:30Z');
    // Within the reuse window the listing is shared...
    expect(await count(t0 + 1_000)).toBe(1);
    // ...after it, only keys newer than the settled point are listed again.
    expect(await count(t0 + 3_000)).toBe(2);
    expect(list).toHaveBeenLastCalledWith(
      `${prefix}rti-transaction-logs-1-2026-11-23-12-20-00`,
    );
  });
});
