import { describe, expect, it } from 'vitest';
import {
  CorruptDataError, isTfwError, LimitExceededError, makeTensor, MemorySink, MemorySource, sniffInputOf,
  TensorNotFoundError, UnsupportedDtypeError, InvalidArgumentError, typedValues,
} from '@tfweights/core';
import { seededRandom } from '@tfweights/testkit';
import {
  SafetensorsCollectingWriter, SafetensorsReader, SafetensorsWriter, safetensorsFormat, serializeSafetensors,
} from '../src/index.js';
import { randomTensor, specRead, STORABLE } from './helpers.js';

const enc = new TextEncoder();

/** A file from a header object and a data buffer, padded the way the reference pads. */
function fileOf(header: unknown, data: Uint8Array, opts: { n?: number; raw?: Uint8Array } = {}): Uint8Array {
  const json = opts.raw ?? enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(opts.n ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

async function open(bytes: Uint8Array): Promise<SafetensorsReader> {
  return SafetensorsReader.open(new MemorySource(bytes, 'test.safetensors'));
}

describe('safetensors writer', () => {
  it('writes the FORMATS.md §9 example byte for byte', async () => {
    const a = makeTensor('a', 'float32', [2], new Uint8Array(new Float32Array([1, 2]).buffer));
    const bytes = await serializeSafetensors([a]);
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    expect(header.length).toBe(54);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([56, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(bytes.subarray(8, 64))).toBe(`${header}  `);
    expect(Array.from(bytes.subarray(64))).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
  });

  it('round-trips every storable dtype, keeps __metadata__, orders by dtype descending then name', async () => {
    const tensors = STORABLE.flatMap((d, i) => [randomTensor(`t_${d}`, d, [2, 3], i), randomTensor(`a_${d}`, d, [1], 100 + i)]);
    tensors.push(randomTensor('scalar', 'float32', [], 7), randomTensor('empty', 'int8', [0, 4], 8));
    const bytes = await serializeSafetensors(tensors, { metadata: { format: 'pt', note: 'é "quoted"' } });
    expect((8 + new DataView(bytes.buffer).getUint32(0, true)) % 8).toBe(0);
    const r = await open(bytes);
    expect(r.userMetadata).toEqual({ format: 'pt', note: 'é "quoted"' });
    expect(r.list()).toHaveLength(tensors.length);
    for (const t of tensors) {
      const back = await r.read(t.key);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(Array.from(back.data)).toEqual(Array.from(t.data));
    }
    // Order: U64 first (highest rank), BOOL last; within a dtype, names ascending.
    const keys = r.list().map((i) => i.key);
    expect(keys.slice(0, 2)).toEqual(['a_uint64', 't_uint64']);
    expect(keys.slice(-2)).toEqual(['a_bool', 't_bool']);
    expect(keys.indexOf('t_bfloat16')).toBeLessThan(keys.indexOf('t_float16'));
    // The independent spec reader agrees.
    const spec = specRead(bytes);
    expect(spec.metadata).toEqual({ format: 'pt', note: 'é "quoted"' });
    expect(spec.tensors.get('t_bfloat16')?.dtype).toBe('BF16');
    expect(spec.tensors.get('t_float16')?.dtype).toBe('F16');
    for (const t of tensors) expect(Array.from(spec.tensors.get(t.key)!.bytes)).toEqual(Array.from(t.data));
  });

  it('sorts names by UTF-8 bytes, not UTF-16 units', async () => {
    // U+FF5E (UTF-16 0xFF5E) sorts after U+1F600 (UTF-16 0xD83D…) in UTF-16 but before it in UTF-8.
    const names = ['\u{1F600}', '\uFF5E', 'z'];
    const bytes = await serializeSafetensors(names.map((n, i) => randomTensor(n, 'float32', [1], i)));
    expect((await open(bytes)).list().map((i) => i.key)).toEqual(['z', '\uFF5E', '\u{1F600}']);
  });

  it('streams in plan order, buffers early tensors, refuses mismatches and missing tensors', async () => {
    const ts = [randomTensor('b', 'float32', [3], 1), randomTensor('a', 'float32', [2], 2), randomTensor('c', 'int64', [2], 3)];
    const sink = new MemorySink();
    const w = await SafetensorsWriter.create(sink, ts);
    expect(w.order).toEqual(['c', 'a', 'b']);
    const headerBytes = sink.position;
    await w.write(ts[0]!); // 'b' is last: held back
    expect(sink.position).toBe(headerBytes);
    await w.write(ts[2]!);
    expect(sink.position).toBe(headerBytes + 16);
    await expect(w.write(ts[2]!)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(w.write(randomTensor('a', 'float32', [3], 9))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(w.write(randomTensor('zz', 'float32', [3], 9))).rejects.toBeInstanceOf(InvalidArgumentError);
    await w.write(ts[1]!);
    await w.finish();
    expect(sink.bytes()).toEqual(await serializeSafetensors(ts));

    const w2 = await SafetensorsWriter.create(new MemorySink(), ts);
    await w2.write(ts[2]!);
    await expect(w2.finish()).rejects.toThrow(/never written: a, b/);
  });

  it('collecting writer gives the same bytes as the planned writer', async () => {
    const ts = STORABLE.map((d, i) => randomTensor(`x${i}`, d, [4], i));
    const sink = new MemorySink();
    const w = new SafetensorsCollectingWriter(sink, { metadata: { k: 'v' } });
    for (const t of [...ts].reverse()) await w.write(t);
    await w.finish();
    expect(sink.bytes()).toEqual(await serializeSafetensors(ts, { metadata: { k: 'v' } }));
  });

  it('refuses dtypes safetensors cannot store', async () => {
    const c128 = makeTensor('c', 'complex128', [1], new Uint8Array(16));
    await expect(serializeSafetensors([c128])).rejects.toBeInstanceOf(UnsupportedDtypeError);
    const w = new SafetensorsCollectingWriter(new MemorySink());
    await expect(w.write(makeTensor('q', 'qint8', [1], new Uint8Array(1)))).rejects.toBeInstanceOf(UnsupportedDtypeError);
  });
});

describe('safetensors reader', () => {
  const good = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'I8', shape: [3], data_offsets: [8, 11] } };
  const data = new Uint8Array(11).map((_, i) => i);

  it('lists without reading data, reads one tensor with one ranged read', async () => {
    const bytes = fileOf(good, data);
    const reads: [number, number][] = [];
    const src = new MemorySource(bytes, 'x.safetensors');
    const spy = { name: src.name, size: src.size, read: (o: number, l: number, w?: string) => (reads.push([o, l]), src.read(o, l, w)) };
    const r = await SafetensorsReader.open(spy);
    expect(r.list().map((i) => [i.key, i.dtype, i.shape])).toEqual([['a', 'float32', [2]], ['b', 'int8', [3]]]);
    expect(reads).toHaveLength(2);
    const b = await r.read('b');
    expect(reads).toHaveLength(3);
    expect(Array.from(typedValues(b) as Int8Array)).toEqual([8, 9, 10]);
    await expect(r.read('bb')).rejects.toBeInstanceOf(TensorNotFoundError);
    const keys: string[] = [];
    for await (const t of r.tensors()) keys.push(t.key);
    expect(keys).toEqual(['a', 'b']);
  });

  const cases: [string, Uint8Array, new (...a: never[]) => Error, RegExp][] = [
    ['oversized header length', fileOf(good, data, { n: 100_000_001 }), LimitExceededError, /header length/],
    ['header length ≥ 2^32', fileOf(good, data, { n: 2 ** 40 }), LimitExceededError, /header length/],
    ['header past end of file', fileOf(good, new Uint8Array(0), { n: 500 }), CorruptDataError, /past the end/],
    ['overlapping offsets', fileOf({ ...good, b: { dtype: 'I8', shape: [3], data_offsets: [7, 10] } }, data.subarray(0, 10)), CorruptDataError, /overlaps/],
    ['offsets past end of file', fileOf({ ...good, b: { dtype: 'I8', shape: [3], data_offsets: [8, 11] } }, data.subarray(0, 9)), CorruptDataError, /past the end/],
    ['trailing bytes', fileOf(good, new Uint8Array(12)), CorruptDataError, /after the last tensor/],
    ['gap between tensors', fileOf({ ...good, b: { dtype: 'I8', shape: [3], data_offsets: [9, 12] } }, new Uint8Array(12)), CorruptDataError, /gap/],
    ['unknown dtype', fileOf({ ...good, b: { dtype: 'F128', shape: [3], data_offsets: [8, 11] } }, data), UnsupportedDtypeError, /F128/],
    ['byte count vs shape', fileOf({ ...good, b: { dtype: 'I16', shape: [3], data_offsets: [8, 11] } }, data), CorruptDataError, /do not match/],
    ['negative dim', fileOf({ ...good, b: { dtype: 'I8', shape: [-3], data_offsets: [8, 11] } }, data), CorruptDataError, /shape/],
    ['begin > end', fileOf({ ...good, b: { dtype: 'I8', shape: [3], data_offsets: [11, 8] } }, data), CorruptDataError, /data_offsets/],
    ['non-string metadata', fileOf({ __metadata__: { n: 1 }, ...good }, data), CorruptDataError, /strings/],
    ['not JSON', fileOf(null, data, { raw: enc.encode('{"a":') }), CorruptDataError, /JSON/],
    ['not an object', fileOf(null, data, { raw: enc.encode('[1, 2]') }), CorruptDataError, /JSON object/],
    ['bad UTF-8', fileOf(null, data, { raw: new Uint8Array([0x7b, 0xff, 0x7d]) }), CorruptDataError, /UTF-8/],
    ['file shorter than 8 bytes', new Uint8Array(5), CorruptDataError, /shorter/],
  ];
  for (const [what, bytes, type, message] of cases) {
    it(`refuses ${what} with a typed error`, async () => {
      const err = await open(bytes).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain('test.safetensors');
    });
  }

  it('accepts leading whitespace and a null __metadata__, as the reference reader does', async () => {
    const raw = enc.encode(' {"__metadata__":null,"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}');
    const r = await open(fileOf(null, new Uint8Array([7]), { raw }));
    expect(r.userMetadata).toEqual({});
    expect(Array.from((await r.read('a')).data)).toEqual([7]);
  });

  it('lists sub-byte/exotic dtypes as unsupported and still reads the rest', async () => {
    const header = { f4: { dtype: 'F4', shape: [4], data_offsets: [0, 2] }, e8: { dtype: 'F8_E8M0', shape: [2], data_offsets: [2, 4] }, a: { dtype: 'U8', shape: [2], data_offsets: [4, 6] } };
    const r = await open(fileOf(header, new Uint8Array([1, 2, 3, 4, 5, 6])));
    expect(r.list().map((i) => i.key)).toEqual(['a']);
    expect(r.unsupported.map((u) => [u.name, u.dtype, u.byteLength])).toEqual([['f4', 'F4', 2], ['e8', 'F8_E8M0', 2]]);
    expect(Array.from((await r.read('a')).data)).toEqual([5, 6]);
    await expect(r.read('f4')).rejects.toBeInstanceOf(UnsupportedDtypeError);
    // An odd count of 4-bit elements does not fill whole bytes.
    await expect(open(fileOf({ f4: { dtype: 'F4', shape: [3], data_offsets: [0, 2] } }, new Uint8Array(2)))).rejects.toThrow(/whole bytes/);
  });

  it('never throws anything but a typed error on corrupted headers, and never hangs', async () => {
    const base = await serializeSafetensors(STORABLE.map((d, i) => randomTensor(`t${i}`, d, [3], i)), { metadata: { a: 'b' } });
    const rnd = seededRandom(42);
    for (let round = 0; round < 400; round++) {
      const bytes = base.slice();
      const hits = 1 + Math.floor(rnd() * 4);
      for (let h = 0; h < hits; h++) bytes[Math.floor(rnd() * Math.min(bytes.length, 700))] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.2 ? Math.floor(rnd() * bytes.length) : bytes.length;
      try {
        const r = await open(bytes.subarray(0, cut));
        for await (const _ of r.tensors()) void _;
      } catch (e) {
        if (!isTfwError(e)) throw e;
      }
    }
  });
});

describe('safetensors format descriptor', () => {
  it('sniffs safetensors and nothing else', async () => {
    const bytes = await serializeSafetensors([randomTensor('a', 'float32', [2], 1)]);
    expect(safetensorsFormat.sniff(await sniffInputOf(new MemorySource(bytes)))).toBe(true);
    const npy = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0, 0, 0]);
    expect(safetensorsFormat.sniff(await sniffInputOf(new MemorySource(npy)))).toBe(false);
    const json = enc.encode('{"modelTopology": {}}');
    expect(safetensorsFormat.sniff(await sniffInputOf(new MemorySource(json)))).toBe(false);
    expect(safetensorsFormat.extensions).toContain('.safetensors');
  });
});
