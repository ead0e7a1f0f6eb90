/** Tests on inputs made here: no fixtures, no Python needed. */
import { describe, expect, it } from 'vitest';
import {
  isTfwError, makeStringTensor, makeTensor, MemorySink, MemorySource, sniffInputOf, typedValues, bytesOf,
  type ByteSource,
} from '@tfweights/core';
import { seededRandom } from '@tfweights/testkit';
import {
  buildNpyHeader, fortranToC, npyBytes, npyFormat, npzBytes, npzFormat, NpyFolderWriter, NpyReader, NpzReader,
  parsePyLiteral, safeFileStem, type FolderSinks,
} from '../src/index.js';

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; message: string }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (!isTfwError(e)) throw e;
    return e;
  }
  throw new Error('expected an error');
}

/** A source that counts reads and bytes read, to check laziness. */
class CountingSource implements ByteSource {
  reads: [number, number][] = [];
  readonly size: number;
  constructor(private readonly bytes: Uint8Array, readonly name = 'counted') {
    this.size = bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || offset + length > this.size) throw new Error('range');
    this.reads.push([offset, length]);
    return this.bytes.subarray(offset, offset + length);
  }
  get bytesRead(): number {
    return this.reads.reduce((s, r) => s + r[1], 0);
  }
}

const f32 = (key: string, values: number[], shape = [values.length]) => makeTensor(key, 'float32', shape, bytesOf(new Float32Array(values)));

