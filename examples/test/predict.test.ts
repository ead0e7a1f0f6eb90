/**
 * Example 5: predictions of the tfjs-layers model equal a forward pass computed independently
 * (plain JS for the models made here, the tfjs LeNet fixture loaded by tfjs for the Keras one).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { writeKerasH5 } from '@tfweights/keras/node';
import { open, readerIOHandler, toFloat64, type tfjs } from 'tfweights';
import { fixture, haveFixtures, seededRandom, tempDir } from '@tfweights/testkit';
import { main as predict } from '../05-predict-tfjs.js';
import { cnnConfig, cnnForward, cnnWeights, denseLayer, irisDir, run, softmax, writeCnn } from './helpers.js';

const tmp = tempDir('tfw-examples-5-');
afterAll(() => tmp.cleanup());

function expectClose(got: readonly number[], want: readonly number[], tol = 1e-6): void {
  expect(got.length).toBe(want.length);
  const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
  expect(worst).toBeLessThan(tol);
}

/** The iris MLP's forward pass (Dense relu → Dense softmax) in plain JS, from the checkpoint's values. */
async function irisForward(rows: number[][]): Promise<number[]> {
  const f = await open(irisDir);
  const v = async (name: string) => toFloat64(await f.read(`model/layer_with_weights-${name}`));
  const [k0, b0, k1, b1] = [await v('0/kernel'), await v('0/bias'), await v('1/kernel'), await v('1/bias')];
  await f.close();
  return rows.flatMap((x) => softmax(denseLayer(denseLayer(x, k0, b0, 8).map((h) => Math.max(0, h)), k1, b1, 3)));
}

const images = (n: number, size: number, seed: number) => {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: size }, () => rnd()));
};

describe('example 5 on models made here', () => {
  it('builds the MLP from model.json, fills it from the TF2 checkpoint and predicts what plain JS computes', async () => {
    const rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.1, 4.7, 1.5], [-1, 0.5, 2, -3]];
    const { result } = await run(predict, [irisDir, join(irisDir, 'model.json'), JSON.stringify(rows)]);
    expect(result.shape).toEqual([3, 3]);
    const want = await irisForward(rows);
    expectClose(result.values, want);
    // Different rows give different outputs (a model left at random init would still, but not equal the JS pass).
    expect(want.slice(0, 3)).not.toEqual(want.slice(3, 6));
  });

  it('refuses a checkpoint without a model config, saying what to pass', async () => {
    await expect(run(predict, [irisDir])).rejects.toThrow(/holds no model config/);
  });

  it('loads a CNN .h5 through its own Keras 2 model config and predicts what plain JS computes', async () => {
    const path = join(tmp.path, 'cnn.h5');
    const model = await writeCnn(path, 3);
    const batch = images(4, 36, 5);
    const { result } = await run(predict, [path, '', JSON.stringify(batch.map((img) => chunk(img, 6).map((row) => row.map((v) => [v]))))]);
    expect(result.shape).toEqual([4, 2]);
    expectClose(result.values, cnnForward(model, batch).flat());
  });

  it('loads a weights-only .h5 with the model JSON given beside it', async () => {
    const path = join(tmp.path, 'cnn-weights.h5');
    const model = cnnWeights(9);
    await writeKerasH5(path, { layers: model.layers }); // save_weights layout: no model config
    const config = join(tmp.path, 'cnn.json');
    writeFileSync(config, JSON.stringify(cnnConfig));
    const batch = images(2, 36, 6);
    const { result } = await run(predict, [path, config, JSON.stringify(batch.map((img) => chunk(img, 6).map((row) => row.map((v) => [v]))))]);
    expectClose(result.values, cnnForward(model, batch).flat());
  });
});

function chunk<T>(xs: T[], n: number): T[][] {
  return Array.from({ length: xs.length / n }, (_, i) => xs.slice(i * n, i * n + n));
}

describe.skipIf(!haveFixtures())('example 5 on the LeNet fixture', () => {
  it('predicts on the Keras .h5 what tfjs predicts from the tfjs conversion of the same model', async () => {
    const batch = images(3, 28 * 28, 8).map((img) => chunk(img, 28));
    const { result } = await run(predict, [fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5'), '', JSON.stringify(batch)]);
    expect(result.shape).toEqual([3, 10]);
    // The reference: tfjs-layers loading the tfjs fixture (written by the tfjs converter).
    const converted = await open(fixture('tfjs/tensorspace-lenet-layers', 'model.json'));
    const model = await tfl.loadLayersModel(readerIOHandler(converted.reader as tfjs.TfjsReader));
    const x = tf.tensor(batch);
    // TensorSpace's conversion outputs every layer (for its visualisation): the last is the softmax.
    const outputs = model.predict(x) as tf.Tensor[];
    expect(outputs.at(-1)!.shape).toEqual([3, 10]);
    const want = Array.from(await outputs.at(-1)!.data());
    tf.dispose([x, ...outputs]);
    await converted.close();
    expectClose(result.values, want, 1e-6);
    expect(want.some((v) => v > 0.05 && v < 0.95)).toBe(true);
  });
});
