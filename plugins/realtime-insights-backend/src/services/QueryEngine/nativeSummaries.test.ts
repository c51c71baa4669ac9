import { Declined, nativeSummariser } from '@internal/native-summariser';
import { gzipSync } from 'node:zlib';
import { rng } from '../../__testUtils__/random';
import { nativeSummary } from './nativeSummaries';
import { SummaryShape, summariseBytes } from './summariseObject';
import { encodeSummary } from './summary';

const shape: SummaryShape = {
  timestampField: 'ts',
  measures: ['amount', 'latencyMs'],
  dimensions: ['status', 'currency', 'flagged', 'declineReason'],
  filters: [],
};

const jsSummary = (body: Buffer, s = shape) =>
  encodeSummary(summariseBytes(body, s));

const iso = (ms: number) => new Date(ms).toISOString();
const START = Date.parse('2026-11-20T09:00:00.000Z');

/** Events as the record transform writes them, with every variation the native code reads itself. */
function events(seed: number, count: number): string[] {
  const random = rng(seed);
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)];
  const ids: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const id =
      ids.length > 0 && random() < 0.05 ? pick(ids) : `ev-${seed}-${i}`;
    ids.push(id);
    const event: Record<string, unknown> = {
      eventId: id,
      deviceId: pick([
        `device-${Math.floor(random() * 3000)}`,
        Math.floor(random() * 3000),
        null,
        true,
      ]),
      customerId: `customer-${Math.floor(random() * 700)}`,
      ts: iso(START + Math.floor(random() * 7_200_000) - 600_000),
      arrivedAt: iso(START + 3_600_000 + Math.floor(random() * 3) * 1000),
      amount: pick([
        Math.round(random() * 100_000) / 100,
        -Math.round(random() * 5000) / 10,
        0,
        Math.floor(random() * 1e9),
        0.000123,
        123456789.12345,
        true,
        'n/a',
        null,
      ]),
      latencyMs: Math.floor(random() ** 3 * 5000),
      status: pick(['approved', 'declined', '(other)', '']),
      currency: random() < 0.3 ? `C${Math.floor(random() * 400)}` : 'USD',
      flagged: pick([true, false, null]),
      nested: random() < 0.1 ? 'x' : undefined,
      class: 'transaction-logs',
    };
    if (random() < 0.2) event.declineReason = 'insufficient-funds';
    if (random() < 0.05) delete event.eventId;
    if (random() < 0.03) event.ts = 12345; // no valid time: a bad line
    if (random() < 0.03) delete event.latencyMs;
    lines.push(JSON.stringify(event));
  }
  return lines;
}

const addon = nativeSummariser();

