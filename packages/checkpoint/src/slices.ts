/**
 * Assembling a partitioned tensor from its slices, as TF's BundleReader::GetSliceValue does
 * (tensor_bundle.cc): each stored slice's hyper-rectangle is copied into the full tensor.
 */
import { CorruptDataError } from '@tfweights/core';
import type { SliceExtent } from './bundle-proto.js';

/** Start and length per dimension (full dimensions expanded); throws when out of bounds. */
export function resolveExtents(fullShape: readonly number[], extents: readonly SliceExtent[], where: { file: string; entry: string }): { start: number[]; length: number[] } {
  if (extents.length !== fullShape.length) {
    throw new CorruptDataError('slice rank differs from the tensor rank', { ...where, expected: String(fullShape.length), found: String(extents.length) });
  }
  const start: number[] = [];
  const length: number[] = [];
  extents.forEach((e, d) => {
    const dim = fullShape[d]!;
    const s = e.length === undefined ? 0 : e.start;
    const l = e.length === undefined ? dim : e.length;
    if (s + l > dim) throw new CorruptDataError('slice extends past the tensor', { ...where, expected: `dimension ${d} within ${dim}`, found: `start ${s}, length ${l}` });
    start.push(s);
    length.push(l);
  });
  return { start, length };
}

/**
 * Call `copy(dstElement, srcElement, count)` for every contiguous run of the slice (runs along
 * the last dimension), in row-major order of the slice.
 */
export function forEachRun(
  fullShape: readonly number[], start: readonly number[], length: readonly number[],
  copy: (dst: number, src: number, count: number) => void,
): void {
  const rank = fullShape.length;
  if (rank === 0) {
    copy(0, 0, 1);
    return;
  }
  if (length.some((l) => l === 0)) return;
  const strides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = s;
    s *= fullShape[d]!;
  }
  const run = length[rank - 1]!;
  const idx = new Array<number>(rank - 1).fill(0);
  let src = 0;
  for (;;) {
    let dst = start[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) dst += (start[d]! + idx[d]!) * strides[d]!;
    copy(dst, src, run);
    src += run;
    let d = rank - 2;
    while (d >= 0) {
      idx[d]!++;
      if (idx[d]! < length[d]!) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}
