/** Bundles made here: the FORMATS.md worked example, every dtype, strings, shards, slices, big-endian, CRCs. */
import { describe, expect, it } from 'vitest';
import {
  crc32c, DTYPES, isTfwError, makeStringTensor, makeTensor, maskCrc32c, MemorySource, type Tensor,
} from '@tfweights/core';
import { seededRandom, canonicalSha256 } from '@tfweights/testkit';
import { checkpointFormat, encodeSliceKey, openBundle } from '../src/index.js';
import { encodeStringTensor } from '../src/string-tensor.js';
import { encodeEntry, encodeHeader } from '../src/bundle-proto.js';
import { TableBuilder, shortestSeparator, shortSuccessor } from '../src/sstable-write.js';
import { fromHex, hex, openMemoryBundle, writeMemoryBundle } from './helpers.js';

const f32 = (key: string, shape: number[], values: number[]): Tensor => makeTensor(key, 'float32', shape, new Uint8Array(Float32Array.from(values).buffer));

describe('FORMATS.md §2.2.6 worked example', () => {
  it('writes the exact 121-byte index and 8-byte data file', async () => {
    const b = await writeMemoryBundle([f32('a', [2], [1, 2])]);
    expect(hex(b.shards[0]!)).toBe('0000803f00000040');
    expect(b.index.length).toBe(121);
    const expected = fromHex(`
      00 00 06 08 01 1a 02 08 01
      00 01 0f 61 08 01 12 04 12 02 08 02 28 08 35 59 3c e5 35
      00 00 00 00 01 00 00 00
      00 44 19 55 9e
      00 00 00 00 01 00 00 00 00 c0 f2 a1 b0
      00 01 02 62 00 24 00 00 00 00 01 00 00 00 00 5a 99 6b 35
      29 08 36 0e` + ' 00'.repeat(36) + ' 57 fb 80 8b 24 75 47 db');
    expect(hex(b.index)).toBe(hex(expected));
    const r = await openMemoryBundle(b);
    expect(Array.from(new Float32Array((await r.read('a')).data.slice().buffer))).toEqual([1, 2]);
  });

  it('header and entry protos match the documented bytes', () => {
    expect(hex(encodeHeader({ numShards: 1, endianness: 'little', version: { producer: 1, minConsumer: 0, badConsumers: [] } }))).toBe('08011a020801');
    expect(hex(encodeEntry({ dtype: 'float32', shape: [2], shardId: 0, offset: 0, size: 8, crc32c: 0x35e53c59 }))).toBe('080112041202080228083559 3ce535'.replace(/\s/g, ''));
    expect(hex(encodeEntry({ dtype: 'float32', shape: [0, 3], shardId: 0, offset: 0, size: 0, crc32c: 0 }))).toBe('0801120612001202 0803'.replace(/\s/g, ''));
  });

  it('separators and successors follow LevelDB', () => {
    const e = new TextEncoder();
    expect(hex(shortestSeparator(e.encode('abc'), e.encode('abz')))).toBe(hex(e.encode('abd')));
    expect(hex(shortestSeparator(e.encode('abc'), e.encode('abd')))).toBe(hex(e.encode('abc')));
    expect(hex(shortestSeparator(e.encode('ab'), e.encode('abc')))).toBe(hex(e.encode('ab')));
    expect(hex(shortSuccessor(e.encode('save_counter/x')))).toBe(hex(e.encode('t')));
    expect(hex(shortSuccessor(Uint8Array.of(0xff, 0xff, 0x10)))).toBe('ffff11');
    expect(hex(shortSuccessor(Uint8Array.of(0xff)))).toBe('ff');
  });

  it('the format descriptor sniffs the magic at the end of the file', async () => {
    const b = await writeMemoryBundle([f32('a', [1], [1])]);
    expect(checkpointFormat.sniff({ name: 'x', size: b.index.length, head: b.index, tail: b.index })).toBe(true);
    expect(checkpointFormat.sniff({ name: 'x', size: b.shards[0]!.length, head: b.shards[0]!, tail: b.shards[0]! })).toBe(false);
  });
});

