import { MemorySummaryCache } from './MemorySummaryCache';

describe('MemorySummaryCache', () => {
  it('returns hits and misses in key order', async () => {
    const cache = new MemorySummaryCache(10);
    cache.setMany(
      [
        ['a', Buffer.from('1')],
        ['c', Buffer.from('3')],
      ],
      60,
    );
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([
      Buffer.from('1'),
      undefined,
      Buffer.from('3'),
    ]);
  });

  it('expires entries after their TTL', async () => {
    let now = 1_000;
    const cache = new MemorySummaryCache(10, () => now);
    cache.setMany([['a', Buffer.from('1')]], 5);
    now += 4_999;
    expect(await cache.getMany(['a'])).toEqual([Buffer.from('1')]);
    now += 1;
    expect(await cache.getMany(['a'])).toEqual([undefined]);
  });

  it('evicts the least recently used entry beyond its size', async () => {
    const cache = new MemorySummaryCache(2);
    cache.setMany(
      [
        ['a', Buffer.from('1')],
        ['b', Buffer.from('2')],
      ],
      60,
    );
    await cache.getMany(['a']); // a is now more recent than b
    cache.setMany([['c', Buffer.from('3')]], 60);
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([
      Buffer.from('1'),
      undefined,
      Buffer.from('3'),
    ]);
    expect(cache.size).toBe(2);
  });

  it('counts hits, misses and evictions, and deletes by prefix', async () => {
    const cache = new MemorySummaryCache(3);
    cache.setMany(
      [
        ['rti:v1:sum:a:1', Buffer.from('12')],
        ['rti:v1:sum:a:2', Buffer.from('34')],
        ['rti:v1:sum:b:1', Buffer.from('56')],
        ['rti:v1:sum:b:2', Buffer.from('78')],
      ],
      60,
    );
    await cache.getMany(['rti:v1:sum:a:2', 'rti:v1:sum:a:1']);
    expect(await cache.stats()).toEqual({
      kind: 'memory',
      degraded: false,
      hits: 1,
      misses: 1,
      hitRate: 0.5,
      memoryBytes: 3 * (14 + 2),
      maxMemoryBytes: null,
      keys: 3,
      evictions: 1,
    });
    expect(await cache.deleteByPrefix(['rti:v1:sum:b:'])).toBe(2);
    expect(cache.size).toBe(1);
  });
});
