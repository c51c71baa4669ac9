/**
 * Frontend plugin of Real-time Insights.
 *
 * @packageDocumentation
 */
export { realtimeInsightsPlugin as default } from './plugin';
export { realtimeInsightsApiRef } from './api';
export type { RealtimeInsightsApi } from './api';
