/**
 * Stats and a histogram of one tensor in a streaming pass: the values are converted to
 * float64 a chunk at a time (tfweights' `numericValues` on a window), so a large tensor never
 * needs a second, 8-bytes-per-element copy. Chunk stats merge exactly (Chan et al.'s update).
 */
import { dtypeInfo, makeTensor, type Tensor } from '@tfweights/core';
import { numericValues, statsOf, type Histogram, type TensorStats } from 'tfweights';

const CHUNK_ELEMENTS = 1 << 20;

/** Windows of a tensor as 1-D tensors of at most CHUNK_ELEMENTS elements. */
function* windows(t: Tensor): Generator<Tensor> {
  const info = dtypeInfo(t.dtype);
  const size = info.itemSize;
  if (!size || t.strings) {
    yield t;
    return;
  }
  const n = t.data.byteLength / size;
  for (let at = 0; at < n; at += CHUNK_ELEMENTS) {
    const m = Math.min(CHUNK_ELEMENTS, n - at);
    yield makeTensor(t.key, t.dtype, [m], t.data.subarray(at * size, (at + m) * size));
  }
}

function merge(a: TensorStats, b: TensorStats): TensorStats {
  const finite = a.finite + b.finite;
  const base = { count: a.count + b.count, finite, zeros: a.zeros + b.zeros, nan: a.nan + b.nan, inf: a.inf + b.inf };
  if (a.finite === 0) return { ...b, ...base };
  if (b.finite === 0) return { ...a, ...base };
  const d = b.mean - a.mean;
  const mean = a.mean + (d * b.finite) / finite;
  const m2 = a.std ** 2 * a.finite + b.std ** 2 * b.finite + (d * d * a.finite * b.finite) / finite;
  return { ...base, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), mean, std: Math.sqrt(m2 / finite) };
}

/** Stats, a histogram of `bins` equal-width bins over [min, max], and the first values; undefined for non-numeric dtypes. */
export function streamStats(t: Tensor, bins = 40, first = 12): { stats: TensorStats; histogram: Histogram; head: number[] } | undefined {
  let stats: TensorStats | undefined;
  let head: number[] = [];
  for (const w of windows(t)) {
    const v = numericValues(w);
    if (!v) return undefined;
    if (head.length < first) head = head.concat(Array.from(v.subarray(0, first - head.length)));
    const s = statsOf(v);
    stats = stats ? merge(stats, s) : s;
  }
  if (!stats) return undefined;
  const counts = new Array<number>(bins).fill(0);
  const { min: lo, max: hi } = stats;
  if (stats.finite > 0) {
    const width = hi > lo ? (hi - lo) / bins : 1;
    for (const w of windows(t)) {
      const v = numericValues(w)!;
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!;
        if (Number.isFinite(x)) counts[hi > lo ? Math.min(bins - 1, Math.floor((x - lo) / width)) : 0]!++;
      }
    }
  }
  return { stats, histogram: { lo: stats.finite > 0 ? lo : NaN, hi: stats.finite > 0 ? hi : NaN, counts }, head };
}
