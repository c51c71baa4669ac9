import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { CacheStats } from '@internal/plugin-realtime-insights-common';
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
  private hits = 0;
  private misses = 0;

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
    if (this.redis.status !== 'ready') {
      this.misses += keys.length;
      return keys.map(() => undefined);
    }
    try {
      const values = await this.redis.mgetBuffer(...keys);
      for (const v of values) {
        if (v) this.hits++;
        else this.misses++;
      }
      return values.map(v => v ?? undefined);
    } catch (error) {
      this.misses += keys.length;
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

  async deleteByPrefix(prefixes: string[]): Promise<number> {
    if (this.redis.status !== 'ready') {
      throw new ServiceUnavailableError(
        'Redis is not answering; nothing was flushed',
      );
    }
    let deleted = 0;
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(
          cursor,
          'MATCH',
          `${escapeGlob(prefix)}*`,
          'COUNT',
          1000,
        );
        if (keys.length) deleted += await this.redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
    return deleted;
  }

  async stats(): Promise<CacheStats> {
    const reads = this.hits + this.misses;
    const own = {
      kind: 'redis' as const,
      hits: this.hits,
      misses: this.misses,
      hitRate: reads ? this.hits / reads : null,
    };
    const unknown = {
      ...own,
      degraded: true,
      memoryBytes: null,
      maxMemoryBytes: null,
      keys: null,
      evictions: null,
    };
    if (this.redis.status !== 'ready') return unknown;
    try {
      const [info, keys] = await Promise.all([
        this.redis.info(),
        this.redis.dbsize(),
      ]);
      const fields = parseInfo(info);
      const number = (name: string) =>
        fields.has(name) ? Number(fields.get(name)) : null;
      const serverHits = number('keyspace_hits');
      const serverMisses = number('keyspace_misses');
      const serverReads = (serverHits ?? 0) + (serverMisses ?? 0);
      return {
        ...own,
        degraded: false,
        memoryBytes: number('used_memory'),
        maxMemoryBytes: number('maxmemory'),
        keys,
        evictions: number('evicted_keys'),
        serverHitRate: serverReads ? (serverHits ?? 0) / serverReads : null,
        ...(fields.has('maxmemory_policy')
          ? { evictionPolicy: fields.get('maxmemory_policy') }
          : {}),
      };
    } catch (error) {
      this.logThrottled('Redis INFO failed', error);
      return unknown;
    }
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

/** `INFO` output as name → value (sections flattened). */
export function parseInfo(info: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

/** A literal for a SCAN MATCH pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, c => `\\${c}`);
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
