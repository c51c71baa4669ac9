import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { gzipSync } from 'node:zlib';
import { hourPrefix, hourStart } from './ObjectListing';
import { defaultEngineSettings } from './engineSettings';
import { EngineStream, QueryEngine } from './QueryEngine';
import { rng } from '../../__testUtils__/random';
import { engineReading } from '../../__testUtils__/engine';

/*
 * Objects as Firehose delivers them: named after their oldest record's
 * arrival, in that hour's prefix, holding every record that arrived within
 * the buffering interval after it, so an object keyed at 10:59:40 holds
 * events of 11:00 and later. Every answer is checked against brute force
 * over the events, for buffering intervals of 0, 60, 300 and 900 s.
 */

const BUCKET = 'rti-hour-spanning';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = Date.parse('2026-10-05T00:00:00Z');
const at = (hhmm: string) => Date.parse(`2026-10-05T${hhmm}Z`);
const settings = defaultEngineSettings({ maxConcurrency: 4 });

type Event = { eventId: string; ts: string; status: string; amount: number };

/** Arrivals at odd milliseconds, a few seconds apart, with late events. */
function arrivals(seed: number, fromMs: number, toMs: number) {
  const random = rng(seed);
  const events: Array<Event & { arrivedMs: number }> = [];
  for (
    let t = fromMs + 123;
    t < toMs;
    t += 2_000 + Math.floor(random() * 12_000)
  ) {
    const roll = random();
    let lateness = random() * 2_000; // most events arrive within 2 s
    if (roll < 0.05) lateness = 120_000 + random() * 480_000; // 2-10 min late
    else if (roll < 0.2) lateness = random() * 120_000;
    const ts = Math.floor(t - lateness);
    events.push({
      eventId: `${seed}-${events.length}`,
      ts: new Date(ts).toISOString(),
      status: ['ok', 'failed', 'retried'][Math.floor(random() ** 2 * 3)],
      amount: Math.round(random() * 10_000) / 100,
      arrivedMs: t,
    });
  }
  return events;
}

/** Firehose's buffering: objects of the records arriving within `bufferMs` of the first. */
function objectsOf(
  events: Array<Event & { arrivedMs: number }>,
  stream: EngineStream,
  bufferMs: number,
) {
  const objects: Array<{ key: string; events: Event[]; flushedMs: number }> =
    [];
  let i = 0;
  while (i < events.length) {
    const first = events[i].arrivedMs;
    const batch: Event[] = [];
    // Zero buffering still batches what arrives within a second.
    while (
      i < events.length &&
      events[i].arrivedMs < first + Math.max(bufferMs, 1_000)
    ) {
      const { arrivedMs: _arrived, ...event } = events[i++];
      batch.push(event);
    }
    const stamp = new Date(first)
      .toISOString()
      .slice(0, 19)
      .replace(/[T:]/g, '-');
    objects.push({
      key: `${hourPrefix(stream.prefix, hourStart(first))}${
        stream.firehoseStream
      }-1-${stamp}-${objects.length}.gz`,
      events: batch,
      flushedMs: first + bufferMs,
    });
  }
  return objects;
}

it('generates objects keyed in one hour with events of the next, at every interval but zero', () => {
  for (const bufferSeconds of [60, 300, 900]) {
    const prefix = 'events/';
    const objects = objectsOf(
      arrivals(bufferSeconds + 1, at('10:45:00'), at('12:15:00')),
      { prefix, firehoseStream: 's' } as EngineStream,
      bufferSeconds * 1000,
    );
    const spanning = objects.filter(o =>
      o.events.some(
        e =>
          hourStart(Date.parse(e.ts)) >
          hourStart(o.flushedMs - bufferSeconds * 1000),
      ),
    );
    expect({ bufferSeconds, spanning: spanning.length > 0 }).toEqual({
      bufferSeconds,
      spanning: true,
    });
  }
});

