import { mockServices } from '@backstage/backend-test-utils';
import { RedisSummaryCache } from '../services/SummaryCache';

/** The real Redis the tests use; `npm test` starts one when none answers. */
export const REDIS_URL =
  process.env.RTI_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A summary cache on the real Redis, connected; throws when none answers. */
export async function connectedRedisCache(): Promise<RedisSummaryCache> {
  const cache = new RedisSummaryCache({
    url: REDIS_URL,
    commandTimeoutMs: 1000,
    logger: mockServices.logger.mock(),
  });
  if (!(await cache.connect())) throw new Error(`No Redis at ${REDIS_URL}`);
  return cache;
}
