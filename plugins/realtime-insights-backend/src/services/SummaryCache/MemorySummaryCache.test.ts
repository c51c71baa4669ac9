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
});
