import { createApiRef } from '@backstage/frontend-plugin-api';
import { RealtimeInsightsClient } from '@internal/plugin-realtime-insights-common';

/** What the frontend needs of the backend; the typed client implements it. @public */
export type RealtimeInsightsApi = Pick<
  RealtimeInsightsClient,
  | 'listStreams'
  | 'getTimeSeries'
  | 'getBreakdown'
  | 'getRecords'
  | 'getFreshness'
>;

/** @public */
export const realtimeInsightsApiRef = createApiRef<RealtimeInsightsApi>({
  id: 'plugin.realtime-insights.service',
});
