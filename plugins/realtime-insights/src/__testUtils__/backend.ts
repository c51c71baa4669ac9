import {
  BreakdownResponse,
  FreshnessResponse,
  QueryStats,
  RealtimeInsightsClient,
  StreamSummary,
  TimeSeriesBucket,
  TimeSeriesResponse,
} from '@internal/plugin-realtime-insights-common';
import { RealtimeInsightsReportsApi } from '../components/Reports/reportsApi';

/** Base URL the test client sends to; msw handlers listen here. */
export const BASE = 'http://backend.test/api/realtime-insights';

/** The typed client over the global fetch, which msw intercepts. */
export function testClient(): RealtimeInsightsClient {
  return new RealtimeInsightsClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    fetchApi: { fetch: (...args) => fetch(...args) },
  });
}

export const INTERACTIONS: StreamSummary = {
  name: 'interactions',
  title: 'Interactions',
  description: 'Taps and views',
  entityRef: 'resource:default/interactions',
  owner: 'group:default/mobile-analytics',
  measures: ['durationMs'],
  dimensions: ['type', 'screen'],
};

export const TRANSACTIONS: StreamSummary = {
  name: 'transaction-logs',
  title: 'Transaction logs',
  entityRef: 'resource:default/transaction-logs',
  owner: 'group:default/payments',
  measures: ['amount'],
  dimensions: [],
};

export const STATS: QueryStats = {
  objects: 3,
  objectsFromCache: 2,
  corruptObjects: 0,
  badLines: 0,
  duplicateEvents: 0,
  duplicateObjects: 0,
  cacheDegraded: false,
};

/** Buckets with the given counts, one bucket width apart, from `startMs`. */
export function bucketsOf(
  counts: number[],
  startMs: number,
  bucketSeconds: number,
): TimeSeriesBucket[] {
  return counts.map((count, i) => ({
    start: new Date(startMs + i * bucketSeconds * 1000).toISOString(),
    count,
    devices: Math.ceil(count / 10),
    customers: Math.ceil(count / 20),
    measures: {
      durationMs: {
        count,
        sum: count * 100,
        avg: count ? 100 : null,
        min: count ? 5 : null,
        max: count ? 900 : null,
        p50: count ? 80 : null,
        p95: count ? 400 : null,
        p99: count ? 850 : null,
      },
    },
  }));
}

/** A time series answer for `url`'s range and bucket, with these counts. */
export function timeSeriesFor(
  url: URL,
  counts: number[],
  extra: Partial<TimeSeriesResponse> = {},
): TimeSeriesResponse {
  const bucketSeconds = url.searchParams.get('bucket') === '1m' ? 60 : 900;
  const from = url.searchParams.get('from') ?? new Date().toISOString();
  const to = url.searchParams.get('to') ?? new Date().toISOString();
  const startMs = Date.parse(from);
  return {
    stream: 'interactions',
    from,
    to,
    range: { from, to },
    bucket: (url.searchParams.get('bucket') ??
      '1m') as TimeSeriesResponse['bucket'],
    bucketSeconds,
    buckets: bucketsOf(counts, startMs, bucketSeconds),
    stats: STATS,
    ...extra,
  };
}

export function breakdownOf(
  dimension: string,
  values: Array<[string, number]>,
  other = 0,
): BreakdownResponse {
  const total = values.reduce((s, [, n]) => s + n, other);
  return {
    stream: 'interactions',
    from: '2026-11-23T10:00:00.000Z',
    to: '2026-11-23T11:00:00.000Z',
    range: {
      from: '2026-11-23T10:00:00.000Z',
      to: '2026-11-23T11:00:00.000Z',
    },
    dimension,
    total,
    values: values.map(([value, count]) => ({ value, count })),
    other,
    stats: STATS,
  };
}

export function freshnessOf(
  stream: string,
  newestEventAgoS: number | null,
  eventsLastHour: number,
): FreshnessResponse {
  const at =
    newestEventAgoS === null
      ? null
      : new Date(Date.now() - newestEventAgoS * 1000).toISOString();
  return {
    stream,
    newestEventAt: at,
    newestArrivalAt: at,
    lagSeconds: newestEventAgoS,
    objectsLastHour: 4,
    eventsLastHour,
  };
}

/** A backend error body as Backstage's error handler sends it. */
export function errorBody(name: string, message: string, statusCode: number) {
  return { error: { name, message }, response: { statusCode } };
}

/**
 * The reports API for tests of views that only show the report button and
 * list: no reports yet, and any other call fails the test loudly.
 */
export function idleReportsApi(): RealtimeInsightsReportsApi {
  const unexpected = (name: string) => () => {
    throw new Error(`reports API call ${name} was not expected in this test`);
  };
  return {
    listReports: async () => ({ items: [] }),
    createReport: unexpected('createReport'),
    getReport: unexpected('getReport'),
    cancelReport: unexpected('cancelReport'),
    retryReport: unexpected('retryReport'),
    deleteReport: unexpected('deleteReport'),
    shareReport: unexpected('shareReport'),
    listReportShares: unexpected('listReportShares'),
    revokeReportShare: unexpected('revokeReportShare'),
    downloadUrl: unexpected('downloadUrl'),
    urlOf: unexpected('urlOf'),
    issueCookie: unexpected('issueCookie'),
  } as RealtimeInsightsReportsApi;
}
