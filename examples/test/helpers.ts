/**
 * Inputs the example tests make themselves (no fixtures needed) and the independent checks:
 * Debian's h5py / NumPy read what the examples wrote, forward passes are computed in plain JS.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesOf, makeTensor, toFloat64, type Tensor } from '@tfweights/core';
import { writeKerasH5 } from '@tfweights/keras/node';
import type { KerasModelWeights } from '@tfweights/keras';
import { runPython, seededRandom } from '@tfweights/testkit';

export const examplesDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const irisDir = join(examplesDir, 'data', 'iris-mlp');

/** Run an example's main, collecting what it logs. */
export async function run<T>(main: (args: string[], log: (line: string) => void) => Promise<T>, args: string[]): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const result = await main(args, (l) => lines.push(l));
  return { result, lines };
}

function f32(key: string, shape: number[], values: ArrayLike<number>): Tensor {
  return makeTensor(key, 'float32', shape, bytesOf(Float32Array.from(values)));
}

function uniform(rnd: () => number, n: number, scale: number): number[] {
  return Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
}

// --- A small CNN: Conv2D(3x3, 1→2, relu) on 6x6x1 → Flatten → Dense(32→4, relu) → Dense(4→2, softmax).

export const CNN_INPUT: [number, number, number] = [6, 6, 1];

const init = (cls: string) => ({ class_name: cls, config: cls === 'Zeros' ? {} : { seed: null } });
const common = { trainable: true, dtype: 'float32' };
const dense = (name: string, units: number, activation: string) => ({
  class_name: 'Dense',
  config: {
    name, ...common, units, activation, use_bias: true, kernel_initializer: init('GlorotUniform'), bias_initializer: init('Zeros'),
    kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
  },
});

/** The model's config as tf-keras 2.13 `model.to_json()` writes it (what a legacy `model.save` .h5 carries). */
export const cnnConfig = {
  class_name: 'Sequential',
  config: {
    name: 'small_cnn',
    layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, ...CNN_INPUT], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } },
      {
        class_name: 'Conv2D',
        config: {
          name: 'conv', ...common, batch_input_shape: [null, ...CNN_INPUT], filters: 2, kernel_size: [3, 3], strides: [1, 1], padding: 'valid',
          data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'relu', use_bias: true,
          kernel_initializer: init('GlorotUniform'), bias_initializer: init('Zeros'),
          kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
        },
      },
      { class_name: 'Flatten', config: { name: 'flatten', ...common, data_format: 'channels_last' } },
      dense('dense', 4, 'relu'),
      dense('out', 2, 'softmax'),
    ],
  },
};

/** The CNN's weights (values in ±0.5, so a 0.05 threshold prunes about a tenth of them) and Adam state. */
export function cnnWeights(seed = 7): KerasModelWeights {
  const rnd = seededRandom(seed);
  const layer = (name: string, className: string, kernel: number[], units: number) => ({
    name, className,
    weights: [
      { name: 'kernel', tensor: f32(`${name}/kernel`, kernel, uniform(rnd, kernel.reduce((a, b) => a * b, 1), 0.5)) },
      { name: 'bias', tensor: f32(`${name}/bias`, [units], uniform(rnd, units, 0.1)) },
    ],
  });
  const layers = [layer('conv', 'Conv2D', [3, 3, 1, 2], 2), layer('dense', 'Dense', [32, 4], 4), layer('out', 'Dense', [4, 2], 2)];
  const optimizer = [
    { name: 'Adam/iter', tensor: makeTensor('Adam/iter', 'int64', [], bytesOf(BigInt64Array.of(12n))) },
    ...layers.flatMap((l) => l.weights.map((w) => ({ name: `Adam/${l.name}/${w.name}/m`, tensor: f32(`m-${l.name}-${w.name}`, [...w.tensor.shape], uniform(rnd, toFloat64(w.tensor).length, 0.01)) }))),
  ];
  const [conv, hidden, out] = layers as [(typeof layers)[number], (typeof layers)[number], (typeof layers)[number]];
  return { layers: [{ name: 'input_1', className: 'InputLayer', weights: [] }, conv, { name: 'flatten', className: 'Flatten', weights: [] }, hidden, out], optimizer };
}

