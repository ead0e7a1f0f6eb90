import { describe, expect, it } from 'vitest';
import { hyperslabs } from '../src/hyperslab.js';

describe('hyperslabs', () => {
  it('covers a C-order array exactly once, in order, each slab within the limit', () => {
    for (const [shape, item, max] of [[[10, 7, 3], 4, 100], [[5, 1000], 2, 64], [[3, 4], 8, 1 << 20], [[2, 3, 5, 7], 1, 9]] as const) {
      const slabs = [...hyperslabs(shape, item, max)];
      let at = 0;
      for (const s of slabs) {
        expect(s.at).toBe(at);
        const n = s.count.reduce((a, b) => a * b, 1) * item;
        expect(s.bytes).toBe(n);
        if (s.count[s.count.length - 1]! === shape[shape.length - 1]) expect(n <= max || s.count.slice(0, -1).every((c) => c === 1)).toBe(true);
        at += n;
      }
      expect(at).toBe(shape.reduce((a, b) => a * b, 1) * item);
    }
  });
  it('splits the innermost axis when one row is larger than the limit', () => {
    const slabs = [...hyperslabs([2, 100], 4, 40)];
    expect(slabs).toHaveLength(20);
    expect(slabs[1]).toMatchObject({ offset: [0, 10], count: [1, 10], at: 40 });
  });
});
