import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AdminHealthResponse,
  HealthProbeResponse,
  StreamDefinition,
  StreamHealth,
} from '@internal/plugin-realtime-insights-common';
import { ObjectStore } from '../ObjectStore';
import { EngineStream, QueryEngine } from '../QueryEngine';
import { StreamSettings } from '../Settings';
import { StreamRegistry } from '../StreamRegistry';
import { SummaryCache } from '../SummaryCache';
import { mapWithConcurrency } from '../QueryEngine/mapWithConcurrency';
import { FirehoseErrorReader } from './FirehoseErrorReader';

const HOUR_MS = 3_600_000;
/** Firehose buffers up to 15 minutes: older newest events are late. */
const LATE_AFTER_SECONDS = 15 * 60;
const STALE_AFTER_SECONDS = 60 * 60;
/** A successful S3 answer this recent makes a probe request unnecessary. */
const RECENT_SUCCESS_MS = 30_000;

export type HealthServiceOptions = {
  streams: StreamRegistry;
  engine: QueryEngine;
  cache: SummaryCache;
  /** The store of a stream's (or a bucket's) endpoint and region. */
  storeFor: (source: { region?: string; endpoint?: string }) => ObjectStore;
  /** The engine's view of a registered stream. */
  engineStream: (stream: StreamDefinition) => EngineStream;
  streamSettings: (entityRef: string) => StreamSettings;
  /** Buckets to probe when the catalog cannot say which streams exist. */
  fallbackBuckets?: string[];
  logger: LoggerService;
  /** How long a probe answer and the admin view are reused. Default 10 s. */
  reuseMs?: number;
  /** Longest wait for S3 in a probe. Default 2 s. */
  probeTimeoutMs?: number;
  now?: () => number;
};

type Reused<T> = { at: number; value: Promise<T> };

/**
 * Health of the pipeline: a cheap probe for Kubernetes and load balancers
 * (is S3 reachable, is the cache degraded) and a detailed view per stream
 * for admins (freshness, volume, Firehose errors, duplicates, S3 latency
 * and throttling). Both are reused for a few seconds, so however often
 * they are asked, S3 sees at most one check per interval and replica.
 */
export class HealthService {
  private readonly errors: FirehoseErrorReader;
  private readonly reuseMs: number;
  private readonly now: () => number;
  private probed?: Reused<{ status: number; body: HealthProbeResponse }>;
  private viewed?: Reused<AdminHealthResponse>;

