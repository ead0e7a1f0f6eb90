/**
 * A full disk during Keras output: every writer fails with a one-line ENOSPC IoError, never a
 * success over a corrupt file, and leaves nothing on the disk. Uses an 8 MiB tmpfs (needs
 * root to mount; skipped with a message otherwise).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTensor, type Tensor } from '@tfweights/core';
import { smallTmpfs } from '@tfweights/testkit';
import { createKerasArchiveWriter, createKerasH5Writer, createKerasWeightsH5Writer, writeKerasArchive, writeKerasH5, writeKerasWeightsH5 } from '../src/node/index.js';

const disk = smallTmpfs(8, 'tfw-keras-fulldisk-');
const { path: mnt, mounted } = disk;
afterAll(() => disk.cleanup());

const big = (k: string): Tensor => makeTensor(k, 'float32', [1024 * 1024], new Uint8Array(4 * 1024 * 1024).fill(1));
const model = { layers: [{ name: 'd', className: 'Dense', weights: [0, 1, 2].map((i) => ({ name: `w${i}`, tensor: big(`d/w${i}`) })) }] };

describe.skipIf(!mounted)('Keras writers on a full disk', () => {
  const whole = { h5: writeKerasH5, 'weights.h5': writeKerasWeightsH5, keras: writeKerasArchive };
  const streams = { h5: createKerasH5Writer, 'weights.h5': createKerasWeightsH5Writer, keras: createKerasArchiveWriter };
  for (const [ext, write] of Object.entries(whole)) {
    it(`${ext}: one-line ENOSPC IoError, nothing left`, async () => {
      const out = join(mnt, `out.${ext}`);
      const err = await write(out, model).then(() => undefined, (e: unknown) => e);
      expect(err, String((err as Error).message)).toMatchObject({ code: "IoError", message: expect.stringMatching(/ENOSPC/) });
      expect((err as Error).message).not.toMatch(/\n/);
      expect(readdirSync(mnt)).toEqual([]);
    });
  }
  for (const [ext, create] of Object.entries(streams)) {
    it(`streaming ${ext}: one-line ENOSPC IoError, nothing left`, async () => {
      const w = create(join(mnt, `s.${ext}`));
      const err = await (async () => {
        for (const l of model.layers[0]!.weights) await w.write(l.tensor);
        await w.finish();
      })().then(() => undefined, (e: unknown) => e);
      await w.abort().catch(() => undefined);
      expect(err, String((err as Error).message)).toMatchObject({ code: "IoError", message: expect.stringMatching(/ENOSPC/) });
      expect(readdirSync(mnt)).toEqual([]);
    });
  }
});
