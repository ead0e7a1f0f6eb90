/**
 * Models saved by real Keras 3 (JAX backend, the optional checker virtualenv): tfjs-layers
 * loading them through fromKeras must predict what Keras predicts. Skipped when the
 * virtualenv is absent.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfc from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { kerasPython, runKeras, tempDir } from '@tfweights/testkit';
import { fromKeras } from '../src/keras-tfjs/index.js';
import { cpu } from './keras-tfjs-helpers.js';

const py = kerasPython();
const tmp = tempDir('tfw-keras-tfjs-k3-');
afterAll(() => tmp.cleanup());

// Builds the models, saves them (.keras and Keras 3's legacy .h5), prints Keras's predictions.
const SCRIPT = String.raw`
import sys, json, numpy as np, keras
from keras import layers
out = sys.argv[1]
keras.utils.set_random_seed(1)
res = {}
def lin(shape):
    n = int(np.prod(shape)); return np.linspace(-1, 1, n, dtype='float32').reshape(shape)
seq = keras.Sequential([keras.Input((6, 6, 1)),
    layers.Conv2D(3, 3, activation='relu', kernel_regularizer=keras.regularizers.L2(0.01)),
    layers.BatchNormalization(), layers.MaxPooling2D(2), layers.Flatten(), layers.Dropout(0.3),
    layers.Dense(4), layers.Activation('softmax'), layers.Reshape((2, 2))], name='seqnet')
bn = seq.layers[1]; bn.moving_mean.assign(np.arange(3, dtype='float32') * 0.1); bn.moving_variance.assign(np.arange(1, 4, dtype='float32'))
seq.save(out + '/seq.keras'); seq.save(out + '/seq-legacy.h5')
res['seq'] = seq.predict(lin((2, 6, 6, 1)), verbose=0).ravel().tolist()
a = keras.Input((4,), name='a'); b = keras.Input((4,), name='b')
h = layers.Dense(5, activation='tanh', name='da')(a); g = layers.Dense(5, name='db')(b)
o = layers.Dense(2, name='out')(layers.Concatenate()([layers.Add()([h, g]), a]))
fun = keras.Model([a, b], o, name='fun'); fun.save(out + '/fun.keras')
res['fun'] = fun.predict([lin((1, 4)), lin((1, 4)) * 2], verbose=0).ravel().tolist()
emb = keras.Sequential([keras.Input((3,), dtype='int32'), layers.Embedding(10, 2), layers.Flatten(), layers.Dense(1)])
emb.save(out + '/emb.keras')
res['emb'] = emb.predict(np.array([[1, 2, 3], [9, 0, 4]], 'int32'), verbose=0).ravel().tolist()
conv = keras.Sequential([keras.Input((5, 5, 2)), layers.DepthwiseConv2D(3, padding='same'), layers.LeakyReLU(0.2),
    layers.SeparableConv2D(4, 3), layers.GlobalAveragePooling2D(), layers.Dense(3, activation='silu')])
conv.save(out + '/conv.keras')
res['conv'] = conv.predict(lin((2, 5, 5, 2)), verbose=0).ravel().tolist()
print(json.dumps(res))
`;

describe.skipIf(!py)('models saved by real Keras 3 → fromKeras → tfjs-layers predicts what Keras predicts', () => {
  let keras: Record<string, number[]> = {};
  beforeAll(async () => {
    const lines = (await runKeras(py!, SCRIPT, [tmp.path])).trim().split('\n');
    keras = JSON.parse(lines[lines.length - 1]!) as Record<string, number[]>;
  }, 120_000);

  function lin(tf: typeof tfc, shape: number[]): tfc.Tensor {
    return tf.reshape(tf.linspace(-1, 1, shape.reduce((p, q) => p * q, 1)), shape);
  }

  async function check(file: string, key: string, x: (tf: typeof tfc) => tfc.Tensor | tfc.Tensor[]): Promise<void> {
    const tf = await cpu();
    const model = await loadLayersModel(fromKeras(join(tmp.path, file)));
    const y = Array.from((model.predict(x(tf)) as tfc.Tensor).dataSync());
    expect(y.length).toBe(keras[key]!.length);
    for (const [i, v] of keras[key]!.entries()) expect(y[i]).toBeCloseTo(v, 5);
  }

  it('Sequential: Conv2D + L2, BatchNormalization (moving stats), MaxPooling2D, Flatten, Dropout, Dense, Activation, Reshape', async () => {
    await check('seq.keras', 'seq', (tf) => lin(tf, [2, 6, 6, 1]));
  });
  it('the same model saved with Keras 3 legacy model.save(.h5)', async () => {
    await check('seq-legacy.h5', 'seq', (tf) => lin(tf, [2, 6, 6, 1]));
  });
  it('Functional: two inputs, Add, Concatenate', async () => {
    await check('fun.keras', 'fun', (tf) => [lin(tf, [1, 4]), tf.mul(lin(tf, [1, 4]), 2)]);
  });
  it('Embedding on int32 input', async () => {
    await check('emb.keras', 'emb', (tf) => tf.tensor2d([[1, 2, 3], [9, 0, 4]], [2, 3], 'int32'));
  });
  it('DepthwiseConv2D (kernel → depthwise_kernel), LeakyReLU (negative_slope → alpha), SeparableConv2D, GlobalAveragePooling2D, silu', async () => {
    await check('conv.keras', 'conv', (tf) => lin(tf, [2, 5, 5, 2]));
  });
});
