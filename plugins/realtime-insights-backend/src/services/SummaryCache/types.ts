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
  /** Which backend answers, and whether it is currently degraded. */
  describe(): { kind: 'redis' | 'memory'; degraded: boolean };
  close(): Promise<void>;
}

/** Namespace of all keys the plugin writes, so a flush never touches others. */
export const CACHE_KEY_PREFIX = 'rti:v1:';