/** Write the CNN as a tf-keras 2.13 `model.save` .h5 (model config, model_weights, optimizer_weights). */
export async function writeCnn(path: string, seed = 7): Promise<KerasModelWeights> {
  const model = cnnWeights(seed);
  await writeKerasH5(path, model, { modelConfig: cnnConfig, kerasVersion: '2.13.1' });
  return model;
}

/** The CNN's forward pass in plain JS (float64), from its weights: one row per input image. */
export function cnnForward(model: KerasModelWeights, images: number[][]): number[][] {
  const w = (layer: string, i: number): Float64Array => toFloat64(model.layers.find((l) => l.name === layer)!.weights[i]!.tensor);
  const [ck, cb, dk, db, ok, ob] = [w('conv', 0), w('conv', 1), w('dense', 0), w('dense', 1), w('out', 0), w('out', 1)];
  return images.map((img) => {
    const flat: number[] = [];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) for (let f = 0; f < 2; f++) {
      let s = cb[f]!;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += img[(r + i) * 6 + (c + j)]! * ck[(i * 3 + j) * 2 + f]!;
      flat.push(Math.max(0, s)); // channels_last flatten: (row, col, filter)
    }
    const hidden = denseLayer(flat, dk, db, 4).map((v) => Math.max(0, v));
    return softmax(denseLayer(hidden, ok, ob, 2));
  });
}

export function denseLayer(x: readonly number[], kernel: Float64Array, bias: Float64Array, units: number): number[] {
  return Array.from({ length: units }, (_, j) => x.reduce((s, xi, i) => s + xi * kernel[i * units + j]!, bias[j]!));
}

