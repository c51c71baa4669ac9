import { realtimeInsightsReportsApiRef } from '../Reports/reportsApi';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { realtimeInsightsApiRef } from '../../api';
import {
  BASE,
  INTERACTIONS,
  TRANSACTIONS,
  errorBody,
  freshnessOf,
  testClient,
  timeSeriesFor,
  idleReportsApi,
} from '../../__testUtils__/backend';
import { InsightsPage } from './InsightsPage';

function renderAt(path: string) {
  return renderInTestApp(<InsightsPage />, {
    apis: [
      [realtimeInsightsApiRef, testClient()],
      [realtimeInsightsReportsApiRef, idleReportsApi()],
    ],
    mountPath: '/realtime-insights/*',
    initialRouteEntries: [path],
  });
}

describe('InsightsPage', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('lists the readable streams with their freshness and links to their dashboards', async () => {
    server.use(
      http.get(`${BASE}/streams`, () =>
        HttpResponse.json({ items: [INTERACTIONS, TRANSACTIONS] }),
      ),
      http.get(`${BASE}/streams/interactions/freshness`, () =>
        HttpResponse.json(freshnessOf('interactions', 42, 12345)),
      ),
      http.get(`${BASE}/streams/transaction-logs/freshness`, () =>
        HttpResponse.json(freshnessOf('transaction-logs', 3 * 3600, 0)),
      ),
    );
    await renderAt('/realtime-insights');

    const interactions = await screen.findByTestId('stream-card-interactions');
    expect(await within(interactions).findByText('12,345')).toBeInTheDocument();
    expect(
      within(interactions).getByTestId('newest-event-age'),
    ).toHaveTextContent(/^4\d s ago$/);
    expect(within(interactions).getByText('Fresh')).toBeInTheDocument();

    const transactions = screen.getByTestId('stream-card-transaction-logs');
    expect(
      await within(transactions).findByText(/Stale: newest event 3 h ago/),
    ).toBeInTheDocument();

    expect(screen.getByText(/Owned by mobile-analytics/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Interactions' })).toHaveAttribute(
      'href',
      '/realtime-insights/streams/interactions',
    );
  });

  it('shows a stream without recent events as such', async () => {
    server.use(
      http.get(`${BASE}/streams`, () =>
        HttpResponse.json({ items: [INTERACTIONS] }),
      ),
      http.get(`${BASE}/streams/interactions/freshness`, () =>
        HttpResponse.json(freshnessOf('interactions', null, 0)),
      ),
    );
    await renderAt('/realtime-insights');
    expect(
      await screen.findByText('No events in the last two hours'),
    ).toBeInTheDocument();
  });

  it('tells a team how to register a stream when there are none', async () => {
    server.use(
      http.get(`${BASE}/streams`, () => HttpResponse.json({ items: [] })),
    );
    await renderAt('/realtime-insights');
    expect(await screen.findByText('No streams yet')).toBeInTheDocument();
    expect(screen.getByText('catalog-info.yaml')).toBeInTheDocument();
    // The snippet (highlighted lazily, so split into tokens) to copy.
    const snippet = await screen.findByText(
      (_, element) =>
        element?.tagName === 'CODE' &&
        /realtime-insights\.io\/firehose-stream: rti-/.test(
          element.textContent ?? '',
        ),
    );
    expect(snippet.textContent).toMatch(/type: data-stream/);
  });

  it("shows the backend's error message", async () => {
    server.use(
      http.get(`${BASE}/streams`, () =>
        HttpResponse.json(
          errorBody('NotAllowedError', 'You may not read streams', 403),
          { status: 403 },
        ),
      ),
    );
    await renderAt('/realtime-insights');
    expect(
      await screen.findByText(/Could not load streams/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/You may not read streams/).length,
    ).toBeGreaterThan(0);
  });

  it("opens a stream's dashboard on its sub-route, with a way back", async () => {
    server.use(
      http.get(`${BASE}/streams`, () =>
        HttpResponse.json({ items: [INTERACTIONS] }),
      ),
      http.get(`${BASE}/streams/interactions/timeseries`, ({ request }) =>
        HttpResponse.json(timeSeriesFor(new URL(request.url), [5, 7])),
      ),
      http.get(`${BASE}/streams/interactions/breakdown`, () =>
        HttpResponse.json({ values: [], other: 0, total: 0 }),
      ),
      http.get(`${BASE}/streams/interactions/records`, () =>
        HttpResponse.json({ items: [] }),
      ),
    );
    await renderAt('/realtime-insights/streams/interactions');
    expect(
      await screen.findByRole('heading', { name: 'Interactions' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(/12 records · 1m buckets/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Real-time Insights' }),
    ).toHaveAttribute('href', '/realtime-insights');
  });

  it('opens a stream outside the default namespace (name with a slash)', async () => {
    server.use(
      http.get(`${BASE}/streams`, () =>
        HttpResponse.json({
          items: [{ ...TRANSACTIONS, name: 'web/clicks', title: 'Web clicks' }],
        }),
      ),
      http.get(`${BASE}/streams/web%2Fclicks/freshness`, () =>
        HttpResponse.json(freshnessOf('web/clicks', 5, 1)),
      ),
      http.get(`${BASE}/streams/web%2Fclicks/timeseries`, ({ request }) =>
        HttpResponse.json(timeSeriesFor(new URL(request.url), [3, 4])),
      ),
      http.get(`${BASE}/streams/web%2Fclicks/records`, () =>
        HttpResponse.json({ items: [] }),
      ),
    );
    await renderAt('/realtime-insights');
    const link = await screen.findByRole('link', { name: 'Web clicks' });
    expect(link).toHaveAttribute(
      'href',
      '/realtime-insights/streams/web%2Fclicks',
    );
    await userEvent.click(link);
    expect(
      await screen.findByRole('heading', { name: 'Web clicks' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('7 records · 1m buckets'),
    ).toBeInTheDocument();
  });

  it('says "not found or no access" for a stream the user may not read', async () => {
    // The backend lists only readable streams.
    server.use(
      http.get(`${BASE}/streams`, () =>
        HttpResponse.json({ items: [INTERACTIONS] }),
      ),
    );
    await renderAt('/realtime-insights/streams/transaction-logs');
    expect(
      await screen.findByText(
        'Stream "transaction-logs" not found or no access',
      ),
    ).toBeInTheDocument();
  });
});
