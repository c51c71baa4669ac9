import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  BUCKET_WIDTHS,
  BreakdownResponse,
  BucketWidth,
  DimensionFilter,
  FreshnessResponse,
  MeasureStats,
  QueryStats,
  RecordsResponse,
  StreamEvent,
  TimeSeriesBucket,
  TimeSeriesResponse,
} from '@internal/plugin-realtime-insights-common';
import { QuantileSketch } from '../sketches';
import { ObjectRef, ObjectStore } from '../ObjectStore';
import { CACHE_KEY_PREFIX, SummaryCache } from '../SummaryCache';
import { decodeCursor, encodeCursor } from './cursor';
import { eventFilter, filterKey } from './eventFilter';
import { ndjsonLines } from './ndjsonLines';
import {
  ListedStream,
  ObjectListing,
  hourStart,
  hoursCovering,
} from './ObjectListing';
import { mapWithConcurrency } from './mapWithConcurrency';
import { summariseObject } from './summariseObject';
import {
  ObjectSummary,
  decodeSummary,
  emptyMinute,
  encodeSummary,
  mergeMinute,
} from './summary';

/** What the engine needs to know of a stream (from its catalog entity). */
export type EngineStream = ListedStream & {
  name: string;
  /** Where the bucket lives when not the configured default. */
  region?: string;
  endpoint?: string;
  timestampField: string;
  measures: string[];
  dimensions: string[];
};

/** The engine's knobs; read on every query so admins can change them live. */
export type EngineSettings = {
  maxConcurrency: number;
  cacheTtlSeconds: number;
  latenessMinutes: number;
  settleMinutes: number;
  maxBuckets: number;
  maxPageSize: number;
  defaultPageSize: number;
  /** Objects one records page may read before it returns what it has. */
  maxObjectsPerPage: number;
};

export type Range = { fromMs: number; toMs: number };

type Loaded = { summaries: ObjectSummary[]; stats: QueryStats };

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

function measureStats(sketch: QuantileSketch | undefined): MeasureStats {
  if (!sketch || sketch.count === 0) {
    return {
      count: 0,
      sum: 0,
      avg: null,
      min: null,
      max: null,
      p50: null,
      p95: null,
      p99: null,
    };
  }
  return {
    count: sketch.count,
    sum: sketch.sum,
    avg: sketch.sum / sketch.count,
    min: sketch.min,
    max: sketch.max,
    p50: sketch.quantile(0.5),
    p95: sketch.quantile(0.95),
    p99: sketch.quantile(0.99),
  };
}

/**
 * Answers insight queries over a stream's Firehose objects. Every object is
 * read at most once per cache lifetime: its summary (per minute of event
 * time: counts, distinct-count and quantile sketches, dimension counts) is
 * cached under bucket/key/ETag (+ the filter), which never goes stale.
 * A query then merges summaries: its cost grows with hours, not records.
 */
export class QueryEngine {
  constructor(
    private readonly options: {
      storeFor: (stream: EngineStream) => ObjectStore;
      cache: SummaryCache;
      logger: LoggerService;
      settings: () => EngineSettings;
    },
  ) {}

  // ------------------------------------------------------------ queries

