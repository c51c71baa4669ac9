import {
  RealtimeInsightsClient,
  ReportJob,
  ReportShare,
  ReportsClient,
} from '@internal/plugin-realtime-insights-common';

/** Base URL the test clients send to; msw handlers listen here. */
export const BASE = 'http://backend.test/api/realtime-insights';

const discoveryApi = { getBaseUrl: async () => BASE };
const fetchApi = {
  fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
};

/** The typed clients over the global fetch, which msw intercepts. */
export const testReportsClient = () =>
  new ReportsClient({ discoveryApi, fetchApi });
export const testInsightsClient = () =>
  new RealtimeInsightsClient({ discoveryApi, fetchApi });

export const STREAMS = {
  items: [
    {
      name: 'transaction-logs',
      title: 'Transaction logs',
      measures: ['amount'],
      dimensions: ['status', 'currency'],
    },
  ],
};

/** A report job as the backend answers it. */
export function job(overrides: Partial<ReportJob> = {}): ReportJob {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    stream: 'transaction-logs',
    kind: 'raw',
    format: 'csv',
    from: '2026-11-23T10:00:00.000Z',
    to: '2026-11-23T16:00:00.000Z',
    filters: [],
    status: 'queued',
    cancelRequested: false,
    createdBy: 'user:default/guest',
    createdAt: '2026-11-24T09:00:00.000Z',
    attempts: 0,
    maxAttempts: 3,
    fileName: 'transaction-logs-raw-20261123T1000-20261123T1600.csv',
    progress: {
      bytesEstimated: 10 * 1024 * 1024,
      bytesScanned: 0,
      eventsScanned: 0,
      eventsEstimated: null,
      rowsWritten: 0,
      objectsDone: 0,
      objectsTotal: 0,
      fraction: 0,
    },
    ...overrides,
  };
}

/** A shared link of the finished report `2222…`, as the backend lists it. */
export function share(overrides: Partial<ReportShare> = {}): ReportShare {
  return {
    id: 'share-1',
    reportId: '22222222-2222-4222-8222-222222222222',
    createdBy: 'user:default/alice',
    createdAt: '2026-11-24T09:00:00.000Z',
    expiresAt: '2026-11-25T09:00:00.000Z',
    status: 'active',
    ...overrides,
  };
}

/** Links the components "clicked" to download. */
export function captureDownloads(): string[] {
  const urls: string[] = [];
  jest
    .spyOn(HTMLAnchorElement.prototype, 'click')
    .mockImplementation(function click(this: HTMLAnchorElement) {
      urls.push(this.href);
    });
  return urls;
}
