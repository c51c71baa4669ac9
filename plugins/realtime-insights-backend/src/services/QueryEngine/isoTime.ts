/**
 * Parses event timestamps quickly. Events carry UTC ISO-8601 timestamps
 * (`2026-11-20T09:59:12.345Z`, normalised by the record transform), and the
 * events of one object share a handful of minutes: the minute is parsed once
 * with `Date.parse` and cached, seconds and milliseconds are read digit by
 * digit. Anything else goes through `Date.parse` unchanged.
 */
export class IsoTimeParser {
  private minuteText = '';
  private minuteMs = NaN;

  parse(text: string): number {
    if (
      text.length !== 24 ||
      text.charCodeAt(23) !== 90 /* Z */ ||
      text.charCodeAt(16) !== 58 /* : */ ||
      text.charCodeAt(19) !== 46 /* . */
    ) {
      return Date.parse(text);
    }
    const s1 = text.charCodeAt(17) - 48;
    const s2 = text.charCodeAt(18) - 48;
    const m1 = text.charCodeAt(20) - 48;
    const m2 = text.charCodeAt(21) - 48;
    const m3 = text.charCodeAt(22) - 48;
    if (
      !(s1 >= 0 && s1 <= 5) ||
      !(s2 >= 0 && s2 <= 9) ||
      !(m1 >= 0 && m1 <= 9) ||
      !(m2 >= 0 && m2 <= 9) ||
      !(m3 >= 0 && m3 <= 9)
    ) {
      return Date.parse(text);
    }
    if (!text.startsWith(this.minuteText) || this.minuteText === '') {
      this.minuteText = text.slice(0, 16);
      this.minuteMs = Date.parse(`${this.minuteText}:00.000Z`);
    }
    if (Number.isNaN(this.minuteMs)) return NaN;
    return this.minuteMs + (s1 * 10 + s2) * 1000 + m1 * 100 + m2 * 10 + m3;
  }
}
