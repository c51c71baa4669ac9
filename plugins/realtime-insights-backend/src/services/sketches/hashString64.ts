// Module-level aliases: inside a vm context (jest) every global lookup such as
// `Math.imul` goes through an interceptor and costs ~100 ns.
const imul = Math.imul;

const SEED_1 = 0x9747b28c;
const SEED_2 = 0x3c6ef372;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const C3 = 0x239b961b;
const C4 = 0xab0e9789;

const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/**
 * A fast, non-cryptographic 64-bit hash of a string's UTF-8 bytes, for
 * HyperLogLog. Two 32-bit lanes consume the input four bytes at a time with
 * multiply-rotate mixing (the MurmurHash3 block structure, with a second lane
 * on its own constants), then are cross-mixed and avalanched at the end, so
 * every output bit depends on every input bit. Everything stays in 32-bit
 * integer arithmetic (`Math.imul`), which V8 compiles to machine
 * instructions — BigInt or node:crypto cost several times more per call.
 *
 * The output is written into `out` (high word, low word) rather than returned,
 * so the hot path allocates nothing.
 */
export function hashString64(value: string, out: Uint32Array): void {
  const length = value.length;
  if (scratch.length < length * 3) {
    scratch = new Uint8Array(Math.max(scratch.length * 2, length * 3));
  }
  // ASCII (the common case) is copied byte for byte; anything else goes
  // through the native UTF-8 encoder, so both paths hash the same bytes.
  let i = 0;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) break;
    scratch[i] = c;
  }
  const byteLength =
    i === length ? length : encoder.encodeInto(value, scratch).written;
  hashBytes64(scratch, 0, byteLength, out);
}

/**
 * {@link hashString64} of the bytes `bytes[from, to)`: the same hash as of
 * the string whose UTF-8 encoding they are.
 */
export function hashBytes64(
  bytes: Uint8Array,
  from: number,
  to: number,
  out: Uint32Array,
): void {
  let h1 = SEED_1;
  let h2 = SEED_2;
  const length = to - from;
  const blocksEnd = from + (length & ~3);
  let i = from;
  for (; i < blocksEnd; i += 4) {
    const k =
      bytes[i] |
      (bytes[i + 1] << 8) |
      (bytes[i + 2] << 16) |
      (bytes[i + 3] << 24);
    let k1 = imul(k, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= imul(k1, C2);
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (imul(h1, 5) + 0xe6546b64) | 0;

    let k2 = imul(k, C3);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= imul(k2, C4);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (imul(h2, 5) + 0x561ccd1b) | 0;
  }
  const tail = to - blocksEnd;
  if (tail > 0) {
    let k = bytes[i];
    if (tail > 1) k |= bytes[i + 1] << 8;
    if (tail > 2) k |= bytes[i + 2] << 16;
    let k1 = imul(k, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= imul(k1, C2);
    let k2 = imul(k, C3);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= imul(k2, C4);
  }
  h1 ^= length;
  h2 ^= length;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = avalanche(h1);
  h2 = avalanche(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
}

/** Final mix: each input bit flips each output bit with probability ~1/2. */
function avalanche(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}
