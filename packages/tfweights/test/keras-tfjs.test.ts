import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { isTfwError } from '@tfweights/core';
import { writeKerasH5, writeKerasWeightsH5 } from '@tfweights/keras/node';
import { openTfjsModel, readerIOHandler } from '@tfweights/tfjs/node';
import { startHttpServer, tempDir } from '@tfweights/testkit';
import { convertKerasToTfjs, fromKeras, kerasTopologyForTfjs, openKerasInput, planTfjsWeights } from '../src/keras-tfjs/index.js';
import { cpu, f32 } from './keras-tfjs-helpers.js';

const tmp = tempDir('tfw-keras-tfjs-');
afterAll(() => tmp.cleanup());

// Keras 2 style Sequential: Dense(3 → 2, linear) named 'dense', as tf-keras model.save writes it.
const modelConfig = {
  class_name: 'Sequential',
  config: {
    name: 'sequential',
    layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_1' } },
      { class_name: 'Dense', config: { name: 'dense', trainable: true, units: 2, activation: 'linear', use_bias: true } },
    ],
  },
};
const kernel = [1, 2, 3, 4, 5, 6]; // [3, 2] row-major
const bias = [0.5, -0.5];
// x · W + b for x = [1, 1, 1]: [1+3+5+0.5, 2+4+6-0.5]; x = [1, 0, -1]: [1-5+0.5, 2-6-0.5]
const expected = [[9.5, 11.5], [-3.5, -4.5]];
const x = [[1, 1, 1], [1, 0, -1]];

async function ourH5(): Promise<string> {
  const path = join(tmp.path, 'dense.h5');
  await writeKerasH5(path, {
    layers: [
      { name: 'input_1', className: 'InputLayer', weights: [] },
      { name: 'dense', className: 'Dense', weights: [{ name: 'kernel', tensor: f32('k', [3, 2], kernel) }, { name: 'bias', tensor: f32('b', [2], bias) }] },
    ],
    optimizer: [{ name: 'Adam/iterations', tensor: f32('it', [], [7]) }],
  }, { kerasVersion: '2.15.0', backend: 'tensorflow', modelConfig, overwrite: true });
  return path;
}

async function predict(handler: Parameters<typeof loadLayersModel>[0]): Promise<number[][]> {
  const tf = await cpu();
  const model = await loadLayersModel(handler);
  return (model.predict(tf.tensor2d(x)) as import('@tensorflow/tfjs-core').Tensor).arraySync() as number[][];
}

