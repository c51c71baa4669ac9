import { realtimeInsightsReportsApiRef } from './components/Reports/reportsApi';
import {
  AnyApiFactory,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
  setupRequestMockHandlers,
} from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Route, Routes } from 'react-router-dom';
import { realtimeInsightsApiRef } from './api';
import {
  EntityRealtimeInsightsContent,
  RealtimeInsightsPage,
  realtimeInsightsLegacyPlugin,
} from './legacy';
import {
  BASE,
  INTERACTIONS,
  freshnessOf,
  testClient,
  timeSeriesFor,
  idleReportsApi,
} from './__testUtils__/backend';

/** What the legacy extensions need in a test app. */
const legacyTestApis = () =>
  [
    [realtimeInsightsApiRef, testClient()],
    [realtimeInsightsReportsApiRef, idleReportsApi()],
    [permissionApiRef, mockApis.permission()],
  ] as const;

describe('realtime-insights for the legacy frontend system', () => {
  const server = setupServer();
  setupRequestMockHandlers(server);

  beforeEach(() => {
    server.use(
      http.get(`${BASE}/streams`, () =>
        HttpResponse.json({ items: [INTERACTIONS] }),
      ),
      http.get(`${BASE}/streams/interactions/freshness`, () =>
        HttpResponse.json(freshnessOf('interactions', 5, 4321)),
      ),
      http.get(`${BASE}/streams/interactions/timeseries`, ({ request }) =>
        HttpResponse.json(timeSeriesFor(new URL(request.url), [20, 22])),
      ),
      http.get(`${BASE}/streams/interactions/breakdown`, () =>
        HttpResponse.json({
          dimension: 'type',
          values: [],
          other: 0,
          total: 0,
        }),
      ),
      http.get(`${BASE}/streams/interactions/records`, () =>
        HttpResponse.json({ items: [] }),
      ),
    );
  });

  it('provides the typed client over discovery and fetch', async () => {
    const factory = [...realtimeInsightsLegacyPlugin.getApis()].find(
      (f: AnyApiFactory) => f.api.id === realtimeInsightsApiRef.id,
    )!;
    expect(Object.values(factory.deps).map(ref => ref.id)).toEqual([
      discoveryApiRef.id,
      fetchApiRef.id,
    ]);
    const api = factory.factory({
      discoveryApi: { getBaseUrl: async () => BASE },
      fetchApi: {
        fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
      },
    }) as ReturnType<typeof testClient>;
    await expect(api.listStreams()).resolves.toEqual({ items: [INTERACTIONS] });
  });

  it('renders the page extension', async () => {
    await renderInTestApp(
      <TestApiProvider apis={legacyTestApis()}>
        <Routes>
          <Route
            path="/realtime-insights/*"
            element={<RealtimeInsightsPage />}
          />
        </Routes>
      </TestApiProvider>,
      { routeEntries: ['/realtime-insights'] },
    );
    expect(await screen.findByText('4,321')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Interactions' })).toHaveAttribute(
      'href',
      '/realtime-insights/streams/interactions',
    );
  });

  it('renders the page extension with its sub-routes', async () => {
    await renderInTestApp(
      <TestApiProvider apis={legacyTestApis()}>
        <Routes>
          <Route
            path="/realtime-insights/*"
            element={<RealtimeInsightsPage />}
          />
        </Routes>
      </TestApiProvider>,
      { routeEntries: ['/realtime-insights/streams/interactions'] },
    );
    // The page's own sub-route: the stream's dashboard.
    expect(
      await screen.findByText('42 records · 1m buckets'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Real-time Insights' }),
    ).toHaveAttribute('href', '/realtime-insights');
  });

  it('renders the entity content extension', async () => {
    await renderInTestApp(
      <TestApiProvider apis={legacyTestApis()}>
        <EntityProvider
          entity={{
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Resource',
            metadata: { name: 'interactions' },
            spec: { type: 'data-stream' },
          }}
        >
          <EntityRealtimeInsightsContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('42 records · 1m buckets'),
    ).toBeInTheDocument();
  });
});
