/**
 * The relearning workflow with real Keras 3 (JAX backend, the virtualenv of scripts/lib.sh):
 * Keras loads what the examples wrote, predicts what our JS/tfjs side predicts, and trains on.
 * Also: files real Keras wrote with a nested model, read by examples 1, 2 and 4.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, save, toFloat64 } from 'tfweights';
import { fixture, haveFixtures, kerasPython, pythonWith, runKeras, seededRandom, tempDir } from '@tfweights/testkit';
import { main as printWeights } from '../01-print-weights.js';
import { main as getWeights } from '../02-get-weights.js';
import { main as editAndSave } from '../03-edit-and-save.js';
import { main as exportNpy } from '../04-export-npy.js';
import { main as predict } from '../05-predict-tfjs.js';
import { denseLayer, examplesDir, h5Datasets, irisDir, npyFiles, run, softmax, writeCnn } from './helpers.js';

const exe = kerasPython();
const py = pythonWith('h5py', 'numpy');
const tmp = tempDir('tfw-examples-keras-');
afterAll(() => tmp.cleanup());

interface Arr {
  dtype: string;
  shape: number[];
  values: number[];
}

async function keras<T>(script: string, args: string[]): Promise<T> {
  const dir = join(examplesDir, 'test', 'python');
  const code = `${readFileSync(join(dir, 'common.py'), 'utf8')}\n${readFileSync(join(dir, script), 'utf8')}`;
  const line = (await runKeras(exe!, code, args)).split('\n').reverse().find((l) => l.startsWith('RESULT:'));
  if (!line) throw new Error(`${script} printed no RESULT line`);
  return JSON.parse(line.slice('RESULT:'.length)) as T;
}

function expectClose(got: readonly number[], want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length);
  expect(got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0)).toBeLessThan(tol);
}

function randomBatch(shape: number[], seed: number): unknown {
  const rnd = seededRandom(seed);
  const build = (dims: number[]): unknown => (dims.length === 0 ? rnd() : Array.from({ length: dims[0]! }, () => build(dims.slice(1))));
  return build(shape);
}

interface Relearned {
  weights: Arr[];
  pred: Arr;
  train: { loss: number; moved: boolean[] };
  load_model_weights?: Arr[];
}

/** Example 3's .h5 → Keras 3 load_weights → predict (= example 5 on the same file, in tfjs) → one fit step. */
async function relearn(kind: 'cnn' | 'lenet', edited: string, weightDatasets: string[], inputShape: number[]): Promise<Relearned> {
  const batch = randomBatch(inputShape, 21);
  const res = await keras<Relearned>('relearn_h5.py', [kind, edited, JSON.stringify(batch)]);
  if (py) {
    // What Keras loaded is what h5py reads in the file (which the example-3 tests check against the intended edits).
    const file = await h5Datasets(py, edited);
    expect(res.weights).toEqual(weightDatasets.map((k) => file[k]));
    if (res.load_model_weights) expect(res.load_model_weights).toEqual(res.weights);
  }
  const tfjsPred = await run(predict, [edited, '', JSON.stringify(batch)]);
  expect(res.pred.shape).toEqual(tfjsPred.result.shape);
  expectClose(res.pred.values, tfjsPred.result.values, 1e-5);
  expect(Number.isFinite(res.train.loss)).toBe(true);
  expect(res.train.moved).toEqual(res.weights.map(() => true));
  return res;
}

