/**
 * Keras file → TF2 checkpoint → restored by TensorFlow 2.21 into the same Keras 3.15 model:
 * `tf.train.Checkpoint(model=m).read(p).assert_existing_objects_matched()` (every variable of
 * the model is bound to a checkpointed value), then predictions equal to the ones Keras made
 * before saving. One TF process checks every case.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTf, tempDir, tfPython } from '@tfweights/testkit';
import { open, save } from '../src/node.js';
import { haveTf, KERAS_MODELS, modelDir } from './tf-keras-helpers.js';

const SOURCES = ['model.keras', 'model.h5', 'model.weights.h5'] as const;

/** Restore each checkpoint into a model built from config.json; print {case: "ok" | error}. */
const RESTORE = `
import json, sys, numpy as np, tensorflow as tf, keras
out = {}
for case, prefix, d in json.loads(sys.argv[1]):
    try:
        with open(d + "/config.json") as f:
            config = json.load(f)
        config.pop("compile_config", None)  # an uncompiled model: only the model's own variables
        m = keras.saving.deserialize_keras_object(config)
        tf.train.Checkpoint(model=m).read(prefix).assert_existing_objects_matched()
        y = m.predict(np.load(d + "/x.npy"), verbose=0)
        want = np.load(d + "/y.npy")
        diff = float(np.max(np.abs(y - want)))
        out[case] = "ok" if diff <= 1e-6 else f"predictions differ by {diff}"
    except Exception as e:
        out[case] = f"{type(e).__name__}: {str(e)[:300]}"
print(json.dumps(out))
`;

describe.skipIf(!haveTf)('Keras file → TF2 checkpoint → restored by TF 2.21 (tf-corpus keras-models)', () => {
  const tmp = tempDir('tfw-tf-keras-ckpt-');
  const cases: [string, string, string][] = [];
  const failed: Record<string, string> = {};
  let verdict: Record<string, string> = {};
  beforeAll(async () => {
    for (const name of KERAS_MODELS) {
      const d = modelDir(name);
      for (const src of SOURCES) {
        const prefix = join(tmp.path, name, src.replace(/\./g, '_'), 'ckpt');
        const f = await open(join(d, src));
        try {
          // A weights-only file carries no config: the model's config JSON is the template.
          // A LossScaleOptimizer's legacy .h5 state has no certain mapping (the conversion refuses it): left out here.
          const lso = name === 'mixed_float16' && src === 'model.h5';
          await save(f, prefix, { format: 'checkpoint', ...(src === 'model.weights.h5' ? { template: join(d, 'config.json') } : {}), ...(lso ? { dropOptimizer: true } : {}) });
          cases.push([`${name}/${src}`, prefix, d]);
        } catch (err) {
          failed[`${name}/${src}`] = `our conversion failed: ${String(err)}`;
        } finally {
          await f.close();
        }
      }
    }
    verdict = { ...failed, ...(JSON.parse(runTf(tfPython()!, RESTORE, [JSON.stringify(cases)]).trim().split('\n').pop()!) as Record<string, string>) };
  }, 600_000);
  afterAll(() => tmp.cleanup());

  for (const name of KERAS_MODELS) {
    for (const src of SOURCES) {
      it(`${name}/${src}: restores with every variable matched, equal predictions`, () => {
        expect(verdict[`${name}/${src}`]).toBe('ok');
      });
    }
  }
});
