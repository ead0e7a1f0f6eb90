/** DT_VARIANT payloads: TF's per-element checksums (tensor_bundle.cc WriteVariantTensor / ReadVariantTensor). */
import { describe, expect, it } from 'vitest';
import { ChecksumMismatchError, CorruptDataError, crc32c, maskCrc32c } from '@tfweights/core';
import { decodeVariantTensor, encodeVariantTensor } from '../src/variant-tensor.js';
import { openMemoryBundle, writeMemoryBundle } from './helpers.js';

const where = { file: 'f', entry: 'v', offset: 0, verify: true };
const elements = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(200).fill(7)];

describe('variant tensors', () => {
  it('lays out varint length, element, masked running CRC per element; the entry CRC is not the CRC of the bytes', () => {
    const { bytes, crc32c: entryCrc } = encodeVariantTensor([new Uint8Array([0xaa])]);
    // Running CRC over the length as 8 LE bytes, then the element.
    const running = crc32c(new Uint8Array([0xaa]), crc32c(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0])));
    const check = new Uint8Array(4);
    new DataView(check.buffer).setUint32(0, maskCrc32c(running), true);
    expect([...bytes]).toEqual([1, 0xaa, ...check]);
    expect(entryCrc).toBe(maskCrc32c(crc32c(check, running)));
    expect(entryCrc).not.toBe(maskCrc32c(crc32c(bytes)));
  });

  it('round-trips through encode and decode, and through a bundle', async () => {
    const { bytes, crc32c: c } = encodeVariantTensor(elements);
    expect(decodeVariantTensor(bytes, 3, { ...where, expectedCrc: c }).map((e) => [...e])).toEqual(elements.map((e) => [...e]));
    const t = { key: 'it/.ATTRIBUTES/ITERATOR_STATE', name: 'it', dtype: 'variant' as const, shape: [3], byteLength: 203, data: new Uint8Array(0), strings: elements };
    const r = await openMemoryBundle(await writeMemoryBundle([t]));
    const back = await r.read(t.key);
    expect(back.strings!.map((e) => [...e])).toEqual(elements.map((e) => [...e]));
    expect(r.list()[0]!.name).toBe('it/ITERATOR_STATE');
  });

  it('a changed byte is a checksum mismatch naming the element; a short or padded entry is corrupt', () => {
    const { bytes, crc32c: c } = encodeVariantTensor(elements);
    const bad = bytes.slice();
    bad[bytes.length - 10]! ^= 1;
    expect(() => decodeVariantTensor(bad, 3, { ...where, expectedCrc: c })).toThrow(/after variant element 2/);
    expect(() => decodeVariantTensor(bad, 3, { ...where, expectedCrc: c })).toThrow(ChecksumMismatchError);
    expect(decodeVariantTensor(bad, 3, { ...where, verify: false, expectedCrc: c })).toHaveLength(3);
    expect(() => decodeVariantTensor(bytes.subarray(0, bytes.length - 1), 3, { ...where, expectedCrc: c })).toThrow(CorruptDataError);
    expect(() => decodeVariantTensor(new Uint8Array([...bytes, 0]), 3, { ...where, expectedCrc: c })).toThrow(/do not add up/);
    // A huge element count is refused from the size alone, before anything is allocated.
    expect(() => decodeVariantTensor(bytes, 1e12, { ...where, expectedCrc: c })).toThrow(/smaller than its element count/);
  });
});
