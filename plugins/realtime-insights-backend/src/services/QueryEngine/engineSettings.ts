import {
  RealtimeInsightsConfig,
  realtimeInsightsConfigSchema,
} from '../../config';
import { EngineSettings } from './QueryEngine';

/** What the engine reads of the (effective) settings. */
export function engineSettingsOf(
  config: RealtimeInsightsConfig,
): EngineSettings {
  const { s3, cache, query } = config;
  return {
    maxConcurrency: s3.maxConcurrency,
    cacheTtlSeconds: cache.ttlSeconds,
    latenessMinutes: query.latenessMinutes,
    settleMinutes: query.hourClosesAfterMinutes,
    maxBuckets: query.maxBuckets,
    maxPageSize: query.maxPageSize,
    defaultPageSize: query.defaultPageSize,
    maxObjectsPerPage: query.maxObjectsPerPage,
  };
}

/** The engine settings of an empty config, with some changed: for tests and benchmarks. */
export function defaultEngineSettings(
  overrides: Partial<EngineSettings> = {},
): EngineSettings {
  return {
    ...engineSettingsOf(realtimeInsightsConfigSchema.parse({})),
    ...overrides,
  };
}
