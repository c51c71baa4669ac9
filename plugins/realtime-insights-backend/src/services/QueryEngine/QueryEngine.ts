import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import {
  BUCKET_WIDTHS,
  BreakdownResponse,
  BucketWidth,
  DimensionFilter,
  FreshnessResponse,
  MAX_BUFFER_INTERVAL_SECONDS,
  MeasureStats,
  QueryStats,
  RecordsResponse,
  StreamEvent,
  TimeSeriesBucket,
  TimeSeriesResponse,
} from '@internal/plugin-realtime-insights-common';
import { QuantileSketch } from '../sketches';
import { ObjectRef, ObjectStore } from '../ObjectStore';
import { readWhole } from '../events/decompressedChunks';
import { CACHE_KEY_PREFIX, SummaryCache } from '../SummaryCache';
import { decodeCursor, encodeCursor } from './cursor';
import { eventFilter, filterKey } from './eventFilter';
import { ndjsonLines } from './ndjsonLines';
import {
  ListedStream,
  ObjectListing,
  hourPrefix,
  hourStart,
  hoursHolding,
  sourceOf,
} from './ObjectListing';
import {
  dedupeSummaries,
  emptyMergeStats,
  fingerprintSet,
  rollUp,
  rollUpWithout,
  segments,
} from './rollup';
import { createHash } from 'node:crypto';
import { ConcurrencyLimit } from './ConcurrencyLimit';
import { mapWithConcurrency } from './mapWithConcurrency';
import {
  InProcessSummarisers,
  ObjectSummarisers,
  SummarisedObject,
} from './ObjectSummarisers';
import {
  MinuteSummary,
  ObjectSummary,
  ROLLUP_FORMAT,
  corruptSummary,
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
  /**
   * The delivery stream's buffering interval, seconds; default Firehose's
   * largest (900). Bounds how far before a range its events' objects sit.
   */
  bufferIntervalSeconds?: number;
};

/** The stream's buffering interval, ms (Firehose's largest when unknown). */
export const bufferIntervalMsOf = (stream: EngineStream) =>
  (stream.bufferIntervalSeconds ?? MAX_BUFFER_INTERVAL_SECONDS) * 1000;

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

/**
 * How far a query has come: objects of the range summarised (a cached
 * summary or hour rollup counts at once), of those it covers.
 */
export type SummaryProgress = { objectsDone: number; objectsTotal: number };

type Loaded = { summaries: ObjectSummary[]; stats: QueryStats };

/**
 * One hour as `load` has it: a closed hour's rollup, or an open hour's
 * object summaries.
 */
type HourParts = {
  summaries: ObjectSummary[];
  /** Closed hours: the rollup's cache key. */
  rollupKey?: string;
  /** Closed hours this query summarised: their objects' summaries. */
  objectSummaries?: SummarisedObject[];
};

const MINUTE_MS = 60_000;

/**
 * The range a summary can answer exactly: both ends moved up to a whole
 * minute, the summaries' resolution. Up, so that a range ending now keeps
 * the minute that is filling.
 */
export function wholeMinutes(range: Range): Range {
  const up = (ms: number) => Math.ceil(ms / MINUTE_MS) * MINUTE_MS;
  return { fromMs: up(range.fromMs), toMs: up(range.toMs) };
}

const isoRange = (range: Range) => ({
  from: new Date(range.fromMs).toISOString(),
  to: new Date(range.toMs).toISOString(),
});
const HOUR_MS = 3_600_000;

/** Stands in for the cache of a stream whose cache an admin turned off. */
const NO_CACHE: SummaryCache = {
  getMany: async keys => keys.map(() => undefined),
  setMany: () => {},
  clear: async () => {},
  deleteByPrefix: async () => 0,
  stats: async () => ({
    kind: 'memory',
    degraded: false,
    hits: 0,
    misses: 0,
    hitRate: null,
    memoryBytes: 0,
    maxMemoryBytes: null,
    keys: 0,
    evictions: 0,
  }),
  describe: () => ({ kind: 'memory', degraded: false }),
  close: async () => {},
};

/** Entries of the in-process cache of decoded summaries. */
const DECODED_CACHE_ENTRIES = 2000;

const shapeKeyOf = (stream: EngineStream, filters: DimensionFilter[]) =>
  `${stream.timestampField}|${stream.measures.join(
    ',',
  )}|${stream.dimensions.join(',')}|${filterKey(filters)}`;

