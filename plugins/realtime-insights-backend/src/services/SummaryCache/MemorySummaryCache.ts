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

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async getMany(keys: string[]): Promise<Array<Buffer | undefined>> {
    return keys.map(key => {
      const entry = this.entries.get(key);
      if (!entry) return undefined;
      this.entries.delete(key);
      if (entry.expiresAt <= this.now()) return undefined;
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
    }
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
