/**
 * Deep and wide HDF5 files list in one walk of the file (src/h5-file.ts: one libhdf5 listing,
 * each object opened once), not by a full-path lookup per object: 200-level nested Keras 3
 * sub-layers and 20,000 tensors list correctly, and groups nested past MAX_H5_DEPTH get a
 * LimitExceededError at once. Files made by h5py (Debian's python3). Timings live in
 * `pnpm bench:walk` (bench/walk-scale.bench.ts), not here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { toFloat32 } from '@tfweights/core';
import { pythonWith, runPython, tempDir } from '@tfweights/testkit';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_H5_DEPTH } from '../src/h5-file.js';
import { openKeras } from '../src/node/index.js';

const py = pythonWith('h5py', 'numpy');
const tmp = tempDir('tfw-keras-scale-');
afterAll(() => tmp.cleanup());
const GEN = readFileSync(fileURLToPath(new URL('./python/deep_and_wide.py', import.meta.url)), 'utf8');

async function make(kind: 'nested' | 'deep' | 'vars' | 'layers', n: number): Promise<string> {
  const out = join(tmp.path, `${kind}-${n}.weights.h5`);
  await runPython(py!, GEN, [kind, String(n), out]);
  return out;
}

describe.skipIf(!py)('HDF5 walk at scale', () => {
  it('100 nested sub-layers (203 group levels) list in nesting order with the right values', async () => {
    const r = await openKeras(await make('nested', 100));
    try {
      const keys = r.list().map((t) => t.key);
      expect(keys).toHaveLength(100);
      const deepest = `layers/${Array.from({ length: 100 }, (_, i) => `block_${i}`).join('/layers/')}/vars/0`;
      expect(deepest.split('/').length).toBeGreaterThan(200);
      expect(keys[0]).toBe('layers/block_0/vars/0');
      expect(keys[99]).toBe(deepest);
      expect([...toFloat32(await r.read(deepest))]).toEqual([99, 99]);
    } finally {
      await r.close();
    }
  });

  it(`groups nested deeper than ${MAX_H5_DEPTH} levels are a LimitExceededError naming the file`, async () => {
    const path = await make('deep', 2000);
    await expect(openKeras(path)).rejects.toMatchObject({ code: 'LimitExceeded', file: path, message: expect.stringContaining(`deeper than ${MAX_H5_DEPTH} levels`) });
  });

  it('20,000 variables of one layer list in index order (vars/9 before vars/10) with their values', async () => {
    const r = await openKeras(await make('vars', 20_000));
    try {
      const list = r.list();
      expect(list).toHaveLength(20_000);
      expect(list.slice(8, 12).map((t) => t.key)).toEqual(['layers/dense/vars/8', 'layers/dense/vars/9', 'layers/dense/vars/10', 'layers/dense/vars/11']);
      expect([...toFloat32(await r.read('layers/dense/vars/19999'))]).toEqual([19999, 19999]);
    } finally {
      await r.close();
    }
  });

  it('5,000 layers of one variable each: one layer per group, in key order', async () => {
    const r = await openKeras(await make('layers', 5_000));
    try {
      const layers = r.layers();
      expect(layers).toHaveLength(5_000);
      expect(layers.slice(0, 3).map((l) => l.name)).toEqual(['dense', 'dense_1', 'dense_2']);
      expect(layers[4999]!.weights).toEqual(['layers/dense_4999/vars/0']);
      expect([...toFloat32(await r.read('layers/dense_4999/vars/0'))]).toEqual([4999, 4999]);
    } finally {
      await r.close();
    }
  });
});
