import { CacheStats } from '@internal/plugin-realtime-insights-common';
import { SummaryCache } from './types';

/**
 * In-process LRU with per-entry expiry: the embedded default when no Redis
 * answers. A Map keeps insertion order, so re-inserting on read makes the
 * first key the least recently used.
 */
export class MemorySummaryCache implements SummaryCache {
  private readonly entries = new Map<
    string,
    { value: Buffer; expiresAt: number }
  >();
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async getMany(keys: string[]): Promise<Array<Buffer | undefined>> {
    return keys.map(key => {
      const entry = this.entries.get(key);
      if (entry) this.entries.delete(key);
      if (!entry || entry.expiresAt <= this.now()) {
        this.misses++;
        return undefined;
      }
      this.hits++;
      this.entries.set(key, entry);
      return entry.value;
    });
  }

  setMany(entries: Array<[string, Buffer]>, ttlSeconds: number): void {
    const expiresAt = this.now() + ttlSeconds * 1000;
    for (const [key, value] of entries) {
      this.entries.delete(key);
      this.entries.set(key, { value, expiresAt });
    }
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.evictions++;
    }
  }

  async deleteByPrefix(prefixes: string[]): Promise<number> {
    let deleted = 0;
    for (const key of [...this.entries.keys()]) {
      if (prefixes.some(prefix => key.startsWith(prefix))) {
        this.entries.delete(key);
        deleted++;
      }
    }
    return deleted;
  }

  async stats(): Promise<CacheStats> {
    let bytes = 0;
    for (const [key, entry] of this.entries) {
      bytes += key.length + entry.value.length;
    }
    const reads = this.hits + this.misses;
    return {
      kind: 'memory',
      degraded: false,
      hits: this.hits,
      misses: this.misses,
      hitRate: reads ? this.hits / reads : null,
      memoryBytes: bytes,
      maxMemoryBytes: null,
      keys: this.entries.size,
      evictions: this.evictions,
    };
  }

  async clear(): Promise<void> {
    this.entries.clear();
  }

  describe() {
    return { kind: 'memory' as const, degraded: false };
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {}
}
