import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesOf, makeTensor, mapValues, TensorNotFoundError, typedValues, type Tensor } from '@tfweights/core';
import { writeCheckpoint } from '@tfweights/checkpoint/node';
import { writeKerasH5 } from '@tfweights/keras/node';
import { tempDir } from '@tfweights/testkit';
import { open, save, TensorSet } from '../src/node.js';

const dir = tempDir('tfw-api-');
afterAll(dir.cleanup);

const f32 = (key: string, shape: number[], values: number[]): Tensor => makeTensor(key, 'float32', shape, bytesOf(Float32Array.from(values)));
const values = (t: Tensor) => Array.from(typedValues(t) as Float32Array);

describe('open / save / WeightsFile', () => {
  it('opens by content, lists layers, reads by readable name, edits and saves lazily', async () => {
    const src = join(dir.path, 'm.h5');
    await writeKerasH5(src, {
      layers: [
        { name: 'dense', className: 'Dense', weights: [{ name: 'kernel', tensor: f32('k', [2, 2], [1, 2, 3, 4]) }, { name: 'bias', tensor: f32('b', [2], [0.5, -0.5]) }] },
        // a nested model: its weights are named by the inner layers' paths
        { name: 'encoder', weights: [{ name: 'inner/kernel', tensor: f32('ik', [2, 1], [7, 8]) }] },
      ],
    });
    const model = await open(src);
    expect(model.format).toBe('keras-h5');
    expect(model.layers().map((l) => l.name)).toEqual(['dense', 'encoder']);
    expect(values(await model.read('dense/kernel'))).toEqual([1, 2, 3, 4]);
    expect((await model.readLayer('dense')).map((t) => t.shape)).toEqual([[2, 2], [2]]);
    // a layer inside the nested model, by path
    expect((await model.readLayer('encoder/inner')).map(values)).toEqual([[7, 8]]);
    expect(() => model.layer('densse')).toThrow(TensorNotFoundError);

    const kernel = await model.read('dense/kernel');
    const edited = model.withValues([mapValues(kernel, (v) => v * 0.5)]);
    const out = join(dir.path, 'edited.h5');
    await save(edited, out);
    await model.close();
    const back = await open(out);
    expect(values(await back.read('dense/kernel'))).toEqual([0.5, 1, 1.5, 2]);
    expect(values(await back.read('dense/bias'))).toEqual([0.5, -0.5]); // untouched, read lazily from the source
    await back.close();
    await expect(save(new TensorSet([kernel]), out)).rejects.toThrow(/already exists/);
  });

  it('refuses a replacement of another shape unless asked', async () => {
    const p = join(dir.path, 'a.npz');
    await save([f32('a', [2], [1, 2])], p);
    const file = await open(p);
    expect(() => file.withValues([f32('a', [3], [1, 2, 3])])).toThrow(/float32 \[3\], the file has float32 \[2\]/);
    await file.close();
  });

  it('opens bytes of single-file formats and names what it cannot open', async () => {
    const p = join(dir.path, 'b.npz');
    await save([f32('w', [1], [3])], p);
    const { readFileSync } = await import('node:fs');
    const bytes = await open(new Uint8Array(readFileSync(p)));
    expect(bytes.format).toBe('npz');
    await bytes.close();
    await expect(open(new TextEncoder().encode('<!DOCTYPE html><html>'))).rejects.toThrow(/HTML/);
  });
});

