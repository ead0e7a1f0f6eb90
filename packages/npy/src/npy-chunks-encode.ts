/**
 * `.npy` output from a chunked tensor: the header up front (its size depends only on dtype and
 * shape), then the data chunks as they come, so a `.npy` file or a folder member is written in
 * bounded memory. Strings (their width is known only after every element) and bfloat16 widened
 * to float32 are encoded whole by encodeNpy.
 */
import { checkLength, checkTensorInfo, type ChunkedTensor } from '@tfweights/core';
import { descrOf } from './descr.js';
import { buildNpyHeader } from './header-write.js';
import type { NpyWriteOptions } from './npy-encode.js';

export interface EncodedNpyChunks {
  readonly header: Uint8Array;
  readonly descr: string;
  /** The data bytes (C order, little-endian), checked to add up to the tensor's size. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** Header and data chunks of `t` as a `.npy`; undefined when it must be encoded whole (see above). */
export function encodeNpyChunks(t: ChunkedTensor, opts: NpyWriteOptions = {}): EncodedNpyChunks | undefined {
  checkTensorInfo(t);
  if (t.dtype === 'string' || (t.dtype === 'bfloat16' && opts.bfloat16 !== 'raw')) return undefined;
  // Raw bfloat16 is stored as 2-byte voids, as encodeNpy does.
  const descr = t.dtype === 'bfloat16' ? '|V2' : descrOf(t.dtype, t.key);
  return { header: buildNpyHeader(descr, t.shape), descr, chunks: () => checkLength(t, t.chunks()) };
}
