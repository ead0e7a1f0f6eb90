import { describe, expect, it } from 'vitest';
import { makeTensor } from '@tfweights/core';
import { formatBytes, formatNumber, histogram, renderHistogram, statsOf, tensorStats } from '../src/stats.js';

describe('stats', () => {
  it('computes min/max/mean/std and counts zeros, NaN, Inf apart', () => {
    const s = statsOf([1, 2, 3, 4, 0, NaN, Infinity, -Infinity]);
    expect(s).toMatchObject({ count: 8, finite: 5, min: 0, max: 4, mean: 2, zeros: 1, nan: 1, inf: 2 });
    expect(s.std).toBeCloseTo(Math.sqrt(2), 12);
  });
  it('is NaN throughout when nothing is finite', () => {
    expect(statsOf([NaN]).mean).toBeNaN();
  });
  it('handles int64 and refuses strings', () => {
    const t = makeTensor('n', 'int64', [2], new Uint8Array(new BigInt64Array([-5n, 7n]).buffer));
    expect(tensorStats(t)).toMatchObject({ min: -5, max: 7, mean: 1 });
  });
  it('bins values and draws bars proportional to counts', () => {
    const h = histogram([0, 0, 0, 0, 1, 2, 3, 4], 4);
    expect(h.counts).toEqual([4, 1, 1, 2]);
    const lines = renderHistogram(h, 8);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('████████ 4');
    expect(lines[1]).toContain('██ 1');
  });
  it('formats numbers and bytes', () => {
    expect(formatNumber(0.1234567)).toBe('0.123457');
    expect(formatNumber(1e-7)).toBe('1.0000e-7');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12)).toBe('12 B');
  });
});
