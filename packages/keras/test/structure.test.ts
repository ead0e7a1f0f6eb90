/**
 * Keras 3 structure through reader and writers without Python: layer group keys, variable
 * paths inside wrappers and nested models, legacy weight order, config given to openKeras,
 * bfloat16 stored as opaque 2-byte data.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesOf, isTfwError, makeTensor, narrow16, type Tensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { createKerasWeightsH5Writer, openKeras, writeKerasH5, writeKerasWeightsH5 } from '../src/node/index.js';
import { naturalCompare, type KerasLayer, type KerasModelWeights } from '../src/index.js';
import { h5dump, python } from './h5dump.js';

const tmp = tempDir('tfw-keras-structure-');
afterAll(() => tmp.cleanup());
let n = 0;
const out = (name: string): string => join(tmp.path, `${n++}-${name}`);

let seed = 1;
function f32(shape: number[]): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  const base = seed++ * 1000;
  return makeTensor(`t${base}`, 'float32', shape, bytesOf(Float32Array.from({ length: count }, (_, i) => base + i)));
}

/** A Bidirectional(LSTM(2)) on 3 features, laid out as Keras 3 saves it. */
function bidirectional(): KerasLayer {
  const cell = (dir: string): KerasLayer['weights'] => [[3, 8], [2, 8], [8]].map((shape, i) => ({
    name: `${dir}_lstm/lstm_cell/${['kernel', 'recurrent_kernel', 'bias'][i]}`, tensor: f32(shape), path: `${dir}_layer/cell/vars/${i}`,
  }));
  // backward first on purpose: the file must not depend on the order given here.
  return { name: 'bidirectional', className: 'Bidirectional', key: 'layers/bidirectional', weights: [...cell('backward'), ...cell('forward')] };
}

const lstm = (units: number) => ({ class_name: 'LSTM', config: { name: 'lstm', units } });
const config = {
  class_name: 'Sequential',
  config: {
    name: 'sequential',
    layers: [
      { class_name: 'InputLayer', config: { name: 'input_layer' } },
      { class_name: 'Bidirectional', config: { name: 'bidirectional', layer: lstm(2) } },
      {
        class_name: 'Sequential', config: {
          name: 'block', layers: [
            { class_name: 'InputLayer', config: { name: 'block_input' } },
            { class_name: 'Dense', config: { name: 'd0' } },
            { class_name: 'BatchNormalization', config: { name: 'bn' } },
            ...Array.from({ length: 10 }, (_, i) => ({ class_name: 'Dense', config: { name: `d${i + 1}` } })),
          ],
        },
      },
    ],
  },
};

/** A nested Sequential `block`: Dense, BatchNormalization, then 10 more Dense (keys dense … dense_10). */
function block(): KerasLayer {
  const weights: { name: string; tensor: Tensor; path: string }[] = [];
  for (let i = 0; i < 11; i++) {
    const key = i === 0 ? 'dense' : `dense_${i}`;
    weights.push({ name: `d${i}/kernel`, tensor: f32([2, 2]), path: `layers/${key}/vars/0` }, { name: `d${i}/bias`, tensor: f32([2]), path: `layers/${key}/vars/1` });
  }
  ['gamma', 'beta', 'moving_mean', 'moving_variance'].forEach((v, i) => weights.push({ name: `bn/${v}`, tensor: f32([2]), path: `layers/batch_normalization/vars/${i}` }));
  return { name: 'block', className: 'Sequential', key: 'layers/sequential', weights };
}

