import { hashBytes64, hashString64 } from './hashString64';

const hashOf = (value: string) => {
  const out = new Uint32Array(2);
  hashString64(value, out);
  return [out[0], out[1]];
};

describe('hashString64', () => {
  it('hashes the UTF-8 bytes, whatever the characters', () => {
    for (const value of [
      '',
      'a',
      'ascii-only',
      'café',
      '温度センサー',
      '🚀 x',
      'a\u0000b',
    ]) {
      const bytes = Buffer.from(value, 'utf8');
      const out = new Uint32Array(2);
      hashBytes64(bytes, 0, bytes.length, out);
      expect(hashOf(value)).toEqual([out[0], out[1]]);
      // The same bytes inside a larger buffer, at every alignment.
      for (let offset = 1; offset < 5; offset++) {
        const inside = Buffer.concat([
          Buffer.alloc(offset, 0x7b),
          bytes,
          Buffer.from('","x":1}'),
        ]);
        hashBytes64(inside, offset, offset + bytes.length, out);
        expect(hashOf(value)).toEqual([out[0], out[1]]);
      }
    }
  });

  it('is deterministic and separates near-identical inputs', () => {
    expect(hashOf('device-1')).toEqual(hashOf('device-1'));
    expect(hashOf('device-1')).not.toEqual(hashOf('device-2'));
    expect(hashOf('')).not.toEqual(hashOf('\u0000'));
  });

  it('sets each output bit about half the time on sequential keys', () => {
    const n = 20_000;
    const ones = new Array<number>(64).fill(0);
    for (let i = 0; i < n; i++) {
      const [high, low] = hashOf(`key-${i}`);
      for (let bit = 0; bit < 32; bit++) {
        ones[bit] += (high >>> bit) & 1;
        ones[32 + bit] += (low >>> bit) & 1;
      }
    }
    // 5 sigma of a fair coin over 20,000 draws is ~1.8 %.
    for (const count of ones)
      expect(Math.abs(count / n - 0.5)).toBeLessThan(0.02);
  });
});