  async timeSeries(
    stream: EngineStream,
    query: Range & {
      bucket: BucketWidth;
      groupBy?: string;
      top?: number;
      filters: DimensionFilter[];
    },
    now = Date.now(),
  ): Promise<TimeSeriesResponse> {
    this.checkFields(
      stream,
      query.filters,
      query.groupBy ? [['groupBy', query.groupBy]] : [],
    );
    const bucketMs = BUCKET_WIDTHS[query.bucket] * 1000;
    const startMs = Math.floor(query.fromMs / bucketMs) * bucketMs;
    const count = Math.ceil((query.toMs - startMs) / bucketMs);
    const { maxBuckets } = this.options.settings();
    if (count > maxBuckets) {
      throw new InputError(
        `Invalid query parameter 'bucket': ${count} buckets of ${query.bucket} exceed the maximum of ${maxBuckets}; choose a wider bucket or a shorter range`,
      );
    }
    const { summaries, stats } = await this.load(
      stream,
      { fromMs: startMs, toMs: query.toMs },
      query.filters,
      now,
    );

    const accumulators = Array.from({ length: count }, () => emptyMinute());
    for (const summary of summaries) {
      for (const [minuteSec, minute] of summary.minutes) {
        const ms = minuteSec * 1000;
        if (ms < query.fromMs || ms >= query.toMs) continue;
        mergeMinute(
          accumulators[Math.floor((ms - startMs) / bucketMs)],
          minute,
        );
      }
    }

    let groupValues: string[] | undefined;
    if (query.groupBy) {
      const totals = new Map<string, number>();
      for (const acc of accumulators) {
        for (const [value, n] of acc.dims.get(query.groupBy) ?? [])
          totals.set(value, (totals.get(value) ?? 0) + n);
      }
      groupValues = [...totals.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, query.top ?? 5)
        .map(([value]) => value);
    }

    const buckets: TimeSeriesBucket[] = accumulators.map((acc, i) => {
      const bucket: TimeSeriesBucket = {
        start: new Date(startMs + i * bucketMs).toISOString(),
        count: acc.count,
        devices: Math.round(acc.devices.estimate()),
        customers: Math.round(acc.customers.estimate()),
        measures: Object.fromEntries(
          stream.measures.map(name => [
            name,
            measureStats(acc.measures.get(name)),
          ]),
        ),
      };
      if (query.groupBy && groupValues) {
        const counts = acc.dims.get(query.groupBy) ?? new Map<string, number>();
        const groups: Record<string, number> = {};
        let listed = 0;
        for (const value of groupValues) {
          groups[value] = counts.get(value) ?? 0;
          listed += groups[value];
        }
        groups['(other)'] = acc.count - listed;
        bucket.groups = groups;
      }
      return bucket;
    });

    return {
      stream: stream.name,
      from: new Date(startMs).toISOString(),
      to: new Date(query.toMs).toISOString(),
      bucket: query.bucket,
      bucketSeconds: bucketMs / 1000,
      buckets,
      ...(query.groupBy && groupValues
        ? { groupBy: { dimension: query.groupBy, values: groupValues } }
        : {}),
      stats,
    };
  }

