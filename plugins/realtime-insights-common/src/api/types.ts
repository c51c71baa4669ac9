import { z } from 'zod';

/** Width of the buckets of the record-count series, in seconds. */
export const RECORD_COUNT_BUCKET_SECONDS = 60;

/**
 * Query of `GET /streams/:stream/record-counts`. Times are ISO-8601; `to`
 * defaults to now and `from` to 30 minutes before `to`.
 *
 * @public
 */
export const recordCountsQuerySchema = z
  .object({
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

/** @public */
export type RecordCountsQuery = z.infer<typeof recordCountsQuerySchema>;

/** @public */
export type StreamSummary = {
  /** The stream's id in insights URLs. */
  name: string;
  title: string;
  description?: string;
};

/** @public */
export type ListStreamsResponse = {
  items: StreamSummary[];
};

/** @public */
export type RecordCountBucket = {
  /** Start of the minute, ISO-8601 UTC. */
  start: string;
  count: number;
};

/** @public */
export type RecordCountsResponse = {
  stream: string;
  from: string;
  to: string;
  bucketSeconds: number;
  /** Every minute of the range, oldest first; minutes without events count 0. */
  buckets: RecordCountBucket[];
  /** How the answer was made: objects read from S3 versus served from cache. */
  stats: {
    objects: number;
    objectsFromCache: number;
    corruptObjects: number;
    cacheDegraded: boolean;
  };
};