describe('checkpoint → Keras naming and order', () => {
  it('puts kernel before bias, names layers from full names, leaves out what Keras cannot hold', async () => {
    const prefix = join(dir.path, 'tf1', 'model.ckpt');
    // TF1 Saver layout: keys in byte order, so `bias` comes before `kernel`
    await writeCheckpoint(prefix, [
      f32('dense/bias', [2], [0.1, 0.2]),
      f32('dense/kernel', [3, 2], [1, 2, 3, 4, 5, 6]),
      f32('dense/kernel/Adam', [3, 2], [0, 0, 0, 0, 0, 0]),
      makeTensor('global_step', 'int64', [], bytesOf(BigInt64Array.of(7n))),
    ]);
    const log: string[] = [];
    const out = join(dir.path, 'tf1.h5');
    const ckpt = await open(prefix);
    const result = await save(ckpt, out, { log: (l) => log.push(l) });
    await ckpt.close();
    expect(result.written.map((w) => w.source.key).sort()).toEqual(['dense/bias', 'dense/kernel']);
    expect(log.join('\n')).toMatch(/left out 1 tensor\(s\): a Keras file has no place for TensorFlow bookkeeping/);
    expect(log.join('\n')).toMatch(/optimizer state of a checkpoint file cannot be mapped/);
    const h5 = await open(out);
    expect(h5.layers()).toEqual([expect.objectContaining({ name: 'dense', weights: ['dense/dense/kernel:0', 'dense/dense/bias:0'] })]);
    await h5.close();
  });
});

describe('finding tensors', () => {
  it('finds a TF2 checkpoint variable by its full_name', async () => {
    const { buildObjectGraph } = await import('@tfweights/checkpoint');
    const { graph, keys } = buildObjectGraph([{ path: 'model/layer_with_weights-0/kernel', fullName: 'dense/kernel' }]);
    const prefix = join(dir.path, 'tf2', 'ckpt');
    await writeCheckpoint(prefix, [f32(keys[0]!, [2], [3, 4])], { objectGraph: graph });
    const file = await open(prefix);
    expect(values(await file.read('dense/kernel'))).toEqual([3, 4]);
    expect(file.info('dense/kernel').name).toBe('model/layer_with_weights-0/kernel');
    await file.close();
  });
});

