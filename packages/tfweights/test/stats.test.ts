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

describe('StreamingStats (one pass over chunks)', () => {
  it('agrees with the whole-array statistics and histogram, chunk by chunk', async () => {
    const { StreamingStats } = await import('../src/stats.js');
    const n = 300_001;
    const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 4 + (i % 97 === 0 ? 0 : 0.25) * Math.cos(i));
    values[10] = NaN;
    values[20] = Infinity;
    values[30] = 0;
    const bytes = new Uint8Array(values.buffer);
    const acc = new StreamingStats('float32');
    for (let at = 0; at < bytes.length; at += 4 * 65_537) acc.add(bytes.slice(at, Math.min(bytes.length, at + 4 * 65_537)));
    const exact = statsOf(Float64Array.from(values));
    const s = acc.stats();
    expect({ ...s, mean: 0, std: 0 }).toEqual({ ...exact, mean: 0, std: 0 });
    expect(s.mean).toBeCloseTo(exact.mean, 12);
    expect(s.std).toBeCloseTo(exact.std, 12);
    const h = acc.histogram(16);
    const e = histogram(Float64Array.from(values), 16);
    expect([h.lo, h.hi]).toEqual([e.lo, e.hi]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(exact.finite);
    // Only values within 2^-11 (relative) of a bin edge may change bins.
    for (let b = 0; b < 16; b++) expect(Math.abs(h.counts[b]! - e.counts[b]!)).toBeLessThanOrEqual(Math.ceil(e.counts[b]! * 0.01) + 2);
  });
  it('handles int64 through its values', async () => {
    const { StreamingStats } = await import('../src/stats.js');
    const acc = new StreamingStats('int64');
    acc.add(new Uint8Array(BigInt64Array.of(-5n, 0n, 7n).buffer));
    expect(acc.stats()).toMatchObject({ count: 3, min: -5, max: 7, zeros: 1 });
    expect(acc.stats().mean).toBeCloseTo(2 / 3, 12);
    expect(acc.histogram(2).counts).toEqual(histogram([-5, 0, 7], 2).counts);
  });
});
