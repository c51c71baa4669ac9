import { CacheStats } from '@internal/plugin-realtime-insights-common';

/**
 * A binary cache for immutable summaries and listings. Implementations never
 * throw: a slow or absent backend reads as a miss, writes are fire-and-forget.
 */
export interface SummaryCache {
  /** Values in the order of `keys`; `undefined` for misses. */
  getMany(keys: string[]): Promise<Array<Buffer | undefined>>;
  /** Stores the entries without waiting; failures are logged, not thrown. */
  setMany(
    entries: Array<[key: string, value: Buffer]>,
    ttlSeconds: number,
  ): void;
  /** Removes every entry under the plugin's namespace. */
  clear(): Promise<void>;
  /**
   * Removes the entries whose keys start with one of the prefixes (each
   * under the plugin's namespace); resolves to how many were removed.
   * Unlike reads and writes it throws when the backend does not answer,
   * so an admin never believes a flush happened that did not.
   */
  deleteByPrefix(prefixes: string[]): Promise<number>;
  /** Size, hit rate and evictions, for the admin page. Never throws. */
  stats(): Promise<CacheStats>;
  /** Which backend answers, and whether it is currently degraded. */
  describe(): { kind: 'redis' | 'memory'; degraded: boolean };
  close(): Promise<void>;
}

/** Namespace of all keys the plugin writes, so a flush never touches others. */
export const CACHE_KEY_PREFIX = 'rti:v1:';
