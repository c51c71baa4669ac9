import {
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  AdminClient,
  AdminSettingsResponse,
  AdminStream,
  StreamHealth,
} from '@internal/plugin-realtime-insights-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { AdminPage } from './AdminPage';
import { realtimeInsightsAdminApiRef } from './adminApi';

const BASE = 'http://backend.test/api/realtime-insights';

const SETTINGS: AdminSettingsResponse = {
  revision: 3,
  updatedAt: null,
  updatedBy: null,
  fields: [
    {
      path: 'cache.ttlSeconds',
      section: 'cache',
      label: 'Cache time to live (seconds)',
      type: 'integer',
      min: 1,
      defaultValue: 86400,
      value: 86400,
      overridden: false,
    },
    {
      path: 'query.maxBuckets',
      section: 'query',
      label: 'Most buckets of a time series',
      type: 'integer',
      min: 1,
      defaultValue: 1440,
      value: 1440,
      overridden: false,
    },
    {
      path: 'reports.sharing.enabled',
      section: 'reports',
      label: 'Shared links allowed',
      type: 'boolean',
      defaultValue: true,
      value: true,
      overridden: false,
    },
  ],
};

const STREAMS: AdminStream[] = [
  {
    entityRef: 'resource:default/broken',
    owner: 'group:default/payments',
    enabled: true,
    cacheEnabled: true,
    valid: false,
    errors: [
      'realtime-insights.io/bucket: "Not_A_Bucket" is not a bucket name',
    ],
  },
  {
    entityRef: 'resource:default/interactions',
    name: 'interactions',
    title: 'Interactions',
    owner: 'group:default/mobile-analytics',
    bucket: 'rti-interactions',
    prefix: 'events/',
    enabled: true,
    cacheEnabled: true,
    valid: true,
    errors: [],
  },
];

const HEALTH: StreamHealth = {
  name: 'interactions',
  entityRef: 'resource:default/interactions',
  title: 'Interactions',
  owner: 'group:default/mobile-analytics',
  enabled: true,
  cacheEnabled: true,
  status: 'warning',
  problems: [
    '2 error objects under the Firehose error prefix in the last hour',
  ],
  newestEventAt: '2026-11-24T09:59:00.000Z',
  newestArrivalAt: '2026-11-24T09:59:30.000Z',
  freshnessSeconds: 60,
  objectsLastHour: 12,
  eventsLastHour: 3400,
  eventsPerInterval: [
    { start: '2026-11-24T09:00:00.000Z', count: 1700 },
    { start: '2026-11-24T09:05:00.000Z', count: 1700 },
  ],
  duplicateEvents: 4,
  duplicateObjects: 1,
  corruptObjects: 0,
  badLines: 0,
  errorObjectsLastHour: 2,
  errorRecordsLastHour: 5,
  topErrors: [
    {
      errorCode: 'Lambda.ProcessingFailed',
      errorMessage: 'not valid JSON',
      count: 4,
    },
  ],
  objectStore: {
    requests: 40,
    errors: 1,
    throttled: 1,
    p50LatencyMs: 12,
    p95LatencyMs: 80,
    minutes: [
      {
        minute: '2026-11-24T09:59:00.000Z',
        requests: 40,
        errors: 1,
        throttled: 1,
        avgLatencyMs: 20,
      },
    ],
  },
};

const inputError = (message: string, status = 400) =>
  HttpResponse.json(
    {
      error: {
        name: status === 400 ? 'InputError' : 'Error',
        message,
      },
      response: { statusCode: status },
    },
    { status },
  );

// usePermission caches decisions for the whole test file: the denied case
// lives in AdminPage.denied.test.tsx.
function renderPage() {
  const client = new AdminClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    fetchApi: { fetch: (...args) => fetch(...args) },
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [realtimeInsightsAdminApiRef, client],
        [permissionApiRef, mockApis.permission()], // allows everything
      ]}
    >
      <AdminPage />
    </TestApiProvider>,
  );
}

