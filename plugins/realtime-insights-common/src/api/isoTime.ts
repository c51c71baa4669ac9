import { z } from 'zod';

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))$/;

const daysIn = (year: number, month: number) =>
  new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The instant an ISO-8601 time names, in ms since the epoch, or undefined
 * when it names none: `yyyy-MM-ddTHH:mm[:ss[.fraction]]` with `Z` or an
 * offset `±HH:mm`/`±HHmm`. Every field is checked (no February 30, no
 * hour 24, offsets up to ±23:59), so a time the API accepts is a time.
 * Fractions past milliseconds are cut.
 *
 * @public
 */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  const second = m[6] ? Number(m[6]) : 0;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const offsetHours = m[10] ? Number(m[10]) : 0;
  const offsetMinutes = m[11] ? Number(m[11]) : 0;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    return undefined;
  }
  const offsetMs =
    (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMs;
}

/**
 * A time parameter of the API: an ISO-8601 time `parseIsoTime` reads,
 * kept as the text it was given.
 *
 * @public
 */
export const isoTimeSchema = z
  .string()
  .refine(text => parseIsoTime(text) !== undefined, {
    message:
      'must be an ISO-8601 time such as 2026-10-05T10:00:00Z or 2026-10-05T12:00:00+02:00',
  });