export function softmax(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

// --- A model with a nested model, laid out as tf-keras stores one in a legacy .h5: the
// top-level layer 'encoder' (a Sequential) holds the inner layers' weights.

export async function writeNested(path: string): Promise<KerasModelWeights> {
  const rnd = seededRandom(11);
  const t = (name: string, shape: number[]) => ({ name, tensor: f32(name, shape, uniform(rnd, shape.reduce((a, b) => a * b, 1), 1)) });
  const model: KerasModelWeights = {
    layers: [
      { name: 'encoder', className: 'Sequential', weights: [t('dense_a/kernel', [5, 4]), t('dense_a/bias', [4]), t('dense_b/kernel', [4, 3]), t('dense_b/bias', [3])] },
      { name: 'head', className: 'Dense', weights: [t('head/kernel', [3, 2]), t('head/bias', [2])] },
    ],
  };
  await writeKerasH5(path, model);
  return model;
}

// --- Python checks (Debian's python3 with h5py and NumPy).

/** Every dataset of an HDF5 file: path → {dtype, shape, values as float64}. */
export async function h5Datasets(exe: string, path: string): Promise<Record<string, { dtype: string; shape: number[]; values: number[] }>> {
  const code = `
import h5py, json, sys, numpy as np
out = {}
def visit(name, obj):
    if isinstance(obj, h5py.Dataset):
        a = np.asarray(obj[()])
        out[name] = {'dtype': a.dtype.str, 'shape': list(a.shape), 'values': a.astype(np.float64).ravel().tolist()}
with h5py.File(sys.argv[1], 'r') as f:
    f.visititems(visit)
print(json.dumps(out))`;
  return JSON.parse(await runPython(exe, code, [path])) as Record<string, { dtype: string; shape: number[]; values: number[] }>;
}

/**
 * Check example 3's .h5 output with h5py: every dataset of the input is in the output with the
 * same dtype and shape; the edited ones equal the edits applied by NumPy to the input's values,
 * every other one is bit-identical; the model config and layer/weight name lists are kept.
 * Returns how many datasets were edited and how many values the pruning zeroed.
 */
export async function checkEditedH5(exe: string, input: string, output: string, edits: Record<string, string[]>, threshold: number): Promise<{ edited: number; same: number; zeroed: number }> {
  const code = `
import h5py, json, sys, numpy as np
src, dst, edits, th = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), float(sys.argv[4])
def datasets(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out
def attrs(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, {k: str(v) for k, v in o.attrs.items()}))
    out['/'] = {k: str(v) for k, v in f.attrs.items() if k != 'model_config'}
    return out
with h5py.File(src, 'r') as a, h5py.File(dst, 'r') as b:
    A, B = datasets(a), datasets(b)
    assert sorted(A) == sorted(B), ('datasets differ', sorted(set(A) ^ set(B)))
    assert json.loads(a.attrs['model_config']) == json.loads(b.attrs['model_config']), 'model_config changed'
    # The layers with weights, in the same order, with the same weight names (our writer lists
    # only layers that have weights: Keras's loaders skip the others anyway).
    names = [n.decode() for n in a['model_weights'].attrs['layer_names']]
    with_weights = [n for n in names if len(a['model_weights'][n].attrs['weight_names']) > 0]
    assert [n.decode() for n in b['model_weights'].attrs['layer_names']] == with_weights, 'layer_names'
    for layer in with_weights:
        assert list(a['model_weights'][layer].attrs['weight_names']) == list(b['model_weights'][layer].attrs['weight_names']), layer
    for k in ('backend', 'keras_version'):
        assert str(a.attrs[k]) == str(b.attrs[k]), k
    assert ('training_config' in a.attrs) == ('training_config' in b.attrs), 'training_config'
    if 'training_config' in a.attrs:
        assert json.loads(a.attrs['training_config']) == json.loads(b.attrs['training_config']), 'training_config'
    assert list(a['optimizer_weights'].attrs['weight_names']) == list(b['optimizer_weights'].attrs['weight_names']), 'optimizer weight_names'
    edited = same = zeroed = 0
    for name, x in A.items():
        y = B[name]
        assert x.dtype == y.dtype and x.shape == y.shape, (name, x.dtype, y.dtype, x.shape, y.shape)
        if name not in edits:
            assert x.tobytes() == y.tobytes(), ('changed but not edited', name)
            same += 1
            continue
        want = x.astype(np.float32)
        for op in edits[name]:
            if op == 'scale 0.8':
                want = (want.astype(np.float64) * 0.8).astype(np.float32)
            elif op.startswith('prune'):
                small = np.abs(want.astype(np.float64)) < th
                zeroed += int(small.sum())
                want = np.where(small, np.float32(0), want).astype(np.float32)
            elif op == 'double':
                want = want * np.float32(2)
            else:
                raise ValueError(op)
        assert np.array_equal(want, y), ('edit differs', name, np.abs(want - y).max())
        assert not np.array_equal(x, y), ('edit had no effect', name)
        edited += 1
print(json.dumps({'edited': edited, 'same': same, 'zeroed': zeroed}))`;
  return JSON.parse(await runPython(exe, code, [input, output, JSON.stringify(edits), String(threshold)])) as { edited: number; same: number; zeroed: number };
}

/** Every .npy file under a folder, read by NumPy: relative path → {dtype, shape, values}. */
export async function npyFiles(exe: string, dir: string): Promise<Record<string, { dtype: string; shape: number[]; values: number[]; sha256: string }>> {
  const code = `
import json, os, sys, numpy as np
out = {}
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(root, f)
        a = np.load(p, allow_pickle=False)
        out[os.path.relpath(p, sys.argv[1])] = {'dtype': a.dtype.str, 'shape': list(a.shape), 'values': a.astype(np.float64).ravel().tolist(),
            'sha256': hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()}
print(json.dumps(out))`;
  return JSON.parse(await runPython(exe, code.replace('import json', 'import hashlib, json'), [dir])) as Record<string, { dtype: string; shape: number[]; values: number[]; sha256: string }>;
}
