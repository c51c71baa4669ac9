import { LoggerService } from '@backstage/backend-plugin-api';
import { RealtimeInsightsConfig } from '../../config';
import { MemorySummaryCache } from './MemorySummaryCache';
import { RedisSummaryCache } from './RedisSummaryCache';
import { SummaryCache } from './types';

/**
 * Picks the cache backend from config. With `auto`, Redis is used when it
 * answers at startup; otherwise the in-process cache keeps the embedded
 * defaults working on a machine without Redis.
 */
export async function createSummaryCache(
  config: RealtimeInsightsConfig['cache'],
  logger: LoggerService,
): Promise<SummaryCache> {
  const memory = () => new MemorySummaryCache(config.memory.maxEntries);
  if (config.type === 'memory') {
    logger.info('Summary cache: in-process (configured)');
    return memory();
  }
  const redis = new RedisSummaryCache({
    url: config.redis.url,
    mode: config.redis.mode,
    commandTimeoutMs: config.redis.commandTimeoutMs,
    logger,
  });
  const connected = await redis.connect();
  if (connected || config.type === 'redis') {
    logger.info(
      connected
        ? 'Summary cache: Redis'
        : 'Summary cache: Redis (not answering yet; serving from S3 until it does)',
    );
    return redis;
  }
  await redis.close();
  logger.info('Summary cache: in-process (no Redis answered at startup)');
  return memory();
}