describe.skipIf(!exe)('relearning with real Keras 3 (files made here)', () => {
  it('example 3 output (.h5) loads into a Keras 3 model and into load_model, predicts as tfjs does, and trains one step', async () => {
    const input = join(tmp.path, 'cnn.h5');
    await writeCnn(input);
    const { result } = await run(editAndSave, [input, join(tmp.path, 'cnn-out'), '--threshold', '0.05']);
    const res = await relearn('cnn', result.h5, ['conv', 'dense', 'out'].flatMap((l) => [`model_weights/${l}/${l}/kernel:0`, `model_weights/${l}/${l}/bias:0`]), [4, 6, 6, 1]);
    expect(res.load_model_weights).toBeDefined();
  });

  it('the bundled checkpoint saved as .h5, .weights.h5 and .keras loads into the Keras model of model.json and predicts what JS computes', async () => {
    const src = await open(irisDir);
    const outs = ['iris.h5', 'iris.weights.h5', 'iris.keras'].map((f) => join(tmp.path, f));
    for (const out of outs) await save(src, out, { dropOptimizer: true });
    const v = async (name: string) => toFloat64(await src.read(`model/layer_with_weights-${name}`));
    const [k0, b0, k1, b1] = [await v('0/kernel'), await v('0/bias'), await v('1/kernel'), await v('1/bias')];
    await src.close();
    const rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.1, 4.7, 1.5], [5.9, 3.0, 5.1, 1.8], [-2, 1, 0.5, 3]];
    const res = await keras<Record<string, { pred: Arr; train: { loss: number; moved: boolean[] } }>>('iris_h5.py', [join(irisDir, 'model.json'), JSON.stringify(rows), ...outs]);
    const js = rows.flatMap((x) => softmax(denseLayer(denseLayer(x, k0, b0, 8).map((h) => Math.max(0, h)), k1, b1, 3)));
    for (const out of outs) {
      expect(res[out]!.pred.shape, out).toEqual([4, 3]);
      expectClose(res[out]!.pred.values, js, 1e-6);
      expect(res[out]!.train.moved, out).toEqual([true, true, true, true]);
    }
  });

  it('a nested model saved by Keras as .keras and legacy .h5: examples 1, 2 and 4 see encoder/dense_a … with Keras\'s values', async () => {
    const dir = join(tmp.path, 'nested');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    const { weights } = await keras<{ weights: Record<string, Arr> }>('nested.py', [dir]);
    expect(Object.keys(weights)).toEqual(['encoder/dense_a/kernel', 'encoder/dense_a/bias', 'encoder/dense_b/kernel', 'encoder/dense_b/bias', 'head/kernel', 'head/bias']);
    for (const file of ['nested.keras', 'nested.h5']) {
      const path = join(dir, file);
      const printed = await run(printWeights, [path]);
      expect(printed.result.filter((l) => !l.name.startsWith('(')).map((l) => [l.name, l.weights.map((w) => w.name)]), file).toEqual([
        ['encoder', ['encoder/dense_a/kernel', 'encoder/dense_a/bias', 'encoder/dense_b/kernel', 'encoder/dense_b/bias']],
        ['head', ['head/kernel', 'head/bias']],
      ]);
      const got = await run(getWeights, [path, 'encoder/dense_a', 'encoder', 'head/kernel']);
      const values = (name: string) => got.result[name]!.map((t) => [t.name, [...t.shape], Array.from(toFloat64(t))]);
      const keras3 = (name: string) => [name, weights[name]!.shape, weights[name]!.values];
      expect(values('encoder/dense_a'), file).toEqual([keras3('encoder/dense_a/kernel'), keras3('encoder/dense_a/bias')]);
      expect(values('encoder').map(([n]) => n)).toEqual(Object.keys(weights).slice(0, 4));
      expect(values('head/kernel'), file).toEqual([keras3('head/kernel')]);
      if (py) {
        const out = join(dir, `npy-${file}`);
        await run(exportNpy, [path, out]);
        const read = await npyFiles(py, out);
        for (const [name, w] of Object.entries(weights)) expect(read[`${name}.npy`], `${file} ${name}`).toMatchObject(w);
      }
    }
  });
});

describe.skipIf(!exe || !haveFixtures())('relearning with real Keras 3 (LeNet fixture)', () => {
  it('example 3 output of the Keras 2.1.6 LeNet loads into a Keras 3 LeNet, predicts as tfjs does, and trains one step', async () => {
    const { result } = await run(editAndSave, [fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5'), join(tmp.path, 'lenet-out')]);
    const layers = ['Conv2D_1', 'Conv2D_2', 'Dense_1', 'Dense_2', 'Softmax'];
    await relearn('lenet', result.h5, layers.flatMap((l) => [`model_weights/${l}/${l}/kernel:0`, `model_weights/${l}/${l}/bias:0`]), [2, 28, 28]);
  });
});
