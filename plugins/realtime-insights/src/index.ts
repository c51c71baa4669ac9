/**
 * Frontend plugin of Real-time Insights: the default export is for the new
 * frontend system; the named `realtimeInsightsLegacyPlugin`,
 * `RealtimeInsightsPage` and `EntityRealtimeInsightsContent` are for the
 * legacy one.
 *
 * @packageDocumentation
 */
export { realtimeInsightsPlugin as default } from './plugin';
export { realtimeInsightsApiRef } from './api';
export type { RealtimeInsightsApi } from './api';
export {
  EntityRealtimeInsightsContent,
  RealtimeInsightsPage,
  legacyRootRouteRef,
  realtimeInsightsLegacyPlugin,
} from './legacy';
export {
  STREAM_REF_ANNOTATION,
  isRealtimeInsightsAvailable,
  streamOfEntity,
} from './components/EntityStreamContent/streamOfEntity';
export type {
  ReportActionsComponent,
  ReportActionsProps,
  StreamDashboardProps,
} from './components/StreamDashboard';
export {
  ReportDownloadButton,
  ReportsList,
  realtimeInsightsReportsApiRef,
} from './components/Reports';
export type { RealtimeInsightsReportsApi } from './components/Reports';
export { realtimeInsightsAdminApiRef } from './components/AdminPage';
export type { RealtimeInsightsAdminApi } from './components/AdminPage';