describe('strings (FORMATS.md §2.5.2)', () => {
  it('encodes the scalar "hello" exactly', () => {
    const { bytes, crc32c: c } = encodeStringTensor([new TextEncoder().encode('hello')]);
    expect(hex(bytes)).toBe('05d9c69c4368656c6c6f');
    expect(c).toBe(0x29c0e0ec);
    expect(hex(encodeStringTensor([]).bytes)).toBe('d8ea82a2');
  });

  it('round-trips string tensors of any shape, including empty and long elements', async () => {
    const long = new Uint8Array(300).fill(0x41);
    const t1 = makeStringTensor('s', [2, 2], ['a', '', 'ccc', long]);
    const t2 = makeStringTensor('empty', [0], []);
    const r = await openMemoryBundle(await writeMemoryBundle([t1, t2]));
    const back = await r.read('s');
    expect(back.strings!.map((s) => s.length)).toEqual([1, 0, 3, 300]);
    expect(canonicalSha256(back)).toBe(canonicalSha256(t1));
    expect((await r.read('empty')).strings).toEqual([]);
  });
});

describe('every dtype, any shard count', () => {
  it('writes and reads every fixed-size dtype and keeps keys sorted by unsigned bytes', async () => {
    const rand = seededRandom(1);
    const tensors: Tensor[] = [];
    for (const d of DTYPES) {
      if (d.itemSize === 0) continue;
      const shape = [2, 3];
      const data = Uint8Array.from({ length: 6 * d.itemSize }, () => Math.floor(rand() * 256));
      tensors.push(makeTensor(`t/${d.name}/é`, d.name, shape, data));
    }
    tensors.push(f32('z', [], [7]), f32('Z', [0], []), f32('\u00ff', [1], [1]), f32('\u{1F600}', [1], [2]), f32('\uffff', [1], [3]));
    const b = await writeMemoryBundle(tensors, 3);
    expect(b.shards.length).toBe(3);
    const r = await openMemoryBundle(b);
    expect(r.header.numShards).toBe(3);
    // Unsigned UTF-8 byte order: U+FFFF (ef bf bf) sorts before U+1F600 (f0 ...), unlike UTF-16 order.
    const keys = r.list().map((i) => i.key);
    expect(keys.indexOf('\uffff')).toBeLessThan(keys.indexOf('\u{1F600}'));
    for (const t of tensors) {
      const back = await r.read(t.key);
      expect([back.dtype, back.shape]).toEqual([t.dtype, t.shape]);
      expect(hex(back.data)).toBe(hex(t.data));
    }
    expect(new Set(r.entries().map((e) => e.shardId)).size).toBe(3);
  });

  it('streams tensors in data-file order and lists without reading data', async () => {
    const b = await writeMemoryBundle([f32('c', [1], [1]), f32('a', [1], [2]), f32('b', [1], [3])]);
    let dataReads = 0;
    const r = await openBundle(new MemorySource(b.index, 'i'), async () => {
      const s = new MemorySource(b.shards[0]!, 'd');
      return { name: s.name, size: s.size, read: (o: number, l: number, w?: string) => { dataReads++; return s.read(o, l, w); } };
    });
    expect(r.list().map((i) => i.key)).toEqual(['a', 'b', 'c']);
    expect(dataReads).toBe(0);
    await r.read('b');
    expect(dataReads).toBe(1);
    const keys: string[] = [];
    for await (const t of r.tensors()) keys.push(t.key);
    expect(keys).toEqual(['c', 'a', 'b']);
    expect(r.dataOrder()).toEqual(['c', 'a', 'b']);
  });

  it('splits into several data blocks when the index outgrows 256 KiB', async () => {
    const tensors = Array.from({ length: 3000 }, (_, i) => f32(`layer_${String(i).padStart(5, '0')}/${'k'.repeat(80)}`, [1], [i]));
    const b = await writeMemoryBundle(tensors);
    const r = await openMemoryBundle(b);
    expect(r.layout.dataBlocks.length).toBeGreaterThan(1);
    expect(r.list().length).toBe(3000);
    expect(Array.from(new Float32Array((await r.read(tensors[2999]!.key)).data.slice().buffer))).toEqual([2999]);
  });

  it('refuses duplicate keys and tensors whose bytes do not match their shape', async () => {
    await expect(writeMemoryBundle([f32('a', [1], [1]), f32('a', [1], [2])])).rejects.toThrow(/duplicate key/);
    const bad = { ...f32('a', [2], [1, 2]), shape: [3] };
    await expect(writeMemoryBundle([bad])).rejects.toThrow(/does not match its shape/);
  });
});

