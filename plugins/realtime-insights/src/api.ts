import { createApiRef } from '@backstage/frontend-plugin-api';
import { RealtimeInsightsClient } from '@internal/plugin-realtime-insights-common';
import { backendClientApis } from './backendClientApis';

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

/** The insights API in both frontend systems. */
export const insightsApis = backendClientApis({
  api: realtimeInsightsApiRef,
  client: RealtimeInsightsClient,
});
