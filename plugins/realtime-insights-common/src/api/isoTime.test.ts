import { isoTimeSchema, parseIsoTime } from './isoTime';

/** mulberry32: a seeded generator for the property test. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseIsoTime', () => {
  it.each([
    ['2026-10-05T10:00:00Z', '2026-10-05T10:00:00.000Z'],
    ['2026-10-05T10:00Z', '2026-10-05T10:00:00.000Z'],
    ['2026-10-05T10:00:00.5Z', '2026-10-05T10:00:00.500Z'],
    ['2026-10-05T10:00:00.123456789Z', '2026-10-05T10:00:00.123Z'],
    ['2026-10-05T12:30:00+02:30', '2026-10-05T10:00:00.000Z'],
    ['2026-10-05T12:30:00+0230', '2026-10-05T10:00:00.000Z'],
    ['2026-10-05T00:00:00-23:59', '2026-10-05T23:59:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %s', (text, instant) => {
    expect(new Date(parseIsoTime(text)!).toISOString()).toBe(instant);
  });

  it.each([
    '2026-10-05T10:00:00+24:00',
    '2026-10-05T10:00:00+2400',
    '2026-10-05T10:00:00+99:99',
    '2026-10-05T10:00:00+05:60',
    '2026-02-29T00:00:00Z',
    '2026-02-30T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-10-00T10:00:00Z',
    '2026-10-05T24:00:00Z',
    '2026-10-05T10:60:00Z',
    '2026-10-05T10:00:60Z',
    '2026-10-05T10:00:00',
    '2026-10-05 10:00:00Z',
    'yesterday',
    '',
  ])('refuses %s', text => {
    expect(parseIsoTime(text)).toBeUndefined();
    expect(isoTimeSchema.safeParse(text).success).toBe(false);
  });

  it('agrees with Date.parse on every time it reads (property, seeded)', () => {
    const random = rng(Number(process.env.RTI_PROPERTY_SEED ?? 7));
    const rounds = Number(process.env.RTI_PROPERTY_ROUNDS ?? 2000);
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    for (let i = 0; i < rounds; i++) {
      const pick = (n: number) => Math.floor(random() * n);
      const date = `${pad(1970 + pick(100), 4)}-${pad(1 + pick(12))}-${pad(
        1 + pick(28),
      )}`;
      const time = `${pad(pick(24))}:${pad(pick(60))}:${pad(pick(60))}.${pad(
        pick(1000),
        3,
      )}`;
      const sign = random() < 0.5 ? '+' : '-';
      const zone =
        random() < 0.3 ? 'Z' : `${sign}${pad(pick(24))}:${pad(pick(60))}`;
      const text = `${date}T${time}${zone}`;
      expect({ text, ms: parseIsoTime(text) }).toEqual({
        text,
        ms: Date.parse(text),
      });
    }
  });
});
