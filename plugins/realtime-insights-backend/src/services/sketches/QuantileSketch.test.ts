import { crc32 } from 'node:zlib';
import { HyperLogLog } from './HyperLogLog';
import { QuantileSketch } from './QuantileSketch';
import { SketchFormatError } from './binaryCodec';

/** Seeded PRNG (32-bit xorshift-multiply) so every run sees the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(next: () => number): () => number {
  return () =>
    Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

const datasets: Record<string, (n: number) => number[]> = {
  uniform: n => {
    const next = random(1);
    return Array.from({ length: n }, () => next() * 1_000);
  },
  'log-normal latencies': n => {
    const next = normal(random(2));
    return Array.from({ length: n }, () => Math.exp(3 + 1.2 * next()));
  },
  'sensor readings with negatives and zeros': n => {
    const next = normal(random(3));
    const coin = random(4);
    return Array.from({ length: n }, () =>
      coin() < 0.1 ? 0 : Math.round(next() * 1_500) / 100,
    );
  },
  constant: n => new Array<number>(n).fill(42.5),
};

const QUANTILES = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

/** Lower quantile: the value of rank floor(q(n-1)) in sorted order. */
const exactQuantile = (sorted: number[], q: number) =>
  sorted[Math.floor(q * (sorted.length - 1))];

function expectWithin(estimate: number, exact: number, alpha: number) {
  // alpha, plus float rounding in log/exp at bin boundaries.
  expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(
    alpha * Math.abs(exact) + 1e-9 * Math.abs(exact),
  );
}

function sketchOf(values: number[], alpha = 0.01, maxBins?: number) {
  const sketch = new QuantileSketch(alpha, maxBins);
  for (const value of values) sketch.add(value);
  return sketch;
}

