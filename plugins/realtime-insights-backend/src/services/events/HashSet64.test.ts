import { rng } from '../../__testUtils__/random';
import { HashSet64 } from './HashSet64';

describe('HashSet64', () => {
  it('holds what was added, across growth, the zero hash included', () => {
    const random = rng(3);
    const set = new HashSet64(2);
    const seen = new Set<string>();
    // The zero hash is stored as 0/1 (0/0 marks a free slot), so 0/1 itself
    // would count as the same: left out.
    const pairs: Array<[number, number]> = [
      [0, 0],
      [1, 0],
      [0, 2],
    ];
    for (let i = 0; i < 5_000; i++) {
      // Few distinct values per half: collisions of one half are common.
      pairs.push([
        1 + Math.floor(random() * 64),
        Math.floor(random() * 2 ** 32) >>> 0,
      ]);
    }
    for (const [hi, lo] of pairs) {
      const key = `${hi}:${lo}`;
      expect(set.has(hi, lo)).toBe(seen.has(key));
      expect(set.add(hi, lo)).toBe(!seen.has(key));
      seen.add(key);
      expect(set.has(hi, lo)).toBe(true);
    }
    expect(set.size).toBe(seen.size);
    expect(set.slotsLog2).toBeGreaterThan(2);
  });

  it('stops remembering when full at its largest size, never looping', () => {
    const set = new HashSet64(2, 3); // at most 8 slots, 7 kept
    for (let i = 1; i <= 7; i++) expect(set.add(i, i)).toBe(true);
    expect(set.full).toBe(true);
    expect(set.size).toBe(7);
    expect(set.add(100, 100)).toBe(true); // not kept
    expect(set.has(100, 100)).toBe(false);
    expect(set.add(3, 3)).toBe(false);
  });
});