describe('checksums', () => {
  it('detects a flipped data byte, and skips the check when asked', async () => {
    const b = await writeMemoryBundle([f32('a', [2], [1, 2])]);
    const shard = b.shards[0]!;
    shard[3] = shard[3]! ^ 1;
    const r = await openMemoryBundle(b);
    const err = await r.read('a').catch((e: unknown) => e);
    expect(isTfwError(err) && err.code).toBe('ChecksumMismatch');
    expect(String(err)).toMatch(/mem\.data-0.*'a'/);
    await expect(r.read('a', { verifyChecksums: false })).resolves.toBeDefined();
    const r2 = await openMemoryBundle(b, { verifyChecksums: false });
    await expect(r2.read('a')).resolves.toBeDefined();
  });

  it('detects a flipped index byte (block CRC)', async () => {
    const b = await writeMemoryBundle([f32('a', [2], [1, 2])]);
    b.index[12] = b.index[12]! ^ 0x10;
    await expect(openMemoryBundle(b)).rejects.toMatchObject({ code: 'ChecksumMismatch', file: 'mem.index' });
  });
});

/** Build an index by hand (for big-endian and other bundles our writer never makes). */
function craftIndex(header: Uint8Array, entries: [string, Uint8Array][]): Uint8Array {
  const t = new TableBuilder();
  t.add(new Uint8Array(0), header);
  for (const [k, v] of entries) t.add(new TextEncoder().encode(k), v);
  return t.finish();
}

describe('big-endian bundles (FORMATS.md §2.5.6)', () => {
  it('verifies the CRC over the stored bytes, then byte-swaps every element', async () => {
    const dv = new DataView(new ArrayBuffer(8 + 16 + 4));
    dv.setFloat32(0, 1.5, false);
    dv.setFloat32(4, -2, false);
    dv.setFloat64(8, 3.25, false); // complex128 real
    dv.setFloat64(16, -1, false); // complex128 imag
    dv.setInt32(24, 0x01020304, false);
    const data = new Uint8Array(dv.buffer);
    const crcOf = (a: number, b: number): number => maskCrc32c(crc32c(data.subarray(a, b)));
    // String tensor written on a big-endian host: lengths enter the CRC as big-endian uint32.
    const s = new TextEncoder().encode('hi');
    const lenBE = Uint8Array.of(0, 0, 0, 2);
    const c1 = crc32c(lenBE);
    const strBytes = new Uint8Array(1 + 4 + 2);
    strBytes[0] = 2;
    new DataView(strBytes.buffer).setUint32(1, maskCrc32c(c1), false);
    strBytes.set(s, 5);
    const strCrc = maskCrc32c(crc32c(strBytes.subarray(1), c1));
    const shard = new Uint8Array(data.length + strBytes.length);
    shard.set(data);
    shard.set(strBytes, data.length);
    const header = encodeHeader({ numShards: 1, endianness: 'big', version: { producer: 1, minConsumer: 0, badConsumers: [] } });
    const index = craftIndex(header, [
      ['c', encodeEntry({ dtype: 'complex128', shape: [1], shardId: 0, offset: 8, size: 16, crc32c: crcOf(8, 24) })],
      ['f', encodeEntry({ dtype: 'float32', shape: [2], shardId: 0, offset: 0, size: 8, crc32c: crcOf(0, 8) })],
      ['i', encodeEntry({ dtype: 'int32', shape: [], shardId: 0, offset: 24, size: 4, crc32c: crcOf(24, 28) })],
      ['s', encodeEntry({ dtype: 'string', shape: [], shardId: 0, offset: 28, size: 7, crc32c: strCrc })],
    ]);
    const r = await openMemoryBundle({ index, shards: [shard] });
    expect(r.header.endianness).toBe('big');
    expect(Array.from(new Float32Array((await r.read('f')).data.slice().buffer))).toEqual([1.5, -2]);
    expect(Array.from(new Float64Array((await r.read('c')).data.slice().buffer))).toEqual([3.25, -1]);
    expect(Array.from(new Int32Array((await r.read('i')).data.slice().buffer))).toEqual([0x01020304]);
    expect(new TextDecoder().decode((await r.read('s')).strings![0])).toBe('hi');
  });
});

