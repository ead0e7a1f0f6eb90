/**
 * Statistics and a terminal histogram for `show`. Non-finite values are counted apart and
 * left out of min/max/mean/std and of the histogram, so one NaN does not hide the rest.
 */
import { dtypeInfo, toFloat64, type Tensor } from '@tfweights/core';

export interface TensorStats {
  /** Number of scalar components looked at (complex: 2 per element). */
  readonly count: number;
  readonly finite: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
  readonly zeros: number;
  readonly nan: number;
  readonly inf: number;
}

/** Statistics of numeric tensors; undefined for strings and opaque dtypes. */
export function tensorStats(t: Tensor): TensorStats | undefined {
  const values = numericValues(t);
  return values ? statsOf(values) : undefined;
}

/** Values as float64 when the dtype is numeric. */
export function numericValues(t: Tensor): Float64Array | undefined {
  const kind = dtypeInfo(t.dtype).kind;
  if (kind === 'string' || kind === 'opaque' || kind === 'quantized') return undefined;
  return toFloat64(t);
}

export function statsOf(values: ArrayLike<number>): TensorStats {
  let finite = 0, zeros = 0, nan = 0, inf = 0;
  let min = Infinity, max = -Infinity;
  // Welford's update: stable for large tensors.
  let mean = 0, m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) { nan++; continue; }
    if (!Number.isFinite(v)) { inf++; continue; }
    if (v === 0) zeros++;
    finite++;
    if (v < min) min = v;
    if (v > max) max = v;
    const d = v - mean;
    mean += d / finite;
    m2 += d * (v - mean);
  }
  if (finite === 0) return { count: values.length, finite, min: NaN, max: NaN, mean: NaN, std: NaN, zeros, nan, inf };
  return { count: values.length, finite, min, max, mean, std: Math.sqrt(m2 / finite), zeros, nan, inf };
}

export interface Histogram {
  readonly lo: number;
  readonly hi: number;
  readonly counts: readonly number[];
}

/** Equal-width bins over [min, max] of the finite values. */
export function histogram(values: ArrayLike<number>, bins = 20): Histogram {
  const s = statsOf(values);
  const counts = new Array<number>(bins).fill(0);
  if (s.finite === 0) return { lo: NaN, hi: NaN, counts };
  const lo = s.min;
  const hi = s.max;
  const width = hi > lo ? (hi - lo) / bins : 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const b = hi > lo ? Math.min(bins - 1, Math.floor((v - lo) / width)) : 0;
    counts[b]!++;
  }
  return { lo, hi, counts };
}

const BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** One line per bin: `[lo, hi)  ████▍ count`. */
export function renderHistogram(h: Histogram, width = 40): string[] {
  const peak = Math.max(1, ...h.counts);
  const bins = h.counts.length;
  const step = (h.hi - h.lo) / bins;
  const labels = h.counts.map((_, i) => formatNumber(h.lo + i * step));
  const pad = Math.max(...labels.map((l) => l.length));
  return h.counts.map((c, i) => {
    const eighths = Math.round((c / peak) * width * 8);
    const bar = '█'.repeat(Math.floor(eighths / 8)) + BLOCKS[eighths % 8];
    return `  ${labels[i]!.padStart(pad)} │${bar} ${c}`;
  });
}

/** Short number formatting for tables: up to 6 significant digits. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

/** Human byte count: `1.5 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}
