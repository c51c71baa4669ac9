import { crc32 } from 'node:zlib';
import { HyperLogLog } from './HyperLogLog';
import { QuantileSketch } from './QuantileSketch';
import { SketchFormatError } from './binaryCodec';

const relativeError = (estimate: number, exact: number) =>
  exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / exact;

function sketchOf(from: number, to: number, prefix = 'device') {
  const sketch = new HyperLogLog();
  for (let i = from; i < to; i++) sketch.add(`${prefix}-${i}`);
  return sketch;
}

/** Re-signs a hand-edited encoding so only the structural checks can fail. */
function withChecksum(body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 4);
  out.set(body);
  out.writeUInt32LE(crc32(body), body.length);
  return out;
}

describe('HyperLogLog', () => {
  it('estimates cardinalities from 0 to 1,000,000 within 2 %', () => {
    // One sketch grown through every checkpoint; p = 14 has a standard
    // error of 0.81 %, so 2 % is ~2.5 sigma for the HyperLogLog range, and
    // linear counting is far tighter below m/2 = 8,192.
    const checkpoints = [0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
    const sketch = new HyperLogLog();
    let added = 0;
    for (const n of checkpoints) {
      for (; added < n; added++) sketch.add(`device-${added}`);
      expect(relativeError(sketch.estimate(), n)).toBeLessThanOrEqual(0.02);
    }
  });

  it('is (near-)exact for tiny sets', () => {
    for (const n of [1, 2, 5, 10, 20]) {
      expect(Math.round(sketchOf(0, n).estimate())).toBe(n);
    }
    expect(new HyperLogLog().estimate()).toBe(0);
  });

  it('has the expected error over independent trials', () => {
    // RMS over 20 hash-independent sets of 50,000 (the range where neither
    // linear counting nor saturation helps): theory says ~0.81 %.
    let squares = 0;
    for (let trial = 0; trial < 20; trial++) {
      const estimate = sketchOf(0, 50_000, `trial${trial}`).estimate();
      squares += relativeError(estimate, 50_000) ** 2;
    }
    expect(Math.sqrt(squares / 20)).toBeLessThan(0.012);
  });

  it('ignores duplicates', () => {
    const sketch = sketchOf(0, 5_000);
    const estimate = sketch.estimate();
    const encoded = sketch.toBuffer();
    for (let round = 0; round < 3; round++) {
      for (let i = 4_999; i >= 0; i--) sketch.add(`device-${i}`);
    }
    expect(sketch.estimate()).toBe(estimate);
    expect(sketch.toBuffer()).toEqual(encoded);
  });

  it('estimates the union of overlapping sets within 2 %', () => {
    const a = sketchOf(0, 60_000);
    const b = sketchOf(40_000, 100_000);
    a.merge(b);
    expect(relativeError(a.estimate(), 100_000)).toBeLessThanOrEqual(0.02);

    const small = sketchOf(0, 300);
    small.merge(sketchOf(200, 500));
    expect(relativeError(small.estimate(), 500)).toBeLessThanOrEqual(0.02);
  });

  it('merges commutatively into the sketch of the union, register for register', () => {
    const cases: Array<[[number, number], [number, number]]> = [
      [
        [0, 150],
        [100, 250],
      ], // sparse + sparse
      [
        [0, 200],
        [100, 30_000],
      ], // sparse + dense
      [
        [0, 20_000],
        [10_000, 40_000],
      ], // dense + dense
    ];
    for (const [[a0, a1], [b0, b1]] of cases) {
      const ab = sketchOf(a0, a1);
      ab.merge(sketchOf(b0, b1));
      const ba = sketchOf(b0, b1);
      ba.merge(sketchOf(a0, a1));
      const union = sketchOf(Math.min(a0, b0), Math.max(a1, b1));
      expect(ab.toBuffer()).toEqual(union.toBuffer());
      expect(ba.toBuffer()).toEqual(union.toBuffer());
      expect(ab.estimate()).toBe(union.estimate());
    }
  });

  it('refuses to merge sketches of different precision', () => {
    expect(() => new HyperLogLog(14).merge(new HyperLogLog(12))).toThrow(
      'different precision (14 and 12)',
    );
    expect(() => new HyperLogLog(3)).toThrow(RangeError);
    expect(() => new HyperLogLog(19)).toThrow(RangeError);
  });

  it('round-trips sparse and dense encodings exactly', () => {
    for (const n of [0, 1, 100, 1_000, 5_000, 100_000]) {
      const sketch = sketchOf(0, n);
      const encoded = sketch.toBuffer();
      const decoded = HyperLogLog.fromBuffer(encoded);
      expect(decoded.precision).toBe(14);
      expect(decoded.estimate()).toBe(sketch.estimate());
      expect(decoded.toBuffer()).toEqual(encoded);
      // A decoded sketch keeps working.
      decoded.add('one more value');
      sketch.add('one more value');
      expect(decoded.estimate()).toBe(sketch.estimate());
    }
    for (const p of [4, 10, 18]) {
      const sketch = new HyperLogLog(p);
      for (let i = 0; i < 3_000; i++) sketch.add(`v${i}`);
      expect(HyperLogLog.fromBuffer(sketch.toBuffer()).toBuffer()).toEqual(
        sketch.toBuffer(),
      );
    }
  });

  it('merges decoded sketches, and into them, as the sketches they were encoded from', () => {
    const decode = (sketch: HyperLogLog) =>
      HyperLogLog.fromBuffer(sketch.toBuffer());
    // Sparse (100), past m/32 but encoded sparsely (1,000), dense (50,000).
    const sizes = [100, 1_000, 50_000];
    for (const a of sizes) {
      for (const b of sizes) {
        const left = sketchOf(0, a, 'l');
        const right = sketchOf(0, b, 'r');
        const want = sketchOf(0, a, 'l');
        want.merge(right);
        const into = sketchOf(0, a, 'l');
        into.merge(decode(right));
        expect(into.toBuffer()).toEqual(want.toBuffer());
        const decodedInto = decode(left);
        decodedInto.merge(decode(right));
        expect(decodedInto.toBuffer()).toEqual(want.toBuffer());
        expect(decodedInto.estimate()).toBe(want.estimate());
        // As a rollup merges them: into a new sketch, one after another.
        const fresh = new HyperLogLog();
        fresh.merge(decode(left));
        fresh.merge(decode(right));
        expect(fresh.toBuffer()).toEqual(want.toBuffer());
        fresh.add('one more value');
        want.add('one more value');
        expect(fresh.toBuffer()).toEqual(want.toBuffer());
      }
    }
  });

  it('encodes small sketches sparsely and large ones in 6 bits per register', () => {
    expect(new HyperLogLog().toBuffer().length).toBeLessThanOrEqual(10);
    expect(sketchOf(0, 100).toBuffer().length).toBeLessThan(300);
    expect(sketchOf(0, 1_000).toBuffer().length).toBeLessThan(2_500);
    expect(sketchOf(0, 100_000).toBuffer().length).toBe(4 + 12_288 + 4);
  });

  it('rejects corrupt or foreign buffers with a clear error', () => {
    const encoded = sketchOf(0, 100).toBuffer();
    const flipped = Buffer.from(encoded);
    flipped[20] ^= 0x10;
    expect(() => HyperLogLog.fromBuffer(flipped)).toThrow(/checksum mismatch/);
    expect(() => HyperLogLog.fromBuffer(encoded.subarray(0, 50))).toThrow(
      SketchFormatError,
    );
    expect(() => HyperLogLog.fromBuffer(Buffer.alloc(0))).toThrow(/too short/);
    expect(() =>
      HyperLogLog.fromBuffer(new QuantileSketch().toBuffer()),
    ).toThrow(/not a HyperLogLog encoding/);

    const body = Uint8Array.from(encoded.subarray(0, encoded.length - 4));
    body[1] = 99;
    expect(() => HyperLogLog.fromBuffer(withChecksum(body))).toThrow(
      /unsupported encoding version 99/,
    );
    // Checksummed but structurally wrong: bad precision, zero rank, extra bytes.
    expect(() =>
      HyperLogLog.fromBuffer(withChecksum(Uint8Array.of(0x48, 1, 30, 0, 0))),
    ).toThrow(/precision 30 out of range/);
    expect(() =>
      HyperLogLog.fromBuffer(
        withChecksum(Uint8Array.of(0x48, 1, 14, 0, 1, 64)),
      ),
    ).toThrow(/invalid sparse register/);
    expect(() =>
      HyperLogLog.fromBuffer(withChecksum(Uint8Array.of(0x48, 1, 14, 0, 0, 7))),
    ).toThrow(/trailing bytes/);
    const dense = Buffer.from(sketchOf(0, 100_000).toBuffer());
    const denseBody = Uint8Array.from(dense.subarray(0, dense.length - 4));
    denseBody[4] = 0xff; // first register = 63 > 51
    expect(() => HyperLogLog.fromBuffer(withChecksum(denseBody))).toThrow(
      /register 0 holds 63/,
    );
  });
});
