/**
 * `.npy` files and `.npy` folders take tensors in chunks (writeChunked): the header first,
 * then each chunk as it comes. The bytes equal np.save's (whole-tensor encodeNpy is checked
 * against NumPy in numpy-interop.test.ts) and NumPy itself loads them; a stream whose chunks do
 * not add up to the tensor's size, or a second tensor in one `.npy`, leaves no output.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTensor, type ChunkedTensor, type Tensor } from '@tfweights/core';
import { chunkedBy, pythonWith, runPython, tempDir } from '@tfweights/testkit';
import { npyBytes } from '../src/index.js';
import { createNpyFolderWriter, createNpyWriter } from '../src/node/index.js';

const tmp = tempDir('tfw-npy-chunked-');
afterAll(() => tmp.cleanup());
const python = pythonWith('numpy');

const f32 = (key: string, n: number): Tensor => makeTensor(key, 'float32', [n / 4, 4], new Uint8Array(Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3).buffer));
const i16 = (key: string, n: number): Tensor => makeTensor(key, 'int16', [n], new Uint8Array(Int16Array.from({ length: n }, (_, i) => i - 50).buffer));


describe('.npy writers take chunks', () => {
  it('a .npy file written from 7-byte chunks is byte-for-byte what whole writing gives, and NumPy loads it', async () => {
    const t = f32('w', 1000);
    const seen = { chunks: 0 };
    const path = join(tmp.path, 'w.npy');
    const w = createNpyWriter(path);
    await w.writeChunked(chunkedBy(t, 7, () => seen.chunks++));
    expect(existsSync(path)).toBe(false); // committed by finish()
    await w.finish();
    expect(seen.chunks).toBe(Math.ceil(4000 / 7));
    expect(new Uint8Array(readFileSync(path))).toEqual(npyBytes(t));
    if (python) expect((await runPython(python, 'import sys, numpy as np\na = np.load(sys.argv[1])\nprint(a.dtype, a.shape, float(a.sum()))', [path])).trim()).toBe('float32 (250, 4) 246750.0');
  });

  it('a .npy folder takes every tensor in chunks; NumPy loads each member', async () => {
    const dir = join(tmp.path, 'folder');
    const a = f32('dense/kernel', 400);
    const b = i16('dense/bias', 33);
    const w = createNpyFolderWriter(dir);
    await w.writeChunked(chunkedBy(a, 64));
    await w.writeChunked(chunkedBy(b, 5));
    await w.finish();
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { tensors: { key: string; file: string }[] };
    expect(index.tensors.map((e) => e.key)).toEqual(['dense/kernel', 'dense/bias']);
    for (const [t, e] of [[a, index.tensors[0]!], [b, index.tensors[1]!]] as const) {
      expect(new Uint8Array(readFileSync(join(dir, e.file)))).toEqual(npyBytes(t));
    }
    if (python) {
      const out = await runPython(python, 'import sys, os, numpy as np\nfor f in sorted(os.listdir(sys.argv[1])):\n  if f.endswith(".npy"):\n    a = np.load(os.path.join(sys.argv[1], f)); print(f, a.dtype, a.shape, int(a.sum()))', [dir]);
      expect(out.trim().split('\n')).toEqual(['dense__bias.npy int16 (33,) -1122', 'dense__kernel.npy float32 (100, 4) 38700']);
    }
  });

  it('chunks that fall short of the tensor, or a second tensor in one .npy, leave no output', async () => {
    const t = f32('w', 100);
    const short: ChunkedTensor = { ...chunkedBy(t, 16), chunks: async function* () { yield t.data.subarray(0, 100); } };
    const path = join(tmp.path, 'short.npy');
    const w = createNpyWriter(path);
    await expect(w.writeChunked(short)).rejects.toThrow(/needs 400 bytes/);
    await w.abort();
    const dir = join(tmp.path, 'short-folder');
    const f = createNpyFolderWriter(dir);
    await expect(f.writeChunked(short)).rejects.toThrow(/needs 400 bytes/);
    await f.abort();
    const two = createNpyWriter(join(tmp.path, 'two.npy'));
    await two.writeChunked(chunkedBy(t, 16));
    await expect(two.writeChunked(chunkedBy(f32('v', 8), 16))).rejects.toThrow(/holds one tensor/);
    await two.abort();
    expect(readdirSync(tmp.path).filter((n) => /short|two/.test(n))).toEqual([]);
  });
});
