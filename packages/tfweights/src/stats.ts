/**
 * Statistics and a terminal histogram for `show`. Non-finite values are counted apart and
 * left out of min/max/mean/std and of the histogram, so one NaN does not hide the rest.
 */
import { dtypeInfo, toFloat64, type DTypeName, type Tensor } from '@tfweights/core';

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

/** Fine buckets of the streaming histogram: the top 20 bits of a float32's order-preserving key. */
const FINE_SHIFT = 12;
const FINE_BUCKETS = 1 << (32 - FINE_SHIFT);

/**
 * Statistics and a histogram in one pass over chunks, for tensors too large to hold as
 * numbers: min, max, counts exact; mean and std combined chunk by chunk (Chan et al.'s
 * parallel update over each chunk's moments about a shift); the histogram from
 * 2^20 fine buckets (each value's float32 rounded to 12 fewer mantissa bits, a relative width
 * of 2^-11) re-binned over [min, max] at the end, so only values within that width of a bin
 * edge can land in the neighbouring bin.
 */
export class StreamingStats {
  private count = 0;
  private finite = 0;
  private zeros = 0;
  private nan = 0;
  private inf = 0;
  private min = Infinity;
  private max = -Infinity;
  private mean = 0;
  private m2 = 0;
  private readonly fine = new Uint32Array(FINE_BUCKETS);
  constructor(private readonly dtype: DTypeName) {}

  /** Add whole elements (aligned bytes, little-endian, of the dtype). */
  add(bytes: Uint8Array): void {
    // float32 is read in place (values and bits are views of the same bytes); other dtypes
    // through float64 values and their float32 rounding for the fine buckets.
    const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
    const f32 = this.dtype === 'float32' ? new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4) : undefined;
    const values: ArrayLike<number> = f32 ?? toFloat64({ key: '', dtype: this.dtype, data: aligned });
    const bits = new Uint32Array((f32 ?? Float32Array.from(values)).buffer, f32 ? aligned.byteOffset : 0, values.length);
    const fine = this.fine;
    let n = 0, lo = this.min, hi = this.max, zeros = 0, nan = 0, inf = 0;
    // Moments about a shift near the data (the first finite value): one pass, and stable
    // enough because the shift keeps the sums small next to the spread.
    let shift = NaN, s1 = 0, s2 = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v - v !== 0) { // NaN or ±Infinity
        if (v !== v) nan++;
        else inf++;
        continue;
      }
      if (v === 0) zeros++;
      if (n === 0) shift = v;
      n++;
      const d = v - shift;
      s1 += d;
      s2 += d * d;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      const u = bits[i]!;
      fine[(u & 0x80000000 ? ~u : u | 0x80000000) >>> FINE_SHIFT]!++;
    }
    this.count += values.length;
    this.zeros += zeros;
    this.nan += nan;
    this.inf += inf;
    this.min = lo;
    this.max = hi;
    if (n === 0) return;
    const mean = shift + s1 / n;
    const m2 = Math.max(0, s2 - (s1 * s1) / n);
    // Chan et al.: combine this chunk's mean and M2 with what came before.
    const total = this.finite + n;
    const d = mean - this.mean;
    this.mean += (d * n) / total;
    this.m2 += m2 + (d * d * this.finite * n) / total;
    this.finite = total;
  }

  stats(): TensorStats {
    const { count, finite, zeros, nan, inf } = this;
    if (finite === 0) return { count, finite, min: NaN, max: NaN, mean: NaN, std: NaN, zeros, nan, inf };
    return { count, finite, min: this.min, max: this.max, mean: this.mean, std: Math.sqrt(this.m2 / finite), zeros, nan, inf };
  }

  /** Equal-width bins over [min, max], from the fine buckets. */
  histogram(bins = 20): Histogram {
    const counts = new Array<number>(bins).fill(0);
    if (this.finite === 0) return { lo: NaN, hi: NaN, counts };
    const lo = this.min;
    const hi = this.max;
    const width = hi > lo ? (hi - lo) / bins : 1;
    const one = new Uint32Array(1);
    const asFloat = new Float32Array(one.buffer);
    for (let b = 0; b < FINE_BUCKETS; b++) {
      const c = this.fine[b]!;
      if (c === 0) continue;
      const key = ((b << FINE_SHIFT) | (1 << (FINE_SHIFT - 1))) >>> 0;
      one[0] = key & 0x80000000 ? key & 0x7fffffff : ~key;
      const v = Math.min(hi, Math.max(lo, asFloat[0]!));
      counts[hi > lo ? Math.min(bins - 1, Math.floor((v - lo) / width)) : 0]! += c;
    }
    return { lo, hi, counts };
  }
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
