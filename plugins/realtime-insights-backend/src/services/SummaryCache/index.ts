export * from './types';
export { MemorySummaryCache } from './MemorySummaryCache';
export { RedisSummaryCache } from './RedisSummaryCache';
export { createSummaryCache } from './createSummaryCache';
