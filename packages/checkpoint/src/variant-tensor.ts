/**
 * DT_VARIANT payloads in a data file (tensorflow/core/util/tensor_bundle/tensor_bundle.cc,
 * WriteVariantTensor / ReadVariantTensor; FORMATS.md §2.5.4). Per element:
 * `varint64 len ‖ serialized VariantTensorDataProto ‖ fixed32 masked checksum`. One running
 * CRC starts at 0 and is extended by the length as an 8-byte little-endian integer (not its
 * varint bytes), by the element's bytes, and after each element by its own 4 stored checksum
 * bytes; the element's checksum is the masked running CRC before that step and the entry's
 * CRC is the masked final one. So the entry CRC is not the CRC of the stored bytes.
 */
import { ChecksumMismatchError, CorruptDataError, crc32c, maskCrc32c, unmaskCrc32c } from '@tfweights/core';
import { pushVarint, readVarint } from './varint.js';

const length8 = new Uint8Array(8);

function extendLength(crc: number, len: number): number {
  new DataView(length8.buffer).setBigUint64(0, BigInt(len), true);
  return crc32c(length8, crc);
}

/** Encode serialized elements into TF's layout; returns the bytes and the entry's masked CRC. */
export function encodeVariantTensor(elements: readonly Uint8Array[]): { bytes: Uint8Array; crc32c: number } {
  const heads = elements.map((e) => {
    const h: number[] = [];
    pushVarint(h, e.byteLength);
    return h;
  });
  const total = elements.reduce((s, e, i) => s + heads[i]!.length + e.byteLength + 4, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let crc = 0;
  let at = 0;
  elements.forEach((e, i) => {
    out.set(heads[i]!, at);
    at += heads[i]!.length;
    crc = crc32c(e, extendLength(crc, e.byteLength));
    out.set(e, at);
    at += e.byteLength;
    view.setUint32(at, maskCrc32c(crc), true);
    crc = crc32c(out.subarray(at, at + 4), crc);
    at += 4;
  });
  return { bytes: out, crc32c: maskCrc32c(crc) };
}

export interface DecodeVariantOptions {
  file: string;
  entry: string;
  offset: number;
  verify: boolean;
  /** Masked entry CRC. */
  expectedCrc: number;
}

/**
 * Split exactly the entry's bytes into `count` serialized VariantTensorDataProto elements
 * (views into `bytes`), checking each element's checksum and the entry CRC as TF does.
 */
export function decodeVariantTensor(bytes: Uint8Array, count: number, o: DecodeVariantOptions): Uint8Array[] {
  const where = { file: o.file, entry: o.entry, offset: o.offset };
  // Every element takes at least one length byte and its 4-byte checksum.
  if (count * 5 > bytes.length) {
    throw new CorruptDataError('variant tensor is smaller than its element count allows', { ...where, expected: `at least ${count * 5} bytes`, found: `${bytes.length}` });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = new Array(count);
  let pos = 0;
  let crc = 0;
  for (let i = 0; i < count; i++) {
    const v = readVarint(bytes, pos, bytes.length, 10, `length of variant element ${i} of '${o.entry}'`, o.file, o.offset);
    if (v.next + v.value + 4 > bytes.length) {
      throw new CorruptDataError(`variant element ${i} runs past the end of its entry`, { ...where, expected: `${v.next + v.value + 4} bytes`, found: `${bytes.length}` });
    }
    const element = bytes.subarray(v.next, v.next + v.value);
    pos = v.next + v.value;
    if (o.verify) {
      crc = crc32c(element, extendLength(crc, v.value));
      const stored = unmaskCrc32c(view.getUint32(pos, true));
      if (stored !== crc) {
        throw new ChecksumMismatchError(`checksum after variant element ${i} does not match`, { ...where, expected: `0x${stored.toString(16)}`, found: `0x${crc.toString(16)}` });
      }
      crc = crc32c(bytes.subarray(pos, pos + 4), crc);
    }
    pos += 4;
    out[i] = element;
  }
  if (pos !== bytes.length) {
    throw new CorruptDataError('variant tensor elements do not add up to its size', { ...where, expected: `${bytes.length} bytes`, found: `${pos}` });
  }
  if (o.verify && crc !== unmaskCrc32c(o.expectedCrc)) {
    throw new ChecksumMismatchError('tensor data checksum mismatch', { ...where, expected: `crc32c 0x${unmaskCrc32c(o.expectedCrc).toString(16)}`, found: `0x${crc.toString(16)}` });
  }
  return out;
}
