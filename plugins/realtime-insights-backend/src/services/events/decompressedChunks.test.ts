import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  decompressedWhole,
  readAll,
  readWhole,
  releaseViews,
} from './decompressedChunks';
import { rng } from '../../__testUtils__/random';

function ndjson(lines: number, seed: number): Buffer {
  const random = rng(seed);
  return Buffer.from(
    Array.from(
      { length: lines },
      (_, i) =>
        `${JSON.stringify({ i, device: `d-${Math.floor(random() * 1e6)}` })}\n`,
    ).join(''),
  );
}

describe('decompressedWhole', () => {
  it('inflates an object into one buffer of its size', () => {
    const text = ndjson(20_000, 1);
    const body = gzipSync(text);
    // One piece, sized from the gzip trailer: not 16 KiB pieces copied
    // together (twice the memory, for a moment).
    const concat = jest.spyOn(Buffer, 'concat');
    try {
      const bytes = decompressedWhole(body);
      expect(bytes.equals(text)).toBe(true);
      expect(bytes.buffer.byteLength).toBeLessThanOrEqual(text.length + 1);
      expect(concat).not.toHaveBeenCalled();
    } finally {
      concat.mockRestore();
    }
  });

  it('reads every member of a multi-member object, though the trailer gives only the last size', () => {
    const parts = [ndjson(5000, 2), ndjson(10, 3)];
    const body = Buffer.concat(parts.map(p => gzipSync(p)));
    expect(decompressedWhole(body).equals(Buffer.concat(parts))).toBe(true);
  });

  it('returns bytes that are not gzip as they are', () => {
    const text = ndjson(10, 4);
    expect(decompressedWhole(text)).toBe(text);
  });

  it('throws on a wrong size in the trailer and on a truncated object', () => {
    const body = gzipSync(ndjson(1000, 5));
    const lying = Buffer.from(body);
    lying.writeUInt32LE(0xffffffff, lying.length - 4);
    expect(() => decompressedWhole(lying)).toThrow();
    expect(() => decompressedWhole(body.subarray(0, body.length - 9))).toThrow(
      /unexpected end/,
    );
  });
});

describe('readAll', () => {
  it('gives a buffer of its own, which can be freed without touching the source', async () => {
    const shared = ndjson(1000, 6);
    const copy = Buffer.from(shared);
    const one = await readAll(Readable.from([shared]));
    const parts = await readAll(
      Readable.from([shared.subarray(0, 100), shared.subarray(100)]),
    );
    expect(one.equals(copy)).toBe(true);
    expect(parts.equals(copy)).toBe(true);
    releaseViews(one, parts);
    expect(one.length).toBe(0);
    expect(parts.length).toBe(0);
    expect(shared.equals(copy)).toBe(true);
  });
});

describe('readWhole', () => {
  it('gives a sole chunk as it came, joins several, and nothing for a broken body', async () => {
    const bytes = ndjson(100, 7);
    expect(await readWhole(Readable.from([bytes]))).toBe(bytes);
    const parts = await readWhole(
      Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]),
    );
    expect(parts?.equals(bytes)).toBe(true);
    const broken = Readable.from(
      (async function* breaking() {
        yield bytes.subarray(0, 10);
        throw new Error('connection reset');
      })(),
    );
    expect(await readWhole(broken)).toBeUndefined();
  });
});

describe('releaseViews', () => {
  it('frees buffers a view covers whole, and leaves slices of larger ones', () => {
    const whole = Buffer.from(new ArrayBuffer(1000));
    const shared = Buffer.alloc(1000);
    const slice = shared.subarray(10, 20);
    const small = Buffer.from('pooled'); // a slice of Node's shared pool
    releaseViews(whole, slice, small);
    expect(whole.length).toBe(0);
    expect(slice.length).toBe(10);
    expect(shared.length).toBe(1000);
    expect(small.toString()).toBe('pooled');
  });
});