describe('fixes found by the examples', () => {
  async function tf2Checkpoint(prefix: string) {
    const { buildObjectGraph } = await import('@tfweights/checkpoint');
    const vars = [
      { path: 'model/layer_with_weights-0/kernel', fullName: 'dense/kernel' },
      { path: 'model/layer_with_weights-0/bias', fullName: 'dense/bias' },
    ];
    const { graph, keys } = buildObjectGraph(vars);
    await writeCheckpoint(prefix, [f32(keys[0]!, [2, 1], [1, 2]), f32(keys[1]!, [1], [0.5])], { objectGraph: graph });
    return keys;
  }

  it('an edited TF2 checkpoint saved as a checkpoint keeps its keys and object graph', async () => {
    const prefix = join(dir.path, 'edit', 'ckpt');
    const keys = await tf2Checkpoint(prefix);
    const file = await open(prefix);
    const k = await file.read('dense/kernel');
    const out = join(dir.path, 'edit-out', 'ckpt');
    await save(file.withValues([mapValues(k, (v) => -v)]), out, { format: 'checkpoint' });
    await file.close();
    const back = await open(out);
    expect(back.list().map((i) => i.key).sort()).toEqual(['_CHECKPOINTABLE_OBJECT_GRAPH', ...keys].sort());
    expect(values(await back.read('dense/kernel'))).toEqual([-1, -2]);
    // layers of a checkpoint: weights only, kernel before bias (creation order), no slots or graph
    expect(back.layers()).toEqual([{ name: 'model/layer_with_weights-0', weights: [keys[0], keys[1]] }]);
    await back.close();
  });

  it('an edited TF2 checkpoint saved without its graph tensor still gets an object graph (TF2 style)', async () => {
    const prefix = join(dir.path, 'edit2', 'ckpt');
    await tf2Checkpoint(prefix);
    const file = await open(prefix);
    const out = join(dir.path, 'edit2-out', 'ckpt');
    // the exclude drops the copied graph tensor, so the writer must know the input is object-based
    await save(file.withValues([mapValues(await file.read('dense/bias'), () => 1)]), out, { format: 'checkpoint', exclude: ['_CHECKPOINTABLE_OBJECT_GRAPH'] });
    await file.close();
    const back = await open(out);
    expect(back.list().some((i) => i.key === '_CHECKPOINTABLE_OBJECT_GRAPH')).toBe(true);
    expect(values(await back.read('dense/bias'))).toEqual([1]);
    await back.close();
  });

  it('a nested Keras model becomes nested layer_with_weights paths in a tf.keras 2 layout TF2 checkpoint', async () => {
    const src = join(dir.path, 'nested.h5');
    await writeKerasH5(src, {
      layers: [
        { name: 'encoder', weights: [
          { name: 'dense_a/kernel', tensor: f32('a', [1, 1], [1]) }, { name: 'dense_b/kernel', tensor: f32('b', [1, 1], [2]) },
        ] },
        { name: 'head', weights: [{ name: 'kernel', tensor: f32('c', [1, 1], [3]) }] },
      ],
    });
    const file = await open(src);
    const out = join(dir.path, 'nested-ckpt', 'ckpt');
    // Keras 3's layout (the default) is derived from a model config, which this file lacks.
    await expect(save(file, out, { format: 'checkpoint' })).rejects.toThrow(/model config.*--keras-layout tf-keras-2/);
    await save(file, out, { format: 'checkpoint', extra: { kerasLayout: 'tf-keras-2' } });
    await file.close();
    const back = await open(out);
    expect(back.list().map((i) => i.key).filter((k) => !k.startsWith('_')).sort()).toEqual([
      'layer_with_weights-0/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-0/layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE',
    ]);
    await back.close();
  });

  it('takes a Keras model JSON as template for a .keras output (config.json carried over)', async () => {
    const prefix = join(dir.path, 'cfg', 'ckpt');
    await tf2Checkpoint(prefix);
    const config = {
      module: 'keras', class_name: 'Sequential', config: { name: 's', layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 2], name: 'input_layer' } },
        { module: 'keras.layers', class_name: 'Dense', config: { name: 'dense', units: 1 } },
      ] }, build_config: { input_shape: [null, 2] },
    };
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(join(dir.path, 'cfg', 'model.json'), JSON.stringify(config));
    const out = join(dir.path, 'cfg', 'model.keras');
    const file = await open(prefix);
    await save(file, out, { template: join(dir.path, 'cfg', 'model.json') });
    await file.close();
    const back = await open(out);
    expect(back.metadata?.model_config).toEqual(config);
    expect(values(await back.read('dense/kernel'))).toEqual([1, 2]);
    expect(readFileSync(out).includes(Buffer.from('"class_name": "Sequential"')) || readFileSync(out).includes(Buffer.from('"class_name":"Sequential"'))).toBe(true);
    await back.close();
  });
});

describe('dropOptimizer', () => {
  it('leaves out optimizer state and bookkeeping even where the output could hold them', async () => {
    const { buildObjectGraph } = await import('@tfweights/checkpoint');
    const { graph, keys, slotKeys } = buildObjectGraph(
      [{ path: 'model/dense/kernel', fullName: 'dense/kernel' }, { path: 'save_counter' }],
      { slots: [{ variable: 'model/dense/kernel', optimizer: 'optimizer', slotName: 'm' }] },
    );
    const prefix = join(dir.path, 'drop', 'ckpt-1');
    await writeCheckpoint(prefix, [
      f32(keys[0]!, [1], [1]), makeTensor(keys[1]!, 'int64', [], bytesOf(BigInt64Array.of(1n))), f32(slotKeys[0]!, [1], [0]),
    ], { objectGraph: graph });
    const file = await open(prefix);
    const all = join(dir.path, 'drop', 'all.npz');
    const some = join(dir.path, 'drop', 'weights.npz');
    await save(file, all);
    await save(file, some, { dropOptimizer: true });
    await file.close();
    const [a, w] = [await open(all), await open(some)];
    expect(a.list()).toHaveLength(3);
    expect(w.list().map((i) => i.key)).toEqual(['model/dense/kernel']);
    await a.close();
    await w.close();
  });
});
