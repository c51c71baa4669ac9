import {
  BUCKET_WIDTHS,
  BucketWidth,
  defaultBucketWidth,
} from '@internal/plugin-realtime-insights-common';

/** The relative ranges of the picker, ending now. */
export const RANGE_PRESETS = {
  '15m': { label: 'Last 15 minutes', ms: 15 * 60_000 },
  '1h': { label: 'Last hour', ms: 60 * 60_000 },
  '24h': { label: 'Last 24 hours', ms: 24 * 60 * 60_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 24 * 60 * 60_000 },
} as const;

export type RangePreset = keyof typeof RANGE_PRESETS;

/** What the user picked: a range ending now, or fixed times. */
export type RangeSelection =
  | { preset: RangePreset }
  | { preset: 'custom'; fromMs: number; toMs: number };

/** A resolved range, as sent to the backend. */
export type TimeWindow = { from: string; to: string; spanMs: number };

/** Same cap as the backend's default (`maxBuckets`). */
export const MAX_BUCKETS = 1440;

/** Live mode starts on for ranges this short; longer ones barely move. */
const LIVE_BY_DEFAULT_MAX_MS = RANGE_PRESETS['1h'].ms;

export function resolveRange(
  selection: RangeSelection,
  nowMs: number,
): TimeWindow {
  if (selection.preset === 'custom') {
    return {
      from: new Date(selection.fromMs).toISOString(),
      to: new Date(selection.toMs).toISOString(),
      spanMs: selection.toMs - selection.fromMs,
    };
  }
  const spanMs = RANGE_PRESETS[selection.preset].ms;
  return {
    from: new Date(nowMs - spanMs).toISOString(),
    to: new Date(nowMs).toISOString(),
    spanMs,
  };
}

/** Live refresh only makes sense for ranges that end now. */
export function canBeLive(selection: RangeSelection): boolean {
  return selection.preset !== 'custom';
}

export function isLiveByDefault(selection: RangeSelection): boolean {
  return (
    canBeLive(selection) &&
    RANGE_PRESETS[selection.preset as RangePreset].ms <= LIVE_BY_DEFAULT_MAX_MS
  );
}

/** The bucket widths that give at least two and at most MAX_BUCKETS buckets. */
export function bucketChoices(spanMs: number): BucketWidth[] {
  return (Object.keys(BUCKET_WIDTHS) as BucketWidth[]).filter(width => {
    const buckets = spanMs / (BUCKET_WIDTHS[width] * 1000);
    return buckets <= MAX_BUCKETS && buckets >= 2;
  });
}

/** The chosen width, or the default for the range when it is 'auto' or no longer fits. */
export function effectiveBucket(
  choice: BucketWidth | 'auto',
  spanMs: number,
): BucketWidth {
  if (choice !== 'auto' && bucketChoices(spanMs).includes(choice)) {
    return choice;
  }
  return defaultBucketWidth(spanMs / 1000, MAX_BUCKETS);
}

/**
 * The period just before `window`, shifted by whole buckets so that its
 * buckets line up with the current ones (buckets are aligned to the epoch).
 */
export function previousPeriod(
  window: TimeWindow,
  bucket: BucketWidth,
): TimeWindow & { shiftMs: number } {
  const bucketMs = BUCKET_WIDTHS[bucket] * 1000;
  const shiftMs = Math.ceil(window.spanMs / bucketMs) * bucketMs;
  return {
    from: new Date(Date.parse(window.from) - shiftMs).toISOString(),
    to: new Date(Date.parse(window.to) - shiftMs).toISOString(),
    spanMs: window.spanMs,
    shiftMs,
  };
}

/** E.g. "Europe/Berlin (UTC+01:00)": the zone the charts' times are shown in. */
export function timeZoneLabel(atMs: number, timeZone?: string): string {
  const zone =
    timeZone ?? new Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(atMs));
  const offset = parts.find(p => p.type === 'timeZoneName')?.value ?? 'GMT';
  const utcOffset =
    offset === 'GMT' ? 'UTC+00:00' : offset.replace('GMT', 'UTC');
  return `${zone} (${utcOffset})`;
}

/** `yyyy-MM-ddTHH:mm` in local time, the value format of datetime-local inputs. */
export function toLocalInputValue(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(
    d.getHours(),
  )}:${pad(d.getMinutes())}`;
}

/** Parses a datetime-local value as local time; NaN when invalid. */
export function fromLocalInputValue(value: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return NaN;
  return new Date(value).getTime();
}

/** Tick label of a bucket start: time of day, with the date for long ranges. */
export function formatBucketTime(iso: string, spanMs: number): string {
  const date = new Date(iso);
  if (spanMs <= RANGE_PRESETS['24h'].ms) {
    return date.toLocaleTimeString(undefined, {
      hour: '2-digit',
      minute: '2-digit',
    });
  }
  return date.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** "42 s", "5 min", "3 h", "2 d": an age or lag at a glance. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 120 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