describe('header text', () => {
  it('matches the FORMATS.md example of np.save(float32 [1, 2])', () => {
    const h = buildNpyHeader('<f4', [2]);
    expect(h.length).toBe(128);
    expect(Array.from(h.subarray(0, 10))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x76, 0]);
    const text = new TextDecoder('latin1').decode(h.subarray(10));
    expect(text).toBe(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }${' '.repeat(60)}\n`);
    expect(new TextDecoder().decode(buildNpyHeader('<f4', [2, 3]).subarray(10))).toContain("'shape': (2, 3), }" + ' '.repeat(58) + '\n');
  });

  it('switches to version 2.0 when the header needs more than 65535 bytes', () => {
    const h = buildNpyHeader('<f4', Array.from({ length: 30000 }, () => 1));
    expect(h[6]).toBe(2);
    expect(h.length % 64).toBe(0);
  });

  it('parses Python literals without eval and rejects anything else', () => {
    expect(parsePyLiteral("{'a': (1, 2,), 'b': [True, None], 'c': 'x\\'y', 'd': -3}", 'f')).toEqual({ a: [1, 2], b: [true, null], c: "x'y", d: -3 });
    for (const bad of ["{'a': __import__('os')}", "{'a': 1", "{'a' 1}", "{'a': 1} x", "{'a': 1e5}", "{'a': 99999999999999999999}", '['.repeat(100)]) {
      expect(() => parsePyLiteral(bad, 'f')).toThrowError();
      try {
        parsePyLiteral(bad, 'f');
      } catch (e) {
        expect(isTfwError(e)).toBe(true);
      }
    }
  });
});

describe('reading', () => {
  it('transposes Fortran order to C order', () => {
    // 2×3 array [[0,1,2],[3,4,5]] stored column-major: 0,3,1,4,2,5.
    const f = new Uint8Array([0, 3, 1, 4, 2, 5]);
    expect(Array.from(fortranToC(f, [2, 3], 1))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads big-endian data and Fortran-order headers we craft', async () => {
    const header = buildNpyHeader('>i2', [2, 2], true);
    const data = new Uint8Array([0, 1, 0, 3, 0, 2, 0, 4]); // column-major big-endian 1,3,2,4
    const file = new Uint8Array([...header, ...data]);
    const r = await NpyReader.open(new MemorySource(file, 'be.npy'));
    expect(r.list()[0]).toMatchObject({ key: 'be', dtype: 'int16', shape: [2, 2] });
    expect(Array.from(typedValues(await r.read('be')) as Int16Array)).toEqual([1, 2, 3, 4]);
  });

  it('refuses object arrays without unpickling, in .npy and in .npz', async () => {
    const obj = new Uint8Array([...buildNpyHeader('|O', [1]), 0x80, 0x04, 0x95]);
    const e = await errorOf(NpyReader.open(new MemorySource(obj, 'obj.npy')));
    expect(e.code).toBe('UnsupportedDtype');
    expect(e.message).toContain('pickled');
    const sink = new MemorySink();
    const { ZipWriter } = await import('@tfweights/core');
    const z = new ZipWriter(sink, { forceZip64: true });
    await z.addBytes('ok.npy', npyBytes(f32('ok', [1])));
    await z.addBytes('obj.npy', obj);
    await z.finish();
    const r = await NpzReader.open(new MemorySource(sink.bytes(), 'mixed.npz'));
    expect(r.list().map((t) => t.key)).toEqual(['ok']);
    expect(r.refused.map((x) => x.key)).toEqual(['obj']);
    expect((await errorOf(r.read('obj'))).code).toBe('UnsupportedDtype');
    expect((await errorOf(r.read('nope'))).code).toBe('TensorNotFound');
  });

  it('lists an .npz reading only the directory and the array headers; read() is one ranged read', async () => {
    const big = f32('big', Array.from({ length: 100_000 }, (_, i) => i));
    const bytes = await npzBytes([big, f32('small', [1, 2, 3])]);
    const src = new CountingSource(bytes, 'lazy.npz');
    const r = await NpzReader.open(src);
    expect(r.list().map((t) => [t.key, t.shape])).toEqual([['big', [100_000]], ['small', [3]]]);
    expect(src.bytesRead).toBeLessThan(5000);
    const before = src.reads.length;
    const t = await r.read('big');
    expect(src.reads.length - before).toBe(1);
    expect((typedValues(t) as Float32Array)[99_999]).toBe(99_999);
  });

  it('lists a compressed .npz inflating only the headers', async () => {
    const rnd = seededRandom(5);
    const big = makeTensor('z', 'uint8', [3_000_000], new Uint8Array(3_000_000).map(() => Math.floor(rnd() * 16)));
    const bytes = await npzBytes([big], { compressed: true });
    const src = new CountingSource(bytes, 'c.npz');
    const r = await NpzReader.open(src);
    expect(r.list()[0]!.shape).toEqual([3_000_000]);
    expect(src.bytesRead).toBeLessThan(20_000);
    expect(bytes.length).toBeGreaterThan(1_000_000);
    expect(Buffer.from((await r.read('z')).data).equals(Buffer.from(big.data))).toBe(true);
  });

  it('detects a CRC mismatch in a stored member', async () => {
    const bytes = (await npzBytes([f32('a', [1, 2, 3, 4])])).slice();
    const at = bytes.indexOf(0x80); // first byte of 1.0f's exponent (00 00 80 3f)
    bytes[at] = 0x81;
    const r = await NpzReader.open(new MemorySource(bytes, 'flip.npz'));
    expect((await errorOf(r.read('a'))).code).toBe('ChecksumMismatch');
    expect((await r.read('a', { verifyChecksums: false })).data.length).toBe(16);
  });
});

describe('writing', () => {
  it('writes strings as <U{maxlen} (or |S on request) and 0-d / empty arrays', async () => {
    const s = makeStringTensor('s', [3], ['a', 'héllo', '']);
    const r = await NpyReader.open(new MemorySource(npyBytes(s), 's.npy'));
    expect(r.header.element.descr).toBe('<U5');
    expect((await r.read('s')).strings!.map((b) => new TextDecoder().decode(b))).toEqual(['a', 'héllo', '']);
    const b = await NpyReader.open(new MemorySource(npyBytes(s, { strings: 'bytes' }), 's.npy'));
    expect(b.header.element.descr).toBe('|S6');
    const notUtf8 = makeStringTensor('n', [1], [new Uint8Array([0xff, 0xfe])]);
    const n = await NpyReader.open(new MemorySource(npyBytes(notUtf8), 'n.npy'));
    expect(n.header.element.descr).toBe('|S2');
    const scalar = await NpyReader.open(new MemorySource(npyBytes(f32('x', [7], [])), 'x.npy'));
    expect(scalar.list()[0]!.shape).toEqual([]);
    const empty = await NpyReader.open(new MemorySource(npyBytes(f32('e', [], [0, 4])), 'e.npy'));
    expect((await empty.read('e')).shape).toEqual([0, 4]);
  });

  it('refuses bfloat16 unless asked to widen it to float32', async () => {
    const bf = makeTensor('bf', 'bfloat16', [2], new Uint8Array([0x80, 0x3f, 0x00, 0xc0])); // 1.0, -2.0
    expect((await errorOf(() => npyBytes(bf))).code).toBe('UnsupportedDtype');
    const r = await NpyReader.open(new MemorySource(npyBytes(bf, { bfloat16: 'float32' }), 'bf.npy'));
    expect(Array.from(typedValues(await r.read('bf')) as Float32Array)).toEqual([1, -2]);
    const q = makeTensor('q', 'qint8', [1], new Uint8Array(1));
    expect((await errorOf(() => npyBytes(q))).code).toBe('UnsupportedDtype');
  });

  it('writes a folder of .npy files with an index', async () => {
    const files = new Map<string, MemorySink>();
    let committed = false;
    const sinks: FolderSinks = {
      sink: async (name) => {
        const s = new MemorySink(name);
        files.set(name, s);
        return s;
      },
      commit: async () => {
        for (const s of files.values()) await s.finish();
        committed = true;
      },
      abort: async () => undefined,
    };
    const w = new NpyFolderWriter(sinks);
    await w.write(f32('dense/kernel', [1, 2]));
    await w.write(f32('Dense/Kernel', [3]));
    await w.write(f32('index.json', [4]));
    await w.finish();
    expect(committed).toBe(true);
    const index = JSON.parse(new TextDecoder().decode(files.get('index.json')!.bytes()));
    expect(index.tensors.map((t: { key: string; file: string }) => [t.key, t.file])).toEqual([
      ['dense/kernel', 'dense__kernel.npy'], ['Dense/Kernel', 'Dense__Kernel-2.npy'], ['index.json', 'index.json.npy'],
    ]);
    expect(safeFileStem('../x')).toBe('___x');
  });
});

describe('format sniffing', () => {
  it('tells .npy and .npz apart by content', async () => {
    const npy = await sniffInputOf(new MemorySource(npyBytes(f32('a', [1]))));
    const npz = await sniffInputOf(new MemorySource(await npzBytes([f32('a', [1])])));
    expect([npyFormat.sniff(npy), npzFormat.sniff(npy)]).toEqual([true, false]);
    expect([npyFormat.sniff(npz), npzFormat.sniff(npz)]).toEqual([false, true]);
  });
});

describe('hostile input', () => {
  it('refuses truncated files and oversized headers with typed errors', async () => {
    const good = npyBytes(f32('a', [1, 2, 3]));
    for (let n = 0; n < good.length; n++) {
      const e = await errorOf(NpyReader.open(new MemorySource(good.subarray(0, n), 't.npy')));
      expect(['CorruptData', 'NotThisFormat', 'LimitExceeded']).toContain(e.code);
    }
    const huge = good.slice();
    huge[6] = 2;
    new DataView(huge.buffer).setUint32(8, 0xfffffff0, true);
    expect((await errorOf(NpyReader.open(new MemorySource(huge, 'h.npy'))))).toMatchObject({ code: 'LimitExceeded' });
    const longShape = new Uint8Array([...buildNpyHeader('<f4', [1_000_000_000, 1_000_000_000]), 1, 2, 3, 4]);
    expect((await errorOf(NpyReader.open(new MemorySource(longShape, 's.npy')))).code).toBe('CorruptData');
  });

  it('survives thousands of random mutations of .npy and .npz files without crash, hang or oversized allocation', async () => {
    const rnd = seededRandom(20240601);
    const tensors = [f32('a', [1, 2, 3, 4, 5, 6], [2, 3]), makeStringTensor('s', [2], ['x', 'yz']), makeTensor('b', 'bool', [3], new Uint8Array([1, 0, 1]))];
    const inputs = [
      ['m.npy', npyBytes(tensors[0]!)], ['s.npy', npyBytes(tensors[1]!)],
      ['m.npz', await npzBytes(tensors)], ['c.npz', await npzBytes(tensors, { compressed: true })],
    ] as const;
    let typed = 0;
    for (let i = 0; i < 3000; i++) {
      const [name, good] = inputs[i % inputs.length]!;
      let m = good.slice();
      if (rnd() < 0.2) m = m.subarray(0, Math.floor(rnd() * m.length));
      else {
        const flips = 1 + Math.floor(rnd() * 6);
        for (let k = 0; k < flips; k++) {
          const at = Math.floor(rnd() * m.length);
          m[at] = rnd() < 0.5 ? m[at]! ^ (1 << Math.floor(rnd() * 8)) : Math.floor(rnd() * 256);
        }
      }
      const src = new CountingSource(m, name);
      try {
        const r = name.endsWith('.npy') ? await NpyReader.open(src) : await NpzReader.open(src, { maxInflatedSize: 1 << 20 });
        for await (const t of r.tensors()) expect(t.data.byteLength).toBeLessThanOrEqual(m.length * 2);
      } catch (e) {
        if (!isTfwError(e)) throw new Error(`mutation ${i} of ${name}: untyped ${(e as Error).stack}`);
        typed++;
      }
      expect(src.reads.every(([, len]) => len <= m.length)).toBe(true);
    }
    expect(typed).toBeGreaterThan(1000);
  });
});