/** A response the test lets go when it wants, to see the optimistic state. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>(resolve => {
    open = resolve;
  });
  return { open, opened };
}

describe('AdminPage', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  beforeEach(() => {
    server.use(
      http.get(`${BASE}/admin/settings`, () => HttpResponse.json(SETTINGS)),
      http.get(`${BASE}/admin/streams`, () =>
        HttpResponse.json({ items: STREAMS }),
      ),
    );
  });

  it('checks values as the admin types, and saves the changes with the revision', async () => {
    let sent: unknown;
    server.use(
      http.patch(`${BASE}/admin/settings`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({
          ...SETTINGS,
          revision: 4,
          updatedBy: 'user:default/guest',
          updatedAt: '2026-11-24T10:00:00.000Z',
          fields: SETTINGS.fields.map(f =>
            f.path === 'cache.ttlSeconds'
              ? { ...f, value: 3600, overridden: true }
              : f,
          ),
        });
      }),
    );
    await renderPage();
    const ttl = await screen.findByLabelText('Cache time to live (seconds)');
    fireEvent.change(ttl, { target: { value: '0' } });
    expect(screen.getByText('must be at least 1')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Save/ })).toBeDisabled();

    fireEvent.change(ttl, { target: { value: '3600' } });
    expect(screen.queryByText('must be at least 1')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Save (1)' }));
    expect(await screen.findByTestId('settings-saved')).toBeInTheDocument();
    expect(sent).toEqual({
      changes: { 'cache.ttlSeconds': 3600 },
      revision: 3,
    });
    expect(screen.getByLabelText('Cache time to live (seconds)')).toHaveValue(
      3600,
    );
    expect(
      screen.getByText(/Last changed by user:default\/guest/),
    ).toBeInTheDocument();
  });

  it('shows a save at once and rolls it back, naming the field, when the backend refuses', async () => {
    const answer = gate();
    server.use(
      http.patch(`${BASE}/admin/settings`, async () => {
        await answer.opened;
        return inputError(
          "Invalid setting 'query.maxBuckets': must be at most 5000",
        );
      }),
    );
    await renderPage();
    const buckets = await screen.findByLabelText(
      'Most buckets of a time series',
    );
    fireEvent.change(buckets, { target: { value: '9000' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save (1)' }));

    // Optimistic: the new value is shown as in effect while saving.
    expect(screen.getByRole('button', { name: 'Saving…' })).toBeDisabled();
    expect(
      within(screen.getByTestId('setting-query.maxBuckets')).getByText(
        'changed',
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Most buckets of a time series')).toHaveValue(
      9000,
    );

    answer.open();
    expect(await screen.findByTestId('settings-error')).toHaveTextContent(
      "Not saved: Invalid setting 'query.maxBuckets': must be at most 5000",
    );
    expect(screen.getByText('must be at most 5000')).toBeInTheDocument();
    // Rolled back: the setting in effect is the default again, the
    // admin's value stays in the field to fix.
    expect(
      within(screen.getByTestId('setting-query.maxBuckets')).getByText(
        'changed',
      ),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Discard' }));
    expect(screen.getByLabelText('Most buckets of a time series')).toHaveValue(
      1440,
    );
    expect(
      within(screen.getByTestId('setting-query.maxBuckets')).queryByText(
        'changed',
      ),
    ).not.toBeInTheDocument();
  });

  it('lists invalid entities with their errors, and switches a stream off optimistically, rolling back on error', async () => {
    const answer = gate();
    let sent: unknown;
    server.use(
      http.patch(
        `${BASE}/admin/streams/${encodeURIComponent(
          'resource:default/interactions',
        )}`,
        async ({ request }) => {
          sent = await request.json();
          await answer.opened;
          return inputError('The database is read-only', 500);
        },
      ),
    );
    await renderPage();
    await userEvent.click(await screen.findByRole('tab', { name: 'Streams' }));
    expect(
      await screen.findByText(/"Not_A_Bucket" is not a bucket name/),
    ).toBeInTheDocument();
    expect(screen.getByText('group:default/payments')).toBeInTheDocument();

    const toggle = screen.getByRole('checkbox', {
      name: 'Insights for Interactions',
    });
    expect(toggle).toBeChecked();
    await userEvent.click(toggle);
    expect(toggle).not.toBeChecked(); // at once
    answer.open();
    expect(await screen.findByTestId('streams-error')).toHaveTextContent(
      'The database is read-only',
    );
    expect(
      screen.getByRole('checkbox', { name: 'Insights for Interactions' }),
    ).toBeChecked();
    expect(sent).toEqual({ enabled: false });
  });

  it('flushes a stream only after a confirmation', async () => {
    const flushed = jest.fn();
    server.use(
      http.post(`${BASE}/admin/cache/flush`, async ({ request }) => {
        flushed(await request.json());
        return HttpResponse.json({ deleted: 42 });
      }),
    );
    await renderPage();
    await userEvent.click(await screen.findByRole('tab', { name: 'Streams' }));
    const flush = await screen.findByRole('button', {
      name: 'Flush the cache of Interactions',
    });

    await userEvent.click(flush);
    expect(
      screen.getByText('Flush the cache of Interactions?'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(flushed).not.toHaveBeenCalled();

    await userEvent.click(flush);
    await userEvent.click(screen.getByRole('button', { name: 'Flush' }));
    expect(
      await screen.findByText('Flushed 42 cached entries of Interactions.'),
    ).toBeInTheDocument();
    expect(flushed).toHaveBeenCalledWith({
      stream: 'resource:default/interactions',
    });
  });

  it('shows cache statistics and flushes everything after a confirmation', async () => {
    const flushed = jest.fn();
    server.use(
      http.get(`${BASE}/admin/cache`, () =>
        HttpResponse.json({
          kind: 'redis',
          degraded: false,
          hits: 90,
          misses: 10,
          hitRate: 0.9,
          memoryBytes: 5 * 1024 * 1024,
          maxMemoryBytes: 0,
          keys: 1234,
          evictions: 0,
          serverHitRate: 0.5,
          evictionPolicy: 'allkeys-lru',
        }),
      ),
      http.post(`${BASE}/admin/cache/flush`, async ({ request }) => {
        flushed(await request.json());
        return HttpResponse.json({ deleted: 1234 });
      }),
    );
    await renderPage();
    await userEvent.click(await screen.findByRole('tab', { name: 'Cache' }));
    expect(await screen.findByTestId('cache-hit-rate')).toHaveTextContent(
      '90.0 %',
    );
    expect(screen.getByTestId('cache-memory')).toHaveTextContent('5 MiB');
    expect(screen.getByTestId('cache-keys')).toHaveTextContent('1,234');

    await userEvent.click(screen.getByRole('button', { name: 'Flush all' }));
    await userEvent.click(
      screen.getByRole('button', { name: 'Flush everything' }),
    );
    expect(
      await screen.findByText('Flushed 1,234 cached entries.'),
    ).toBeInTheDocument();
    expect(flushed).toHaveBeenCalledWith({ all: true });
  });

  it('shows each stream’s health with its problems, errors and charts', async () => {
    server.use(
      http.get(`${BASE}/admin/health`, () =>
        HttpResponse.json({
          checkedAt: '2026-11-24T10:00:00.000Z',
          cache: { kind: 'memory', degraded: false },
          streams: [HEALTH],
        }),
      ),
    );
    await renderPage();
    await userEvent.click(await screen.findByRole('tab', { name: 'Health' }));
    const card = await screen.findByTestId('health-interactions');
    expect(within(card).getByText('degraded')).toBeInTheDocument();
    expect(
      within(card).getByText(
        '2 error objects under the Firehose error prefix in the last hour',
      ),
    ).toBeInTheDocument();
    expect(card).toHaveTextContent(
      '4 × Lambda.ProcessingFailed not valid JSON',
    );
    expect(within(card).getByText('12 / 3,400')).toBeInTheDocument();
    expect(within(card).getByText('12 ms / 80 ms')).toBeInTheDocument();
    expect(within(card).getByTestId('health-events-chart')).toHaveAttribute(
      'aria-label',
      'Events per 5 minutes of Interactions: 3,400 in the last hour',
    );
    expect(within(card).getByTestId('health-s3-chart')).toBeInTheDocument();
  });

  it("shows the backend's message when the settings cannot be loaded", async () => {
    server.use(
      http.get(`${BASE}/admin/settings`, () =>
        inputError('Administering needs realtime-insights.admin', 403),
      ),
    );
    await renderPage();
    expect(
      await screen.findByText(/Could not load the settings/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.getAllByText(/Administering needs realtime-insights.admin/)
          .length,
      ).toBeGreaterThan(0),
    );
  });
});
