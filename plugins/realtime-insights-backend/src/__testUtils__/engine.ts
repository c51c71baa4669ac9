import { mockServices } from '@backstage/backend-test-utils';
import { LocalS3 } from '@internal/local-s3';
import { S3ObjectStore } from '../services/ObjectStore';
import { EngineSettings, QueryEngine } from '../services/QueryEngine';
import { MemorySummaryCache, SummaryCache } from '../services/SummaryCache';

/** A query engine reading the real S3 server `s3`, with `settings` and `cache`. */
export function engineReading(
  s3: LocalS3,
  settings: EngineSettings,
  cache: SummaryCache = new MemorySummaryCache(10_000),
): QueryEngine {
  return new QueryEngine({
    storeFor: () => new S3ObjectStore(s3.client),
    cache,
    logger: mockServices.logger.mock(),
    settings: () => settings,
  });
}
