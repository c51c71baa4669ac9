import {
  PageBlueprint,
  createFrontendPlugin,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import TimelineIcon from '@material-ui/icons/Timeline';
import { insightsApis } from './api';
import { adminApiExtension } from './components/AdminPage/adminApi';
import { reportsApiExtension } from './components/Reports/reportsApi';
import { isRealtimeInsightsAvailable } from './components/EntityStreamContent/streamOfEntity';
import { rootRouteRef } from './routes';

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
    insightsApis.extension,
    adminApiExtension,
    reportsApiExtension,
    insightsPage,
    entityInsightsContent,
  ],
  routes: { root: rootRouteRef },
});
