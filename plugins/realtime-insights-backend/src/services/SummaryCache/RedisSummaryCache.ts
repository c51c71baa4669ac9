import { LoggerService } from '@backstage/backend-plugin-api';
import Redis from 'ioredis';
import { CACHE_KEY_PREFIX, SummaryCache } from './types';

export type RedisSummaryCacheOptions = {
  url: string;
  commandTimeoutMs: number;
  logger: LoggerService;
};

/**
 * Redis-backed cache. Redis is an accelerator, never a dependency: commands
 * time out quickly, nothing queues while disconnected (reads become misses),
 * and ioredis reconnects in the background.
 */
export class RedisSummaryCache implements SummaryCache {
  private readonly redis: Redis;
  private readonly logger: LoggerService;
  private lastErrorLoggedAt = 0;

  constructor(options: RedisSummaryCacheOptions) {
    this.logger = options.logger;
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: 2_000,
      retryStrategy: attempt => Math.min(attempt * 250, 5_000),
    });
    this.redis.on('error', error => this.logThrottled('Redis error', error));
    this.redis.on('ready', () => this.logger.info('Redis cache connected'));
  }

  /** Connects once; resolves to false when Redis does not answer in time. */
  async connect(timeoutMs = 1_000): Promise<boolean> {
    try {
      await withTimeout(this.redis.connect(), timeoutMs);
      await withTimeout(this.redis.ping(), timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  async getMany(keys: string[]): Promise<Array<Buffer | undefined>> {
    if (keys.length === 0) return [];
    if (this.redis.status !== 'ready') return keys.map(() => undefined);
    try {
      const values = await this.redis.mgetBuffer(...keys);
      return values.map(v => v ?? undefined);
    } catch (error) {
      this.logThrottled('Redis read failed, reading S3 instead', error);
      return keys.map(() => undefined);
    }
  }

  setMany(entries: Array<[string, Buffer]>, ttlSeconds: number): void {
    if (entries.length === 0 || this.redis.status !== 'ready') return;
    const pipeline = this.redis.pipeline();
    for (const [key, value] of entries) {
      pipeline.set(key, value, 'EX', ttlSeconds);
    }
    pipeline
      .exec()
      .catch(error => this.logThrottled('Redis write failed', error));
  }

  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${CACHE_KEY_PREFIX}*`,
        'COUNT',
        1000,
      );
      if (keys.length) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  describe() {
    return { kind: 'redis' as const, degraded: this.redis.status !== 'ready' };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private logThrottled(message: string, error: unknown) {
    const now = Date.now();
    if (now - this.lastErrorLoggedAt < 30_000) return;
    this.lastErrorLoggedAt = now;
    this.logger.warn(`${message}: ${(error as Error)?.message ?? error}`);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${ms} ms`)),
      ms,
    );
    promise.then(
      v => {
        clearTimeout(timer);
        resolve(v);
      },
      e => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
