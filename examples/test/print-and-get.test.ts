/** Examples 1 (print every layer's weights) and 2 (get weights by layer name, nested too). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { open, save, toFloat64 } from 'tfweights';
import { fixture, haveFixtures, loadTruth, tempDir } from '@tfweights/testkit';
import { main as printWeights } from '../01-print-weights.js';
import { main as getWeights } from '../02-get-weights.js';
import { irisDir, run, writeCnn, writeNested } from './helpers.js';

const tmp = tempDir('tfw-examples-12-');
afterAll(() => tmp.cleanup());
const cnnPath = join(tmp.path, 'cnn.h5');
const nestedPath = join(tmp.path, 'nested.h5');
let cnn: Awaited<ReturnType<typeof writeCnn>>;
let nested: Awaited<ReturnType<typeof writeNested>>;
beforeAll(async () => {
  cnn = await writeCnn(cnnPath);
  nested = await writeNested(nestedPath);
});

const summary = (layers: Awaited<ReturnType<typeof printWeights>>) => layers.map((l) => [l.name, l.className, l.weights.map((w) => `${w.name} ${w.dtype} [${w.shape.join(',')}]${w.role === 'weight' ? '' : ` ${w.role}`}`)]);

describe('example 1 on files made here', () => {
  it('prints the layers of a legacy .h5 with classes, weights, dtypes and shapes, skipping weightless layers', async () => {
    const { result, lines } = await run(printWeights, [cnnPath]);
    expect(summary(result)).toEqual([
      ['conv', 'Conv2D', ['conv/kernel float32 [3,3,1,2]', 'conv/bias float32 [2]']],
      ['dense', 'Dense', ['dense/kernel float32 [32,4]', 'dense/bias float32 [4]']],
      ['out', 'Dense', ['out/kernel float32 [4,2]', 'out/bias float32 [2]']],
      ['(not in a layer)', undefined, [
        'optimizer/Adam/iter int64 [] optimizer',
        ...['conv/kernel [3,3,1,2]', 'conv/bias [2]', 'dense/kernel [32,4]', 'dense/bias [4]', 'out/kernel [4,2]', 'out/bias [2]']
          .map((w) => `optimizer/Adam/${w.replace(' ', '/m float32 ')} optimizer`),
      ]],
    ]);
    expect(lines[0]).toBe(`${cnnPath} (keras-h5)`);
    expect(lines).toContain('    conv/kernel  float32 [3, 3, 1, 2]');
  });

  it('prints a .keras made from it, and the bundled TF2 checkpoint with its optimizer slots marked', async () => {
    const keras = join(tmp.path, 'cnn.keras');
    await save(await open(cnnPath), keras, { dropOptimizer: true });
    const k = await run(printWeights, [keras]);
    expect(k.result.map((l) => [l.name, l.weights.map((w) => w.shape.join('x'))])).toEqual([
      ['conv', ['3x3x1x2', '2']], ['dense', ['32x4', '4']], ['out', ['4x2', '2']],
    ]);

    const c = await run(printWeights, [irisDir]);
    const weights = c.result.flatMap((l) => l.weights);
    expect(weights.filter((w) => w.role === 'weight').map((w) => `${w.name} [${w.shape.join(',')}]`).sort()).toEqual([
      'model/layer_with_weights-0/bias [8]', 'model/layer_with_weights-0/kernel [4,8]',
      'model/layer_with_weights-1/bias [3]', 'model/layer_with_weights-1/kernel [8,3]',
    ]);
    expect(weights.filter((w) => w.role === 'optimizer')).toHaveLength(9); // 8 Adam slots + iterations
    expect(weights.some((w) => w.dtype === 'string')).toBe(false); // the object graph is not a weight
    expect(c.lines.some((l) => l.includes('[optimizer]'))).toBe(true);
  });
});

describe('example 2 on files made here', () => {
  it('gets a layer, a layer inside a nested model and one weight, with the stored values', async () => {
    const { result } = await run(getWeights, [nestedPath, 'encoder', 'encoder/dense_b', 'head', 'head/bias']);
    const values = (name: string) => result[name]!.map((t) => [t.name, Array.from(toFloat64(t))]);
    const stored = (layer: number, from = 0, to?: number) => nested.layers[layer]!.weights.slice(from, to).map((w) => Array.from(toFloat64(w.tensor)));
    expect(values('encoder').map(([, v]) => v)).toEqual(stored(0));
    expect(values('encoder').map(([n]) => n)).toEqual(['encoder/dense_a/kernel', 'encoder/dense_a/bias', 'encoder/dense_b/kernel', 'encoder/dense_b/bias']);
    expect(values('encoder/dense_b')).toEqual([['encoder/dense_b/kernel', stored(0, 2, 3)[0]], ['encoder/dense_b/bias', stored(0, 3)[0]]]);
    expect(values('head').map(([, v]) => v)).toEqual(stored(1));
    expect(values('head/bias')).toEqual([['head/bias', stored(1, 1)[0]]]);
  });

  it('refuses a name that is neither a layer nor a weight, suggesting the close ones', async () => {
    await expect(run(getWeights, [cnnPath, 'dense_9'])).rejects.toThrow(/no tensor named 'dense_9'/);
    await expect(run(getWeights, [nestedPath, 'dense_b'])).rejects.toThrow(/encoder\/dense_b/);
  });

  it('gets the same values from the CNN .h5 as were written', async () => {
    const { result } = await run(getWeights, [cnnPath, 'conv']);
    expect(result.conv!.map((t) => Array.from(toFloat64(t)))).toEqual(cnn.layers[1]!.weights.map((w) => Array.from(toFloat64(w.tensor))));
  });
});

describe.skipIf(!haveFixtures())('examples 1 and 2 on the real fixtures', () => {
  // Every non-string tensor of the fixture is printed once, with the dtype and shape truth.json gives.
  const cases: [folder: string, input: string, entry: number][] = [
    ['keras-h5/tensorspace-lenet-full', 'mnist.h5', 0],
    ['keras3/nested-container', 'pre_pr22362_nested_container.keras', 0],
    ['checkpoint/tf2-ckpt-manager', 'ckpt-2', 1],
    ['savedmodel/half-plus-two-tf2', '', 0],
    ['savedmodel/tensorspace-lenet-tf1', '', 0],
  ];
  for (const [folder, input, entry] of cases) {
    it(`example 1 prints every weight of ${folder}/${input}`, async () => {
      const { result } = await run(printWeights, [fixture(folder, input)]);
      const printed = result.flatMap((l) => l.weights.map((w) => [w.key, w.dtype, w.shape.join(',')]));
      const truth = loadTruth(folder)[entry]!.tensors.filter((t) => t.dtype !== 'string').map((t) => [t.key, t.dtype, t.shape.join(',')]);
      expect(printed.length).toBe(truth.length);
      expect(printed.sort()).toEqual(truth.sort());
    });
  }

  it('example 1 shows the LeNet layers in model order with their classes', async () => {
    const { result } = await run(printWeights, [fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5')]);
    expect(result.map((l) => `${l.name}:${l.className}`).slice(0, 5)).toEqual(['Conv2D_1:Conv2D', 'Conv2D_2:Conv2D', 'Dense_1:Dense', 'Dense_2:Dense', 'Softmax:Dense']);
  });

  it('example 2 gets LeNet layers by name with the values truth.json records', async () => {
    const { result } = await run(getWeights, [fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5'), 'Conv2D_1', 'Dense_1/bias']);
    const truth = new Map(loadTruth('keras-h5/tensorspace-lenet-full')[0]!.tensors.map((t) => [t.key, t]));
    expect(result.Conv2D_1!.map((t) => t.key)).toEqual(['model_weights/Conv2D_1/Conv2D_1/kernel:0', 'model_weights/Conv2D_1/Conv2D_1/bias:0']);
    for (const t of [...result.Conv2D_1!, ...result['Dense_1/bias']!]) {
      expect(Array.from(toFloat64(t)).slice(0, 6)).toEqual(truth.get(t.key)!.head);
    }
  });

  it('example 2 gets the layers of the nested Keras 3 container', async () => {
    const { result } = await run(getWeights, [fixture('keras3/nested-container', 'pre_pr22362_nested_container.keras'), 'd_0', 'dense']);
    expect(result.d_0!.map((t) => t.shape)).toEqual([[4, 4]]);
    expect(result.dense!.map((t) => t.shape)).toEqual([[4, 2], [2]]);
  });
});
