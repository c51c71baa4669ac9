export * from './types';
export * from './RealtimeInsightsClient';
export * from './signals';
export * from './request';
export * from './reports';
export * from './ReportsClient';
export * from './admin';
export * from './AdminClient';
