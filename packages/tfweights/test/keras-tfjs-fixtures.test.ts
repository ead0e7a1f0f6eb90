/**
 * Real Keras files: tf.loadLayersModel(fromKeras(file)) vs our converted tfjs folder vs the same
 * topology with weights set from our Keras reader vs (LeNet) the tfjs model converted by the
 * TensorSpace converter from the same weights; Dense-only models also vs a forward pass in JS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as tfc from '@tensorflow/tfjs-core';
import { loadLayersModel, models, type LayersModel } from '@tensorflow/tfjs-layers';
import { toFloat32 } from '@tfweights/core';
import { toTfTensor } from '@tfweights/tfjs';
import { openTfjsModel, readerIOHandler } from '@tfweights/tfjs/node';
import { fixture, haveFixtures, loadTruth, seededRandom, tempDir } from '@tfweights/testkit';
import { convertKerasToTfjs, fromKeras, kerasTopologyForTfjs, metadataFor, openKerasInput, type KerasToTfjsOptions } from '../src/keras-tfjs/index.js';
import { cpu } from './keras-tfjs-helpers.js';

const tmp = tempDir('tfw-keras-tfjs-fx-');
afterAll(() => tmp.cleanup());

function input(tf: typeof tfc, shape: number[], seed: number): tfc.Tensor {
  const rnd = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => rnd() * 2 - 1), shape);
}

/** The model's prediction (its last output when it has several, as TensorSpace's LeNet does). */
function run(model: LayersModel, x: tfc.Tensor): number[] {
  const y = model.predict(x);
  return Array.from((Array.isArray(y) ? y[y.length - 1]! : y).dataSync());
}

/** (c): the topology alone (random weights), then model.setWeights with tensors from our Keras reader. */
async function withReaderWeights(path: string, opts: KerasToTfjsOptions): Promise<LayersModel> {
  const reader = await openKerasInput(path, opts);
  try {
    const modelTopology = kerasTopologyForTfjs(metadataFor(reader, opts));
    const model = await models.modelFromJSON({ modelTopology } as unknown as Parameters<typeof models.modelFromJSON>[0]);
    const byName = new Map(reader.layers().map((l) => [l.name, l]));
    const values: tfc.Tensor[] = [];
    for (const layer of model.layers) {
      const keys = (byName.get(layer.name)?.weights ?? []).filter((k) => reader.list().find((t) => t.key === k)?.role !== 'optimizer');
      expect(keys.length, `weights of ${layer.name}`).toBe(layer.weights.length);
      for (const k of keys) values.push(toTfTensor(await reader.read(k)));
    }
    model.setWeights(values);
    return model;
  } finally {
    await reader.close();
  }
}

/** (a), (b), (c) for one file; returns the prediction after checking all three are equal. */
async function threeWays(name: string, path: string, shape: number[], opts: KerasToTfjsOptions = {}): Promise<number[]> {
  const tf = await cpu();
  const x = input(tf, shape, 42);
  const a = run(await loadLayersModel(fromKeras(path, opts)), x);
  const out = join(tmp.path, name);
  await convertKerasToTfjs(path, out, { ...opts, overwrite: true });
  const reader = await openTfjsModel(join(out, 'model.json'));
  let b: number[];
  try {
    b = run(await loadLayersModel(readerIOHandler(reader)), x);
  } finally {
    await reader.close();
  }
  const c = run(await withReaderWeights(path, opts), x);
  expect(a.every(Number.isFinite)).toBe(true);
  expect(b).toEqual(a);
  expect(c).toEqual(a);
  return a;
}

type Act = 'relu' | 'softmax' | 'sigmoid' | 'linear';
/** A Dense stack computed in float64 JS from our reader's tensors, independent of tfjs. */
async function denseForward(path: string, opts: KerasToTfjsOptions, acts: Act[], x: number[][]): Promise<number[]> {
  const reader = await openKerasInput(path, opts);
  try {
    let h = x;
    const dense = reader.layers().filter((l) => l.weights.length === 2);
    expect(dense.length).toBe(acts.length);
    for (const [i, l] of dense.entries()) {
      const k = await reader.read(l.weights[0]!);
      const b = toFloat32(await reader.read(l.weights[1]!));
      const [nin, nout] = k.shape as [number, number];
      const kv = toFloat32(k);
      h = h.map((row) => {
        const z = Array.from({ length: nout }, (_, o) => b[o]! + row.reduce((s, v, j) => s + v * kv[j * nout + o]!, 0));
        expect(row.length).toBe(nin);
        const act = acts[i]!;
        if (act === 'relu') return z.map((v) => Math.max(0, v));
        if (act === 'sigmoid') return z.map((v) => 1 / (1 + Math.exp(-v)));
        if (act === 'softmax') {
          const m = Math.max(...z);
          const e = z.map((v) => Math.exp(v - m));
          const s = e.reduce((p, q) => p + q, 0);
          return e.map((v) => v / s);
        }
        return z;
      });
    }
    return h.flat();
  } finally {
    await reader.close();
  }
}