const sumOf = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('QuantileSketch', () => {
  describe.each(Object.entries(datasets))('on %s', (_name, generate) => {
    const values = generate(20_000);
    const sorted = [...values].sort((a, b) => a - b);

    it('answers quantiles within 1 % of the exact ones', () => {
      const sketch = sketchOf(values);
      for (const q of [
        ...QUANTILES,
        ...Array.from({ length: 101 }, (_, i) => i / 100),
      ]) {
        expectWithin(sketch.quantile(q), exactQuantile(sorted, q), 0.01);
      }
      expect(sketch.quantile(0)).toBe(sorted[0]);
      expect(sketch.quantile(1)).toBe(sorted[sorted.length - 1]);
    });

    it('keeps count, min and max exact and sum to float precision', () => {
      const sketch = sketchOf(values);
      expect(sketch.count).toBe(values.length);
      expect(sketch.min).toBe(sorted[0]);
      expect(sketch.max).toBe(sorted[sorted.length - 1]);
      expect(sketch.sum).toBeCloseTo(sumOf(values), 6);
    });

    it('merges into the sketch of all values', () => {
      const whole = sketchOf(values);
      const a = sketchOf(values.filter((_, i) => i % 3 === 0));
      const b = sketchOf(values.filter((_, i) => i % 3 !== 0));
      a.merge(b);
      for (const q of QUANTILES) expect(a.quantile(q)).toBe(whole.quantile(q));
      expect(a.count).toBe(whole.count);
      expect(a.min).toBe(whole.min);
      expect(a.max).toBe(whole.max);
      expect(a.sum).toBeCloseTo(whole.sum, 6);
      expect(a.binCount).toBe(whole.binCount);
    });

    it('round-trips its encoding exactly', () => {
      const sketch = sketchOf(values);
      const encoded = sketch.toBuffer();
      const decoded = QuantileSketch.fromBuffer(encoded);
      for (const q of QUANTILES) {
        expect(decoded.quantile(q)).toBe(sketch.quantile(q));
      }
      expect([decoded.count, decoded.min, decoded.max, decoded.sum]).toEqual([
        sketch.count,
        sketch.min,
        sketch.max,
        sketch.sum,
      ]);
      expect(decoded.toBuffer()).toEqual(encoded);
    });
  });

  it('keeps sum exact on integer data, across merges', () => {
    const next = random(9);
    const values = Array.from({ length: 10_000 }, () =>
      Math.floor((next() - 0.3) * 1e6),
    );
    const a = sketchOf(values.slice(0, 4_000));
    a.merge(sketchOf(values.slice(4_000)));
    expect(a.sum).toBe(sumOf(values));
    expect(a.toBuffer()).toEqual(sketchOf(values).toBuffer());
  });

  it('encodes 1,000 log-normal latencies compactly', () => {
    const sketch = sketchOf(datasets['log-normal latencies'](1_000));
    // ~2 bytes per non-empty bin plus a 47-byte header and trailer.
    expect(sketch.toBuffer().length).toBeLessThan(2 * sketch.binCount + 64);
  });

  it('bounds its bins on extreme spreads, keeping the high quantiles', () => {
    const next = random(5);
    // Log-uniform over 600 orders of magnitude, both signs: ~69,000 bins a side
    // uncapped.
    const values = Array.from({ length: 50_000 }, () => {
      const magnitude = 10 ** (next() * 600 - 300);
      return next() < 0.5 ? -magnitude : magnitude;
    });
    const sorted = [...values].sort((a, b) => a - b);
    const sketch = sketchOf(values);
    expect(sketch.binCount).toBeLessThanOrEqual(2 * 2048);
    // The top 2,048 positive bins span 10^17.8, i.e. ~3 % of these ranks.
    for (const q of [0.99, 0.995, 0.999, 1]) {
      expectWithin(sketch.quantile(q), exactQuantile(sorted, q), 0.01);
    }
    expect(sketch.quantile(0)).toBe(sorted[0]);
    expect(sketch.count).toBe(values.length);
    const decoded = QuantileSketch.fromBuffer(sketch.toBuffer());
    expect(decoded.quantile(0.99)).toBe(sketch.quantile(0.99));
    expect(decoded.binCount).toBe(sketch.binCount);

    const small = sketchOf(values, 0.01, 64);
    expect(small.binCount).toBeLessThanOrEqual(2 * 64);
    expect(small.quantile(1)).toBe(sorted[sorted.length - 1]);
    const quantiles = QUANTILES.map(q => small.quantile(q));
    expect([...quantiles].sort((a, b) => a - b)).toEqual(quantiles);
  });

  it('ignores NaN and infinities, weights counts, and is NaN when empty', () => {
    const sketch = new QuantileSketch();
    expect(sketch.quantile(0.5)).toBeNaN();
    expect([sketch.count, sketch.min, sketch.max, sketch.sum]).toEqual([
      0,
      NaN,
      NaN,
      0,
    ]);
    sketch.add(NaN);
    sketch.add(Infinity);
    sketch.add(-Infinity);
    sketch.add(5, 0);
    expect(sketch.count).toBe(0);

    sketch.add(5, 3);
    sketch.add(-1);
    const unweighted = sketchOf([5, 5, 5, -1]);
    expect(sketch.toBuffer()).toEqual(unweighted.toBuffer());
    expect(sketch.quantile(0)).toBe(-1);
    expect(sketch.quantile(0.5)).toBeCloseTo(5, 1);

    expect(() => sketch.add(1, -1)).toThrow(RangeError);
    expect(() => sketch.add(1, 1.5)).toThrow(RangeError);
    expect(() => sketch.quantile(1.01)).toThrow(RangeError);
    expect(() => sketch.quantile(NaN)).toThrow(RangeError);
    expect(() => new QuantileSketch(0)).toThrow(RangeError);
    expect(
      QuantileSketch.fromBuffer(new QuantileSketch().toBuffer()).count,
    ).toBe(0);
  });

  it('refuses to merge sketches of different accuracy', () => {
    expect(() =>
      new QuantileSketch(0.01).merge(new QuantileSketch(0.02)),
    ).toThrow('different relative accuracy (0.01 and 0.02)');
  });

  it('rejects corrupt or foreign buffers with a clear error', () => {
    const encoded = sketchOf(datasets.uniform(500)).toBuffer();
    const flipped = Buffer.from(encoded);
    flipped[30] ^= 0x01;
    expect(() => QuantileSketch.fromBuffer(flipped)).toThrow(
      /checksum mismatch/,
    );
    expect(() => QuantileSketch.fromBuffer(encoded.subarray(0, 40))).toThrow(
      SketchFormatError,
    );
    expect(() =>
      QuantileSketch.fromBuffer(new HyperLogLog().toBuffer()),
    ).toThrow(/not a QuantileSketch encoding/);

    // Checksummed but structurally wrong: alpha out of range, then a bin with
    // a zero count.
    const resign = (body: Uint8Array) => {
      const out = Buffer.alloc(body.length + 4);
      out.set(body);
      out.writeUInt32LE(crc32(body), body.length);
      return out;
    };
    const header = Buffer.alloc(10);
    header[0] = 0x51;
    header[1] = 1;
    header.writeDoubleLE(1.5, 2);
    expect(() =>
      QuantileSketch.fromBuffer(
        resign(Buffer.concat([header, Uint8Array.of(16, 0, 0, 0)])),
      ),
    ).toThrow(/relative accuracy 1.5 out of range/);
    header.writeDoubleLE(0.01, 2);
    expect(() =>
      QuantileSketch.fromBuffer(
        resign(Buffer.concat([header, Uint8Array.of(16, 0, 0, 1, 2, 0)])),
      ),
    ).toThrow(/invalid bin/);
  });
});
