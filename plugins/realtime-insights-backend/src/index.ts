/**
 * Backend plugin of Real-time Insights.
 *
 * @packageDocumentation
 */
export { realtimeInsightsPlugin as default } from './plugin';
export type { RealtimeInsightsConfig } from './config';
