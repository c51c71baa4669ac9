import { z } from 'zod';
import { isoTimeSchema } from './isoTime';

/** Bucket widths a time series can be asked in. @public */
export const BUCKET_WIDTHS = {
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '1h': 3600,
  '6h': 21600,
  '1d': 86400,
} as const;

/** @public */
export type BucketWidth = keyof typeof BUCKET_WIDTHS;

/**
 * The bucket width that gives at most `maxBuckets` buckets for a range,
 * preferring about 60–120 points on a chart.
 */
export function defaultBucketWidth(
  rangeSeconds: number,
  maxBuckets = 1440,
): BucketWidth {
  const widths = Object.entries(BUCKET_WIDTHS) as Array<[BucketWidth, number]>;
  const target = widths.find(([, s]) => rangeSeconds / s <= 120);
  const chosen = target ?? widths[widths.length - 1];
  if (rangeSeconds / chosen[1] <= maxBuckets) return chosen[0];
  return widths.find(([, s]) => rangeSeconds / s <= maxBuckets)?.[0] ?? '1d';
}

/**
 * A filter on a dimension: `field:value` or `field:v1,v2` (any of the
 * values). Query strings carry it as `filter=status:declined`, repeatable.
 *
 * @public
 */
export type DimensionFilter = { field: string; values: string[] };

const filterParam = z
  .union([z.string(), z.array(z.string())])
  .transform(v => (Array.isArray(v) ? v : [v]))
  .pipe(
    z.array(
      z
        .string()
        .regex(
          /^[A-Za-z0-9_.-]+:.+$/,
          "must look like 'dimension:value' or 'dimension:v1,v2'",
        )
        .transform((text): DimensionFilter => {
          const at = text.indexOf(':');
          return {
            field: text.slice(0, at),
            values: text.slice(at + 1).split(','),
          };
        }),
    ),
  );

const rangeFields = {
  /** Start of the range (inclusive). Default: 30 minutes before `to`. */
  from: isoTimeSchema.optional(),
  /** End of the range (exclusive). Default: now. */
  to: isoTimeSchema.optional(),
  filter: filterParam.optional(),
};

/** Query of `GET /streams/:stream/timeseries`. @public */
export const timeSeriesQuerySchema = z
  .object({
    ...rangeFields,
    bucket: z
      .enum(Object.keys(BUCKET_WIDTHS) as [BucketWidth, ...BucketWidth[]])
      .optional(),
    groupBy: z.string().min(1).optional(),
    top: z.coerce.number().int().min(1).max(50).optional(),
  })
  .strict();

/** Query of `GET /streams/:stream/breakdown`. @public */
export const breakdownQuerySchema = z
  .object({
    ...rangeFields,
    dimension: z.string().min(1),
    top: z.coerce.number().int().min(1).max(100).optional(),
  })
  .strict();

/** Query of `GET /streams/:stream/records`. @public */
export const recordsQuerySchema = z
  .object({
    ...rangeFields,
    limit: z.coerce.number().int().min(1).optional(),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

/** Input of the time series call (typed client side). @public */
export type TimeSeriesQuery = {
  from?: string;
  to?: string;
  bucket?: BucketWidth;
  groupBy?: string;
  top?: number;
  filters?: DimensionFilter[];
};
/** @public */
export type BreakdownQuery = {
  from?: string;
  to?: string;
  dimension: string;
  top?: number;
  filters?: DimensionFilter[];
};
/** @public */
export type RecordsQuery = {
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
  filters?: DimensionFilter[];
};

/** @public */
export type StreamSummary = {
  /** The stream's id in insights URLs (its catalog entity name). */
  name: string;
  title: string;
  description?: string;
  entityRef?: string;
  owner?: string;
  measures: string[];
  dimensions: string[];
};

/** @public */
export type ListStreamsResponse = { items: StreamSummary[] };

/** Statistics of one numeric field over a bucket; null fields when empty. @public */
export type MeasureStats = {
  count: number;
  sum: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
};

/** @public */
export type TimeSeriesBucket = {
  /** Start of the bucket, ISO-8601 UTC. */
  start: string;
  count: number;
  /** Distinct devices / customers (HyperLogLog estimates, ~1 % error). */
  devices: number;
  customers: number;
  measures: Record<string, MeasureStats>;
  /** With `groupBy`: events per value of the top values, and `(other)`. */
  groups?: Record<string, number>;
};

/** How an answer was made. @public */
export type QueryStats = {
  objects: number;
  objectsFromCache: number;
  corruptObjects: number;
  badLines: number;
  duplicateEvents: number;
  duplicateObjects: number;
  cacheDegraded: boolean;
};

/** Event times an answer counted, `[from, to)`, ISO 8601. @public */
export type AnsweredRange = { from: string; to: string };

/** @public */
export type TimeSeriesResponse = {
  stream: string;
  from: string;
  to: string;
  bucket: BucketWidth;
  bucketSeconds: number;
  /**
   * The event times counted, `[from, to)`: the request's range with both
   * ends moved up to a whole minute (summaries hold minutes; `/records`
   * honours the milliseconds).
   */
  range: AnsweredRange;
  /** Every bucket of the range, oldest first; empty ones count 0. */
  buckets: TimeSeriesBucket[];
  /** With `groupBy`: the dimension and its top values, in order. */
  groupBy?: { dimension: string; values: string[] };
  stats: QueryStats;
};

/** @public */
export type BreakdownResponse = {
  stream: string;
  from: string;
  to: string;
  dimension: string;
  /** The event times counted: see {@link TimeSeriesResponse.range}. */
  range: AnsweredRange;
  total: number;
  values: Array<{ value: string; count: number }>;
  /** Events whose value is not among `values` (or that have none). */
  other: number;
  stats: QueryStats;
};

/** One stored event (one NDJSON line). @public */
export type StreamEvent = Record<string, unknown> & { eventId: string };

/** @public */
export type RecordsResponse = {
  stream: string;
  from: string;
  to: string;
  items: StreamEvent[];
  /** Pass back as `cursor` for the next (older) page; absent on the last. */
  nextCursor?: string;
};

/** @public */
export type FreshnessResponse = {
  stream: string;
  /** Newest event time seen in the last two hours of objects. */
  newestEventAt: string | null;
  /** When Firehose received the newest record. */
  newestArrivalAt: string | null;
  /** Seconds between now and the newest arrival. */
  lagSeconds: number | null;
  objectsLastHour: number;
  eventsLastHour: number;
};
