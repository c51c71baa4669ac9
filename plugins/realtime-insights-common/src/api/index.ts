export * from './types';
export * from './RealtimeInsightsClient';
