/**
 * Turning `.npy` data bytes into a Tensor: little-endian (byte swap when the descr is `>`),
 * C order (Fortran-order arrays are transposed), strings decoded per truth.json's convention:
 * each element the UTF-8 bytes of the value NumPy returns, trailing NULs stripped.
 */
import { CorruptDataError, makeStringTensor, makeTensor, swapBytesInPlace, type Tensor } from '@tfweights/core';
import type { NpyHeader } from './npy-header.js';

/**
 * Reorder elements from Fortran (column-major) to C (row-major) order.
 * `itemSize` bytes per element.
 */
export function fortranToC(data: Uint8Array, shape: readonly number[], itemSize: number): Uint8Array {
  const n = shape.length;
  if (n < 2 || data.byteLength === 0) return data;
  const count = data.byteLength / itemSize;
  const out = new Uint8Array(data.byteLength);
  // Fortran strides (in elements): first axis varies fastest.
  const fStride: number[] = [];
  let s = 1;
  for (let k = 0; k < n; k++) {
    fStride.push(s);
    s *= shape[k]!;
  }
  const idx = new Array<number>(n).fill(0);
  let src = 0;
  for (let c = 0; c < count; c++) {
    out.set(data.subarray(src * itemSize, src * itemSize + itemSize), c * itemSize);
    // Advance the C-order multi-index (last axis fastest), keeping the Fortran offset in step.
    for (let k = n - 1; k >= 0; k--) {
      idx[k]!++;
      src += fStride[k]!;
      if (idx[k]! < shape[k]!) break;
      src -= fStride[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

/** Decode `data` (exactly `header.dataBytes` bytes, owned by the caller) into a Tensor. */
export function decodeNpyData(header: NpyHeader, bytes: Uint8Array, key: string, file: string): Tensor {
  const el = header.element;
  let data = bytes;
  if (header.fortranOrder) data = fortranToC(data, header.shape, el.itemSize);
  if (el.stringKind) return makeStringTensor(key, header.shape, decodeStrings(data, header, key, file));
  if (el.bigEndian) {
    if (data === bytes) data = data.slice();
    swapBytesInPlace(data, el.componentSize);
  }
  return makeTensor(key, header.dtype, header.shape, data);
}

function decodeStrings(data: Uint8Array, header: NpyHeader, key: string, file: string): Uint8Array[] {
  const el = header.element;
  const out: Uint8Array[] = [];
  const size = el.itemSize;
  const enc = new TextEncoder();
  for (let i = 0; i < header.count; i++) {
    const item = data.subarray(i * size, (i + 1) * size);
    if (el.stringKind === 'S') {
      let end = item.length;
      while (end > 0 && item[end - 1] === 0) end--;
      out.push(item.slice(0, end));
      continue;
    }
    const view = new DataView(item.buffer, item.byteOffset, item.byteLength);
    let units = size / 4;
    while (units > 0 && view.getUint32((units - 1) * 4, !el.bigEndian) === 0) units--;
    let s = '';
    for (let u = 0; u < units; u++) {
      const cp = view.getUint32(u * 4, !el.bigEndian);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw new CorruptDataError(`invalid code point U+${cp.toString(16)} in a '${el.descr}' array`, { file, entry: key, found: `element ${i}` });
      }
      s += String.fromCodePoint(cp);
    }
    out.push(enc.encode(s));
  }
  return out;
}
