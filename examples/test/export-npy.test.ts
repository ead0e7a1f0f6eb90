/** Example 4: one .npy per weight, one folder per layer, read back by NumPy. */
import { afterAll, describe, expect, it } from 'vitest';
import { join, relative } from 'node:path';
import { open, toFloat64 } from 'tfweights';
import { fixture, haveFixtures, loadTruth, pythonWith, tempDir } from '@tfweights/testkit';
import { main as exportNpy } from '../04-export-npy.js';
import { irisDir, npyFiles, run, writeNested } from './helpers.js';

const py = pythonWith('numpy');
const tmp = tempDir('tfw-examples-4-');
afterAll(() => tmp.cleanup());

describe('example 4 on files made here', () => {
  it('writes encoder/dense_a/kernel.npy … for a nested model, and NumPy reads the stored values', async () => {
    const input = join(tmp.path, 'nested.h5');
    const model = await writeNested(input);
    const out = join(tmp.path, 'npy-nested');
    const { result } = await run(exportNpy, [input, out]);
    expect(result.map((f) => relative(out, f.file))).toEqual([
      'encoder/dense_a/kernel.npy', 'encoder/dense_a/bias.npy', 'encoder/dense_b/kernel.npy', 'encoder/dense_b/bias.npy', 'head/kernel.npy', 'head/bias.npy',
    ]);
    if (!py) return;
    const read = await npyFiles(py, out);
    expect(Object.keys(read).sort()).toEqual(result.map((f) => relative(out, f.file)).sort());
    const stored = model.layers.flatMap((l) => l.weights.map((w) => w.tensor));
    result.forEach((f, i) => {
      expect(read[relative(out, f.file)], f.file).toMatchObject({ dtype: '<f4', shape: [...stored[i]!.shape], values: Array.from(toFloat64(stored[i]!)) });
    });
  });

  it('leaves optimizer state out of the bundled checkpoint unless --all, which also writes int64 counters', async () => {
    const weightsOnly = await run(exportNpy, [irisDir, join(tmp.path, 'npy-iris')]);
    expect(weightsOnly.result.map((f) => f.name).sort()).toEqual([
      'model/layer_with_weights-0/bias', 'model/layer_with_weights-0/kernel', 'model/layer_with_weights-1/bias', 'model/layer_with_weights-1/kernel',
    ]);
    const out = join(tmp.path, 'npy-iris-all');
    const all = await run(exportNpy, [irisDir, out, '--all']);
    expect(all.result).toHaveLength(14); // 4 weights, 8 Adam slots, iterations, save_counter
    if (!py) return;
    const read = await npyFiles(py, out);
    expect(read['optimizer/iter.npy']).toMatchObject({ dtype: '<i8', shape: [], values: [150] });
    expect(read['save_counter.npy']).toMatchObject({ dtype: '<i8', shape: [], values: [1] });
    const src = await open(irisDir);
    const kernel = await src.read('model/layer_with_weights-1/kernel');
    expect(read['model/layer_with_weights-1/kernel.npy']).toMatchObject({ dtype: '<f4', shape: [8, 3], values: Array.from(toFloat64(kernel)) });
    await src.close();
  });
});

describe.skipIf(!haveFixtures())('example 4 on the real fixtures', () => {
  for (const [folder, input] of [['keras-h5/tensorspace-lenet-full', 'mnist.h5'], ['savedmodel/tensorspace-lenet-tf1', ''], ['keras3/student-adam', 'model.keras']] as const) {
    it.skipIf(!py)(`NumPy reads ${folder} weights with the SHA-256 truth.json gives`, async () => {
      const path = fixture(folder, input);
      const out = join(tmp.path, folder.replace('/', '-'));
      const { result } = await run(exportNpy, [path, out]);
      expect(result.length).toBeGreaterThan(0);
      const read = await npyFiles(py!, out);
      expect(Object.keys(read)).toHaveLength(result.length);
      const truth = new Map(loadTruth(folder)[0]!.tensors.map((t) => [t.key, t]));
      for (const f of result) {
        const t = truth.get(f.key)!;
        expect(read[relative(out, f.file)], f.key).toMatchObject({ shape: t.shape, sha256: t.sha256 });
      }
    });
  }
});
