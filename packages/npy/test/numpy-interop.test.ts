/**
 * Checks against NumPy itself (Debian's /usr/bin/python3 with numpy): NumPy writes arrays of
 * every dtype (also big-endian and Fortran-order ones), we read them; our writers must give
 * the bytes np.save / np.savez / np.savez_compressed give, and np.load must read what we write.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fflateDeflater, MemorySink, MemorySource, toFloat32, typedValues, ZipWriter, type Tensor } from '@tfweights/core';
import { pythonWith, runPython, tempDir } from '@tfweights/testkit';
import { parse as npyjsParse } from 'npyjs';
import { encodeNpy, npyBytes, npzBytes, NpyReader, NpzReader, loadZlibDeflater } from '../src/index.js';

const python = pythonWith('numpy');

const GENERATE = String.raw`
import numpy as np, sys, os, json
d = sys.argv[1]
rs = np.random.RandomState(7)
cases = {}
def add(name, a, canon_bytes=False):
    cases[name] = a
    np.save(os.path.join(d, name + '.npy'), a)
    c = a.copy(order='C')  # np.ascontiguousarray would make 0-d arrays 1-d
    if c.dtype.byteorder == '>':
        c = c.astype(c.dtype.newbyteorder('<'))
    np.save(os.path.join(d, name + '.canon.npy'), c)
add('f2', np.array([0, 1.5, -2, 65504, np.inf, -np.inf, np.nan, 6e-8, -0.0], '<f2'))
add('f4', np.concatenate([rs.randn(20).astype('<f4'), np.array([np.nan, np.inf, -0.0], '<f4')]))
add('f8', rs.randn(3, 4))
for t in ['i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8']:
    info = np.iinfo(t)
    add(t, np.array([info.min, info.max, 0, 1, info.max // 3], dtype='<' + t if t[1] != '1' else t))
add('c8', (rs.randn(5) + 1j * rs.randn(5)).astype('<c8'))
add('c16', np.array([1 + 2j, -3.5 - 0j, complex(np.inf, np.nan)], '<c16'))
add('b1', np.array([[True, False, True], [False, False, True]]))
add('scalar', np.array(3.25))
add('empty', np.zeros((0, 3), '<f4'))
add('empty1d', np.zeros((0,), '<i8'))
add('be_f8', np.arange(6, dtype='>f8').reshape(2, 3) / 7)
add('be_i4', np.array([-2, 1 << 30, 5], '>i4'))
add('be_c16', np.array([1 + 2j, 3 - 4j], '>c16'))
add('be_u2', np.array([1, 65535, 256], '>u2'))
add('be_f2', np.array([1.5, -0.25], '>f2'))
add('fortran', np.asfortranarray(np.arange(24, dtype='<i4').reshape(2, 3, 4)))
add('fortran_be', np.asfortranarray(np.arange(12, dtype='>f4').reshape(3, 4)))
add('U', np.array(['héllo', '', 'ü🙂', 'abc']))
add('U2d', np.array([['a', 'bb'], ['ccc', 'd']]))
add('U0d', np.array('bar'))
add('S', np.array([b'ab', b'c\x00d', b'', b'wxyz']))
add('S_nul', np.array([b'ab\x00\x00', b'c']))  # trailing NULs: NumPy itself returns b'ab'
add('big', rs.randint(0, 40, 700000).astype('<f4'))
add('wide', np.zeros((10**21 // 10**20, 2), '<u1'))
canon = {k: np.load(os.path.join(d, k + '.canon.npy')) for k in cases if k != 'S_nul'}
np.savez(os.path.join(d, 'all.npz'), **canon)
np.savez_compressed(os.path.join(d, 'all-c.npz'), **canon)
print(json.dumps(list(cases)))
`;

const CHECK = String.raw`
import numpy as np, sys, os, json
d, ours = sys.argv[1], sys.argv[2]
bad = []
def same(a, b):
    if a.shape != b.shape: return False
    if a.dtype.kind in 'US':
        return a.dtype.kind == b.dtype.kind and (a == b).all()
    if a.dtype.newbyteorder('=') != b.dtype.newbyteorder('=') and a.dtype != b.dtype: return False
    return np.array_equal(a, b, equal_nan=a.dtype.kind in 'fc')
for f in sorted(os.listdir(ours)):
    p = os.path.join(ours, f)
    if f.endswith('.npy'):
        name = f[:-4]
        ref = np.load(os.path.join(d, name + '.npy'))
        if not same(np.load(p), ref): bad.append(f)
    elif f.endswith('.npz'):
        with np.load(p) as z:
            for k in z.files:
                ref = np.load(os.path.join(d, k + '.npy'))
                if not same(z[k], ref): bad.append(f + ':' + k)
print(json.dumps(bad))
`;

describe.skipIf(!python)('NumPy interop (every dtype, both byte orders, Fortran order, strings)', () => {
  let dir: { path: string; cleanup: () => void };
  let names: string[] = [];
  const read = async (file: string): Promise<Tensor> => {
    const r = await NpyReader.open(new MemorySource(readFileSync(join(dir.path, file)), file));
    return r.read(r.list()[0]!.key);
  };

  beforeAll(async () => {
    dir = tempDir('tfw-npy-');
    names = JSON.parse(await runPython(python!, GENERATE, [dir.path])) as string[];
  });
  afterAll(() => dir?.cleanup());

  it('reads every NumPy file and writes np.save-identical bytes', async () => {
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) {
      if (name === 'S_nul') continue; // |S4 holding 'ab': the width is not recoverable from the values
      const t = await read(`${name}.npy`);
      const ours = npyBytes(t, { strings: name.startsWith('S') ? 'bytes' : 'unicode' });
      const canon = readFileSync(join(dir.path, `${name}.canon.npy`));
      expect(Buffer.from(ours).equals(canon), name).toBe(true);
    }
  });

  it('decodes values (big-endian swapped, Fortran transposed, strings as UTF-8)', async () => {
    const beF8 = await read('be_f8.npy');
    expect(Array.from(typedValues(beF8) as Float64Array)).toEqual([0, 1, 2, 3, 4, 5].map((v) => v / 7));
    const fortran = await read('fortran.npy');
    expect(Array.from(typedValues(fortran) as Int32Array)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const u = await read('U.npy');
    expect(u.strings!.map((s) => new TextDecoder().decode(s))).toEqual(['héllo', '', 'ü🙂', 'abc']);
    const nul = await read('S_nul.npy');
    expect(nul.strings!.map((b) => Array.from(b))).toEqual([[97, 98], [99]]);
    const s = await read('S.npy');
    expect(s.strings!.map((b) => Array.from(b))).toEqual([[97, 98], [99, 0, 100], [], [119, 120, 121, 122]]);
    const i8 = await read('i8.npy');
    expect((typedValues(i8) as BigInt64Array)[0]).toBe(-(2n ** 63n));
    const u8 = await read('u8.npy');
    expect((typedValues(u8) as BigUint64Array)[1]).toBe(2n ** 64n - 1n);
  });

  it('rewrites np.savez and np.savez_compressed archives byte for byte (zlib-identical deflate)', async () => {
    for (const [file, compressed] of [['all.npz', false], ['all-c.npz', true]] as const) {
      const original = readFileSync(join(dir.path, file));
      const r = await NpzReader.open(new MemorySource(original, file));
      const tensors: Tensor[] = [];
      for await (const t of r.tensors()) tensors.push(t);
      expect(tensors.map((t) => t.key)).toEqual(names.filter((n) => n !== 'S_nul'));
      // NumPy wrote 'S' as |S, which our writer does only on request: write that one member
      // through a bytes-mode writer's encoder, everything else through NpzWriter's defaults.
      const exact = await npzBytesMixed(tensors, compressed);
      expect(Buffer.from(exact).equals(original), file).toBe(true);
      const withoutS = tensors.filter((t) => !t.key.startsWith('S'));
      const ours = await npzBytes(withoutS, { compressed });
      const sMember = await NpzReader.open(new MemorySource(ours));
      expect(sMember.list().length).toBe(withoutS.length);
    }
  });

  it('fflate deflate is valid but not zlib-identical on large members (why pako is used)', async () => {
    const original = readFileSync(join(dir.path, 'all-c.npz'));
    const r = await NpzReader.open(new MemorySource(original, 'all-c.npz'));
    const big = await r.read('big');
    const viaFflate = await npzBytes([big], { compressed: true, deflater: fflateDeflater });
    const viaPako = await npzBytes([big], { compressed: true });
    expect(Buffer.from(viaFflate).equals(Buffer.from(viaPako))).toBe(false);
    const back = await NpzReader.open(new MemorySource(viaFflate));
    expect(Buffer.from((await back.read('big')).data).equals(Buffer.from(big.data))).toBe(true);
  });

  it('np.load reads everything our writers write, with equal values', async () => {
    const out = tempDir('tfw-npy-out-');
    try {
      const tensors: Tensor[] = [];
      for (const name of names) {
        const t = await read(`${name}.npy`);
        tensors.push(t);
        writeFileSync(join(out.path, `${name}.npy`), npyBytes(t, { strings: name.startsWith('S') ? 'bytes' : 'unicode' }));
      }
      const noS = tensors.filter((t) => !t.key.startsWith('S'));
      writeFileSync(join(out.path, 'stored.npz'), await npzBytes(noS));
      writeFileSync(join(out.path, 'pako.npz'), await npzBytes(noS, { compressed: true }));
      writeFileSync(join(out.path, 'fflate.npz'), await npzBytes(noS, { compressed: true, deflater: fflateDeflater }));
      expect(readdirSync(out.path).length).toBe(names.length + 3);
      expect(JSON.parse(await runPython(python!, CHECK, [dir.path, out.path]))).toEqual([]);
    } finally {
      out.cleanup();
    }
  });

  it('npyjs agrees with us on the files it can read', async () => {
    // npyjs 1.2: no |S; 0-d and empty arrays come back as views to the end of the buffer; 'U' holds a
    // non-BMP character, which npyjs splits by UTF-16 units (wrong element boundaries).
    const skip = new Set(['S', 'S_nul', 'U', 'U0d', 'scalar', 'empty', 'empty1d']);
    let checked = 0;
    for (const name of names) {
      if (skip.has(name)) continue;
      const t = await read(`${name}.npy`);
      const bytes = npyBytes(t);
      const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const theirs = npyjsParse(ab);
      expect(theirs.shape, name).toEqual([...t.shape]);
      if (t.dtype === 'string') {
        expect(theirs.data as unknown as string[]).toEqual(t.strings!.map((s) => new TextDecoder().decode(s)));
      } else if (t.dtype === 'bool') {
        expect(Array.from(theirs.data as unknown as boolean[], (b) => (b ? 1 : 0))).toEqual(Array.from(t.data));
      } else if (t.dtype === 'float16') {
        expect(Array.from(theirs.data as Float32Array)).toEqual(Array.from(toFloat32(t)));
      } else {
        const mine = typedValues(t);
        expect(Buffer.from((theirs.data as Uint8Array).buffer, (theirs.data as Uint8Array).byteOffset, mine.byteLength).equals(Buffer.from(mine.buffer, mine.byteOffset, mine.byteLength)), name).toBe(true);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });
});

/** The archive with 'S' written as |S and every other string tensor as <U, as NumPy did. */
async function npzBytesMixed(tensors: Tensor[], compressed: boolean): Promise<Uint8Array> {
  const sink = new MemorySink();
  const zip = new ZipWriter(sink, { forceZip64: true, deflater: await loadZlibDeflater() });
  for (const t of tensors) {
    const { header, data } = encodeNpy(t, { strings: t.key.startsWith('S') ? 'bytes' : 'unicode' });
    await zip.addParts(`${t.key}.npy`, [header, data], { compress: compressed });
  }
  await zip.finish();
  return sink.bytes();
}
