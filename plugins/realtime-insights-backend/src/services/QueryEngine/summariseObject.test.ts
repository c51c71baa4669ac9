import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { rng } from '../../__testUtils__/random';
import { encodeSummary } from './summary';
import { SummaryShape, summariseObject } from './summariseObject';

const shape: SummaryShape = {
  timestampField: 'ts',
  measures: ['amount', 'latencyMs'],
  dimensions: ['status', 'currency', 'note'],
  filters: [],
};

/** Values chosen to meet every branch of the in-place reader. */
const AMOUNTS = [
  12.5,
  0,
  -0,
  -3.25,
  1e21,
  1.5e-7,
  123456789.12345,
  0.1,
  1 / 3,
  2 ** 53 + 2,
];
const TEXTS = ['USD', 'café', '温度', 'a"quote', 'back\\slash', 'tab\tx', ''];

/** Random events, some odd: unicode, escapes, numbers, nulls, booleans. */
function events(seed: number, n: number): string[] {
  const random = rng(seed);
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const ts = Date.parse('2026-11-20T10:00:00Z') + Math.floor(random() * 9e5);
    const event: Record<string, unknown> = {
      eventId: `evt-${Math.floor(random() * n * 0.9)}`, // some duplicates
      ts: new Date(ts).toISOString(),
      arrivedAt: pick(['2026-11-20T10:16:00.000Z', '2026-11-20T10:17:00.000Z']),
      deviceId: pick([`device-${Math.floor(random() * 50)}`, 7, 7.0, true]),
      customerId: pick([`customer-${Math.floor(random() * 30)}`, null]),
      amount: pick([...AMOUNTS, '12', null, false]),
      latencyMs: Math.floor(random() * 3000),
      status: pick(['approved', 'declined', null, true, 1.5e3]),
      currency: pick(TEXTS),
    };
    if (random() < 0.3) delete event.amount;
    if (random() < 0.2) event.note = pick(TEXTS);
    if (random() < 0.05) event.ts = pick([ts, '2026-11-20T10:00:00Z', 'soon']);
    let line = JSON.stringify(event);
    // The same JSON written differently: spaces, exponents, escapes.
    if (random() < 0.1) line = line.replace(/,"/g, ' ,  "');
    if (random() < 0.1) line = line.replace('"latencyMs":', '"latencyMs":1e1+');
    if (random() < 0.05) line = line.replace('"evt-', '"\\u0065vt-');
    lines.push(line);
  }
  lines.push('not json', '{"ts": "2026-11-20T10:00:00.000Z", "eventId": [1]}');
  return lines;
}

/** Forces `JSON.parse` for a line: a nested value the in-place reader declines. */
const nested = (line: string) =>
  line.startsWith('{') ? line.replace(/}$/, ',"zz":{"n":[1]}}') : line;

async function summaryOf(lines: string[], extra: Partial<SummaryShape> = {}) {
  const body = gzipSync(`${lines.join('\n')}\n`);
  return summariseObject(Readable.from([body]), { ...shape, ...extra });
}

describe('summariseObject', () => {
  it.each([1, 2, 3])(
    'reads flat lines in place exactly as JSON.parse reads them (seed %d)',
    async seed => {
      const lines = events(seed, 3000);
      const inPlace = await summaryOf(lines);
      const parsed = await summaryOf(lines.map(nested));
      expect(inPlace.events).toBeGreaterThan(1500);
      expect(inPlace.duplicateEvents).toBeGreaterThan(100);
      expect(inPlace.badLines).toBeGreaterThan(0);
      expect(encodeSummary(inPlace).equals(encodeSummary(parsed))).toBe(true);
      expect(inPlace).toEqual(parsed);
    },
  );

  it('applies filters the same way on both paths', async () => {
    const lines = events(4, 3000);
    const filters = [
      { field: 'status', values: ['declined', 'true', '1500'] },
      { field: 'currency', values: ['café', 'USD', 'a"quote'] },
    ];
    const inPlace = await summaryOf(lines, { filters });
    const parsed = await summaryOf(lines.map(nested), { filters });
    expect(inPlace.events).toBeGreaterThan(100);
    expect(inPlace).toEqual(parsed);
    const all = await summaryOf(lines);
    expect(inPlace.events).toBeLessThan(all.events / 3);
  });

  it('gives lines split across chunks and CRLF endings the same summary', async () => {
    const lines = events(5, 500);
    const whole = await summaryOf(lines);
    const text = Buffer.from(`${lines.join('\r\n')}\r\n`);
    const chunks = [];
    for (let i = 0; i < text.length; i += 97)
      chunks.push(text.subarray(i, i + 97));
    const split = await summariseObject(Readable.from(chunks), shape);
    expect(split).toEqual(whole);
  });

  it('marks a truncated object corrupt instead of throwing', async () => {
    const body = gzipSync(`${events(6, 200).join('\n')}\n`);
    const summary = await summariseObject(
      Readable.from([body.subarray(0, body.length - 20)]),
      shape,
    );
    expect(summary.corrupt).toBe(true);
    expect(summary.events).toBe(0);
  });
});