describe('fromKeras on a .h5 written by our Keras writer', () => {
  it('loads through tf.loadLayersModel and predicts x·W + b', async () => {
    const path = await ourH5();
    expect(await predict(fromKeras(path))).toEqual(expected);
  });

  it('accepts the bytes (Uint8Array and ArrayBuffer) and removes its temporary copy', async () => {
    const bytes = new Uint8Array(await readFile(await ourH5()));
    expect(await predict(fromKeras(bytes))).toEqual(expected);
    expect(await predict(fromKeras(bytes.slice().buffer))).toEqual(expected);
  });

  it('reads an http(s) URL with range requests; an HTTP error is an IoError naming the URL', async () => {
    const server = await startHttpServer({ files: { '/dense.h5': new Uint8Array(await readFile(await ourH5())) } });
    try {
      expect(await predict(fromKeras(`${server.url}/dense.h5`))).toEqual(expected);
      await expect(fromKeras(`${server.url}/missing.h5`).load!()).rejects.toThrow(/missing\.h5.*404/);
    } finally {
      await server.close();
    }
  });

  it('gives the artifacts tfjs expects: format, generatedBy, convertedBy, weights without optimizer state', async () => {
    const a = await fromKeras(await ourH5()).load!();
    expect(a.format).toBe('layers-model');
    expect(a.generatedBy).toBe('keras v2.15.0');
    expect(a.convertedBy).toMatch(/^tfweights \d+\.\d+\.\d+/);
    expect(a.weightSpecs).toEqual([
      { name: 'dense/kernel', shape: [3, 2], dtype: 'float32' },
      { name: 'dense/bias', shape: [2], dtype: 'float32' },
    ]);
    expect(Array.from(new Float32Array(a.weightData as ArrayBuffer))).toEqual([...kernel, ...bias]);
    expect((a.modelTopology as { model_config: unknown }).model_config).toEqual(modelConfig);
  });

  it('convertKerasToTfjs writes model.json + shards that load and predict the same', async () => {
    const out = join(tmp.path, 'converted');
    const json = await convertKerasToTfjs(await ourH5(), out, { overwrite: true });
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toBe('keras v2.15.0');
    expect(json.weightsManifest[0]!.weights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias']);
    const reader = await openTfjsModel(join(out, 'model.json'));
    try {
      expect(await predict(readerIOHandler(reader))).toEqual(expected);
    } finally {
      await reader.close();
    }
  });

  it('errors say what is wrong: missing file, not Keras, weights-only file without config', async () => {
    await expect(fromKeras(join(tmp.path, 'nope.h5')).load!()).rejects.toSatisfy(isTfwError);
    await expect(fromKeras(new TextEncoder().encode('{"not": "keras"}')).load!()).rejects.toThrow(/not a Keras/);
    const weightsOnly = join(tmp.path, 'weights-only.h5');
    await writeKerasH5(weightsOnly, { layers: [{ name: 'dense', weights: [{ name: 'kernel', tensor: f32('k', [3, 2], kernel) }] }] }, { overwrite: true });
    await expect(fromKeras(weightsOnly).load!()).rejects.toThrow(/no model config.*pass the model JSON/);
  });
});

// Keras 3 model.to_json() of the same model (fields as Keras 3.10 writes them).
const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const keras3Config = {
  module: 'keras', class_name: 'Sequential', registered_name: null, build_config: { input_shape: [null, 3] },
  config: {
    name: 'sequential', trainable: true, dtype: policy,
    layers: [
      { module: 'keras.layers', class_name: 'InputLayer', registered_name: null, config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'input_layer', optional: false } },
      {
        module: 'keras.layers', class_name: 'Dense', registered_name: null, build_config: { input_shape: [null, 3] },
        config: {
          name: 'dense', trainable: true, dtype: policy, units: 2, activation: 'linear', use_bias: true,
          kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null, input_axes: null }, registered_name: null },
          bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
          kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null },
          bias_regularizer: null, // NonNeg: tfjs-layers applies constraints when weights are written (LayerVariable.write);
          // all-positive kernel values keep it exact.
          kernel_constraint: { module: 'keras.constraints', class_name: 'NonNeg', config: {}, registered_name: null },
          bias_constraint: null, quantization_config: null,
        },
      },
    ],
  },
};

describe('Keras 3 topology translation', () => {
  it('translates Sequential to the Keras 2 spelling tfjs-layers reads', () => {
    const t = kerasTopologyForTfjs({ keras_version: '3.10.0', model_config: keras3Config });
    expect(t.keras_version).toBe('3.10.0');
    expect(t.model_config).toEqual({
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' } },
          {
            class_name: 'Dense',
            config: {
              name: 'dense', trainable: true, dtype: 'float32', units: 2, activation: 'linear', use_bias: true,
              kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
              bias_initializer: { class_name: 'Zeros', config: {} },
              kernel_regularizer: { class_name: 'L1L2', config: { l1: 0, l2: 0.01 } },
              bias_regularizer: null, kernel_constraint: { class_name: 'NonNeg', config: {} }, bias_constraint: null,
            },
          },
        ],
      },
    });
  });

  it('puts the build input shape on the first layer when there is no InputLayer', () => {
    const cfg = structuredClone(keras3Config);
    cfg.config.layers.shift();
    const t = kerasTopologyForTfjs({ model_config: cfg });
    const layers = (t.model_config.config as { layers: { config: Record<string, unknown> }[] }).layers;
    expect(layers[0]!.config.batch_input_shape).toEqual([null, 3]);
  });

  it('translates Functional inbound nodes (args/kwargs keras tensors) to Keras 2 node lists', () => {
    const kt = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: [layer, 0, 0] } });
    const cfg = {
      module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional',
      config: {
        name: 'fun', trainable: true,
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', registered_name: null, name: 'a', inbound_nodes: [], config: { batch_shape: [null, 4], dtype: 'float32', name: 'a' } },
          { module: 'keras.layers', class_name: 'InputLayer', registered_name: null, name: 'b', inbound_nodes: [], config: { batch_shape: [null, 4], dtype: 'float32', name: 'b' } },
          { module: 'keras.layers', class_name: 'Add', registered_name: null, name: 'add', config: { name: 'add', dtype: policy }, inbound_nodes: [{ args: [[kt('a'), kt('b')]], kwargs: {} }] },
        ],
        input_layers: [['a', 0, 0], ['b', 0, 0]],
        output_layers: ['add', 0, 0],
      },
    };
    const mc = kerasTopologyForTfjs({ model_config: cfg }).model_config as { class_name: string; config: Record<string, unknown> };
    expect(mc.class_name).toBe('Model');
    expect(mc.config.output_layers).toEqual([['add', 0, 0]]);
    const layers = mc.config.layers as { inbound_nodes: unknown }[];
    expect(layers[2]!.inbound_nodes).toEqual([[['a', 0, 0, {}], ['b', 0, 0, {}]]]);
  });

  it('refuses layers tfjs-layers cannot load, naming the layer and its class', () => {
    const cfg = structuredClone(keras3Config) as { config: { layers: Record<string, unknown>[] } };
    cfg.config.layers.push({ module: 'keras.layers', class_name: 'MultiHeadAttention', registered_name: null, config: { name: 'mha' } });
    expect(() => kerasTopologyForTfjs({ model_config: cfg })).toThrow(/layer 'mha'.*'MultiHeadAttention'/);
    const legacy = structuredClone(modelConfig) as { config: { layers: Record<string, unknown>[] } };
    legacy.config.layers.push({ class_name: 'MyCustomLayer', config: { name: 'custom' } });
    expect(() => kerasTopologyForTfjs({ model_config: legacy })).toThrow(/layer 'custom' has class 'MyCustomLayer'/);
    expect(() => kerasTopologyForTfjs({ model_config: { class_name: 'MyModel', config: {}, module: 'x' } })).toThrow(/'MyModel'/);
  });

  it('refuses settings tfjs cannot express rather than dropping them', () => {
    const cfg = structuredClone(keras3Config) as { config: { layers: { config: Record<string, unknown> }[] } };
    cfg.config.layers[1]!.config.activation = 'leaky_relu';
    expect(() => kerasTopologyForTfjs({ model_config: cfg })).toThrow(/activation 'leaky_relu'/);
    cfg.config.layers[1]!.config.activation = 'relu';
    cfg.config.layers[1]!.config.lora_rank = 4;
    expect(() => kerasTopologyForTfjs({ model_config: cfg })).toThrow(/lora_rank=4/);
  });
});

