/**
 * Regenerates the bundled example model in data/iris-mlp/: a small Keras-style MLP
 * (Dense 4→8 relu, Dense 8→3 softmax) with Adam state, saved the way
 * `tf.train.Checkpoint(model=model, optimizer=optimizer).save('ckpt')` lays out a TF2
 * checkpoint — written entirely by tfweights' own checkpoint writer, with deterministic
 * values. Also writes model.json, the model's Keras 3 config (what `model.to_json()` gives),
 * used as a template for Keras outputs.
 *
 * Run: pnpm --filter @tfweights/examples make-model
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesOf, makeTensor, type Tensor } from '@tfweights/core';
import { buildObjectGraph, writeCheckpoint } from '@tfweights/checkpoint/node';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'data', 'iris-mlp');

/** Deterministic values in [-1, 1) (mulberry32), so the bundled files never change. */
function values(seed: number, n: number, scale: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1) * scale;
  });
}

const layers = [
  { name: 'dense', units: 8, inputs: 4, activation: 'relu' },
  { name: 'dense_1', units: 3, inputs: 8, activation: 'softmax' },
];

const variables: { path: string; fullName: string; shape: number[]; data: Float32Array }[] = [];
layers.forEach((l, i) => {
  variables.push({ path: `model/layer_with_weights-${i}/kernel`, fullName: `${l.name}/kernel`, shape: [l.inputs, l.units], data: values(10 + i, l.inputs * l.units, 0.8) });
  variables.push({ path: `model/layer_with_weights-${i}/bias`, fullName: `${l.name}/bias`, shape: [l.units], data: values(20 + i, l.units, 0.1) });
});

const { graph, keys, slotKeys } = buildObjectGraph(
  [
    ...variables.map((v) => ({ path: v.path, fullName: v.fullName })),
    { path: 'optimizer/iter', fullName: 'Adam/iter' },
    { path: 'save_counter', fullName: 'save_counter' },
  ],
  {
    slots: variables.flatMap((v) => ['m', 'v'].map((slotName) => ({
      variable: v.path, optimizer: 'optimizer', slotName, fullName: `Adam/${v.fullName}/${slotName}`,
    }))),
  },
);

const f32 = (key: string, shape: number[], data: Float32Array): Tensor => makeTensor(key, 'float32', shape, bytesOf(data));
const i64 = (key: string, value: bigint): Tensor => makeTensor(key, 'int64', [], bytesOf(BigInt64Array.of(value)));

const tensors: Tensor[] = [
  ...variables.map((v, i) => f32(keys[i]!, v.shape, v.data)),
  i64(keys[variables.length]!, 150n),
  i64(keys[variables.length + 1]!, 1n),
  ...variables.flatMap((v, i) => [
    f32(slotKeys[2 * i]!, v.shape, values(30 + i, v.data.length, 0.01)),
    f32(slotKeys[2 * i + 1]!, v.shape, values(40 + i, v.data.length, 0.001).map(Math.abs)),
  ]),
];

mkdirSync(out, { recursive: true });
await writeCheckpoint(join(out, 'ckpt-1'), tensors, { objectGraph: graph, overwrite: true });
writeFileSync(join(out, 'checkpoint'), 'model_checkpoint_path: "ckpt-1"\nall_model_checkpoint_paths: "ckpt-1"\n');

const dense = (l: (typeof layers)[number]) => ({
  module: 'keras.layers', class_name: 'Dense', registered_name: null,
  config: {
    name: l.name, trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
    units: l.units, activation: l.activation, use_bias: true,
    kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
    bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
    kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null,
  },
  build_config: { input_shape: [null, l.inputs] },
});
const config = {
  module: 'keras', class_name: 'Sequential', registered_name: null,
  config: {
    name: 'iris_mlp', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
    layers: [
      { module: 'keras.layers', class_name: 'InputLayer', registered_name: null, config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'input_layer' } },
      ...layers.map(dense),
    ],
    build_input_shape: [null, 4],
  },
  build_config: { input_shape: [null, 4] },
};
writeFileSync(join(out, 'model.json'), JSON.stringify(config, null, 2) + '\n');
console.log(`wrote ${out}: ${tensors.length} tensors + object graph, and model.json`);
