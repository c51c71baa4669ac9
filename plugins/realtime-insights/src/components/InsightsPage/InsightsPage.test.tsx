import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { RealtimeInsightsClient } from '@internal/plugin-realtime-insights-common';
import { realtimeInsightsApiRef } from '../../api';
import { InsightsPage } from './InsightsPage';

const BASE = 'http://backend.test/api/realtime-insights';

function renderPage() {
  const client = new RealtimeInsightsClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    fetchApi: { fetch: (...args) => fetch(...args) },
  });
  return renderInTestApp(
    <TestApiProvider apis={[[realtimeInsightsApiRef, client]]}>
      <InsightsPage />
    </TestApiProvider>,
  );
}

describe('InsightsPage', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('shows the first stream with its record total', async () => {
    server.use(
      http.get(`${BASE}/streams`, () =>
        HttpResponse.json({
          items: [
            {
              name: 'interactions',
              title: 'Interactions',
              measures: [],
              dimensions: ['type'],
            },
            {
              name: 'transaction-logs',
              title: 'Transaction logs',
              measures: ['amount'],
              dimensions: [],
            },
          ],
        }),
      ),
      http.get(`${BASE}/streams/interactions/timeseries`, ({ request }) => {
        expect(new URL(request.url).searchParams.get('bucket')).toBe('1m');
        const bucket = (start: string, count: number) => ({
          start,
          count,
          devices: 10,
          customers: 5,
          measures: {},
        });
        return HttpResponse.json({
          stream: 'interactions',
          from: '2026-11-23T10:00:00.000Z',
          to: '2026-11-23T10:02:00.000Z',
          bucket: '1m',
          bucketSeconds: 60,
          buckets: [
            bucket('2026-11-23T10:00:00.000Z', 1200),
            bucket('2026-11-23T10:01:00.000Z', 34),
          ],
          stats: {
            objects: 3,
            objectsFromCache: 2,
            corruptObjects: 0,
            badLines: 0,
            duplicateEvents: 0,
            duplicateObjects: 0,
            cacheDegraded: false,
          },
        });
      }),
    );
    await renderPage();
    expect(await screen.findByText(/1,234 records/)).toBeInTheDocument();
    expect(
      screen.getByText(/3 objects read \(2 from cache\)/),
    ).toBeInTheDocument();
    expect(screen.getByTestId('record-count-chart')).toBeInTheDocument();
  });

  it('tells how to add a stream when there are none', async () => {
    server.use(
      http.get(`${BASE}/streams`, () => HttpResponse.json({ items: [] })),
    );
    await renderPage();
    expect(await screen.findByText('No streams yet')).toBeInTheDocument();
  });

  it("shows the backend's error message", async () => {
    server.use(
      http.get(`${BASE}/streams`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'You may not read streams',
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    await renderPage();
    expect(
      await screen.findByText(/Could not load streams/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/You may not read streams/).length,
    ).toBeGreaterThan(0);
  });
});
