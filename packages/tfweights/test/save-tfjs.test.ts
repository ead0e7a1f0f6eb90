import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { writeKerasH5 } from '@tfweights/keras/node';
import { openTfjsModel } from '@tfweights/tfjs/node';
import { readerIOHandler } from '@tfweights/tfjs';
import { tempDir } from '@tfweights/testkit';
import { open, save } from '../src/node.js';
import { cpu, f32 } from './keras-tfjs-helpers.js';

const dir = tempDir('tfw-save-tfjs-');
afterAll(dir.cleanup);

describe('save(keras file, dir, { format: "tfjs" })', () => {
  it('writes a layers-model with the Keras topology that tf.loadLayersModel loads and predicts with', async () => {
    const tf = await cpu();
    const src = join(dir.path, 'dense.h5');
    const modelConfig = { class_name: 'Sequential', config: { name: 'seq', layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', name: 'input_1' } },
      { class_name: 'Dense', config: { name: 'dense', units: 2, activation: 'linear', use_bias: true } },
    ] } };
    await writeKerasH5(src, { layers: [{ name: 'dense', className: 'Dense', weights: [
      { name: 'kernel', tensor: f32('k', [3, 2], [1, 2, 3, 4, 5, 6]) },
      { name: 'bias', tensor: f32('b', [2], [0.5, -0.5]) },
    ] }] }, { kerasVersion: '2.15.0', modelConfig });
    const file = await open(src);
    const out = join(dir.path, 'tfjs');
    await save(file, out, { format: 'tfjs' });
    await file.close();

    const reader = await openTfjsModel(join(out, 'model.json'));
    expect(reader.modelFormat).toBe('layers-model');
    const model = await loadLayersModel(readerIOHandler(reader));
    const y = model.predict(tf.tensor2d([[1, 1, 1]])) as import('@tensorflow/tfjs-core').Tensor;
    expect(await y.array()).toEqual([[9.5, 11.5]]); // [1,1,1]·kernel + bias
    await reader.close();
  });
});
