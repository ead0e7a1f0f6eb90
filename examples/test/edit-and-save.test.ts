/**
 * Example 3: the .h5 output read back by h5py equals the intended edits applied by NumPy to the
 * input, bit-identical elsewhere; the TF2 checkpoint output, re-read with our reader, has its
 * object graph and the same values as the .h5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTrackableObjectGraph } from '@tfweights/checkpoint';
import { open, toFloat64 } from 'tfweights';
import { fixture, haveFixtures, pythonWith, tempDir } from '@tfweights/testkit';
import { main as editAndSave } from '../03-edit-and-save.js';
import { checkEditedH5, h5Datasets, irisDir, run, writeCnn } from './helpers.js';

const py = pythonWith('h5py', 'numpy');
const tmp = tempDir('tfw-examples-3-');
afterAll(() => tmp.cleanup());
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The checkpoint re-read with our reader: object graph naming every tensor, values equal to the .h5 output's. */
async function expectCheckpointMatchesH5(checkpoint: string, h5: string): Promise<void> {
  const ck = await open(checkpoint);
  const ref = await open(h5);
  try {
    expect(ck.format).toBe('checkpoint');
    expect(ck.metadata?.objectBased).toBe(true);
    const graph = decodeTrackableObjectGraph((await ck.read('_CHECKPOINTABLE_OBJECT_GRAPH')).strings![0]!);
    const tensors = ck.list().filter((i) => i.role !== 'metadata');
    const attributes = graph.nodes.flatMap((n) => n.attributes);
    expect(attributes.map((a) => a.checkpointKey).sort()).toEqual(tensors.map((i) => i.key).sort());
    // Weights keep their Keras variable paths in the graph, in model order (Keras 3's, the default
    // layout: a Sequential prefixes its own name, `small_cnn/conv/kernel`).
    const weights = ref.list().filter((i) => i.role === 'weight');
    const fullNames = new Map(attributes.map((a) => [a.checkpointKey, a.fullName]));
    const got = tensors.filter((i) => i.role === 'weight').map((i) => fullNames.get(i.key) ?? '');
    expect(got.map((f, k) => f === weights[k]!.name || f.endsWith(`/${weights[k]!.name}`))).toEqual(weights.map(() => true));
    const others = ref.list();
    expect(tensors.length).toBe(others.length);
    for (const [i, info] of tensors.entries()) {
      const [a, b] = [await ck.read(info.key), await ref.read(others[i]!.key)];
      expect([a.dtype, a.shape], info.key).toEqual([b.dtype, b.shape]);
      expect(Buffer.from(a.data).equals(Buffer.from(b.data)), info.key).toBe(true);
    }
  } finally {
    await ck.close();
    await ref.close();
  }
}

describe('example 3 on a CNN made here (legacy .h5 with model config and Adam state)', () => {
  const input = join(tmp.path, 'cnn.h5');
  const out = join(tmp.path, 'out-cnn');
  let result: Awaited<ReturnType<typeof editAndSave>>;
  let lines: string[];
  let before: string;
  beforeAll(async () => {
    await writeCnn(input);
    before = sha(input);
    ({ result, lines } = await run(editAndSave, [input, out, '--layer', 'dense', '--threshold', '0.05']));
  });

  it('edits the intended kernels in the intended order, and leaves its input alone', () => {
    expect(result.edits).toEqual({
      'model_weights/dense/dense/kernel:0': ['scale 0.8', 'prune <0.05'],
      'model_weights/conv/conv/kernel:0': ['prune <0.05', 'double'],
      'model_weights/out/out/kernel:0': ['prune <0.05'],
    });
    expect(lines).toContain('scaled dense/kernel by 0.8');
    expect(lines).toContain('doubled conv/kernel');
    expect(sha(input)).toBe(before);
  });

  it.skipIf(!py)('the .h5 read by h5py equals the edits done by NumPy, and is bit-identical elsewhere', async () => {
    const r = await checkEditedH5(py!, input, result.h5, result.edits, 0.05);
    expect(r.edited).toBe(3);
    expect(r.same).toBe(3 + 1 + 6); // 3 biases, Adam iter and 6 slots
    expect(r.zeroed).toBeGreaterThan(5);
  });

  it('the TF2 checkpoint has an object graph and the same values as the .h5', async () => {
    await expectCheckpointMatchesH5(result.checkpoint, result.h5);
  });

  it('refuses a threshold that is not a number, writing nothing', async () => {
    await expect(run(editAndSave, [input, join(tmp.path, 'out-bad'), '--threshold', 'small'])).rejects.toThrow(/--threshold must be a number/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(tmp.path, 'out-bad'))).toBe(false);
  });

  it('the default layer to scale is the first Dense layer', async () => {
    const r = await run(editAndSave, [input, join(tmp.path, 'out-default')]);
    expect(r.result.edits['model_weights/dense/dense/kernel:0']).toEqual(['scale 0.8', 'prune <0.01']);
  });
});

