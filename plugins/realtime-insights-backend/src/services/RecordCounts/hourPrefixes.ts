const HOUR_MS = 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** Start of the UTC hour that holds `ms`. */
export const hourStart = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** The Hive-style prefix Firehose writes an hour's objects under. */
export function hourPrefix(base: string, hourStartMs: number): string {
  const d = new Date(hourStartMs);
  return (
    `${base}year=${d.getUTCFullYear()}/month=${pad(d.getUTCMonth() + 1)}` +
    `/day=${pad(d.getUTCDate())}/hour=${pad(d.getUTCHours())}/`
  );
}

/** Every hour whose prefix may hold events of [fromMs, toMs]. */
export function hoursCovering(fromMs: number, toMs: number): number[] {
  const hours: number[] = [];
  for (let h = hourStart(fromMs); h <= toMs; h += HOUR_MS) hours.push(h);
  return hours;
}

export { HOUR_MS };