describe('native summaries', () => {
  it('is built here (the install step builds it with node-gyp)', () => {
    expect(addon).toBeDefined();
  });

  it('computes Math.log bit for bit, so sketches bin values alike', () => {
    const random = rng(7);
    const values = new Float64Array(200_000);
    for (let i = 0; i < values.length; i++) {
      const k = i % 4;
      if (k === 0) values[i] = random() * 1000;
      else if (k === 1) values[i] = Math.exp((random() - 0.5) * 1400);
      else if (k === 2) values[i] = Math.round(random() * 1e6) / 100;
      else values[i] = 1 + (random() - 0.5) * 1e-5;
    }
    values.set([5e-324, 1, 2, 0.5, 1e308, 2.2250738585072014e-308], 0);
    const logs = addon!.jsLog(values);
    let differing = 0;
    for (let i = 0; i < values.length; i++) {
      if (!Object.is(logs[i], Math.log(values[i]))) differing++;
    }
    expect(differing).toBe(0);
  });

  it.each([1, 2, 3, 4, 5])(
    'gives the TypeScript summary byte for byte (seed %i)',
    seed => {
      const body = gzipSync(`${events(seed, 3000).join('\n')}\n`);
      const native = nativeSummary(shape)!(body);
      expect(Buffer.isBuffer(native)).toBe(true);
      expect(Buffer.compare(native as Buffer, jsSummary(body))).toBe(0);
    },
  );

  it('reads what JSON allows around and between fields, and any line ending', () => {
    const lines = events(9, 200).map((line, i) => {
      if (i % 3 === 0)
        return line.replace(/,"/g, ' , "').replace(/":/g, '" :\t');
      if (i % 3 === 1) return ` ${line}\r`;
      return `${line}\n`; // an empty line after it
    });
    lines.push(
      '{}',
      '{"eventId":"a","eventId":"b","ts":"2026-11-20T09:00:00.000Z"}',
    );
    for (const text of [lines.join('\n'), `${lines.join('\n')}\n`]) {
      for (const body of [gzipSync(text), Buffer.from(text)]) {
        const native = nativeSummary(shape)!(body);
        expect(Buffer.isBuffer(native)).toBe(true);
        expect(Buffer.compare(native as Buffer, jsSummary(body))).toBe(0);
      }
    }
  });

  it('counts more than 200 values of a dimension as (other), as the TypeScript does', () => {
    const lines = Array.from({ length: 1000 }, (_, i) =>
      JSON.stringify({
        eventId: `e${i}`,
        ts: iso(START + i * 10),
        currency: i === 500 ? '(other)' : `X${i % 450}`,
        status: 'ok',
      }),
    );
    const body = gzipSync(lines.join('\n'));
    const native = nativeSummary(shape)!(body) as Buffer;
    expect(native.toString('latin1')).toContain('"(other)":');
    expect(Buffer.compare(native, jsSummary(body))).toBe(0);
  });

  it('summarises an empty object, and one of bad lines only', () => {
    for (const text of ['', '\n\n', '{"ts":null}\n{"ts":5}']) {
      const body = gzipSync(text);
      expect(
        Buffer.compare(nativeSummary(shape)!(body) as Buffer, jsSummary(body)),
      ).toBe(0);
    }
  });

  /** A second event (its own id, so that it is read) beside `event({})`. */
  const event = (extra: Record<string, unknown>) =>
    JSON.stringify({ eventId: 'e1', ts: iso(START), ...extra });
  const second = (extra: Record<string, unknown>) =>
    event({ eventId: 'e2', ...extra });

  it.each([
    [
      'an escape in a string',
      '{"eventId":"e\\u0031","ts":"2026-11-20T09:00:00.000Z"}',
      Declined.Line,
    ],
    ['a nested value', second({ meta: { a: 1 } }), Declined.Line],
    ['invalid JSON', '{"eventId":"e1",', Declined.Line],
    [
      'a timestamp without milliseconds',
      second({ ts: '2026-11-20T09:00:00Z' }),
      Declined.Time,
    ],
    [
      'an hour of 24',
      second({ ts: '2026-11-20T24:00:00.000Z' }),
      Declined.Time,
    ],
    [
      'an arrival time in another form',
      second({ arrivedAt: 'Fri, 20 Nov 2026 09:00:00 GMT' }),
      Declined.Time,
    ],
    ['a measure with an exponent', second({ amount: 1e300 }), Declined.Value],
    [
      'a measure of 16 digits',
      second({ amount: 1234567890.123456 }),
      Declined.Value,
    ],
    ['a numeric dimension', second({ status: 42 }), Declined.Value],
    ['a dimension value of digits', second({ status: '404' }), Declined.Value],
    ['a non-ASCII dimension value', second({ currency: '€' }), Declined.Value],
    [
      'a device id of 16 digits',
      second({ deviceId: 1234567890123456 }),
      Declined.Value,
    ],
    [
      'a device id of -0',
      '{"eventId":"e2","ts":"2026-11-20T09:00:00.000Z","deviceId":-0}',
      Declined.Value,
    ],
  ])('leaves %s to the TypeScript', (_, line, reason) => {
    const body = gzipSync(`${event({})}\n${line}\n`);
    expect(nativeSummary(shape)!(body)).toBe(reason);
  });

  it('leaves measures 2048 bins apart to the TypeScript, which folds them', () => {
    const body = gzipSync(
      `${event({ amount: 0.000001 })}\n${second({ amount: 1e14 })}`,
    );
    expect(nativeSummary(shape)!(body)).toBe(Declined.Sketch);
  });

  it('leaves corrupt, truncated and multi-member gzip to the TypeScript', () => {
    const good = gzipSync(`${event({})}\n`);
    const corrupt = Buffer.from(good);
    corrupt[20] ^= 0xff;
    for (const body of [
      corrupt,
      good.subarray(0, good.length - 6),
      Buffer.concat([good, good]),
    ]) {
      expect(nativeSummary(shape)!(body)).toBe(Declined.Compression);
    }
  });

  it('is not used for shapes it would not read as the TypeScript does', () => {
    expect(
      nativeSummary({
        ...shape,
        filters: [{ field: 'status', values: ['ok'] }],
      }),
    ).toBeUndefined();
    expect(nativeSummary({ ...shape, dimensions: ['a', 'a'] })).toBeUndefined();
    expect(nativeSummary({ ...shape, dimensions: ['7'] })).toBeUndefined();
    expect(
      nativeSummary({ ...shape, dimensions: ['__proto__'] }),
    ).toBeUndefined();
  });

  it('writes names that need escaping as JSON does', () => {
    const odd: SummaryShape = {
      timestampField: 'ts',
      measures: ['a"b'],
      dimensions: ['naïve'],
      filters: [],
    };
    const body = gzipSync(
      `${JSON.stringify({ eventId: 'x', ts: iso(START), 'a"b': 1 })}\n` +
        `${JSON.stringify({ eventId: 'y', ts: iso(START), naïve: 'yes' })}\n`,
    );
    const native = nativeSummary(odd)!(body);
    // `a"b` is escaped in the line itself, so that line is declined…
    expect(native).toBe(Declined.Line);
    const plain = gzipSync(
      `${JSON.stringify({ eventId: 'y', ts: iso(START), naïve: 'yes' })}\n`,
    );
    // …while a key of non-ASCII bytes is read as it is.
    expect(
      Buffer.compare(
        nativeSummary(odd)!(plain) as Buffer,
        jsSummary(plain, odd),
      ),
    ).toBe(0);
  });
});