describe('Keras 3 structure: group keys and variable paths', () => {
  it('writes variables at their paths and reads them back in Keras order with config names', async () => {
    const p = out('structure.weights.h5');
    const model: KerasModelWeights = { layers: [bidirectional(), block()] };
    await writeKerasWeightsH5(p, model);
    const cfgPath = out('model.json');
    writeFileSync(cfgPath, JSON.stringify(config));
    const r = await openKeras(p, { config: cfgPath });
    try {
      expect(r.metadata.layer_order).toBe('config');
      const [bi, blk] = r.layers(); // Sequential.layers leaves the InputLayer out
      expect(bi).toMatchObject({ name: 'bidirectional', className: 'Bidirectional', key: 'layers/bidirectional' });
      const byKey = new Map(r.list().map((t) => [t.key, t]));
      // forward_layer before backward_layer, whatever the path order.
      expect(bi!.weights.map((k) => byKey.get(k)!.name)).toEqual(['forward', 'backward'].flatMap((d) => ['kernel', 'recurrent_kernel', 'bias'].map((v) => `bidirectional/${d}_lstm/lstm_cell/${v}`)));
      // Config order (dense_2 before dense_10), and Keras's legacy order: trainable weights, then
      // the BatchNormalization statistics.
      const names = blk!.weights.map((k) => byKey.get(k)!.name);
      expect(names).toEqual([
        'block/d0/kernel', 'block/d0/bias', 'block/bn/gamma', 'block/bn/beta',
        ...Array.from({ length: 10 }, (_, i) => [`block/d${i + 1}/kernel`, `block/d${i + 1}/bias`]).flat(),
        'block/bn/moving_mean', 'block/bn/moving_variance',
      ]);
      // Tensors say which layer group they came from (varsName too when the file names the object).
      expect(byKey.get('layers/sequential/layers/dense_10/vars/0')?.attrs).toEqual({ layerKey: 'layers/sequential' });
      expect(byKey.get('layers/bidirectional/vars/0')).toBeUndefined();
      // Values sit where they were put.
      const fwdKernel = model.layers[0]!.weights[3]!.tensor;
      expect((await r.read('bidirectional/forward_lstm/lstm_cell/kernel')).data).toEqual(fwdKernel.data);
    } finally {
      await r.close();
    }
  });

  it('reader → TensorWriter adapter (flat tensors) → .weights.h5 reproduces the groups; legacy .h5 gets Keras-like names', async () => {
    const src = out('src.weights.h5');
    await writeKerasWeightsH5(src, { layers: [bidirectional(), { name: 'hidden', className: 'Dense', key: 'layers/dense', weights: [{ name: 'kernel', tensor: f32([2, 1]) }] }] });
    const r = await openKeras(src, { config });
    const copy = out('copy.weights.h5');
    const w = createKerasWeightsH5Writer(copy);
    for await (const t of r.tensors()) await w.write(t);
    await w.finish();
    const legacy = out('copy.h5');
    await writeKerasH5(legacy, {
      layers: await Promise.all(r.layers().map(async (l) => ({ name: l.name, weights: await Promise.all(l.weights.map(async (k) => ({ name: (await r.read(k)).name, tensor: await r.read(k) }))) }))),
    });
    await r.close();
    const a = await openKeras(src);
    const b = await openKeras(copy);
    try {
      expect(b.list().map((t) => t.key).sort()).toEqual(a.list().map((t) => t.key).sort());
      for (const t of a.list()) expect((await b.read(t.key)).data).toEqual((await a.read(t.key)).data);
      // Without a config: the layer's name from the vars `name` attribute, its group as key.
      expect(b.layers().map((l) => [l.name, l.key])).toEqual([['bidirectional', 'layers/bidirectional'], ['hidden', 'layers/dense']]);
      expect(b.metadata.layer_order).toBe('keys');
    } finally {
      await a.close();
      await b.close();
    }
    const l = await openKeras(legacy);
    try {
      expect(l.list().map((t) => t.key).slice(0, 2)).toEqual([
        'bidirectional/bidirectional/forward_lstm/lstm_cell/kernel:0', 'bidirectional/bidirectional/forward_lstm/lstm_cell/recurrent_kernel:0']);
    } finally {
      await l.close();
    }
  });

  it('refuses bad keys and paths with InvalidArgument', async () => {
    const t = f32([1]);
    const bad: [string, KerasLayer[]][] = [
      ['invalid group key', [{ name: 'a', key: '/layers//a', weights: [] }]],
      ['both be written to group', [{ name: 'a', key: 'layers/x', weights: [] }, { name: 'b', key: 'layers/x', weights: [] }]],
      ['does not end in vars', [{ name: 'a', weights: [{ name: 'w', tensor: t, path: 'cell/kernel' }] }]],
      ['two variables at', [{ name: 'a', weights: [{ name: 'w', tensor: t, path: 'vars/1' }, { name: 'v', tensor: t }] }]],
    ];
    for (const [msg, layers] of bad) {
      const err = await writeKerasWeightsH5(out('bad.weights.h5'), { layers }).catch((e: unknown) => e);
      expect(isTfwError(err) && err.code, msg).toBe('InvalidArgument');
      expect(String(err), msg).toContain(msg);
    }
  });

  it('orders digit runs as numbers', () => {
    expect(['layers/dense_10', 'layers/dense_2', 'layers/dense', 'layers/conv1d', 'layers/dense_1'].sort(naturalCompare))
      .toEqual(['layers/conv1d', 'layers/dense', 'layers/dense_1', 'layers/dense_2', 'layers/dense_10']);
    expect(['vars/10', 'vars/9', 'vars/0'].sort(naturalCompare)).toEqual(['vars/0', 'vars/9', 'vars/10']);
  });
});

