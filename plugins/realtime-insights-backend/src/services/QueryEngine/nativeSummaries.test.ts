import {
  Declined,
  RollupDeclined,
  nativeSummariser,
} from '@internal/native-summariser';
import { crc32, gzipSync } from 'node:zlib';
import { rng } from '../../__testUtils__/random';
import {
  nativeRollUp,
  nativeSummary,
  packSummaries,
  unpackSummaries,
} from './nativeSummaries';
import { rollUp } from './rollup';
import { SummaryShape, summariseBytes } from './summariseObject';
import { corruptSummary, decodeSummary, encodeSummary } from './summary';

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

/** Fuzz tests' seed and rounds: RTI_FUZZ_SEED and RTI_FUZZ_ROUNDS run them otherwise, or longer. */
const fuzzSeed = (seed: number) => Number(process.env.RTI_FUZZ_SEED ?? seed);
const fuzzRounds = (rounds: number) =>
  Number(process.env.RTI_FUZZ_ROUNDS ?? rounds);

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

  it.each([700, 15_000])(
    'encodes a minute of %i devices (past m/32 registers) as the TypeScript does',
    devices => {
      const lines = Array.from({ length: devices }, (_, i) =>
        JSON.stringify({
          eventId: `e${i}`,
          deviceId: `device-${i}`,
          ts: iso(START + (i % 60_000)),
        }),
      );
      const body = gzipSync(lines.join('\n'));
      const native = nativeSummary(shape)!(body) as Buffer;
      expect(Buffer.compare(native, jsSummary(body))).toBe(0);
    },
  );

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

  it('summarises mutated lines as the TypeScript does, or declines them', () => {
    // A light fuzz of the line scanner: random bytes written over random
    // places of plain NDJSON (gzip would only fail its CRC).
    const random = rng(fuzzSeed(21));
    const text = Buffer.from(`${events(21, 60).join('\n')}\n`);
    const alphabet = Buffer.from('{}[]",:\\ \t\r\n0123456789.-+eE"tfnul\u00e9');
    const differing: string[] = [];
    let summarised = 0;
    for (let round = 0; round < fuzzRounds(3000); round++) {
      const body = Buffer.from(text);
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) {
        body[Math.floor(random() * body.length)] =
          random() < 0.7
            ? alphabet[Math.floor(random() * alphabet.length)]
            : Math.floor(random() * 256);
      }
      const native = nativeSummary(shape)!(body);
      if (!Buffer.isBuffer(native)) continue;
      summarised++;
      if (!native.equals(jsSummary(body)))
        differing.push(body.toString('latin1'));
    }
    expect(differing.slice(0, 1)).toEqual([]);
    // Most mutations still leave a body the native code reads itself.
    expect(summarised).toBeGreaterThan(500);
  });

  it('leaves measures 2048 bins apart to the TypeScript, which folds them', () => {
    const body = gzipSync(
      `${event({ amount: 0.000001 })}\n${second({ amount: 1e14 })}`,
    );
    expect(nativeSummary(shape)!(body)).toBe(Declined.Sketch);
  });

  it('computes the CRC-32 of zlib, at every length and alignment', () => {
    const random = rng(11);
    const bytes = Buffer.from(
      Array.from({ length: 70_000 }, () => Math.floor(random() * 256)),
    );
    const differing: number[] = [];
    for (let length = 0; length < 300; length++) {
      for (const offset of [0, 1, 5, 13]) {
        const part = bytes.subarray(offset, offset + length);
        if (addon!.crc32(part) !== crc32(part)) differing.push(length);
      }
    }
    expect(differing).toEqual([]);
    expect(addon!.crc32(bytes.subarray(3))).toBe(crc32(bytes.subarray(3)));
  });

  it('reads gzip headers with a name, a comment, extra data and a header CRC', () => {
    const body = gzipSync(`${event({})}\n${second({ amount: 3 })}\n`);
    // FEXTRA, FNAME, FCOMMENT and FHCRC after the fixed 10 bytes.
    const head = Buffer.from(body.subarray(0, 10));
    head[3] = 4 | 8 | 16 | 2;
    const fields = Buffer.concat([
      head,
      Buffer.from([3, 0, 1, 2, 3]),
      Buffer.from('events.ndjson\0comment\0', 'latin1'),
    ]);
    const check = Buffer.alloc(2);
    check.writeUInt16LE(crc32(fields) & 0xffff);
    const withFields = Buffer.concat([fields, check, body.subarray(10)]);
    const native = nativeSummary(shape)!(withFields);
    expect(Buffer.isBuffer(native)).toBe(true);
    expect(Buffer.compare(native as Buffer, jsSummary(body))).toBe(0);
    expect(Buffer.compare(jsSummary(withFields), jsSummary(body))).toBe(0);
    // A wrong header CRC, data CRC or length: corrupt for both.
    for (const at of [
      fields.length,
      withFields.length - 8,
      withFields.length - 4,
    ]) {
      const damaged = Buffer.from(withFields);
      damaged[at] ^= 1;
      expect(nativeSummary(shape)!(damaged)).toBe(Declined.Compression);
      expect(decodeSummary(jsSummary(damaged))!.corrupt).toBe(true);
    }
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

describe('native rollups', () => {
  const roll = (summaries: Buffer[]) =>
    nativeRollUp()!(packSummaries(summaries));

  /** What the engine caches for an hour, rolled up in TypeScript. */
  const jsRollUp = (summaries: Buffer[]) =>
    encodeSummary(rollUp(summaries.map(s => decodeSummary(s)!)));

  /** The encoded summary of an object of `count` events, the `i`th made by `event(i)`. */
  const summaryOfEvents = (count: number, event: (i: number) => object) =>
    jsSummary(
      Buffer.from(
        Array.from({ length: count }, (_, i) => JSON.stringify(event(i))).join(
          '\n',
        ),
      ),
    );

  /** The encoded summaries of `count` objects of random events (some re-delivered). */
  function objectSummaries(seed: number, count: number): Buffer[] {
    const random = rng(seed);
    const made: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (made.length > 0 && random() < 0.1) {
        // A re-delivery: the same events again, as another object.
        made.push(made[Math.floor(random() * made.length)]);
        continue;
      }
      const lines = events(seed * 1000 + i, 50 + Math.floor(random() * 400));
      made.push(jsSummary(Buffer.from(lines.join('\n'))));
    }
    return made;
  }

  it.each([1, 2, 3])(
    'gives the TypeScript rollup byte for byte (seed %i)',
    seed => {
      const summaries = objectSummaries(seed, 40);
      summaries.splice(5, 0, encodeSummary(corruptSummary()));
      summaries.splice(9, 0, jsSummary(Buffer.from('')));
      const native = roll(summaries);
      expect(Buffer.isBuffer(native)).toBe(true);
      expect(Buffer.compare(native as Buffer, jsRollUp(summaries))).toBe(0);
      // Counted as the TypeScript counts them: re-deliveries and all.
      const rollup = decodeSummary(native as Buffer)!;
      expect(rollup.rollup!.objects).toBe(42);
      expect(rollup.rollup!.corruptObjects).toBe(1);
      expect(rollup.rollup!.duplicateObjects).toBeGreaterThan(0);
    },
  );

  it('packs summaries and unpacks them', () => {
    const summaries = [Buffer.from('ab'), Buffer.alloc(0), Buffer.from('c')];
    expect(unpackSummaries(packSummaries(summaries))).toEqual(summaries);
    for (const end of [7, 12]) {
      expect(() =>
        unpackSummaries(packSummaries(summaries).subarray(0, end)),
      ).toThrow('Packed summaries end part way through one');
    }
  });

  it('rolls up no objects, and sketches that turn dense', () => {
    expect(Buffer.compare(roll([]) as Buffer, jsRollUp([]))).toBe(0);
    // 200 objects of 100 devices each in one minute: past m/32 registers.
    const summaries = Array.from({ length: 200 }, (_, o) =>
      summaryOfEvents(100, i => ({
        eventId: `o${o}-${i}`,
        deviceId: `d${o * 100 + i}`,
        ts: iso(START + i),
        amount: o + i / 100,
      })),
    );
    const native = roll(summaries) as Buffer;
    expect(Buffer.compare(native, jsRollUp(summaries))).toBe(0);
    expect(
      decodeSummary(native)!
        .minutes.get(START / 1000)!
        .devices.estimate(),
    ).toBeGreaterThan(19_000);
  });

  it('counts values past 200 per dimension as (other) across objects', () => {
    const summaries = Array.from({ length: 6 }, (_, o) =>
      summaryOfEvents(120, i => ({
        eventId: `o${o}-${i}`,
        ts: iso(START + i),
        currency: o === 3 && i === 0 ? '(other)' : `X${o * 60 + i}`,
      })),
    );
    const native = roll(summaries) as Buffer;
    expect(native.toString('latin1')).toContain('"(other)":');
    expect(Buffer.compare(native, jsRollUp(summaries))).toBe(0);
  });

  const oneEvent = (extra: Record<string, unknown>) =>
    jsSummary(
      Buffer.from(JSON.stringify({ eventId: 'e', ts: iso(START), ...extra })),
    );

  it.each([
    [
      'a dimension value of digits (JavaScript objects order those first)',
      [oneEvent({ status: 'ok' }), oneEvent({ eventId: 'f', status: '404' })],
      RollupDeclined.Format,
    ],
    [
      'an escaped fingerprint',
      [encodeSummary({ ...decodeSummary(oneEvent({}))!, fingerprint: 'a"b' })],
      RollupDeclined.Format,
    ],
    [
      'quantile sketches that would fold bins once merged',
      [
        oneEvent({ amount: 0.000001 }),
        oneEvent({ eventId: 'f', amount: 1e14 }),
      ],
      RollupDeclined.Sketch,
    ],
    [
      'events spread over more than 1,024 minutes and hours',
      [
        summaryOfEvents(1100, i => ({
          eventId: `e${i}`,
          ts: iso(START + i * 60_000),
        })),
      ],
      RollupDeclined.Spread,
    ],
  ])('leaves %s to the TypeScript', (_, summaries, reason) => {
    expect(roll(summaries)).toBe(reason);
    expect(() => jsRollUp(summaries)).not.toThrow();
  });

  /** `encoded` with its header's JSON text edited, and its blobs as they are or as `blobs` makes them. */
  function edited(
    encoded: Buffer,
    text: (json: string) => string,
    blobs: (all: Buffer) => Buffer = all => all,
  ) {
    const length = encoded.readUInt32LE(0);
    const json = Buffer.from(
      text(encoded.subarray(4, 4 + length).toString('utf8')),
    );
    const size = Buffer.alloc(4);
    size.writeUInt32LE(json.length);
    return Buffer.concat([size, json, blobs(encoded.subarray(4 + length))]);
  }

  it('rolls up summaries with mutated headers as the TypeScript does, or declines them', () => {
    // Sketches are covered by their CRCs; the header's JSON text is not.
    // Its strings hold escapes and non-ASCII text, as JSON.stringify writes
    // them, which the native code keeps as text: a mutation must not make
    // text that JSON.parse reads and the JavaScript writes otherwise.
    const random = rng(fuzzSeed(22));
    const values = ['approved', 'café', 'a\u0001b\tc', 'q"t\\', '€', ''];
    const good = jsSummary(
      Buffer.from(
        events(22, 40)
          .map((line, i) =>
            JSON.stringify({ ...JSON.parse(line), status: values[i % 6] }),
          )
          .join('\n'),
      ),
    );
    const headerEnd = 4 + good.readUInt32LE(0);
    const alphabet = Buffer.concat([
      Buffer.from('{}[]",:\\ 0123456789.-eE"tfnul()u/abx'),
      Buffer.from([0x80, 0xc3, 0xa9, 0xe2, 0xed, 0xf0, 0xff, 0x1f]),
    ]);
    const differing: string[] = [];
    let rolled = 0;
    expect(Buffer.isBuffer(roll([good]))).toBe(true);
    for (let round = 0; round < fuzzRounds(3000); round++) {
      const body = Buffer.from(good);
      body[4 + Math.floor(random() * (headerEnd - 4))] =
        alphabet[Math.floor(random() * alphabet.length)];
      const native = roll([body]);
      if (!Buffer.isBuffer(native)) continue;
      rolled++;
      // Rolled up here, it must be a summary the TypeScript reads alike.
      const decoded = decodeSummary(body);
      if (!decoded || !native.equals(encodeSummary(rollUp([decoded])))) {
        differing.push(body.subarray(4, headerEnd).toString('latin1'));
      }
    }
    expect(differing.slice(0, 1)).toEqual([]);
    expect(rolled).toBeGreaterThan(500);
  });

  it('reads sketches damaged under a valid checksum as the TypeScript does, or declines them', () => {
    // Bytes of one sketch changed and its CRC-32 made right again: what the
    // TypeScript decoder rejects, the native code must decline.
    const random = rng(fuzzSeed(23));
    // Three minutes of events: a dozen sketches, sparse and denser.
    const good = jsSummary(
      Buffer.from(
        events(23, 300)
          .map((line, i) =>
            JSON.stringify({ ...JSON.parse(line), ts: iso(START + i * 500) }),
          )
          .join('\n'),
      ),
    );
    const blobs: Array<[number, number]> = [];
    for (let at = 4 + good.readUInt32LE(0); at < good.length; ) {
      const end = at + 4 + good.readUInt32LE(at);
      blobs.push([at + 4, end]);
      at = end;
    }
    const typescript = (body: Buffer) => {
      try {
        return jsRollUp([body]);
      } catch {
        return undefined; // a sketch that does not decode
      }
    };
    const differing: number[] = [];
    let rolled = 0;
    let rejected = 0;
    for (let round = 0; round < fuzzRounds(2000); round++) {
      const body = Buffer.from(good);
      const [from, to] = blobs[Math.floor(random() * blobs.length)];
      const at = from + Math.floor(random() * (to - from - 4));
      body[at] =
        random() < 0.5
          ? body[at] ^ (1 << Math.floor(random() * 8))
          : Math.floor(random() * 256);
      body.writeUInt32LE(crc32(body.subarray(from, to - 4)), to - 4);
      const native = roll([body]);
      const expected = typescript(body);
      if (!expected) rejected++;
      if (!Buffer.isBuffer(native)) continue;
      rolled++;
      if (!expected || !native.equals(expected)) differing.push(round);
    }
    expect(differing).toEqual([]);
    expect(rolled).toBeGreaterThan(300);
    expect(rejected).toBeGreaterThan(300);
  });

  it('declines what JSON.parse would read as the last of two: a minute or a value twice', () => {
    const one = oneEvent({ status: 'ok', amount: 2 });
    const minuteTwice = edited(
      one,
      json => json.replace(/"m":\[(.*)\]\}$/, '"m":[$1,$1]}'),
      all => Buffer.concat([all, all]),
    );
    const valueTwice = edited(one, json =>
      json.replace('{"ok":1}', '{"ok":1,"ok":5}'),
    );
    for (const summary of [minuteTwice, valueTwice]) {
      expect(decodeSummary(summary)).toBeDefined();
      expect(roll([summary])).toBe(RollupDeclined.Format);
      expect(() => jsRollUp([summary])).not.toThrow();
    }
    // The edits themselves keep a summary as it was.
    expect(
      Buffer.compare(
        edited(one, json => json),
        one,
      ),
    ).toBe(0);
    expect(Buffer.isBuffer(roll([one]))).toBe(true);
  });

  it('declines damaged summaries, or reads them as the TypeScript does', () => {
    const good = oneEvent({ amount: 5 });
    const outcomes = Array.from({ length: good.length }, (_, at) => {
      const damaged = Buffer.from(good);
      damaged[at] ^= 0x20;
      const native = roll([damaged]);
      // Damage the header's text can take (a letter's case in a value)
      // must give the TypeScript's bytes.
      if (!Buffer.isBuffer(native)) return native;
      return native.equals(jsRollUp([damaged])) ? 'same' : 'different';
    });
    expect(
      outcomes.filter(o => o !== 'same' && o !== RollupDeclined.Format),
    ).toEqual([]);
    // Every blob byte is checked (CRC-32), and nearly every header byte.
    expect(
      outcomes.filter(o => o === RollupDeclined.Format).length,
    ).toBeGreaterThan(good.length * 0.9);
    expect(roll([good.subarray(0, good.length - 1)])).toBe(
      RollupDeclined.Format,
    );
  });
});
