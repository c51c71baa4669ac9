import { rollUp } from './rollup';
import { HyperLogLog, QuantileSketch } from '../sketches';
import { hashString64 } from '../sketches/hashString64';
import {
  ObjectSummary,
  decodeSummary,
  emptyMinute,
  emptySummary,
  encodeSummary,
  summaryHealth,
} from './summary';

const hashesOf = (fingerprints: string[]) =>
  Uint32Array.from(
    fingerprints.flatMap(fingerprint => {
      const hash = new Uint32Array(2);
      hashString64(fingerprint, hash);
      return [...hash];
    }),
  );

/** An object summary of one minute with `events` events. */
function objectSummary(fingerprint: string, events = 3): ObjectSummary {
  const minute = emptyMinute();
  minute.count = events;
  minute.devices.add('d');
  return {
    ...emptySummary(),
    minutes: new Map([[1_795_000_000 - (1_795_000_000 % 60), minute]]),
    events,
    fingerprint,
  };
}

/** The layout of the previous release: header JSON, then blobs. */
function encodeHeader(header: object, blobs: Buffer[] = []): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n, 0);
    return b;
  };
  return Buffer.concat([
    u32(json.length),
    json,
    ...blobs.flatMap(blob => [u32(blob.length), blob]),
  ]);
}

describe('summary encoding', () => {
  it('keeps a rollup’s fingerprint hashes, 8 bytes each', () => {
    const one = rollUp([objectSummary('3:a:b:c')]);
    const three = rollUp([
      objectSummary('3:a:b:c'),
      objectSummary('3:a:b:c'), // a re-delivery: left out
      objectSummary('3:d:e:f'),
      objectSummary('4:1:2:3'),
      objectSummary(''), // no event ids: never a copy, no key
    ]);
    expect(three.rollup).toMatchObject({
      objects: 5,
      duplicateObjects: 1,
      fingerprints: hashesOf(['3:a:b:c', '3:d:e:f', '4:1:2:3']),
    });
    const decoded = decodeSummary(encodeSummary(three));
    expect(decoded?.rollup).toEqual(three.rollup);
    expect(decoded?.events).toBe(three.events);
    const perKey =
      (encodeSummary(three).length - encodeSummary(one).length) / 2;
    // Two more hashes (16 bytes) and a few more header digits.
    expect(perKey).toBeGreaterThanOrEqual(8);
    expect(perKey).toBeLessThan(10);
  });

  it('reads a previous release’s rollup as a miss and its object summaries as they were', () => {
    const header = {
      v: 1,
      e: 0,
      b: 0,
      d: 0,
      c: 0,
      t: null,
      a: null,
      f: '3:a:b:c',
      m: [],
    };
    expect(decodeSummary(encodeHeader({ ...header, r: [1, 0, 0] }))).toBe(
      undefined,
    );
    expect(decodeSummary(encodeHeader(header))).toMatchObject({
      fingerprint: '3:a:b:c',
    });
    // What this release writes for an object summary is what it read.
    const object = objectSummary('3:a:b:c');
    expect(encodeSummary(object).subarray(4).toString('utf8')).toContain(
      '{"v":1,',
    );
    expect(decodeSummary(encodeSummary(object))?.fingerprint).toBe('3:a:b:c');
  });
});

describe('decodeSummary', () => {
  /** A rollup of 30 minutes, each with a device, a measure and a dimension. */
  function rollupOfMinutes() {
    return rollUp(
      Array.from({ length: 30 }, (_, i) => {
        const summary = objectSummary(`1:${i}:0:0`);
        const [[sec, minute]] = summary.minutes;
        minute.measures.set('amount', new QuantileSketch());
        minute.measures.get('amount')!.add(i + 1);
        minute.dims.set('status', new Map([['ok', 3]]));
        return { ...summary, minutes: new Map([[sec + i * 60, minute]]) };
      }),
    );
  }

  afterEach(() => jest.restoreAllMocks());

  it('decodes a minute’s sketches when first read, so hour totals cost no minutes', () => {
    const encoded = encodeSummary(rollupOfMinutes());
    const decodes = jest.spyOn(HyperLogLog, 'fromBuffer');
    const decoded = decodeSummary(encoded)!;
    expect(decodes).not.toHaveBeenCalled();
    const [hour] = decoded.hours!.values();
    expect(hour.devices.estimate()).toBeCloseTo(1, 0);
    expect(hour.measures.get('amount')!.count).toBe(30);
    expect(decodes).toHaveBeenCalledTimes(2); // the hour's devices and customers
    const minutes = [...decoded.minutes.values()];
    expect(minutes.map(m => m.measures.get('amount')!.max)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect(minutes.every(m => m.dims.get('status')!.get('ok') === 3)).toBe(
      true,
    );
    expect(decodes).toHaveBeenCalledTimes(62);
  });

  it('reads a damaged sketch as a miss at once, not when it is read', () => {
    const encoded = encodeSummary(rollupOfMinutes());
    // The last byte before the fingerprints: inside the last hour's sketch.
    const fingerprints = 30 * 8;
    const damaged = Buffer.from(encoded);
    damaged[damaged.length - fingerprints - 4 - 6] ^= 1;
    expect(decodeSummary(encoded)).toBeDefined();
    expect(decodeSummary(damaged)).toBeUndefined();
  });
});

describe('summaryHealth', () => {
  it('reads corrupt and bad lines from the header, as decoding would', () => {
    for (const summary of [
      { ...objectSummary('a'), badLines: 12 },
      { ...emptySummary(), corrupt: true },
      objectSummary('b'),
    ]) {
      const encoded = encodeSummary(summary);
      const decoded = decodeSummary(encoded)!;
      expect(summaryHealth(encoded)).toEqual({
        corrupt: decoded.corrupt,
        badLines: decoded.badLines,
      });
    }
  });

  it('gives nothing for bytes that are not a summary', () => {
    expect(summaryHealth(Buffer.from('ab'))).toBeUndefined();
    expect(summaryHealth(Buffer.from('\u0008\0\0\0{"x":1}'))).toBeUndefined();
  });
});
