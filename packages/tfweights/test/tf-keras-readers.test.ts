/**
 * Our readers agree with what Keras 3.15 / TF 2.21 read on every file of the keras-models corpus:
 * `.keras`, `.weights.h5`, legacy `.h5` give every `model.weights` value (dtype, shape, SHA-256;
 * our names differ for nested objects, so values are compared as a multiset) and the optimizer's
 * variables in `optimizer.variables` order; both checkpoints give exactly what
 * `tf.train.load_checkpoint` reads.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalSha256 } from '@tfweights/testkit';
import { open } from '../src/node.js';
import { ckptTruth, haveTf, KERAS_MODELS, modelDir, modelTruth } from './tf-keras-helpers.js';

const row = (dtype: string, shape: readonly number[], sha: string) => `${dtype} [${shape.join(',')}] ${sha}`;

describe.skipIf(!haveTf)('our readers on Keras 3 files and checkpoints TF wrote (tf-corpus keras-models)', () => {
  for (const name of KERAS_MODELS) {
    it(`${name}: .keras, .weights.h5, .h5 hold model.weights and optimizer.variables`, async () => {
      const truth = modelTruth(name);
      for (const file of ['model.keras', 'model.weights.h5', 'model.h5']) {
        const f = await open(join(modelDir(name), file));
        try {
          const weights: string[] = [];
          const optimizer: string[] = [];
          for (const info of f.list()) {
            const t = await f.read(info.key);
            // A LossScaleOptimizer's file also holds its inner optimizer's variables a second time
            // (optimizer/inner_optimizer/vars), beside its own list, which already includes them.
            if (info.key.includes('inner_optimizer/')) continue;
            (info.role === 'optimizer' ? optimizer : weights).push(row(t.dtype, t.shape, canonicalSha256(t)));
          }
          expect([file, weights.sort()]).toEqual([file, truth.weights.map((w) => row(w[1], w[2], w[3])).sort()]);
          expect([file, optimizer]).toEqual([file, truth.optimizer.map((w) => row(w[1], w[2], w[3]))]);
        } finally {
          await f.close();
        }
      }
    });
    it(`${name}: both checkpoints read as tf.train.load_checkpoint reads them`, async () => {
      for (const which of ['ckpt', 'plain'] as const) {
        const want = ckptTruth(name, which);
        const f = await open(join(modelDir(name), which, 'ckpt-1'));
        try {
          expect(f.list().map((i) => i.key).sort()).toEqual(Object.keys(want).sort());
          for (const [key, w] of Object.entries(want)) {
            const t = await f.read(key);
            expect([key, t.dtype, t.shape]).toEqual([key, w.dtype, w.shape]);
            if (w.sha256) expect([key, canonicalSha256(t)]).toEqual([key, w.sha256]);
          }
        } finally {
          await f.close();
        }
      }
    });
  }
});
