import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { CacheStats } from '@internal/plugin-realtime-insights-common';
import Redis, { Cluster, RedisOptions } from 'ioredis';
import { CACHE_KEY_PREFIX, SummaryCache } from './types';

export type RedisSummaryCacheOptions = {
  url: string;
  commandTimeoutMs: number;
  logger: LoggerService;
  /**
   * `cluster` for Redis Cluster (ElastiCache with cluster mode enabled):
   * `url` names the configuration endpoint, the client discovers the shards.
   */
  mode?: 'standalone' | 'cluster';
};

/** Connection options of one node, from a redis:// or rediss:// URL. */
function nodeOptions(url: string): {
  host: string;
  port: number;
  options: RedisOptions;
} {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(
      `Redis URL must start with redis:// or rediss://, got ${parsed.protocol}//`,
    );
  }
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    options: {
      ...(parsed.username
        ? { username: decodeURIComponent(parsed.username) }
        : {}),
      ...(parsed.password
        ? { password: decodeURIComponent(parsed.password) }
        : {}),
      // TLS to the node names the server presents (ElastiCache in transit).
      ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  };
}

/**
 * Redis-backed cache. Redis is an accelerator, never a dependency: commands
 * time out quickly, nothing queues while disconnected (reads become misses),
 * and ioredis reconnects in the background.
 */
export class RedisSummaryCache implements SummaryCache {
  private readonly redis: Redis | Cluster;
  private readonly logger: LoggerService;
  private lastErrorLoggedAt = 0;
  private hits = 0;
  private misses = 0;

  constructor(options: RedisSummaryCacheOptions) {
    this.logger = options.logger;
    const failFast: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: 2_000,
    };
    const retry = (attempt: number) => Math.min(attempt * 250, 5_000);
    if (options.mode === 'cluster') {
      const { host, port, options: auth } = nodeOptions(options.url);
      this.redis = new Cluster([{ host, port }], {
        lazyConnect: true,
        enableOfflineQueue: false,
        // Batches the per-key GETs of a read by shard: keys of one query
        // live in many slots, so MGET would fail with CROSSSLOT.
        enableAutoPipelining: true,
        clusterRetryStrategy: retry,
        // ElastiCache's TLS certificates name the endpoints, not their IPs.
        dnsLookup: (address, callback) => callback(null, address),
        redisOptions: { ...auth, ...failFast },
      });
    } else {
      this.redis = new Redis(options.url, {
        ...failFast,
        lazyConnect: true,
        retryStrategy: retry,
      });
    }
    this.redis.on('error', error =>
      this.logThrottled(describeRedisError(error), error),
    );
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
      const values =
        this.redis instanceof Cluster
          ? await Promise.all(keys.map(key => this.redis.getBuffer(key)))
          : await this.redis.mgetBuffer(...keys);
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
    const written =
      this.redis instanceof Cluster
        ? Promise.all(
            entries.map(([key, value]) =>
              this.redis.set(key, value, 'EX', ttlSeconds),
            ),
          )
        : entries
            .reduce(
              (pipeline, [key, value]) =>
                pipeline.set(key, value, 'EX', ttlSeconds),
              this.redis.pipeline(),
            )
            .exec();
    written.catch(error => this.logThrottled('Redis write failed', error));
  }

  async clear(): Promise<void> {
    await this.deleteMatching(`${CACHE_KEY_PREFIX}*`);
  }

  async deleteByPrefix(prefixes: string[]): Promise<number> {
    if (this.redis.status !== 'ready') {
      throw new ServiceUnavailableError(
        'Redis is not answering; nothing was flushed',
      );
    }
    let deleted = 0;
    for (const prefix of prefixes) {
      deleted += await this.deleteMatching(`${escapeGlob(prefix)}*`);
    }
    return deleted;
  }

  /** The nodes holding keys: the primaries of a cluster, or the one server. */
  private primaries(): Redis[] {
    return this.redis instanceof Cluster
      ? this.redis.nodes('master')
      : [this.redis];
  }

  /** SCANs every primary; deletes key by key in a cluster (no CROSSSLOT). */
  private async deleteMatching(pattern: string): Promise<number> {
    let deleted = 0;
    for (const node of this.primaries()) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(
          cursor,
          'MATCH',
          pattern,
          'COUNT',
          1000,
        );
        if (keys.length && this.redis instanceof Cluster) {
          const counts = await Promise.all(keys.map(k => node.unlink(k)));
          deleted += counts.reduce((n, c) => n + c, 0);
        } else if (keys.length) {
          deleted += await node.unlink(...keys);
        }
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
      // A cluster's figures are the sums over its primaries.
      const nodes = await Promise.all(
        this.primaries().map(async node => {
          const [info, size] = await Promise.all([node.info(), node.dbsize()]);
          return { fields: parseInfo(info), size };
        }),
      );
      const keys = nodes.reduce((n, node) => n + node.size, 0);
      const fields = nodes[0].fields;
      const number = (name: string) =>
        nodes.every(node => node.fields.has(name))
          ? nodes.reduce((n, node) => n + Number(node.fields.get(name)), 0)
          : null;
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

/**
 * What a connection error means to an operator. A refused password would
 * otherwise read as one more Redis error while the cache stays off.
 */
export function describeRedisError(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  if (
    /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)
  ) {
    return 'Redis refused the password in realtimeInsights.cache.redis.url; the summary cache is off and queries read S3 until it accepts one';
  }
  return 'Redis error';
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