describe('openKeras config option', () => {
  it('takes a path, JSON text, an object or a tfjs model.json; says what is wrong otherwise', async () => {
    const p = out('two.weights.h5');
    // Keys sort as conv1d < dense; the model order is dense, conv1d.
    await writeKerasWeightsH5(p, { layers: [{ name: 'a', className: 'Dense', weights: [{ name: 'kernel', tensor: f32([1]) }] }, { name: 'b', className: 'Conv1D', weights: [{ name: 'kernel', tensor: f32([1]) }] }] });
    const cfg = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'a' } }, { class_name: 'Conv1D', config: { name: 'b' } }] } };
    const tfjs = out('model.json');
    writeFileSync(tfjs, JSON.stringify({ format: 'layers-model', modelTopology: { keras_version: '3.15.1', model_config: cfg }, weightsManifest: [] }));
    const orders: string[][] = [];
    for (const config of [undefined, cfg, JSON.stringify(cfg), tfjs]) {
      const r = await openKeras(p, config === undefined ? {} : { config });
      orders.push(r.layers().map((l) => l.name));
      await r.close();
    }
    expect(orders).toEqual([['b', 'a'], ['a', 'b'], ['a', 'b'], ['a', 'b']]);
    const bad = out('bad.json');
    writeFileSync(bad, '{"class_name": ');
    await expect(openKeras(p, { config: bad })).rejects.toThrow(/not valid JSON/);
    await expect(openKeras(p, { config: out('missing.json') })).rejects.toThrow(/cannot read the model config/);
  });
});

describe('bfloat16 in Keras 3 files', () => {
  it('is stored as opaque 2-byte data tagged dtype="bfloat16" (as Keras writes it) and reads back bit-exactly', async () => {
    const bits = narrow16([1.5, -3, 1e30, 1 / 3, 2, 7, 0, -0.125], 'bfloat16');
    const small = makeTensor('b', 'bfloat16', [2, 4], bytesOf(bits));
    const many = makeTensor('m', 'bfloat16', [3], bytesOf(narrow16([1, 2, 3], 'bfloat16')));
    const p = out('bf.weights.h5');
    await writeKerasWeightsH5(p, {
      layers: [{ name: 'brain', className: 'Dense', weights: [{ name: 'kernel', tensor: small }, { name: 'bias', tensor: f32([4]) }] }],
      optimizer: [{ name: 'm', tensor: many }],
    });
    const r = await openKeras(p);
    try {
      const k = await r.read('layers/dense/vars/0');
      expect(k.dtype).toBe('bfloat16');
      expect(k.data).toEqual(small.data);
      expect((await r.read('optimizer/vars/0')).data).toEqual(many.data);
      expect((await r.read('layers/dense/vars/1')).dtype).toBe('float32');
    } finally {
      await r.close();
    }
    if (python) {
      const d = await h5dump(p);
      expect(d.objects['layers/dense/vars/0']).toMatchObject({ dtype: '|V2', shape: [2, 4], attrs: { dtype: ['vlen-str-utf8', [], 'bfloat16'] } });
      expect(d.objects['optimizer/vars/0']).toMatchObject({ dtype: '|V2', shape: [3] });
      expect(d.objects['layers/dense/vars/1']).toMatchObject({ dtype: '<f4' });
    }
  });
});
