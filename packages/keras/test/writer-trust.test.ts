/**
 * The Keras writers do not trust the tensor: a shape that disagrees with its bytes, negative
 * or fractional dimensions, 2^40 elements, and names that cannot be HDF5 paths are typed
 * errors before anything is written, and no output appears.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTensor, type Tensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { createKerasArchiveWriter, createKerasH5Writer, createKerasWeightsH5Writer, openKeras } from '../src/node/index.js';

const tmp = tempDir('tfw-keras-trust-');
afterAll(() => tmp.cleanup());

const f32 = (key: string, n: number): Tensor => makeTensor(key, 'float32', [n], new Uint8Array(4 * n));
/** A tensor whose facts lie (what a buggy caller or a hostile plugin could hand in). */
const lying = (shape: number[], bytes: number): Tensor => ({ key: 'dense/kernel', name: 'dense/kernel', dtype: 'float32', shape, byteLength: bytes, data: new Uint8Array(bytes) });

const writers = {
  h5: createKerasH5Writer,
  'weights.h5': createKerasWeightsH5Writer,
  keras: createKerasArchiveWriter,
};

async function attempt(ext: keyof typeof writers, tensors: Tensor[]): Promise<{ err: unknown; out: string }> {
  const out = join(tmp.path, `out-${Math.random().toString(36).slice(2)}.${ext}`);
  const w = writers[ext](out);
  try {
    for (const t of tensors) await w.write(t);
    await w.finish();
    return { err: undefined, out };
  } catch (err) {
    await w.abort();
    return { err, out };
  }
}

describe('Keras writers check every tensor', () => {
  for (const ext of Object.keys(writers) as (keyof typeof writers)[]) {
    it(`.${ext}: lying shapes and byte counts are InvalidArgument / LimitExceeded, no output left`, async () => {
      const cases: [Tensor, string][] = [
        [lying([10], 12), 'InvalidArgument'],
        [lying([2 ** 40], 4), 'InvalidArgument'],
        [lying([2 ** 30, 2 ** 30], 4), 'LimitExceeded'],
        [lying([-1], 4), 'InvalidArgument'],
        [lying([1.5], 4), 'InvalidArgument'],
      ];
      for (const [t, code] of cases) {
        const { err, out } = await attempt(ext, [t]);
        expect(err, JSON.stringify(t.shape)).toMatchObject({ code });
        expect(existsSync(out)).toBe(false);
      }
    });
    it(`.${ext}: names '', '.', '__proto__' and NUL are typed errors or written faithfully`, async () => {
      for (const name of ['', '.', 'de\0nse/kernel', 'dense/ker\0nel']) {
        const { err } = await attempt(ext, [f32(name, 2)]);
        expect(err, JSON.stringify(name)).toMatchObject({ code: 'InvalidArgument' });
      }
      const { err, out } = await attempt(ext, [f32('__proto__/kernel', 2), f32('dense/__proto__', 3)]);
      expect(err).toBeUndefined();
      const r = await openKeras(out);
      expect(r.list().map((t) => t.shape)).toEqual([[2], [3]]);
      await r.close();
    });
  }
  it('leaves no temporary files in the output folder', () => {
    expect(readdirSync(tmp.path).filter((n) => n.includes('.tmp') || n.includes('tfw-'))).toEqual([]);
  });
});