async function inputRows(shape: number[]): Promise<number[][]> {
  const tf = await cpu();
  return input(tf, shape, 42).arraySync() as number[][];
}

describe.skipIf(!haveFixtures())('Keras fixtures → tfjs-layers (fixtures)', () => {
  it('tensorspace LeNet mnist.h5 (Keras 2.1.6 model.save, functional): three ways equal, equal to its save_weights twin and to the TensorSpace-converted tfjs model', async () => {
    const path = fixture('keras-h5', 'tensorspace-lenet-full', 'mnist.h5');
    const a = await threeWays('lenet', path, [2, 28, 28]);
    // The tfjs fixture holds the same 10 tensors (same SHA-256 as in truth.json).
    const tf = await cpu();
    const reader = await openTfjsModel(fixture('tfjs', 'tensorspace-lenet-layers', 'model.json'));
    try {
      const d = run(await loadLayersModel(readerIOHandler(reader)), input(tf, [2, 28, 28], 42));
      expect(d).toEqual(a);
    } finally {
      await reader.close();
    }
    // The Keras 2.2.2 save_weights twin + its bare-list Sequential topology.json: same predictions.
    const twinDir = fixture('keras-h5', 'tensorspace-lenet-weights');
    const config = readFileSync(join(twinDir, 'topology.json'), 'utf8');
    expect(await threeWays('lenet-weights', join(twinDir, 'weights.h5'), [2, 28, 28], { config })).toEqual(a);
    const specs = (await fromKeras(path).load!()).weightSpecs!;
    const truth = loadTruth('tfjs/tensorspace-lenet-layers')[0]!.tensors;
    expect(specs.map((s) => s.name).sort()).toEqual(truth.map((t) => t.key).sort());
    for (const s of specs) expect(s.shape).toEqual(truth.find((t) => t.key === s.name)!.shape);
  });

  it('hls4ml keras_3layer.h5 (Keras 2.3.1): three ways equal, equal to the weights-only twin + JSON, and to a JS forward pass', async () => {
    const dir = fixture('keras-h5', 'hls4ml-3layer-pair');
    const a = await threeWays('hls4ml', join(dir, 'keras_3layer.h5'), [3, 16]);
    const config = readFileSync(join(dir, 'KERAS_3layer.json'), 'utf8');
    const twin = await threeWays('hls4ml-weights', join(dir, 'KERAS_3layer_weights.h5'), [3, 16], { config });
    expect(twin).toEqual(a);
    const js = await denseForward(join(dir, 'keras_3layer.h5'), {}, ['relu', 'relu', 'relu', 'softmax'], await inputRows([3, 16]));
    for (const [i, v] of js.entries()) expect(a[i]).toBeCloseTo(v, 5);
  });

  it('diabetes model.weights.h5 + Keras 3 model.json: translated topology, three ways equal, and a JS forward pass', async () => {
    const dir = fixture('keras3', 'diabetes-weights-h5');
    const opts = { config: readFileSync(join(dir, 'model.json'), 'utf8') };
    const a = await threeWays('diabetes', join(dir, 'model.weights.h5'), [4, 8], opts);
    const js = await denseForward(join(dir, 'model.weights.h5'), opts, ['relu', 'relu', 'sigmoid'], await inputRows([4, 8]));
    for (const [i, v] of js.entries()) expect(a[i]).toBeCloseTo(v, 5);
    const art = await fromKeras(join(dir, 'model.weights.h5'), opts).load!();
    expect(art.weightSpecs!.map((s) => s.name)).toEqual(['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias', 'dense_2/kernel', 'dense_2/bias']);
    expect(art.generatedBy).toBe('keras v3');
  });

  it('student-adam model.keras (Keras 3.10): three ways equal, optimizer state left out, and a JS forward pass', async () => {
    const path = fixture('keras3', 'student-adam', 'model.keras');
    const a = await threeWays('student', path, [5, 2]);
    const js = await denseForward(path, {}, ['relu', 'sigmoid'], await inputRows([5, 2]));
    for (const [i, v] of js.entries()) expect(a[i]).toBeCloseTo(v, 5);
    const art = await fromKeras(path).load!();
    expect(art.generatedBy).toBe('keras v3.10.0');
    expect(art.weightSpecs!.map((s) => s.name)).toEqual(['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias']);
  });
});
