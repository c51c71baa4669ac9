import { IsoTimeParser } from './isoTime';

/** Both ways in: the text, and its bytes inside a larger buffer. */
function parsers() {
  const strings = new IsoTimeParser();
  const bytes = new IsoTimeParser();
  return {
    parse: (text: string) => strings.parse(text),
    parseBytes: (text: string) => {
      const line = Buffer.from(`{"ts":"${text}"}`, 'latin1');
      return bytes.parseBytes(line, 7, 7 + text.length);
    },
  };
}

describe('IsoTimeParser', () => {
  it('agrees with Date.parse on canonical timestamps across minutes, days and years', () => {
    const { parse, parseBytes } = parsers();
    let ms = Date.parse('2026-12-31T23:58:00.000Z');
    for (let i = 0; i < 5_000; i++) {
      ms += Math.floor(Math.random() * 2_000);
      const text = new Date(ms).toISOString();
      expect(parse(text)).toBe(Date.parse(text));
      expect(parseBytes(text)).toBe(Date.parse(text));
    }
    // Interleaved days, as late events in one object are.
    for (let i = 0; i < 2_000; i++) {
      const text = new Date(
        ms - Math.floor(Math.random() * 3 * 86_400_000),
      ).toISOString();
      expect(parse(text)).toBe(Date.parse(text));
      expect(parseBytes(text)).toBe(Date.parse(text));
    }
  });

  it.each([
    '2026-11-20T09:59:12Z',
    '2026-11-20T09:59:12.3Z',
    '2026-11-20T10:59:12.345+01:00',
    '2026-11-20',
    // Date.parse's own leniency is kept, whatever it is.
    '2026-02-30T10:00:00.000Z',
    '2026-01-01T24:00:00.000Z',
    '2026-01-01T23:60:00.000Z',
    '2026-11-20T09:59:60.000Z',
    '2026-11-20T09:59:7x.345Z',
    '2026-13-20T09:59:12.345Z',
    'not a time at all, but 24Z',
    '+02026-11-20T09:59:12.3Z',
  ])('gives what Date.parse gives for %j', text => {
    const { parse, parseBytes } = parsers();
    const expected = Date.parse(text);
    expect(parse(text)).toBe(expected);
    expect(parseBytes(text)).toBe(expected);
  });

  it('does not cache a bad day as if it were good', () => {
    const { parse, parseBytes } = parsers();
    const good = '2026-11-20T09:59:12.345Z';
    for (const parseAny of [parse, parseBytes]) {
      expect(parseAny('2026-13-20T09:59:12.345Z')).toBeNaN();
      expect(parseAny(good)).toBe(Date.parse(good));
      expect(parseAny('2026-13-20T09:59:12.345Z')).toBeNaN();
    }
  });
});