describe('Keras 3 .weights.h5 + model.to_json() written by our writers', () => {
  it('loads with the config and predicts x·W + b', async () => {
    const path = join(tmp.path, 'k3.weights.h5');
    await writeKerasWeightsH5(path, {
      layers: [{ name: 'dense', className: 'Dense', weights: [{ name: 'kernel', tensor: f32('k', [3, 2], kernel) }, { name: 'bias', tensor: f32('b', [2], bias) }] }],
      optimizer: [f32('it', [], [3])].map((tensor) => ({ name: 'iteration', tensor })),
    }, { overwrite: true });
    const config = JSON.stringify(keras3Config);
    expect(await predict(fromKeras(path, { config }))).toEqual(expected);
    const reader = await openKerasInput(path, { config });
    try {
      expect(planTfjsWeights(reader).map((w) => [w.key, w.name])).toEqual([['layers/dense/vars/0', 'dense/kernel'], ['layers/dense/vars/1', 'dense/bias']]);
    } finally {
      await reader.close();
    }
  });
});

describe('tfjs weight names for Keras 3 files', () => {
  it('renames Keras 3 DepthwiseConv2D kernel to tfjs depthwise_kernel, and refuses unnamed variables', async () => {
    const path = join(tmp.path, 'dw.weights.h5');
    await writeKerasWeightsH5(path, {
      layers: [
        { name: 'dw', className: 'DepthwiseConv2D', weights: [{ name: 'kernel', tensor: f32('k', [1, 1, 2, 1], [1, 2]) }, { name: 'bias', tensor: f32('b', [2], [0, 0]) }] },
        { name: 'custom', className: 'MyLayer', weights: [{ name: 'w', tensor: f32('w', [1], [1]) }] },
      ],
    }, { overwrite: true });
    const layer = (className: string, name: string) => ({ module: 'keras.layers', class_name: className, registered_name: null, config: { name } });
    const config = { module: 'keras', class_name: 'Sequential', registered_name: null, config: { name: 's', layers: [layer('DepthwiseConv2D', 'dw'), layer('MyLayer', 'custom')] } };
    const reader = await openKerasInput(path, { config });
    try {
      expect(() => planTfjsWeights(reader)).toThrow(/layer 'custom' \(class MyLayer\) has no variable name/);
      const dwOnly = Object.assign(Object.create(reader) as typeof reader, { layers: () => reader.layers().filter((l) => l.name === 'dw') });
      expect(planTfjsWeights(dwOnly).map((w) => w.name)).toEqual(['dw/depthwise_kernel', 'dw/bias']);
    } finally {
      await reader.close();
    }
  });
});
