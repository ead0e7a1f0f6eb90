/**
 * Cutting one slice out of a full tensor, the inverse of the reader's assembly: what TF's
 * Saver hands BundleWriter::AddSlice for each part of a partitioned variable.
 */
import { dtypeInfo, InvalidArgumentError, makeStringTensor, numElements, type Tensor } from '@tfweights/core';
import type { SliceExtent } from './bundle-proto.js';
import { sliceSpec } from './slice-key.js';
import { forEachRun } from './slices.js';

/** Start and length of each dimension of a slice of `shape` (full dimensions expanded). */
export function sliceBounds(shape: readonly number[], extents: readonly SliceExtent[], entry: string): { start: number[]; length: number[] } {
  if (extents.length !== shape.length) {
    throw new InvalidArgumentError('slice extents must have one entry per dimension', { entry, expected: String(shape.length), found: String(extents.length) });
  }
  const start = extents.map((e) => (e.length === undefined ? 0 : e.start));
  const length = extents.map((e, d) => e.length ?? shape[d]!);
  start.forEach((s, d) => {
    if (s < 0 || length[d]! < 0 || s + length[d]! > shape[d]!) {
      throw new InvalidArgumentError('slice extends past the full shape', { entry, expected: `dimension ${d} within ${shape[d]}`, found: `start ${s}, length ${length[d]}` });
    }
  });
  return { start, length };
}

/** True when the slice covers the whole tensor (TF's IsFullSlice: such a "slice" is stored as a plain tensor). */
export function isFullSlice(shape: readonly number[], extents: readonly SliceExtent[]): boolean {
  return extents.length === shape.length && extents.every((e, d) => e.length === undefined || (e.start === 0 && e.length === shape[d]));
}

/** The slice `extents` of `full` as its own tensor (row-major, same dtype). */
export function extractSlice(full: Tensor, extents: readonly SliceExtent[]): Tensor {
  const { start, length } = sliceBounds(full.shape, extents, full.key);
  const key = `${full.key}@${sliceSpec(extents)}`;
  const n = numElements(length);
  if (full.dtype === 'string') {
    const src = full.strings ?? [];
    const out = new Array<Uint8Array>(n);
    forEachRun(full.shape, start, length, (dst, to, count) => {
      for (let i = 0; i < count; i++) out[to + i] = src[dst + i]!;
    });
    return makeStringTensor(key, length, out);
  }
  const w = dtypeInfo(full.dtype).itemSize;
  if (w === 0) throw new InvalidArgumentError(`cannot slice a ${full.dtype} tensor`, { entry: full.key });
  const data = new Uint8Array(n * w);
  forEachRun(full.shape, start, length, (dst, to, count) => data.set(full.data.subarray(dst * w, (dst + count) * w), to * w));
  return { key, name: key, dtype: full.dtype, shape: length, byteLength: data.byteLength, data };
}