  constructor(private readonly options: HealthServiceOptions) {
    this.errors = new FirehoseErrorReader(options.logger);
    this.reuseMs = options.reuseMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The probe answer: 503 only when the object store is unreachable. */
  probe(): Promise<{ status: number; body: HealthProbeResponse }> {
    if (!this.probed || this.now() - this.probed.at >= this.reuseMs) {
      this.probed = { at: this.now(), value: this.runProbe() };
    }
    return this.probed.value;
  }

  /** Every registered stream's health, and the cache's. */
  view(): Promise<AdminHealthResponse> {
    if (!this.viewed || this.now() - this.viewed.at >= this.reuseMs) {
      const value = this.runView();
      this.viewed = { at: this.now(), value };
      value.catch(() => {
        if (this.viewed?.value === value) this.viewed = undefined;
      });
    }
    return this.viewed.value;
  }

  private async runProbe(): Promise<{
    status: number;
    body: HealthProbeResponse;
  }> {
    const { cache } = this.options;
    const described = cache.describe();
    let cacheCheck: HealthProbeResponse['checks']['cache'] = 'ok';
    if (described.kind === 'memory') cacheCheck = 'in-process';
    else if (described.degraded) cacheCheck = 'degraded';

    const objectStore = await this.probeObjectStores();
    let status: HealthProbeResponse['status'] = 'ok';
    if (objectStore === 'unreachable') status = 'unavailable';
    else if (cacheCheck === 'degraded') status = 'degraded';
    return {
      status: status === 'unavailable' ? 503 : 200,
      body: { status, checks: { objectStore, cache: cacheCheck } },
    };
  }

  /** One bucket per store (endpoint and region) of the enabled streams. */
  private async probeObjectStores(): Promise<
    HealthProbeResponse['checks']['objectStore']
  > {
    const { streams, storeFor, streamSettings, fallbackBuckets } = this.options;
    let sources: Array<{ bucket: string; region?: string; endpoint?: string }>;
    try {
      sources = (await streams.listAll()).streams.filter(
        s => streamSettings(s.entityRef).enabled,
      );
    } catch {
      sources = (fallbackBuckets ?? []).map(bucket => ({ bucket }));
    }
    const byStore = new Map<ObjectStore, string>();
    for (const source of sources) {
      const store = storeFor(source);
      if (!byStore.has(store)) byStore.set(store, source.bucket);
    }
    if (byStore.size === 0) return 'not-configured';
    const results = await Promise.all(
      [...byStore].map(async ([store, bucket]) => {
        const lastSuccess = store.metrics?.lastSuccessAt();
        if (lastSuccess && this.now() - lastSuccess < RECENT_SUCCESS_MS) {
          return true;
        }
        if (!store.probe) return true; // nothing to ask: assume the best
        const controller = new AbortController();
        const timer = setTimeout(
          () => controller.abort(),
          this.options.probeTimeoutMs ?? 2_000,
        );
        try {
          await store.probe(bucket, controller.signal);
          return true;
        } catch (error) {
          this.options.logger.warn(`S3 probe of ${bucket} failed: ${error}`);
          return false;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return results.every(Boolean) ? 'ok' : 'unreachable';
  }

  private async runView(): Promise<AdminHealthResponse> {
    const now = this.now();
    const [{ streams }, cache] = await Promise.all([
      this.options.streams.listAll(),
      this.options.cache.stats(),
    ]);
    const health = await mapWithConcurrency(streams, 4, stream =>
      this.streamHealth(stream, now, cache.degraded),
    );
    return {
      checkedAt: new Date(now).toISOString(),
      cache,
      streams: health,
    };
  }

  private async streamHealth(
    stream: StreamDefinition,
    now: number,
    cacheDegraded: boolean,
  ): Promise<StreamHealth> {
    const settings = this.options.streamSettings(stream.entityRef);
    const engineStream = this.options.engineStream(stream);
    const store = this.options.storeFor(engineStream);
    const health: StreamHealth = {
      name: stream.name,
      entityRef: stream.entityRef,
      title: stream.title,
      owner: stream.owner,
      enabled: settings.enabled,
      cacheEnabled: settings.cacheEnabled,
      status: 'ok',
      problems: [],
      newestEventAt: null,
      newestArrivalAt: null,
      freshnessSeconds: null,
      objectsLastHour: 0,
      eventsLastHour: 0,
      eventsPerInterval: [],
      duplicateEvents: 0,
      duplicateObjects: 0,
      corruptObjects: 0,
      badLines: 0,
      errorObjectsLastHour: 0,
      errorRecordsLastHour: 0,
      topErrors: [],
      objectStore: null,
    };
    if (!settings.enabled) {
      // A disabled stream is not read at all: that is what disabling is for.
      return {
        ...health,
        status: 'disabled',
        objectStore: store.metrics?.stats(stream.bucket) ?? null,
      };
    }
    const warnings: string[] = [];
    const errors: string[] = [];
    try {
      const { engine } = this.options;
      const [freshness, series, failed] = await Promise.all([
        engine.freshness(engineStream, now),
        engine.timeSeries(
          engineStream,
          { fromMs: now - HOUR_MS, toMs: now, bucket: '5m', filters: [] },
          now,
        ),
        this.errors.lastHour(store, stream, now),
      ]);
      const newestEvent = freshness.newestEventAt
        ? Date.parse(freshness.newestEventAt)
        : null;
      Object.assign(health, {
        newestEventAt: freshness.newestEventAt,
        newestArrivalAt: freshness.newestArrivalAt,
        freshnessSeconds:
          newestEvent === null
            ? null
            : Math.max(0, Math.round((now - newestEvent) / 1000)),
        objectsLastHour: freshness.objectsLastHour,
        eventsLastHour: freshness.eventsLastHour,
        eventsPerInterval: series.buckets.map(b => ({
          start: b.start,
          count: b.count,
        })),
        duplicateEvents: series.stats.duplicateEvents,
        duplicateObjects: series.stats.duplicateObjects,
        corruptObjects: series.stats.corruptObjects,
        badLines: series.stats.badLines,
        errorObjectsLastHour: failed.objects,
        errorRecordsLastHour: failed.records,
        topErrors: failed.topReasons,
      });
      if (health.freshnessSeconds === null) {
        errors.push('No events in the current or the previous hour');
      } else if (health.freshnessSeconds > STALE_AFTER_SECONDS) {
        errors.push(
          `Newest event is ${Math.round(
            health.freshnessSeconds / 60,
          )} minutes old`,
        );
      } else if (health.freshnessSeconds > LATE_AFTER_SECONDS) {
        warnings.push(
          `Newest event is ${Math.round(
            health.freshnessSeconds / 60,
          )} minutes old (Firehose buffers at most 15)`,
        );
      }
      if (failed.objects > 0) {
        warnings.push(
          `${failed.objects} error object${
            failed.objects === 1 ? '' : 's'
          } under the Firehose error prefix in the last hour`,
        );
      }
      if (health.corruptObjects > 0 || health.badLines > 0) {
        warnings.push(
          `${health.corruptObjects} corrupt objects and ${health.badLines} unreadable lines skipped in the last hour`,
        );
      }
    } catch (error) {
      health.checkError = String((error as Error)?.message ?? error);
      errors.push(`Could not check the stream: ${health.checkError}`);
    }
    // After the checks, so a first look includes their own requests.
    health.objectStore = store.metrics?.stats(stream.bucket) ?? null;
    const s3 = health.objectStore;
    if (s3 && s3.throttled > 0) {
      warnings.push(
        `S3 throttled ${s3.throttled} requests in the last hour (retried)`,
      );
    }
    if (s3 && s3.errors > s3.throttled) {
      warnings.push(
        `${s3.errors - s3.throttled} S3 requests failed in the last hour`,
      );
    }
    if (cacheDegraded && settings.cacheEnabled) {
      warnings.push('Cache degraded: Redis is not answering, queries read S3');
    }
    let status: StreamHealth['status'] = 'ok';
    if (errors.length) status = 'error';
    else if (warnings.length) status = 'warning';
    return { ...health, status, problems: [...errors, ...warnings] };
  }
}
