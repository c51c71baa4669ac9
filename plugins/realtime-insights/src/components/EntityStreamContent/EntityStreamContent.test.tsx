import { realtimeInsightsReportsApiRef } from '../Reports/reportsApi';
import { Entity } from '@backstage/catalog-model';
import {
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { realtimeInsightsApiRef } from '../../api';
import {
  BASE,
  INTERACTIONS,
  testClient,
  timeSeriesFor,
  idleReportsApi,
} from '../../__testUtils__/backend';
import { EntityStreamContent } from './EntityStreamContent';

function renderFor(entity: Entity) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <EntityStreamContent />
    </EntityProvider>,
    {
      apis: [
        [realtimeInsightsApiRef, testClient()],
        [realtimeInsightsReportsApiRef, idleReportsApi()],
      ],
    },
  );
}

describe('EntityStreamContent', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const requested: string[] = [];

  beforeEach(() => {
    requested.length = 0;
    server.use(
      http.get(`${BASE}/streams`, () =>
        HttpResponse.json({ items: [INTERACTIONS] }),
      ),
      http.get(`${BASE}/streams/:stream/timeseries`, ({ request, params }) => {
        requested.push(String(params.stream));
        return HttpResponse.json(timeSeriesFor(new URL(request.url), [7, 8]));
      }),
      http.get(`${BASE}/streams/:stream/breakdown`, () =>
        HttpResponse.json({
          dimension: 'type',
          values: [],
          other: 0,
          total: 0,
        }),
      ),
      http.get(`${BASE}/streams/:stream/records`, () =>
        HttpResponse.json({ items: [] }),
      ),
    );
  });

  it("shows a stream entity's own dashboard", async () => {
    await renderFor({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'interactions' },
      spec: { type: 'data-stream', owner: 'mobile-analytics' },
    });
    expect(
      await screen.findByText('15 records · 1m buckets'),
    ).toBeInTheDocument();
    expect(requested).toContain('interactions');
  });

  it('shows the stream a Component declares', async () => {
    await renderFor({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'mobile-app',
        annotations: {
          'realtime-insights.io/stream': 'resource:default/interactions',
        },
      },
      spec: { type: 'service', owner: 'mobile-analytics' },
    });
    expect(
      await screen.findByText('15 records · 1m buckets'),
    ).toBeInTheDocument();
    expect(requested).toContain('interactions');
  });

  it('names the annotation a Component without a stream lacks', async () => {
    await renderFor({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'website' },
      spec: { type: 'website', owner: 'web' },
    });
    expect(await screen.findByText(/Missing Annotation/i)).toBeInTheDocument();
    expect(
      screen.getAllByText(/realtime-insights\.io\/stream/).length,
    ).toBeGreaterThan(0);
    expect(requested).toEqual([]);
  });
});
