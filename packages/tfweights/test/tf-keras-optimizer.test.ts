/**
 * Optimizer state survives our conversions: a trained Keras 3 model's Adam state, converted
 * (`.keras` → TF2 checkpoint, TF2 checkpoint → `.keras` / `.weights.h5`) and restored in TF 2.21 /
 * Keras 3.15, keeps training: the iteration count continues and the losses of the next two
 * `train_on_batch` steps equal those of the original model (the second step's loss depends on
 * the first step's Adam update, so a fresh optimizer gives a different one).
 * mixed_float16 is left out: its LossScaleOptimizer's state is not mapped (the conversion says so).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tfweights/testkit';
import { defaultRegistry, convert } from '../src/node.js';
import { haveTf, KERAS_MODELS, modelDir, tfVerdicts } from './tf-keras-helpers.js';

const MODELS = KERAS_MODELS.filter((m) => m !== 'mixed_float16');
const WAYS = ['keras → checkpoint', 'checkpoint → keras', 'checkpoint → weights.h5'] as const;

const CHECK = `
import json, sys, numpy as np, tensorflow as tf, keras
out = {}
def fresh(d):
    with open(d + "/config.json") as f:
        config = json.load(f)
    config.pop("compile_config", None)
    m = keras.saving.deserialize_keras_object(config)
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    m.optimizer.build(m.trainable_variables)
    return m
for case, way, path, d in json.loads(sys.argv[1]):
    try:
        if way == "keras → checkpoint":
            m = fresh(d)
            tf.train.Checkpoint(model=m, optimizer=m.optimizer).read(path).assert_existing_objects_matched()
        elif way == "checkpoint → keras":
            m = keras.saving.load_model(path)
        else:
            m = fresh(d)
            m.load_weights(path)
        truth = json.load(open(d + "/truth.json"))
        x, t = np.load(d + "/x.npy"), np.load(d + "/target.npy")
        it = int(m.optimizer.iterations.numpy())
        losses = [float(m.train_on_batch(x, t)) for _ in range(2)]
        ok = it == truth["iterations"] and np.allclose(losses, truth["next_losses"], rtol=1e-5, atol=1e-7)
        out[case] = "ok" if ok else f"iterations {it} (want {truth['iterations']}), losses {losses} (want {truth['next_losses']})"
    except Exception as e:
        out[case] = f"{type(e).__name__}: {str(e)[:300]}"
print(json.dumps(out))
`;

describe.skipIf(!haveTf)('optimizer state: converted and restored, training continues (tf-corpus keras-models)', () => {
  const tmp = tempDir('tfw-tf-keras-opt-');
  const reg = defaultRegistry();
  const failed: Record<string, string> = {};
  let verdict: Record<string, string> = {};
  beforeAll(async () => {
    const cases: [string, string, string, string][] = [];
    for (const name of MODELS) {
      const d = modelDir(name);
      const jobs: [string, string, string, Parameters<typeof convert>[3]][] = [
        ['keras → checkpoint', join(d, 'model.keras'), join(tmp.path, name, 'ckpt'), { to: 'checkpoint' }],
        ['checkpoint → keras', join(d, 'ckpt', 'ckpt-1'), join(tmp.path, name, 'model.keras'), { template: join(d, 'model.keras') }],
        ['checkpoint → weights.h5', join(d, 'ckpt', 'ckpt-1'), join(tmp.path, name, 'model.weights.h5'), { template: join(d, 'config.json') }],
      ];
      for (const [way, input, output, opts] of jobs) {
        try {
          await convert(reg, input, output, opts);
          cases.push([`${name}: ${way}`, way, output, d]);
        } catch (err) {
          failed[`${name}: ${way}`] = `our conversion failed: ${String(err)}`;
        }
      }
    }
    verdict = { ...failed, ...(await tfVerdicts(CHECK, cases)) };
  }, 600_000);
  afterAll(() => tmp.cleanup());

  for (const name of MODELS) {
    for (const way of WAYS) {
      it(`${name}: ${way}: iterations continue, next losses equal the original's`, () => {
        expect(verdict[`${name}: ${way}`]).toBe('ok');
      });
    }
  }
});
