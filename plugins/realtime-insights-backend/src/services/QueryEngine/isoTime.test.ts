import { IsoTimeParser } from './isoTime';

describe('IsoTimeParser', () => {
  it('agrees with Date.parse on canonical timestamps across minutes, days and years', () => {
    const parser = new IsoTimeParser();
    let ms = Date.parse('2026-12-31T23:58:00.000Z');
    for (let i = 0; i < 5_000; i++) {
      ms += Math.floor(Math.random() * 2_000);
      const text = new Date(ms).toISOString();
      expect(parser.parse(text)).toBe(Date.parse(text));
    }
  });

  it('falls back to Date.parse for other forms and rejects garbage', () => {
    const parser = new IsoTimeParser();
    for (const text of [
      '2026-11-20T09:59:12Z',
      '2026-11-20T09:59:12.3Z',
      '2026-11-20T10:59:12.345+01:00',
      '2026-11-20',
    ]) {
      expect(parser.parse(text)).toBe(Date.parse(text));
    }
    expect(parser.parse('2026-11-20T09:59:12.345Z')).toBe(
      Date.parse('2026-11-20T09:59:12.345Z'),
    );
    expect(parser.parse('2026-11-20T09:59:7x.345Z')).toBeNaN();
    expect(parser.parse('2026-13-20T09:59:12.345Z')).toBeNaN();
    expect(parser.parse('not a time at all, but 24Z')).toBeNaN();
    // A bad minute is not cached as if it were good.
    expect(parser.parse('2026-11-20T09:59:12.345Z')).toBe(
      Date.parse('2026-11-20T09:59:12.345Z'),
    );
  });
});
