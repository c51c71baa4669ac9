import { Entity } from '@backstage/catalog-model';
import {
  createExtensionTester,
  registerMswTestHooks,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import plugin from './index';
import { INTERACTIONS, freshnessOf } from './__testUtils__/backend';

const entity = (kind: string, type: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name: 'x' },
  spec: { type },
});

describe('realtime-insights frontend plugin (new frontend system)', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('is a frontend plugin with the realtime-insights id', () => {
    expect(plugin.id).toBe('realtime-insights');
  });

  it('adds an entity tab for stream entities only', () => {
    const tester = createExtensionTester(
      plugin.getExtension('entity-content:realtime-insights'),
    );
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Real-time Insights',
    );
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter(entity('Resource', 'data-stream'))).toBe(true);
    expect(filter(entity('Resource', 'database'))).toBe(false);
    expect(filter(entity('Component', 'service'))).toBe(false);
  });

  it('serves the insights page through the typed client over fetchApi', async () => {
    server.use(
      http.get('http://backend.test/api/realtime-insights/streams', () =>
        HttpResponse.json({ items: [INTERACTIONS] }),
      ),
      http.get(
        'http://backend.test/api/realtime-insights/streams/interactions/freshness',
        () => HttpResponse.json(freshnessOf('interactions', 5, 99)),
      ),
    );
    renderTestApp({
      features: [plugin],
      config: { backend: { baseUrl: 'http://backend.test' } },
      initialRouteEntries: ['/realtime-insights'],
    });
    expect(await screen.findByText('Interactions')).toBeInTheDocument();
    expect(await screen.findByText('99')).toBeInTheDocument();
  });
});
