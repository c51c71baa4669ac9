import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { gzipSync } from 'node:zlib';
import { hourPrefix } from './ObjectListing';
import { defaultEngineSettings } from './engineSettings';
import { EngineStream, QueryEngine } from './QueryEngine';
import { engineReading } from '../../__testUtils__/engine';

/*
 * Dimension values are data, and data may be named like the properties of
 * a JavaScript object. Each must count as itself wherever a value becomes
 * a key (group-by, breakdown).
 */

const BUCKET = 'rti-values-as-keys';
const HOUR = Date.parse('2026-11-23T10:00:00Z');
const NOW = HOUR + 48 * 3_600_000;
const VALUES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
const stream: EngineStream = {
  name: 'keys',
  bucket: BUCKET,
  prefix: 'events/',
  firehoseStream: 'rti-keys',
  timestampField: 'ts',
  measures: [],
  dimensions: ['status'],
  bufferIntervalSeconds: 0,
};

describe('dimension values named like object properties (real s3rver)', () => {
  let s3: LocalS3;
  let engine: QueryEngine;
  // value i occurs i + 1 times, so every value has its own count.
  const events = VALUES.flatMap((status, i) =>
    Array.from({ length: i + 1 }, (_, n) => ({
      eventId: `${status}-${n}`,
      ts: new Date(HOUR + 5 * 60_000 + n * 1000).toISOString(),
      status,
    })),
  );

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    await s3.put(
      BUCKET,
      `${hourPrefix('events/', HOUR)}rti-keys-1-2026-11-23-10-05-00-a.gz`,
      gzipSync(events.map(e => `${JSON.stringify(e)}\n`).join('')),
    );
    engine = engineReading(s3, defaultEngineSettings({ maxConcurrency: 2 }));
  });
  afterAll(() => s3.stop());

  it('groups a time series by them, each with its own count', async () => {
    const series = await engine.timeSeries(
      stream,
      {
        fromMs: HOUR,
        toMs: HOUR + 3_600_000,
        bucket: '1h',
        groupBy: 'status',
        top: 10,
        filters: [],
      },
      NOW,
    );
    const groups = JSON.parse(JSON.stringify(series.buckets[0].groups));
    for (const [i, value] of VALUES.entries()) {
      expect({ value, count: groups[value] }).toEqual({ value, count: i + 1 });
    }
    expect(Object.keys(groups).sort()).toEqual([...VALUES, '(other)'].sort());
  });

  it('breaks a range down by them', async () => {
    const breakdown = await engine.breakdown(
      stream,
      {
        fromMs: HOUR,
        toMs: HOUR + 3_600_000,
        dimension: 'status',
        top: 10,
        filters: [],
      },
      NOW,
    );
    expect(breakdown.values).toEqual(
      VALUES.map((value, i) => ({ value, count: i + 1 })).reverse(),
    );
  });
});
