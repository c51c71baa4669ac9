import { S3Client } from '@aws-sdk/client-s3';
import {
  ObjectStoreMinute,
  ObjectStoreStats,
} from '@internal/plugin-realtime-insights-common';

const MINUTE_MS = 60_000;
const WINDOW_MINUTES = 60;
/** Latencies kept per bucket for the percentiles. */
const SAMPLES = 1000;

type Minute = {
  start: number;
  requests: number;
  errors: number;
  throttled: number;
  latencyMs: number;
};

type BucketMetrics = {
  minutes: Minute[];
  samples: Array<{ at: number; ms: number }>;
};

const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/** Whether an SDK error is S3 asking to slow down. */
export function isThrottling(error: unknown): boolean {
  const e = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  const status = e?.$metadata?.httpStatusCode;
  return (
    THROTTLING.has(e?.name ?? '') ||
    status === 503 ||
    status === 429 ||
    e?.$retryable?.throttling === true
  );
}

/**
 * Every S3 attempt of one client, per bucket and minute over the last hour:
 * requests, errors, throttled attempts (the SDK retries them adaptively,
 * so they slow queries down without failing them) and latency. In memory,
 * per replica.
 */
export class S3RequestMetrics {
  private readonly buckets = new Map<string, BucketMetrics>();
  private lastSuccess = 0;

  constructor(private readonly now: () => number = Date.now) {}

  record(
    bucket: string,
    latencyMs: number,
    outcome: 'ok' | 'error' | 'throttled',
  ): void {
    const at = this.now();
    if (outcome === 'ok') this.lastSuccess = at;
    let metrics = this.buckets.get(bucket);
    if (!metrics) {
      metrics = { minutes: [], samples: [] };
      this.buckets.set(bucket, metrics);
    }
    const start = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    let minute = metrics.minutes[metrics.minutes.length - 1];
    if (!minute || minute.start !== start) {
      minute = { start, requests: 0, errors: 0, throttled: 0, latencyMs: 0 };
      metrics.minutes.push(minute);
      const oldest = start - WINDOW_MINUTES * MINUTE_MS;
      while (metrics.minutes[0].start <= oldest) metrics.minutes.shift();
    }
    minute.requests++;
    minute.latencyMs += latencyMs;
    if (outcome === 'throttled') minute.throttled++;
    if (outcome !== 'ok') minute.errors++;
    metrics.samples.push({ at, ms: latencyMs });
    if (metrics.samples.length > SAMPLES) metrics.samples.shift();
  }

  /** When S3 last answered a request of this client successfully (epoch ms). */
  lastSuccessAt(): number | undefined {
    return this.lastSuccess || undefined;
  }

  /** The last hour of one bucket, minute by minute (empty minutes left out). */
  stats(bucket: string): ObjectStoreStats {
    const since = this.now() - WINDOW_MINUTES * MINUTE_MS;
    const metrics = this.buckets.get(bucket);
    const minutes = (metrics?.minutes ?? []).filter(m => m.start > since);
    const latencies = (metrics?.samples ?? [])
      .filter(s => s.at > since)
      .map(s => s.ms)
      .sort((a, b) => a - b);
    const quantile = (q: number) =>
      latencies.length
        ? latencies[
            Math.min(latencies.length - 1, Math.floor(q * latencies.length))
          ]
        : null;
    const sum = (f: (m: Minute) => number) =>
      minutes.reduce((n, m) => n + f(m), 0);
    return {
      requests: sum(m => m.requests),
      errors: sum(m => m.errors),
      throttled: sum(m => m.throttled),
      p50LatencyMs: quantile(0.5),
      p95LatencyMs: quantile(0.95),
      minutes: minutes.map(
        (m): ObjectStoreMinute => ({
          minute: new Date(m.start).toISOString(),
          requests: m.requests,
          errors: m.errors,
          throttled: m.throttled,
          avgLatencyMs: m.requests
            ? Math.round(m.latencyMs / m.requests)
            : null,
        }),
      ),
    };
  }
}

const instrumented = new WeakMap<S3Client, S3RequestMetrics>();

/**
 * The metrics of a client, measuring every attempt (the middleware sits
 * below the SDK's retries). Idempotent: stores sharing a client share them.
 */
export function s3RequestMetrics(client: S3Client): S3RequestMetrics {
  let metrics = instrumented.get(client);
  if (metrics) return metrics;
  const created = new S3RequestMetrics();
  metrics = created;
  instrumented.set(client, created);
  client.middlewareStack.add(
    next => async args => {
      const bucket = String(
        (args.input as { Bucket?: string } | undefined)?.Bucket ?? '',
      );
      const started = performance.now();
      try {
        const result = await next(args);
        created.record(bucket, performance.now() - started, 'ok');
        return result;
      } catch (error) {
        created.record(
          bucket,
          performance.now() - started,
          isThrottling(error) ? 'throttled' : 'error',
        );
        throw error;
      }
    },
    // Outside the deserializer (high priority in its step), so S3's errors
    // arrive parsed; inside the retries (a later step), so every attempt
    // is seen.
    {
      step: 'deserialize',
      priority: 'high',
      name: 'realtimeInsightsRequestMetrics',
    },
  );
  return metrics;
}
