/**
 * Where Keras 3.15 on TensorFlow keeps each variable, derived from the model config alone,
 * against what Keras and TF 2.21 themselves wrote (tf-corpus keras-models): `model.weights`
 * paths, `tf.train.Checkpoint(model=m)` keys, `.weights.h5` datasets.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openCheckpoint } from '@tfweights/checkpoint/node';
import { openKeras } from '@tfweights/keras/node';
import { keras3Tracking } from '../src/mapping/keras3-tracking.js';
import { ckptTruth, haveTf, KERAS_MODELS, modelConfig, modelDir, modelTruth } from './tf-keras-helpers.js';

describe.skipIf(!haveTf)('Keras 3 tracked paths from the config (tf-corpus keras-models)', () => {
  for (const name of KERAS_MODELS) {
    it(`${name}: model.weights paths, checkpoint keys and .weights.h5 datasets`, async () => {
      const t = keras3Tracking(modelConfig(name));
      expect(t.variables.map((x) => x.path)).toEqual(modelTruth(name).weights.map((w) => w[0]));
      // Each object path, walked through the graph TF wrote, reaches the variable of that path.
      const ck = await openCheckpoint(join(modelDir(name), 'plain', 'ckpt-1'));
      const graph = ck.objectGraph()!;
      await ck.close();
      const resolve = (path: readonly string[]): string | undefined => {
        let id: number | undefined = graph.nodes[0]!.children.find((c) => c.localName === 'model')?.nodeId;
        for (const part of path) id = id === undefined ? undefined : graph.nodes[id]!.children.find((c) => c.localName === part)?.nodeId;
        return id === undefined ? undefined : graph.nodes[id]!.attributes[0]?.fullName;
      };
      expect(t.variables.map((x) => resolve(x.object))).toEqual(t.variables.map((x) => x.path));
      const r = await openKeras(join(modelDir(name), 'model.weights.h5'));
      try {
        const layerKeys = r.list().filter((i) => i.role !== 'optimizer').map((i) => i.key).sort();
        expect(t.variables.map((x) => x.h5).sort()).toEqual(layerKeys);
      } finally {
        await r.close();
      }
      // A compiled model tracks its optimizer as model.optimizer; the compiled model's checkpoint lists trainable variables as optimizer/_trainable_variables/<n>.
      const trainable = Object.keys(ckptTruth(name, 'ckpt')).filter((k) => k.startsWith('optimizer/_trainable_variables/')).length;
      expect(t.trainable.length).toBe(trainable);
    });
  }
});
