/**
 * An HDF5 file opened through a symbolic link (as a sandbox or a model cache links its files):
 * libhdf5 compares the stat of the link's target with the fstat of the file it opened, so the
 * worker's own file identities (h5wasm-node.ts `isolateFileIdentities`) must agree for both.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { openKeras, writeKerasH5 } from '../src/node/index.js';

const tmp = tempDir('tfw-keras-symlink-');
afterAll(() => tmp.cleanup());

describe('an .h5 opened through a symlink', () => {
  it('lists and reads like the file itself', async () => {
    const real = join(tmp.path, 'real.h5');
    const values = new Float32Array([1, 2, 3, 4, 5, 6]);
    await writeKerasH5(real, { layers: [{ name: 'dense', weights: [{ name: 'kernel', tensor: makeTensor('k', 'float32', [2, 3], new Uint8Array(values.buffer)) }] }] });
    mkdirSync(join(tmp.path, 'links'));
    const link = join(tmp.path, 'links', 'model.h5');
    symlinkSync(real, link);
    for (const path of [link, real, link]) {
      const r = await openKeras(path);
      try {
        expect(r.list().map((t) => t.name)).toEqual(['dense/kernel']);
        const t = await r.read('dense/kernel');
        expect([...new Float32Array(t.data.buffer, t.data.byteOffset, 6)]).toEqual([...values]);
      } finally {
        await r.close();
      }
    }
  });
});
