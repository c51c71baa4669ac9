import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { RealtimeInsightsClient } from '@internal/plugin-realtime-insights-common';
import TimelineIcon from '@material-ui/icons/Timeline';
import { realtimeInsightsApiRef } from './api';
import { adminApiExtension } from './components/AdminPage/adminApi';
import { reportsApiExtension } from './components/Reports/reportsApi';
import { isRealtimeInsightsAvailable } from './components/EntityStreamContent/streamOfEntity';
import { rootRouteRef } from './routes';

const insightsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: realtimeInsightsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      // fetchApi attaches the signed-in user's token to every call.
      factory: ({ discoveryApi, fetchApi }) =>
        new RealtimeInsightsClient({ discoveryApi, fetchApi }),
    }),
});

// Pages and tabs load their code (and recharts) only when opened.
const insightsPage = PageBlueprint.make({
  params: {
    path: '/realtime-insights',
    title: 'Real-time Insights',
    icon: <TimelineIcon />,
    routeRef: rootRouteRef,
    // The page draws its own Backstage header (same look in both frontend systems).
    noHeader: true,
    loader: () =>
      import('./components/InsightsPage').then(m => <m.InsightsPage />),
  },
});

const entityInsightsContent = EntityContentBlueprint.make({
  params: {
    path: '/realtime-insights',
    title: 'Real-time Insights',
    // Stream entities, and Components declaring a stream by annotation.
    filter: isRealtimeInsightsAvailable,
    loader: () =>
      import('./components/EntityStreamContent/EntityStreamContent').then(m => (
        <m.EntityStreamContent />
      )),
  },
});

/**
 * Real-time Insights for the new frontend system: the APIs, the insights
 * page (with its sidebar item; the admin page is its `admin` sub-route) and
 * the entity tab.
 *
 * @public
 */
export const realtimeInsightsPlugin = createFrontendPlugin({
  pluginId: 'realtime-insights',
  title: 'Real-time Insights',
  icon: <TimelineIcon />,
  extensions: [
    insightsApi,
    adminApiExtension,
    reportsApiExtension,
    insightsPage,
    entityInsightsContent,
  ],
  routes: { root: rootRouteRef },
});
