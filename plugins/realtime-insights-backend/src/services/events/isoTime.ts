/** A digit's value, or a number above 9 when the code is no digit. */
const digit = (code: number) => (code - 48) >>> 0;

/**
 * Parses event timestamps quickly, from strings or straight from bytes.
 * Events carry UTC ISO-8601 timestamps (`2026-11-20T09:59:12.345Z`,
 * normalised by the record transform), and the events of one object share
 * a day or two: the day is parsed once with `Date.parse` and cached, the
 * time of day is read digit by digit. Anything else goes through
 * `Date.parse` unchanged, so the result is always `Date.parse`'s.
 */
export class IsoTimeParser {
  private dayText = '';
  private dayMs = NaN;
  private readonly dayBytes = new Uint8Array(10);
  private dayBytesMs = NaN;
  private hasDayBytes = false;

  parse(text: string): number {
    if (
      text.length !== 24 ||
      text.charCodeAt(10) !== 84 /* T */ ||
      text.charCodeAt(13) !== 58 /* : */ ||
      text.charCodeAt(16) !== 58 /* : */ ||
      text.charCodeAt(19) !== 46 /* . */ ||
      text.charCodeAt(23) !== 90 /* Z */
    ) {
      return Date.parse(text);
    }
    const timeOfDay = timeOfDayMs(
      digit(text.charCodeAt(11)),
      digit(text.charCodeAt(12)),
      digit(text.charCodeAt(14)),
      digit(text.charCodeAt(15)),
      digit(text.charCodeAt(17)),
      digit(text.charCodeAt(18)),
      digit(text.charCodeAt(20)),
      digit(text.charCodeAt(21)),
      digit(text.charCodeAt(22)),
    );
    if (timeOfDay < 0) return Date.parse(text);
    if (this.dayText === '' || !text.startsWith(this.dayText)) {
      this.dayText = text.slice(0, 10);
      this.dayMs = Date.parse(`${this.dayText}T00:00:00.000Z`);
    }
    if (Number.isNaN(this.dayMs)) return Date.parse(text);
    return this.dayMs + timeOfDay;
  }

  /** {@link parse} of the Latin-1 text `bytes[from, to)`, without making it. */
  parseBytes(bytes: Uint8Array, from: number, to: number): number {
    const b = bytes;
    const p = from;
    if (
      to - from !== 24 ||
      b[p + 10] !== 84 /* T */ ||
      b[p + 13] !== 58 /* : */ ||
      b[p + 16] !== 58 /* : */ ||
      b[p + 19] !== 46 /* . */ ||
      b[p + 23] !== 90 /* Z */
    ) {
      return this.parseText(b, from, to);
    }
    const timeOfDay = timeOfDayMs(
      digit(b[p + 11]),
      digit(b[p + 12]),
      digit(b[p + 14]),
      digit(b[p + 15]),
      digit(b[p + 17]),
      digit(b[p + 18]),
      digit(b[p + 20]),
      digit(b[p + 21]),
      digit(b[p + 22]),
    );
    if (timeOfDay < 0) return this.parseText(b, from, to);
    const day = this.dayBytes;
    let same = this.hasDayBytes;
    for (let i = 0; same && i < 10; i++) same = day[i] === b[p + i];
    if (!same) {
      for (let i = 0; i < 10; i++) day[i] = b[p + i];
      this.hasDayBytes = true;
      this.dayBytesMs = Date.parse(
        `${String.fromCharCode(...day)}T00:00:00.000Z`,
      );
    }
    if (Number.isNaN(this.dayBytesMs)) return this.parseText(b, from, to);
    return this.dayBytesMs + timeOfDay;
  }

  private parseText(bytes: Uint8Array, from: number, to: number): number {
    return Date.parse(
      Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString(
        'latin1',
      ),
    );
  }
}

/** Milliseconds into the day of hh:mm:ss.mmm digits, or -1 when out of range. */
function timeOfDayMs(
  h1: number,
  h2: number,
  m1: number,
  m2: number,
  s1: number,
  s2: number,
  f1: number,
  f2: number,
  f3: number,
): number {
  const hour = h1 * 10 + h2;
  if (
    h1 > 2 ||
    h2 > 9 ||
    hour > 23 ||
    m1 > 5 ||
    m2 > 9 ||
    s1 > 5 ||
    s2 > 9 ||
    f1 > 9 ||
    f2 > 9 ||
    f3 > 9
  ) {
    return -1;
  }
  return (
    hour * 3_600_000 +
    (m1 * 10 + m2) * 60_000 +
    (s1 * 10 + s2) * 1000 +
    f1 * 100 +
    f2 * 10 +
    f3
  );
}
