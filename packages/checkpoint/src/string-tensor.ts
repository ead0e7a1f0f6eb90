/**
 * DT_STRING payloads in a data file (tensor_bundle.cc WriteStringTensor / ReadStringTensor;
 * FORMATS.md §2.5.2): varint64 lengths ‖ fixed32 masked CRC of the lengths as 4- or 8-byte
 * integers ‖ the bytes. The entry CRC continues over the checksum bytes and the strings.
 */
import { ChecksumMismatchError, CorruptDataError, crc32c, maskCrc32c, unmaskCrc32c } from '@tfweights/core';
import { pushVarint, readVarint } from './varint.js';

const scratch4 = new Uint8Array(4);
const scratch8 = new Uint8Array(8);

function extendLength(crc: number, len: number, bigEndian: boolean): number {
  if (len > 0xffffffff) {
    const dv = new DataView(scratch8.buffer);
    dv.setBigUint64(0, BigInt(len), !bigEndian);
    return crc32c(scratch8, crc);
  }
  new DataView(scratch4.buffer).setUint32(0, len, !bigEndian);
  return crc32c(scratch4, crc);
}

/** Encode elements into the on-disk layout; returns the bytes and the entry's masked CRC. */
export function encodeStringTensor(elements: readonly Uint8Array[]): { bytes: Uint8Array; crc32c: number } {
  const head: number[] = [];
  let lenCrc = 0;
  let total = 0;
  for (const s of elements) {
    pushVarint(head, s.byteLength);
    lenCrc = extendLength(lenCrc, s.byteLength, false);
    total += s.byteLength;
  }
  const out = new Uint8Array(head.length + 4 + total);
  out.set(head, 0);
  new DataView(out.buffer).setUint32(head.length, maskCrc32c(lenCrc), true);
  let at = head.length + 4;
  for (const s of elements) {
    out.set(s, at);
    at += s.byteLength;
  }
  const crc = crc32c(out.subarray(head.length), lenCrc);
  return { bytes: out, crc32c: maskCrc32c(crc) };
}

export interface DecodeStringOptions {
  file: string;
  entry: string;
  offset: number;
  bigEndian: boolean;
  verify: boolean;
  /** Masked entry CRC. */
  expectedCrc: number;
}

/** Decode `count` elements from exactly the entry's bytes; views into `bytes`, no copies. */
export function decodeStringTensor(bytes: Uint8Array, count: number, o: DecodeStringOptions): Uint8Array[] {
  const where = { file: o.file, entry: o.entry, offset: o.offset };
  // Every element takes at least one length byte, plus the 4-byte checksum.
  if (count + 4 > bytes.length) {
    throw new CorruptDataError('string tensor is smaller than its element count allows', { ...where, expected: `at least ${count + 4} bytes`, found: `${bytes.length}` });
  }
  const lengths = new Array<number>(count);
  let pos = 0;
  let lenCrc = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const v = readVarint(bytes, pos, bytes.length, 10, `length of string element ${i} of '${o.entry}'`, o.file, o.offset);
    lengths[i] = v.value;
    total += v.value;
    pos = v.next;
    if (o.verify) lenCrc = extendLength(lenCrc, v.value, o.bigEndian);
  }
  if (pos + 4 + total !== bytes.length) {
    throw new CorruptDataError('string tensor lengths do not add up to its size', { ...where, expected: `${bytes.length} bytes`, found: `${pos + 4 + total}` });
  }
  // Stored in the writer's byte order (big-endian bundles come from big-endian hosts).
  const stored = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getUint32(0, !o.bigEndian);
  if (o.verify) {
    if (unmaskCrc32c(stored) !== lenCrc) {
      throw new ChecksumMismatchError('string lengths checksum mismatch', { ...where, expected: `0x${lenCrc.toString(16)}`, found: `0x${unmaskCrc32c(stored).toString(16)}` });
    }
    const crc = crc32c(bytes.subarray(pos), lenCrc);
    const expected = unmaskCrc32c(o.expectedCrc);
    if (crc !== expected) {
      throw new ChecksumMismatchError('tensor data checksum mismatch', { ...where, expected: `crc32c 0x${expected.toString(16)}`, found: `0x${crc.toString(16)}` });
    }
  }
  pos += 4;
  const out: Uint8Array[] = new Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = bytes.subarray(pos, pos + lengths[i]!);
    pos += lengths[i]!;
  }
  return out;
}
