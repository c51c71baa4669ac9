/**
 * A seedable source of uniform numbers in [0, 1), so that fleets and records
 * are reproducible from a seed. (`Math.random` cannot be seeded.)
 */
export type Rng = () => number;

/**
 * Creates a seeded pseudo-random generator (mulberry32: 32-bit state, fast,
 * good enough for synthetic data; not for anything security-related).
 */
export function createRng(seed: number): Rng {
  let state = hashSeed(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixes any number (including fractions and values beyond 32 bits) into a
 * well-spread 32-bit integer, so that nearby seeds give unrelated streams.
 */
export function hashSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Integer in [min, max]. */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Standard normal deviate (Box–Muller). */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  const u = 1 - rng(); // (0, 1], keeps log finite
  const v = rng();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal deviate given its median and the sd of its logarithm. */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(normal(rng, 0, sigma));
}

/** Poisson deviate (Knuth's method; fine for the small means used here). */
export function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

/** Picks one of `items` with probability proportional to its weight. */
export function pickWeighted<T>(
  rng: Rng,
  items: readonly (readonly [T, number])[],
): T {
  let total = 0;
  for (const [, weight] of items) total += weight;
  let r = rng() * total;
  for (const [item, weight] of items) {
    r -= weight;
    if (r < 0) return item;
  }
  return items[items.length - 1][0];
}

/** Picks one item uniformly. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/** Lower-case hex string of `length` random digits. */
export function randomHex(rng: Rng, length: number): string {
  let out = '';
  while (out.length < length) {
    out += Math.floor(rng() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  }
  return out.slice(0, length);
}
