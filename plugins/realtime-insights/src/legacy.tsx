import {
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
} from '@backstage/core-plugin-api';
import { insightsApis } from './api';
import { adminApiFactory } from './components/AdminPage/adminApi';
import { reportsApiFactory } from './components/Reports/reportsApi';

/** Route of the insights page in the legacy frontend system. @public */
export const legacyRootRouteRef = createRouteRef({ id: 'realtime-insights' });

/**
 * Real-time Insights for portals on the legacy frontend system
 * (`@backstage/core-plugin-api`). Add it to `createApp({ plugins })` or let
 * the extensions below bring it along.
 *
 * @public
 */
export const realtimeInsightsLegacyPlugin = createPlugin({
  id: 'realtime-insights',
  apis: [insightsApis.factory, adminApiFactory, reportsApiFactory],
  routes: { root: legacyRootRouteRef },
});

/**
 * The insights page for the legacy app's routes, e.g.
 * `<Route path="/realtime-insights" element={<RealtimeInsightsPage />} />`.
 *
 * @public
 */
export const RealtimeInsightsPage = realtimeInsightsLegacyPlugin.provide(
  createRoutableExtension({
    name: 'RealtimeInsightsPage',
    component: () =>
      import('./components/InsightsPage').then(m => m.InsightsPage),
    mountPoint: legacyRootRouteRef,
  }),
);

/**
 * The entity tab for the legacy entity page, shown where
 * `isRealtimeInsightsAvailable(entity)`.
 *
 * @public
 */
export const EntityRealtimeInsightsContent =
  realtimeInsightsLegacyPlugin.provide(
    createComponentExtension({
      name: 'EntityRealtimeInsightsContent',
      component: {
        lazy: () =>
          import('./components/EntityStreamContent/EntityStreamContent').then(
            m => m.EntityStreamContent,
          ),
      },
    }),
  );