describe('example 3 on the bundled TF2 checkpoint (no convolution)', () => {
  it('writes a .h5 named after the Keras layers and a checkpoint keeping the Adam slots', async () => {
    const out = join(tmp.path, 'out-iris');
    const { result, lines } = await run(editAndSave, [irisDir, out, '--threshold', '0.3']);
    expect(lines).toContain('no convolution in this model: step 3 skipped');
    const kernel0 = 'model/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE';
    const kernel1 = 'model/layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE';
    expect(result.edits).toEqual({ [kernel0]: ['scale 0.8', 'prune <0.3'], [kernel1]: ['prune <0.3'] });

    // Expected values, computed here from the input as float32 arithmetic does.
    const src = await open(irisDir);
    const edit = (v: number, scale: boolean) => { const s = scale ? Math.fround(v * 0.8) : v; return Math.abs(s) < 0.3 ? 0 : s; };
    const want = {
      'dense/kernel': Array.from(toFloat64(await src.read(kernel0)), (v) => edit(v, true)),
      'dense_1/kernel': Array.from(toFloat64(await src.read(kernel1)), (v) => edit(v, false)),
      'dense/bias': Array.from(toFloat64(await src.read('model/layer_with_weights-0/bias'))),
    };
    expect(want['dense/kernel'].filter((v) => v === 0).length).toBeGreaterThan(3);

    if (py) {
      const h5 = await h5Datasets(py, result.h5);
      expect(Object.keys(h5).sort()).toEqual(['dense/dense/bias:0', 'dense/dense/kernel:0', 'dense_1/dense_1/bias:0', 'dense_1/dense_1/kernel:0']);
      expect(h5['dense/dense/kernel:0']!.values).toEqual(want['dense/kernel']);
      expect(h5['dense_1/dense_1/kernel:0']!.values).toEqual(want['dense_1/kernel']);
      expect(h5['dense/dense/bias:0']!.values).toEqual(want['dense/bias']);
    }
    // Checkpoint → checkpoint keeps every variable, slots included; only the two kernels differ.
    const ck = await open(result.checkpoint);
    const variables = (f: typeof src) => f.list().filter((i) => i.role !== 'metadata').map((i) => i.key).sort();
    expect(variables(ck)).toEqual(variables(src));
    for (const info of src.list().filter((i) => i.dtype !== 'string')) {
      const got = Array.from(toFloat64(await ck.read(info.key)));
      const expected = info.key === kernel0 ? want['dense/kernel'] : info.key === kernel1 ? want['dense_1/kernel'] : Array.from(toFloat64(await src.read(info.key)));
      expect(got, info.key).toEqual(expected);
    }
    await ck.close();
    await src.close();
  });
});

// An edited checkpoint (`file.withValues(...)`) saved as a checkpoint keeps the object graph
// tf.train.Checkpoint.restore needs.
it('example 3 on the bundled checkpoint keeps its object graph', async () => {
  const out = join(tmp.path, 'out-iris-graph');
  const { result } = await run(editAndSave, [irisDir, out]);
  const ck = await open(result.checkpoint);
  try {
    expect(ck.metadata?.objectBased).toBe(true);
    expect(ck.list().some((i) => i.key === '_CHECKPOINTABLE_OBJECT_GRAPH')).toBe(true);
  } finally {
    await ck.close();
  }
});

describe.skipIf(!haveFixtures())('example 3 on the LeNet fixture (Keras 2.1.6 model.save)', () => {
  const input = () => fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5');
  let result: Awaited<ReturnType<typeof editAndSave>>;
  beforeAll(async () => {
    ({ result } = await run(editAndSave, [input(), join(tmp.path, 'out-lenet')]));
  });

  it('scales Dense_1, prunes every kernel and doubles Conv2D_1', () => {
    const k = (l: string) => `model_weights/${l}/${l}/kernel:0`;
    expect(result.edits).toEqual({
      [k('Dense_1')]: ['scale 0.8', 'prune <0.01'],
      [k('Conv2D_1')]: ['prune <0.01', 'double'],
      [k('Conv2D_2')]: ['prune <0.01'],
      [k('Dense_2')]: ['prune <0.01'],
      [k('Softmax')]: ['prune <0.01'],
    });
  });

  it.skipIf(!py)('h5py reads the intended edits, and every other dataset (optimizer state too) unchanged', async () => {
    const r = await checkEditedH5(py!, input(), result.h5, result.edits, 0.01);
    expect(r).toMatchObject({ edited: 5, same: 5 + 31 });
    expect(r.zeroed).toBeGreaterThan(1000);
  });

  it('the TF2 checkpoint has an object graph and the same values as the .h5', async () => {
    await expectCheckpointMatchesH5(result.checkpoint, result.h5);
  });
});