const listingHashes = new WeakMap<ObjectRef[], string>();

/** Names a listing by content: the same keys and ETags, the same hash. */
function listingHash(objects: ObjectRef[]): string {
  const known = listingHashes.get(objects);
  if (known) return known;
  const hash = createHash('sha256');
  for (const o of objects) hash.update(`${o.key}\u0000${o.etag}\u0000`);
  const digest = hash.digest('base64url').slice(0, 22);
  listingHashes.set(objects, digest);
  return digest;
}

// Identity of a summary part while it is held in memory.
const partIds = new WeakMap<MinuteSummary, number>();
let nextPartId = 0;
function partId(part: MinuteSummary): number {
  let id = partIds.get(part);
  if (id === undefined) {
    id = nextPartId++;
    partIds.set(part, id);
  }
  return id;
}

// Statistics of summaries that never change (parts of cached rollups and
// object summaries), computed once: HyperLogLog estimates and quantiles
// are the expensive part of answering from cache.
const statistics = new WeakMap<
  MinuteSummary,
  Pick<TimeSeriesBucket, 'count' | 'devices' | 'customers' | 'measures'>
>();

function statisticsOf(summary: MinuteSummary, measures: string[]) {
  let computed = statistics.get(summary);
  if (!computed || Object.keys(computed.measures).length !== measures.length) {
    computed = {
      count: summary.count,
      devices: Math.round(summary.devices.estimate()),
      customers: Math.round(summary.customers.estimate()),
      measures: Object.fromEntries(
        measures.map(name => [name, measureStats(summary.measures.get(name))]),
      ),
    };
    statistics.set(summary, computed);
  }
  return computed;
}

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
      /**
       * False for streams an admin turned the cache off for: their
       * summaries and listings are neither read from nor written to any
       * cache. Default: cached.
       */
      cacheEnabled?: (stream: EngineStream) => boolean;
      /** Where objects are summarised; default: on the calling thread. */
      summarisers?: ObjectSummarisers;
    },
  ) {
    this.summarisers = options.summarisers ?? new InProcessSummarisers();
  }

  private readonly summarisers: ObjectSummarisers;

  /** The cache for a stream: the shared one, or none when turned off. */
  private cacheFor(stream: EngineStream): SummaryCache {
    return this.options.cacheEnabled?.(stream) === false
      ? NO_CACHE
      : this.options.cache;
  }

  /**
   * Drops a stream's entries from the shared cache and from this
   * replica's memory; resolves to the shared entries removed.
   */
  async flushStream(stream: EngineStream): Promise<number> {
    const deleted = await this.options.cache.deleteByPrefix(
      ['sum', 'hour', 'list'].map(
        kind =>
          `${CACHE_KEY_PREFIX}${kind}:${sourceOf(stream)}:${stream.prefix}`,
      ),
    );
    this.forget(stream);
    return deleted;
  }

  /**
   * Forgets what this replica holds in memory of a stream (or, without
   * one, of every stream): after a flush on another replica.
   */
  forget(stream?: EngineStream): void {
    this.merged.clear();
    if (!stream) {
      this.decoded.clear();
      this.listings.clear();
      return;
    }
    const starts = ['sum', 'hour'].map(
      kind => `${CACHE_KEY_PREFIX}${kind}:${sourceOf(stream)}:${stream.prefix}`,
    );
    for (const key of [...this.decoded.keys()]) {
      if (starts.some(start => key.startsWith(start))) this.decoded.delete(key);
    }
    for (const listing of this.listings.values()) {
      listing.forget(stream);
    }
  }

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
    options: {
      onProgress?: (progress: SummaryProgress) => void;
      /** Stops the query before the next object it would read (a cancel). */
      signal?: AbortSignal;
    } = {},
  ): Promise<TimeSeriesResponse> {
    this.checkFields(
      stream,
      query.filters,
      query.groupBy ? [['groupBy', query.groupBy]] : [],
    );
    const range = wholeMinutes(query);
    const bucketMs = BUCKET_WIDTHS[query.bucket] * 1000;
    const startMs = Math.floor(range.fromMs / bucketMs) * bucketMs;
    const count = Math.max(0, Math.ceil((range.toMs - startMs) / bucketMs));
    const { maxBuckets } = this.options.settings();
    if (count > maxBuckets) {
      throw new InputError(
        `Invalid query parameter 'bucket': ${count} buckets of ${query.bucket} exceed the maximum of ${maxBuckets}; choose a wider bucket or a shorter range`,
      );
    }
    const { summaries, stats } = await this.load(
      stream,
      { fromMs: startMs, toMs: range.toMs },
      query.filters,
      now,
      options,
    );

    // Hour-wide buckets take whole hours from rollups in one part.
    const hourly = bucketMs % HOUR_MS === 0;
    const parts: MinuteSummary[][] = Array.from({ length: count }, () => []);
    for (const summary of summaries) {
      for (const [ms, part] of segments(
        summary,
        range.fromMs,
        range.toMs,
        hourly,
      )) {
        parts[Math.floor((ms - startMs) / bucketMs)].push(part);
      }
    }
    // A bucket made of one part (an hour of a closed rollup, a minute)
    // uses it as it is: no copy, and its statistics are computed once.
    const accumulators = parts.map(list => this.mergedOf(list));

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
        ...statisticsOf(acc, stream.measures),
      };
      if (query.groupBy && groupValues) {
        const counts = acc.dims.get(query.groupBy) ?? new Map<string, number>();
        // Values are data: `__proto__` must be a key like any other.
        const groups: Record<string, number> = Object.create(null);
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
      to: new Date(range.toMs).toISOString(),
      range: isoRange(range),
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
    const range = wholeMinutes(query);
    const { summaries, stats } = await this.load(
      stream,
      range,
      query.filters,
      now,
    );
    const totals = new Map<string, number>();
    let total = 0;
    for (const summary of summaries) {
      for (const [, part] of segments(
        summary,
        range.fromMs,
        range.toMs,
        true,
      )) {
        total += part.count;
        for (const [value, n] of part.dims.get(query.dimension) ?? []) {
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
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
      dimension: query.dimension,
      range: isoRange(range),
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
    const page = (nextCursor?: string): RecordsResponse => ({
      stream: stream.name,
      from: new Date(query.fromMs).toISOString(),
      to: new Date(query.toMs).toISOString(),
      items,
      ...(nextCursor ? { nextCursor } : {}),
    });
    let objectsRead = 0;
    for (const object of objects) {
      if (position && object.key > position.key) continue;
      if (objectsRead >= settings.maxObjectsPerPage && items.length > 0) break;
      objectsRead++;
      let line = -1;
      // Event ids of this object: a duplicate within it is listed once, as
      // it is counted once (lines before a cursor are read for their ids).
      const seen = new Set<string>();
      const resumed = position?.key === object.key ? position.line : -1;
      if (resumed === Number.MAX_SAFE_INTEGER) continue; // read to its end
      try {
        for await (const text of ndjsonLines(
          await this.options.storeFor(stream).open(stream.bucket, object.key),
        )) {
          line++;
          let event: StreamEvent;
          try {
            event = JSON.parse(text);
          } catch {
            continue;
          }
          const { eventId } = event;
          if (typeof eventId === 'string') {
            if (seen.has(eventId)) continue;
            seen.add(eventId);
          }
          if (line <= resumed) continue;
          const tsMs = Date.parse(String(event[stream.timestampField]));
          if (!(tsMs >= query.fromMs && tsMs < query.toMs) || !accept(event))
            continue;
          items.push(event);
          if (items.length === limit) {
            return page(encodeCursor({ key: object.key, line }, queryId));
          }
        }
      } catch (error) {
        // S3 itself unavailable: the page cannot be answered (503), not
        // answered without the object.
        if (error instanceof ServiceUnavailableError) throw error;
        this.options.logger.warn(
          `Skipping unreadable object s3://${stream.bucket}/${object.key}: ${error}`,
        );
      }
      // Past the per-page read budget: hand back what there is with a cursor.
      if (
        objectsRead >= settings.maxObjectsPerPage &&
        object !== objects[objects.length - 1]
      ) {
        return page(
          encodeCursor(
            { key: object.key, line: Number.MAX_SAFE_INTEGER },
            queryId,
          ),
        );
      }
    }
    return page();
  }

  /** Newest event and arrival, and the last hour's volume. */
  async freshness(
    stream: EngineStream,
    now = Date.now(),
  ): Promise<FreshnessResponse> {
    const range = { fromMs: hourStart(now - HOUR_MS), toMs: now };
    const objects = await this.listRange(stream, range, now, true);
    const { summaries: made } = await this.summarise(stream, objects, []);
    const summaries = made.map(object => object.summary);
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
      true,
    );
    if (this.cacheFor(stream) === NO_CACHE) {
      // Nothing to warm without a cache: only tell whether objects landed.
      const id = `${sourceOf(stream)}:${stream.prefix}`;
      const hour = hourStart(now);
      const seen = this.openHourCounts.get(id);
      this.openHourCounts.set(id, { hour, count: objects.length });
      return seen?.hour === hour
        ? Math.max(0, objects.length - seen.count)
        : objects.length;
    }
    const { fromCache } = await this.summarise(stream, objects, []);
    return objects.length - fromCache;
  }

  /** Objects of the open hour seen by `warm` of streams without a cache. */
  private readonly openHourCounts = new Map<
    string,
    { hour: number; count: number }
  >();

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

  /**
   * The hours whose prefixes can hold events of the range, with their
   * objects. With `byArrival`, the hours objects arrived in during the
   * range instead (no buffering interval before it, no lateness after).
   */
  private async listHours(
    stream: EngineStream,
    range: Range,
    now: number,
    byArrival = false,
  ): Promise<
    Array<{ hourStartMs: number; closed: boolean; objects: ObjectRef[] }>
  > {
    const settings = this.options.settings();
    const hours = hoursHolding(range, {
      bufferIntervalMs: byArrival ? 0 : bufferIntervalMsOf(stream),
      latenessMs: byArrival ? 0 : settings.latenessMinutes * MINUTE_MS,
      now,
    });
    const listing = this.listingFor(stream, settings);
    return mapWithConcurrency(
      hours,
      settings.maxConcurrency,
      async hourStartMs => ({
        hourStartMs,
        closed: listing.isClosed(hourStartMs, now),
        objects: await listing.hour(
          stream,
          hourStartMs,
          now,
          this.cacheFor(stream) !== NO_CACHE,
        ),
      }),
    );
  }

  /** Objects that can hold events of the range (`byArrival`: see listHours). */
  private async listRange(
    stream: EngineStream,
    range: Range,
    now: number,
    byArrival = false,
  ) {
    return (await this.listHours(stream, range, now, byArrival)).flatMap(
      h => h.objects,
    );
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

  /**
   * Summaries covering the range: one rollup per closed hour (cached, and
   * kept decoded in memory), object summaries for open hours.
   */
  private async load(
    stream: EngineStream,
    range: Range,
    filters: DimensionFilter[],
    now: number,
    {
      onProgress,
      signal,
    }: {
      onProgress?: (progress: SummaryProgress) => void;
      signal?: AbortSignal;
    } = {},
  ): Promise<Loaded> {
    const hours = await this.listHours(stream, range, now);
    const settings = this.options.settings();
    const shapeKey = shapeKeyOf(stream, filters);
    const cache = this.cacheFor(stream);
    let fromCache = 0;
    const objectsTotal = hours.reduce((n, h) => n + h.objects.length, 0);
    let objectsDone = 0;
    const advance = (objects: number) => {
      objectsDone += objects;
      onProgress?.({ objectsDone, objectsTotal });
    };
    advance(0);
    const onObject = onProgress && (() => advance(1));
    // Hours are summarised side by side; their object reads share one
    // bound, so a query has at most `maxConcurrency` objects in flight.
    const objectReads = new ConcurrencyLimit(() => settings.maxConcurrency);
    const parts = await mapWithConcurrency(
      hours,
      settings.maxConcurrency,
      async (hour): Promise<HourParts> => {
        const summariseHour = async () => {
          const result = await this.summarise(
            stream,
            hour.objects,
            filters,
            onObject,
            signal,
            objectReads,
          );
          fromCache += result.fromCache;
          return result.summaries;
        };
        if (!hour.closed) {
          const made = await summariseHour();
          return { summaries: made.map(object => object.summary) };
        }
        const key = `${CACHE_KEY_PREFIX}hour:${sourceOf(stream)}:${hourPrefix(
          stream.prefix,
          hour.hourStartMs,
        )}:${listingHash(hour.objects)}:r${ROLLUP_FORMAT}:${shapeKey}`;
        const cached =
          cache === NO_CACHE ? undefined : await this.cachedSummary(key);
        if (cached) {
          fromCache += hour.objects.length;
          advance(hour.objects.length);
          return { summaries: [cached], rollupKey: key };
        }
        const objectSummaries = await summariseHour();
        const { rollup, encoded } = await this.rollUpHour(objectSummaries);
        if (cache !== NO_CACHE) {
          this.remember(key, SummarisedObject.of(rollup));
          cache.setMany(
            [[key, encoded ?? encodeSummary(rollup)]],
            settings.cacheTtlSeconds,
          );
        }
        return {
          summaries: [rollup],
          rollupKey: key,
          objectSummaries,
        };
      },
    );
    const stats = emptyMergeStats();
    // Firehose is at-least-once: a re-delivered object holds the same
    // events, in the original's hour or a later one. Hours are merged in
    // order and the earliest copy counts; a rollup holding later copies is
    // merged without them here, so it stays a function of its own listing.
    const seen = fingerprintSet(
      hours.reduce((n, hour) => n + hour.objects.length, 0),
    );
    const summaries: ObjectSummary[] = [];
    for (const [i, part] of parts.entries()) {
      for (const kept of dedupeSummaries(part.summaries, stats, seen)) {
        if (!kept.repeated.length) {
          summaries.push(kept.summary);
          continue;
        }
        const without = await this.rollupWithout(
          stream,
          hours[i].objects,
          filters,
          part,
          kept.repeated,
        );
        fromCache -= without.readFromStore;
        summaries.push(without.rollup);
      }
    }
    return {
      summaries,
      stats: {
        ...stats,
        objectsFromCache: fromCache,
        cacheDegraded: this.options.cache.describe().degraded,
      },
    };
  }

  /**
   * A closed hour's rollup without the objects (copies) that earlier hours
   * of the query hold, cached under the rollup's key and the fingerprint
   * keys left out: as immutable as the rollup.
   */
  private async rollupWithout(
    stream: EngineStream,
    objects: ObjectRef[],
    filters: DimensionFilter[],
    hour: HourParts,
    repeated: string[],
  ): Promise<{ rollup: ObjectSummary; readFromStore: number }> {
    const cache = this.cacheFor(stream);
    const left = createHash('sha256')
      .update([...repeated].sort().join(','))
      .digest('base64url')
      .slice(0, 22);
    const key = `${hour.rollupKey}:without:${left}`;
    const cached =
      cache === NO_CACHE ? undefined : await this.cachedSummary(key);
    if (cached) return { rollup: cached, readFromStore: 0 };
    let summaries = hour.objectSummaries;
    let readFromStore = 0;
    if (!summaries) {
      const result = await this.summarise(stream, objects, filters);
      summaries = result.summaries;
      readFromStore = objects.length - result.fromCache;
    }
    const rollup = rollUpWithout(
      summaries.map(object => object.summary),
      repeated,
    );
    if (cache !== NO_CACHE) {
      this.remember(key, SummarisedObject.of(rollup));
      cache.setMany(
        [[key, encodeSummary(rollup)]],
        this.options.settings().cacheTtlSeconds,
      );
    }
    return { rollup, readFromStore };
  }

  /**
   * A closed hour's rollup: made by the object workers from the encoded
   * object summaries where there are workers (natively, or at least off
   * this thread), here otherwise; with its cache encoding when made there.
   */
  private async rollUpHour(
    objects: SummarisedObject[],
  ): Promise<{ rollup: ObjectSummary; encoded?: Buffer }> {
    const encoded =
      objects.length > 0
        ? await this.summarisers.rollUp?.(
            objects.map(
              object => object.encoded ?? encodeSummary(object.summary),
            ),
          )
        : undefined;
    const rollup = encoded && decodeSummary(encoded);
    if (rollup) return { rollup, encoded };
    return { rollup: rollUp(objects.map(object => object.summary)) };
  }

  // Merges of the same immutable parts (e.g. an event hour spread over two
  // arrival-hour rollups) are kept, so a repeated query merges nothing.
  private readonly merged = new Map<string, MinuteSummary>();

  private mergedOf(parts: MinuteSummary[]): MinuteSummary {
    if (parts.length === 1) return parts[0];
    const key = parts.map(partId).join(',');
    const hit = this.merged.get(key);
    if (hit) return hit;
    const acc = emptyMinute();
    for (const part of parts) mergeMinute(acc, part);
    this.merged.set(key, acc);
    if (this.merged.size > DECODED_CACHE_ENTRIES) {
      this.merged.delete(this.merged.keys().next().value as string);
    }
    return acc;
  }

  // Summaries of immutable objects and closed hours: an in-process LRU in
  // front of Redis, so warm queries neither fetch nor decode.
  private readonly decoded = new Map<string, SummarisedObject>();

  private remember(key: string, summary: SummarisedObject) {
    this.decoded.delete(key);
    this.decoded.set(key, summary);
    if (this.decoded.size > DECODED_CACHE_ENTRIES) {
      this.decoded.delete(this.decoded.keys().next().value as string);
    }
  }

  private async cachedSummary(key: string): Promise<ObjectSummary | undefined> {
    const hit = this.decoded.get(key);
    if (hit) {
      this.remember(key, hit);
      return hit.summary;
    }
    const [buffer] = await this.options.cache.getMany([key]);
    const summary = buffer ? decodeSummary(buffer) : undefined;
    if (summary) this.remember(key, SummarisedObject.of(summary, buffer));
    return summary;
  }

  private async summarise(
    stream: EngineStream,
    objects: ObjectRef[],
    filters: DimensionFilter[],
    /** Called as each object's summary is had (cached or made). */
    onObject?: () => void,
    signal?: AbortSignal,
    /** The query's bound on objects read at once (`s3.maxConcurrency`). */
    objectReads = new ConcurrencyLimit(
      () => this.options.settings().maxConcurrency,
    ),
  ) {
    const settings = this.options.settings();
    const shapeKey = shapeKeyOf(stream, filters);
    const source = sourceOf(stream);
    const keys = objects.map(
      o => `${CACHE_KEY_PREFIX}sum:${source}:${o.key}:${o.etag}:${shapeKey}`,
    );
    const cache = this.cacheFor(stream);
    const bypass = cache === NO_CACHE;
    const inMemory = keys.map(key =>
      bypass ? undefined : this.decoded.get(key),
    );
    const missing = keys.filter((_, i) => !inMemory[i]);
    const fetched = await cache.getMany(missing);
    const cached = new Map(missing.map((key, i) => [key, fetched[i]]));
    const shape = {
      timestampField: stream.timestampField,
      measures: stream.measures,
      dimensions: stream.dimensions,
      filters,
    };
    let fromCache = 0;
    const fresh: Array<[string, Buffer]> = [];
    const store = this.options.storeFor(stream);
    const whole = this.summarisers.wholeObjects;
    const summaries = await mapWithConcurrency(
      objects.map((object, index) => ({ object, index })),
      settings.maxConcurrency + (whole?.inFlight ?? 0),
      async ({ object, index }): Promise<SummarisedObject> => {
        const key = keys[index];
        const buffer = cached.get(key);
        const decoded = buffer ? decodeSummary(buffer) : undefined;
        const hit =
          inMemory[index] ??
          (decoded ? SummarisedObject.of(decoded, buffer) : undefined);
        if (hit) {
          fromCache++;
          this.remember(key, hit);
          onObject?.();
          return hit;
        }
        // The query's object reads, over all its hours, share its bound;
        // objects read whole are summarised outside it.
        const read = async () => {
          signal?.throwIfAborted();
          return store.open(stream.bucket, object.key);
        };
        let made: SummarisedObject;
        if (whole && object.size <= whole.maxBytes) {
          const bytes = await objectReads.run(async () =>
            readWhole(await read()),
          );
          made = bytes
            ? await this.summarisers.summarise(bytes, object.size, shape)
            : SummarisedObject.of(corruptSummary());
        } else {
          made = await objectReads.run(async () =>
            this.summarisers.summarise(await read(), object.size, shape),
          );
        }
        const { corrupt, badLines } = made.health;
        if (corrupt || badLines > 0) {
          this.options.logger.warn(
            `Object s3://${stream.bucket}/${object.key}: ${
              corrupt
                ? 'corrupt, skipped'
                : `${badLines} unreadable lines skipped`
            }`,
          );
        }
        if (!bypass) {
          this.remember(key, made);
          fresh.push([key, made.encoded ?? encodeSummary(made.summary)]);
        }
        onObject?.();
        return made;
      },
    );
    cache.setMany(fresh, settings.cacheTtlSeconds);
    return { summaries, fromCache };
  }
}