describe('partitioned variables (FORMATS.md §2.6)', () => {
  it('encodes slice keys with OrderedCode', () => {
    // NumIncreasing(0) ‖ "w" 00 01 ‖ NumIncreasing(2) ‖ (0,-1) full ‖ (2,2)
    expect(hex(encodeSliceKey('w', [{ start: 0 }, { start: 2, length: 2 }]))).toBe('00770001010280' + '7f' + '8282');
    expect(hex(encodeSliceKey('a\u0000', [{ start: 100, length: -65 }]))).toBe('00' + '6100ff0001' + '0101' + 'c064' + '3fbf');
  });

  it('assembles slices into the full tensor and hides slice keys', async () => {
    // Full [4, 3] float32 = 0..11 split into rows 0-1 and rows 2-3, plus a 2-D split of a second tensor.
    const full = Array.from({ length: 12 }, (_, i) => i);
    const b = await writeMemoryBundle([f32('plain', [1], [5])], 2, {}, async (w) => {
      await w.writeSlice('part', [4, 3], [{ start: 2, length: 2 }, { start: 0 }], f32('x', [2, 3], full.slice(6)), { shard: 1 });
      await w.writeSlice('part', [4, 3], [{ start: 0, length: 2 }, { start: 0 }], f32('x', [2, 3], full.slice(0, 6)), { shard: 0 });
      // Column split of a [2, 4] tensor: cols 0-1 and 2-3.
      await w.writeSlice('cols', [2, 4], [{ start: 0 }, { start: 0, length: 2 }], f32('x', [2, 2], [0, 1, 4, 5]));
      await w.writeSlice('cols', [2, 4], [{ start: 0 }, { start: 2, length: 2 }], f32('x', [2, 2], [2, 3, 6, 7]));
      await w.writeSlice('strs', [3], [{ start: 1, length: 2 }], makeStringTensor('x', [2], ['b', 'c']));
      await w.writeSlice('strs', [3], [{ start: 0, length: 1 }], makeStringTensor('x', [1], ['a']));
    });
    const r = await openMemoryBundle(b);
    expect(r.list().map((i) => [i.key, i.shape])).toEqual([['cols', [2, 4]], ['part', [4, 3]], ['plain', [1]], ['strs', [3]]]);
    expect(r.entries().filter((e) => e.sliceOf).length).toBe(6);
    expect(Array.from(new Float32Array((await r.read('part')).data.slice().buffer))).toEqual(full);
    expect(Array.from(new Float32Array((await r.read('cols')).data.slice().buffer))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect((await r.read('strs')).strings!.map((s) => new TextDecoder().decode(s))).toEqual(['a', 'b', 'c']);
    const streamed: string[] = [];
    for await (const t of r.tensors()) streamed.push(t.key);
    expect(streamed.sort()).toEqual(['cols', 'part', 'plain', 'strs']);
  });

  it('rewrites a partitioned bundle byte for byte from its entries in data order', async () => {
    const make = async (w: import('../src/index.js').BundleWriter): Promise<void> => {
      await w.writeSlice('p', [4, 2], [{ start: 2, length: 2 }, { start: 0 }], f32('x', [2, 2], [5, 6, 7, 8]));
      await w.writeSlice('p', [4, 2], [{ start: 0, length: 2 }, { start: 0 }], f32('x', [2, 2], [1, 2, 3, 4]));
    };
    const first = await writeMemoryBundle([f32('q', [1], [9])], 1, {}, make);
    const r = await openMemoryBundle(first);
    const byKey = new Map(r.entries().map((e) => [e.key, e]));
    const again = await writeMemoryBundle([], 1, {}, async (w) => {
      for (const key of r.dataOrder()) {
        const e = byKey.get(key)!;
        const t = await r.read(key);
        if (e.sliceOf) {
          const full = byKey.get(e.sliceOf.key)!;
          await w.writeSlice(e.sliceOf.key, full.shape, e.sliceOf.extents, t);
        } else await w.write(t);
      }
    });
    expect(hex(again.index)).toBe(hex(first.index));
    expect(hex(again.shards[0]!)).toBe(hex(first.shards[0]!));
    expect(r.dataOrder()).toEqual(['q', 'p@2,2:-', 'p@0,2:-']);
  });

  it('refuses slices that do not cover the declared shape', async () => {
    const b = await writeMemoryBundle([], 1, {}, async (w) => {
      await w.writeSlice('p', [4], [{ start: 0, length: 2 }], f32('x', [2], [1, 2]));
    });
    const r = await openMemoryBundle(b);
    await expect(r.read('p')).rejects.toMatchObject({ code: 'CorruptData', entry: 'p' });
  });
});
