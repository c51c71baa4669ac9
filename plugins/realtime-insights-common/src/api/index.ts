export * from './types';
export * from './RealtimeInsightsClient';
export * from './signals';
export * from './request';
