/**
 * String weights: per element a uint32 little-endian byte length, then the bytes
 * (tfjs-converter `write_weights.py` `_serialize_string_array`; tfjs-core `io_utils.ts`).
 * An empty string still takes its 4 length bytes.
 */
import { CorruptDataError } from '@tfweights/core';

/** Encode elements to the stored layout. */
export function encodeStrings(elements: readonly Uint8Array[]): Uint8Array {
  const total = elements.reduce((s, e) => s + 4 + e.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const e of elements) {
    view.setUint32(at, e.byteLength, true);
    out.set(e, at + 4);
    at += 4 + e.byteLength;
  }
  return out;
}

/** Decode `count` elements from `bytes`, which must hold exactly them. */
export function decodeStrings(bytes: Uint8Array, count: number, file: string, entry: string, baseOffset = 0): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.byteLength) throw new CorruptDataError('string weight is truncated', { file, entry, offset: baseOffset + at });
    const len = view.getUint32(at, true);
    if (at + 4 + len > bytes.byteLength) {
      throw new CorruptDataError('string element runs past the weight data', { file, entry, offset: baseOffset + at, expected: `≤ ${bytes.byteLength - at - 4} bytes`, found: `${len}` });
    }
    out.push(bytes.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}