  async breakdown(
    stream: EngineStream,
    query: Range & {
      dimension: string;
      top?: number;
      filters: DimensionFilter[];
    },
    now = Date.now(),
  ): Promise<BreakdownResponse> {
    this.checkFields(stream, query.filters, [['dimension', query.dimension]]);
    const { summaries, stats } = await this.load(
      stream,
      query,
      query.filters,
      now,
    );
    const totals = new Map<string, number>();
    let total = 0;
    for (const summary of summaries) {
      for (const [minuteSec, minute] of summary.minutes) {
        const ms = minuteSec * 1000;
        if (ms < query.fromMs || ms >= query.toMs) continue;
        total += minute.count;
        for (const [value, n] of minute.dims.get(query.dimension) ?? []) {
          totals.set(value, (totals.get(value) ?? 0) + n);
        }
      }
    }
    const values = [...totals.entries()]
      .filter(([value]) => value !== '(other)')
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, query.top ?? 10)
      .map(([value, count]) => ({ value, count }));
    return {
      stream: stream.name,
      from: new Date(query.fromMs).toISOString(),
      to: new Date(query.toMs).toISOString(),
      dimension: query.dimension,
      total,
      values,
      other: total - values.reduce((n, v) => n + v.count, 0),
      stats,
    };
  }

  /**
   * Raw events, newest objects first, paginated with an opaque cursor that
   * names the last object and line returned: objects that land later sort
   * after it and never shift a page (no duplicates, no gaps).
   */
  async records(
    stream: EngineStream,
    query: Range & {
      limit?: number;
      cursor?: string;
      filters: DimensionFilter[];
    },
    now = Date.now(),
  ): Promise<RecordsResponse> {
    this.checkFields(stream, query.filters, []);
    const settings = this.options.settings();
    const limit = query.limit ?? settings.defaultPageSize;
    if (limit > settings.maxPageSize) {
      throw new InputError(
        `Invalid query parameter 'limit': at most ${settings.maxPageSize}`,
      );
    }
    const queryId = `${query.fromMs}|${query.toMs}|${filterKey(query.filters)}`;
    const position = query.cursor
      ? decodeCursor(query.cursor, queryId)
      : undefined;
    const accept = eventFilter(query.filters);

    const objects = (await this.listRange(stream, query, now)).sort((a, b) =>
      a.key < b.key ? 1 : -1,
    );
    const items: StreamEvent[] = [];
    let objectsRead = 0;
    for (const object of objects) {
      if (position && object.key > position.key) continue;
      if (objectsRead >= settings.maxObjectsPerPage && items.length > 0) break;
      objectsRead++;
      let line = -1;
      try {
        for await (const text of ndjsonLines(
          await this.options.storeFor(stream).open(stream.bucket, object.key),
        )) {
          line++;
          if (position && object.key === position.key && line <= position.line)
            continue;
          let event: StreamEvent;
          try {
            event = JSON.parse(text);
          } catch {
            continue;
          }
          const tsMs = Date.parse(String(event[stream.timestampField]));
          if (!(tsMs >= query.fromMs && tsMs < query.toMs) || !accept(event))
            continue;
          items.push(event);
          if (items.length === limit) {
            return {
              stream: stream.name,
              from: new Date(query.fromMs).toISOString(),
              to: new Date(query.toMs).toISOString(),
              items,
              nextCursor: encodeCursor({ key: object.key, line }, queryId),
            };
          }
        }
      } catch (error) {
        this.options.logger.warn(
          `Skipping unreadable object s3://${stream.bucket}/${object.key}: ${error}`,
        );
      }
      // Past the per-page read budget: hand back what there is with a cursor.
      if (
        objectsRead >= settings.maxObjectsPerPage &&
        object !== objects[objects.length - 1]
      ) {
        return {
          stream: stream.name,
          from: new Date(query.fromMs).toISOString(),
          to: new Date(query.toMs).toISOString(),
          items,
          nextCursor: encodeCursor(
            { key: object.key, line: Number.MAX_SAFE_INTEGER },
            queryId,
          ),
        };
      }
    }
    return {
      stream: stream.name,
      from: new Date(query.fromMs).toISOString(),
      to: new Date(query.toMs).toISOString(),
      items,
    };
  }

  /** Newest event and arrival, and the last hour's volume. */
  async freshness(
    stream: EngineStream,
    now = Date.now(),
  ): Promise<FreshnessResponse> {
    const range = { fromMs: hourStart(now - HOUR_MS), toMs: now };
    const objects = await this.listRange(stream, range, now, 0);
    const { summaries } = await this.summarise(stream, objects, []);
    let newestEvent: number | null = null;
    let newestArrival: number | null = null;
    let objectsLastHour = 0;
    let eventsLastHour = 0;
    objects.forEach((object, i) => {
      const s = summaries[i];
      if (
        s.maxTsMs !== null &&
        (newestEvent === null || s.maxTsMs > newestEvent)
      )
        newestEvent = s.maxTsMs;
      if (
        s.maxArrivalMs !== null &&
        (newestArrival === null || s.maxArrivalMs > newestArrival)
      ) {
        newestArrival = s.maxArrivalMs;
      }
      if (object.lastModified >= now - HOUR_MS) {
        objectsLastHour++;
        eventsLastHour += s.events;
      }
    });
    return {
      stream: stream.name,
      newestEventAt:
        newestEvent === null ? null : new Date(newestEvent).toISOString(),
      newestArrivalAt:
        newestArrival === null ? null : new Date(newestArrival).toISOString(),
      lagSeconds:
        newestArrival === null
          ? null
          : Math.max(0, Math.round((now - newestArrival) / 1000)),
      objectsLastHour,
      eventsLastHour,
    };
  }

  /**
   * Summarises the objects of the open hour that are not cached yet (the
   * scheduler calls it so charts find them ready). Returns how many new
   * objects it read.
   */
  async warm(stream: EngineStream, now = Date.now()): Promise<number> {
    const objects = await this.listRange(
      stream,
      { fromMs: hourStart(now), toMs: now },
      now,
      0,
    );
    const { fromCache } = await this.summarise(stream, objects, []);
    return objects.length - fromCache;
  }

  // ------------------------------------------------------------ internals

  private checkFields(
    stream: EngineStream,
    filters: DimensionFilter[],
    named: Array<[string, string]>,
  ) {
    const known = new Set(stream.dimensions);
    for (const [param, field] of named) {
      if (!known.has(field)) {
        throw new InputError(
          `Invalid query parameter '${param}': '${field}' is not a dimension of stream '${
            stream.name
          }' (dimensions: ${stream.dimensions.join(', ') || 'none'})`,
        );
      }
    }
    for (const f of filters) {
      if (
        !known.has(f.field) &&
        f.field !== 'deviceId' &&
        f.field !== 'customerId'
      ) {
        throw new InputError(
          `Invalid query parameter 'filter': '${
            f.field
          }' is not a dimension of stream '${stream.name}' (dimensions: ${
            stream.dimensions.join(', ') || 'none'
          })`,
        );
      }
    }
  }

  /** Objects that can hold events of the range (arrival ≤ to + lateness). */
  private async listRange(
    stream: EngineStream,
    range: Range,
    now: number,
    latenessMinutes?: number,
  ) {
    const settings = this.options.settings();
    const lateness = (latenessMinutes ?? settings.latenessMinutes) * MINUTE_MS;
    const lastArrival = Math.min(range.toMs + lateness, now);
    const hours = hoursCovering(
      range.fromMs,
      Math.max(range.fromMs, lastArrival),
    );
    const listing = this.listingFor(stream, settings);
    const perHour = await mapWithConcurrency(
      hours,
      settings.maxConcurrency,
      hour => listing.hour(stream, hour, now),
    );
    return perHour.flat();
  }

  private readonly listings = new Map<ObjectStore, ObjectListing>();
  private listingFor(
    stream: EngineStream,
    settings: EngineSettings,
  ): ObjectListing {
    const store = this.options.storeFor(stream);
    let listing = this.listings.get(store);
    if (!listing) {
      listing = new ObjectListing(store, this.options.cache, {
        settleMinutes: settings.settleMinutes,
        ttlSeconds: () => this.options.settings().cacheTtlSeconds,
      });
      this.listings.set(store, listing);
    }
    return listing;
  }

  private async load(
    stream: EngineStream,
    range: Range,
    filters: DimensionFilter[],
    now: number,
  ): Promise<Loaded> {
    const objects = await this.listRange(stream, range, now);
    const { summaries, fromCache } = await this.summarise(
      stream,
      objects,
      filters,
    );
    const stats: QueryStats = {
      objects: objects.length,
      objectsFromCache: fromCache,
      corruptObjects: 0,
      badLines: 0,
      duplicateEvents: 0,
      duplicateObjects: 0,
      cacheDegraded: this.options.cache.describe().degraded,
    };
    // Firehose is at-least-once: a re-delivered object holds the same events.
    const fingerprints = new Set<string>();
    const unique: ObjectSummary[] = [];
    for (const summary of summaries) {
      if (summary.corrupt) stats.corruptObjects++;
      stats.badLines += summary.badLines;
      stats.duplicateEvents += summary.duplicateEvents;
      if (summary.fingerprint && fingerprints.has(summary.fingerprint)) {
        stats.duplicateObjects++;
        continue;
      }
      if (summary.fingerprint) fingerprints.add(summary.fingerprint);
      unique.push(summary);
    }
    return { summaries: unique, stats };
  }

  private async summarise(
    stream: EngineStream,
    objects: ObjectRef[],
    filters: DimensionFilter[],
  ) {
    const settings = this.options.settings();
    const shapeKey = `${stream.timestampField}|${stream.measures.join(
      ',',
    )}|${stream.dimensions.join(',')}|${filterKey(filters)}`;
    const keys = objects.map(
      o =>
        `${CACHE_KEY_PREFIX}sum:${stream.bucket}:${o.key}:${o.etag}:${shapeKey}`,
    );
    const cached = await this.options.cache.getMany(keys);
    const shape = {
      timestampField: stream.timestampField,
      measures: stream.measures,
      dimensions: stream.dimensions,
      accept: eventFilter(filters),
    };
    let fromCache = 0;
    const fresh: Array<[string, Buffer]> = [];
    const store = this.options.storeFor(stream);
    const summaries = await mapWithConcurrency(
      objects.map((object, index) => ({ object, index })),
      settings.maxConcurrency,
      async ({ object, index }) => {
        const hit = cached[index] ? decodeSummary(cached[index]!) : undefined;
        if (hit) {
          fromCache++;
          return hit;
        }
        const summary = await summariseObject(
          await store.open(stream.bucket, object.key),
          shape,
        );
        if (summary.corrupt || summary.badLines > 0) {
          this.options.logger.warn(
            `Object s3://${stream.bucket}/${object.key}: ${
              summary.corrupt
                ? 'corrupt, skipped'
                : `${summary.badLines} unreadable lines skipped`
            }`,
          );
        }
        fresh.push([keys[index], encodeSummary(summary)]);
        return summary;
      },
    );
    this.options.cache.setMany(fresh, settings.cacheTtlSeconds);
    return { summaries, fromCache };
  }
}
