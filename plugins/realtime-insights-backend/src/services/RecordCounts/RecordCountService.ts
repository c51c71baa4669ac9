import { LoggerService } from '@backstage/backend-plugin-api';
import {
  RECORD_COUNT_BUCKET_SECONDS,
  RecordCountsResponse,
} from '@internal/plugin-realtime-insights-common';
import { RealtimeInsightsConfig, StreamConfig } from '../../config';
import { ObjectRef, ObjectStore } from '../ObjectStore';
import { CACHE_KEY_PREFIX, SummaryCache } from '../SummaryCache';
import { HOUR_MS, hourPrefix, hoursCovering } from './hourPrefixes';
import { mapWithConcurrency } from './mapWithConcurrency';
import {
  ObjectSummary,
  decodeSummary,
  encodeSummary,
  summariseObject,
} from './summariseObject';

export type RecordCountServiceOptions = {
  store: ObjectStore;
  cache: SummaryCache;
  logger: LoggerService;
  config: RealtimeInsightsConfig;
};

const MINUTE_MS = RECORD_COUNT_BUCKET_SECONDS * 1000;

/**
 * Counts events per minute of a stream by reading the Firehose objects that
 * can hold them. Each object is read at most once per cache lifetime: its
 * per-minute summary is cached under bucket/key/ETag, which never goes
 * stale. Listings of hours that can no longer change are cached as well.
 */
export class RecordCountService {
  private readonly store: ObjectStore;
  private readonly cache: SummaryCache;
  private readonly logger: LoggerService;
  private readonly config: RealtimeInsightsConfig;

  constructor(options: RecordCountServiceOptions) {
    this.store = options.store;
    this.cache = options.cache;
    this.logger = options.logger;
    this.config = options.config;
  }

  async countPerMinute(
    stream: StreamConfig,
    range: { from: Date; to: Date },
    now: Date = new Date(),
  ): Promise<RecordCountsResponse> {
    const fromMs = Math.floor(range.from.getTime() / MINUTE_MS) * MINUTE_MS;
    const toMs = range.to.getTime();
    // Firehose partitions by arrival time: late events sit in later hours.
    const lastArrivalMs = Math.min(
      toMs + this.config.query.latenessMinutes * 60_000,
      now.getTime(),
    );
    const hours = hoursCovering(fromMs, Math.max(fromMs, lastArrivalMs));
    const listings = await mapWithConcurrency(
      hours,
      this.config.s3.maxConcurrency,
      hour => this.listHour(stream, hour, now),
    );
    const objects = listings.flat();
    const { summaries, fromCache } = await this.summaries(stream, objects);

    const counts = new Map<number, number>();
    let corruptObjects = 0;
    for (const summary of summaries) {
      if (summary.corrupt) corruptObjects += 1;
      for (const [minuteSec, count] of summary.minutes) {
        const ms = minuteSec * 1000;
        if (ms >= fromMs && ms < toMs) {
          counts.set(ms, (counts.get(ms) ?? 0) + count);
        }
      }
    }

    const buckets = [];
    for (let ms = fromMs; ms < toMs; ms += MINUTE_MS) {
      buckets.push({
        start: new Date(ms).toISOString(),
        count: counts.get(ms) ?? 0,
      });
    }
    return {
      stream: stream.name,
      from: new Date(fromMs).toISOString(),
      to: range.to.toISOString(),
      bucketSeconds: RECORD_COUNT_BUCKET_SECONDS,
      buckets,
      stats: {
        objects: objects.length,
        objectsFromCache: fromCache,
        corruptObjects,
        cacheDegraded: this.cache.describe().degraded,
      },
    };
  }

  /** An hour's objects; cached once the hour can receive no more. */
  private async listHour(
    stream: StreamConfig,
    hourStartMs: number,
    now: Date,
  ): Promise<ObjectRef[]> {
    const prefix = hourPrefix(stream.prefix, hourStartMs);
    const closed =
      hourStartMs +
        HOUR_MS +
        this.config.query.hourClosesAfterMinutes * 60_000 <=
      now.getTime();
    const cacheKey = `${CACHE_KEY_PREFIX}list:${stream.bucket}:${prefix}`;
    if (closed) {
      const [cached] = await this.cache.getMany([cacheKey]);
      if (cached) return JSON.parse(cached) as ObjectRef[];
    }
    const objects = await this.store.list(stream.bucket, prefix);
    if (closed) {
      this.cache.setMany(
        [[cacheKey, JSON.stringify(objects)]],
        this.config.cache.ttlSeconds,
      );
    }
    return objects;
  }

  private async summaries(
    stream: StreamConfig,
    objects: ObjectRef[],
  ): Promise<{ summaries: ObjectSummary[]; fromCache: number }> {
    const keys = objects.map(
      o => `${CACHE_KEY_PREFIX}sum:${stream.bucket}:${o.key}:${o.etag}`,
    );
    const cached = await this.cache.getMany(keys);
    let fromCache = 0;
    const fresh: Array<[string, string]> = [];
    const summaries = await mapWithConcurrency(
      objects.map((object, index) => ({ object, index })),
      this.config.s3.maxConcurrency,
      async ({ object, index }) => {
        const hit =
          cached[index] !== undefined
            ? decodeSummary(cached[index]!)
            : undefined;
        if (hit) {
          fromCache += 1;
          return hit;
        }
        const summary = await this.readObject(stream.bucket, object.key);
        fresh.push([keys[index], encodeSummary(summary)]);
        return summary;
      },
    );
    this.cache.setMany(fresh, this.config.cache.ttlSeconds);
    return { summaries, fromCache };
  }

  private async readObject(
    bucket: string,
    key: string,
  ): Promise<ObjectSummary> {
    const summary = await summariseObject(await this.store.open(bucket, key));
    if (summary.corrupt || summary.badLines > 0) {
      this.logger.warn(
        `Object s3://${bucket}/${key}: ${
          summary.corrupt
            ? 'corrupt, skipped'
            : `${summary.badLines} unreadable lines skipped`
        }`,
      );
    }
    return summary;
  }
}
