import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { RealtimeInsightsClient } from '@internal/plugin-realtime-insights-common';
import TimelineIcon from '@material-ui/icons/Timeline';
import { realtimeInsightsApiRef } from './api';
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

/**
 * Real-time Insights for the new frontend system.
 *
 * @public
 */
export const realtimeInsightsPlugin = createFrontendPlugin({
  pluginId: 'realtime-insights',
  title: 'Real-time Insights',
  icon: <TimelineIcon />,
  extensions: [insightsApi, insightsPage],
  routes: { root: rootRouteRef },
});
