/**
 * TF2 checkpoint written by TF 2.21 from a Keras 3.15 model (compiled and trained, with and
 * without its optimizer) → .weights.h5 / .h5 / .keras, with the model's config JSON as
 * --template → Keras on TensorFlow `load_weights` (into a model built from the config) and
 * `load_model` → predictions equal to the ones Keras made. One TF process checks every case.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tfweights/testkit';
import { open, save } from '../src/node.js';
import { haveTf, KERAS_MODELS, modelDir, tfVerdicts } from './tf-keras-helpers.js';

const CHECKPOINTS = ['ckpt', 'plain'] as const;
/** Output file and how Keras reads it. */
const OUTPUTS: [string, 'load_weights' | 'load_model'][] = [
  ['model.weights.h5', 'load_weights'], ['model.h5', 'load_weights'], ['model.h5', 'load_model'], ['model.keras', 'load_model'],
];

const CHECK = `
import json, sys, numpy as np, keras
out = {}
for case, path, how, d in json.loads(sys.argv[1]):
    try:
        if how == "load_model":
            m = keras.saving.load_model(path, compile=False)
        else:
            with open(d + "/config.json") as f:
                config = json.load(f)
            config.pop("compile_config", None)
            m = keras.saving.deserialize_keras_object(config)
            m.load_weights(path)
        y = m.predict(np.load(d + "/x.npy"), verbose=0)
        diff = float(np.max(np.abs(y - np.load(d + "/y.npy"))))
        out[case] = "ok" if diff <= 1e-6 else f"predictions differ by {diff}"
    except Exception as e:
        out[case] = f"{type(e).__name__}: {str(e)[:400]}"
print(json.dumps(out))
`;

describe.skipIf(!haveTf)('TF2 checkpoint of a Keras 3 model → Keras files → Keras loads them (tf-corpus keras-models)', () => {
  const tmp = tempDir('tfw-tf-keras-from-ckpt-');
  const failed: Record<string, string> = {};
  let verdict: Record<string, string> = {};
  beforeAll(async () => {
    const cases: [string, string, string, string][] = [];
    for (const name of KERAS_MODELS) {
      const d = modelDir(name);
      for (const ck of CHECKPOINTS) {
        const src = await open(join(d, ck, 'ckpt-1'));
        try {
          for (const file of new Set(OUTPUTS.map((o) => o[0]))) {
            const path = join(tmp.path, name, ck, file);
            try {
              await save(src, path, { template: join(d, 'config.json') });
              for (const [f, how] of OUTPUTS) if (f === file) cases.push([`${name}/${ck} → ${file} ${how}`, path, how, d]);
            } catch (err) {
              for (const [f, how] of OUTPUTS) if (f === file) failed[`${name}/${ck} → ${file} ${how}`] = `our conversion failed: ${String(err)}`;
            }
          }
        } finally {
          await src.close();
        }
      }
    }
    verdict = { ...failed, ...(await tfVerdicts(CHECK, cases)) };
  }, 600_000);
  afterAll(() => tmp.cleanup());

  for (const name of KERAS_MODELS) {
    for (const ck of CHECKPOINTS) {
      for (const [file, how] of OUTPUTS) {
        it(`${name}/${ck} → ${file}, ${how}: equal predictions`, () => {
          expect(verdict[`${name}/${ck} → ${file} ${how}`]).toBe('ok');
        });
      }
    }
  }
});