describe.each([0, 60, 300, 900])(
  'objects spanning hours, buffering interval %i s (real s3rver)',
  bufferSeconds => {
    let s3: LocalS3;
    let engine: QueryEngine;
    const stream: EngineStream = {
      name: `b${bufferSeconds}`,
      bucket: BUCKET,
      prefix: `b${bufferSeconds}/`,
      firehoseStream: `rti-b${bufferSeconds}`,
      timestampField: 'ts',
      measures: ['amount'],
      dimensions: ['status'],
      bufferIntervalSeconds: bufferSeconds,
    };
    const events = arrivals(bufferSeconds + 1, at('10:45:00'), at('12:15:00'));
    const objects = objectsOf(events, stream, bufferSeconds * 1000);
    const NOW = DAY + 2 * 24 * HOUR; // every hour closed: rollups

    const countIn = (
      fromMs: number,
      toMs: number,
      where = (_: Event) => true,
    ) =>
      objects
        .flatMap(o => o.events)
        .filter(e => {
          const t = Date.parse(e.ts);
          return t >= fromMs && t < toMs && where(e);
        }).length;

    beforeAll(async () => {
      s3 = await startLocalS3([BUCKET]);
      // At zero buffering nearly every event is an object: 16 at a time.
      const queue = [...objects];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let o = queue.shift(); o; o = queue.shift()) {
            const body = o.events.map(e => `${JSON.stringify(e)}\n`).join('');
            await s3.put(BUCKET, o.key, gzipSync(body));
          }
        }),
      );
    }, 60_000);
    afterAll(() => s3.stop());
    beforeEach(() => {
      engine = engineReading(s3, settings);
    });

    it.each([
      ['an hour from its start', '11:00:00', '12:00:00', '1h'],
      ['the first minutes of an hour', '11:00:00', '11:10:00', '1m'],
      ['the first minutes of the next hour', '12:00:00', '12:05:00', '1m'],
      ['two hours', '11:00:00', '13:00:00', '15m'],
    ] as const)('counts every event of %s', async (_, from, to, bucket) => {
      const fromMs = at(from);
      const toMs = at(to);
      const series = await engine.timeSeries(
        stream,
        { fromMs, toMs, bucket, filters: [] },
        NOW,
      );
      const width = { '1m': MINUTE, '15m': 15 * MINUTE, '1h': HOUR }[bucket];
      expect(
        series.buckets.map(b => ({ start: b.start, count: b.count })),
      ).toEqual(
        series.buckets.map(b => ({
          start: b.start,
          count: countIn(Date.parse(b.start), Date.parse(b.start) + width),
        })),
      );
      expect(series.buckets.reduce((n, b) => n + b.count, 0)).toBe(
        countIn(fromMs, toMs),
      );
    });

    it('counts whole minutes of a range with second and millisecond edges, and says which', async () => {
      const random = rng(bufferSeconds + 7);
      for (let round = 0; round < 6; round++) {
        const fromMs = at('10:55:00') + Math.floor(random() * 70 * MINUTE);
        const toMs = fromMs + Math.floor(random() * 20 * MINUTE);
        const up = (ms: number) => Math.ceil(ms / MINUTE) * MINUTE;
        const series = await engine.timeSeries(
          stream,
          { fromMs, toMs, bucket: '1m', filters: [] },
          NOW,
        );
        const answered = { fromMs: up(fromMs), toMs: up(toMs) };
        expect(series.range).toEqual({
          from: new Date(answered.fromMs).toISOString(),
          to: new Date(answered.toMs).toISOString(),
        });
        // One bucket per whole minute of the answered range, none outside.
        expect(series.buckets.map(b => b.start)).toEqual(
          Array.from(
            { length: (answered.toMs - answered.fromMs) / MINUTE },
            (_, i) => new Date(answered.fromMs + i * MINUTE).toISOString(),
          ),
        );
        for (const bucket of series.buckets) {
          const start = Date.parse(bucket.start);
          expect({ start: bucket.start, count: bucket.count }).toEqual({
            start: bucket.start,
            count: countIn(start, start + MINUTE),
          });
        }
        const breakdown = await engine.breakdown(
          stream,
          { fromMs, toMs, dimension: 'status', filters: [] },
          NOW,
        );
        expect(breakdown.range).toEqual(series.range);
        expect(breakdown.total).toBe(countIn(answered.fromMs, answered.toMs));
      }
    });

    it('breaks a range down with every event counted', async () => {
      const fromMs = at('11:00:00');
      const toMs = at('11:30:00');
      const breakdown = await engine.breakdown(
        stream,
        { fromMs, toMs, dimension: 'status', top: 10, filters: [] },
        NOW,
      );
      expect(breakdown.total).toBe(countIn(fromMs, toMs));
      for (const { value, count } of breakdown.values) {
        expect({ value, count }).toEqual({
          value,
          count: countIn(fromMs, toMs, e => e.status === value),
        });
      }
    });

    it('reads the hour before only as far back as the buffering interval', async () => {
      // A range starting later than the interval after an hour begins
      // needs nothing of the hour before.
      const fromMs = at('11:00:00') + bufferSeconds * 1000 + MINUTE;
      const series = await engine.timeSeries(
        stream,
        { fromMs, toMs: fromMs + 5 * MINUTE, bucket: '1m', filters: [] },
        NOW,
      );
      expect(series.stats.objects).toBe(
        objects.filter(o => o.key.includes('/hour=11/')).length,
      );
    });
  },
);
