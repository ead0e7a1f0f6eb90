import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { bytesOf, makeTensor, narrow16, toFloat64, type Tensor } from '@tfweights/core';
import { canonicalSha256, fixture, haveFixtures, seededRandom, tempDir } from '@tfweights/testkit';
import {
  createKerasH5Writer, openKeras, writeKerasArchive, writeKerasH5, writeKerasWeightsH5,
} from '../src/node/index.js';
import type { KerasModelWeights } from '../src/index.js';
import { h5dump, python } from './h5dump.js';

const tmp = tempDir('tfw-keras-');
afterAll(() => tmp.cleanup());
let n = 0;
const out = (name: string): string => join(tmp.path, `${n++}-${name}`);

function f32(key: string, shape: number[], seed: number): Tensor {
  const rnd = seededRandom(seed);
  const v = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd() * 2 - 1);
  return makeTensor(key, 'float32', shape, bytesOf(v));
}

const model: KerasModelWeights = {
  layers: [
    { name: 'input_1', className: 'InputLayer', weights: [] },
    { name: 'dense', className: 'Dense', weights: [{ name: 'kernel', tensor: f32('k', [3, 4], 1) }, { name: 'bias', tensor: f32('b', [4], 2) }] },
    { name: 'flatten', className: 'Flatten', weights: [] },
    {
      name: 'batch_normalization', className: 'BatchNormalization',
      weights: ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w, i) => ({ name: w, tensor: f32(w, [4], 10 + i) })),
    },
  ],
};

async function readAll(path: string): Promise<{ format: string; names: string[]; sha: Map<string, string>; layers: [string, number][] }> {
  const r = await openKeras(path);
  const sha = new Map<string, string>();
  for await (const t of r.tensors()) sha.set(t.name, `${t.dtype}${JSON.stringify(t.shape)}${canonicalSha256(t)}`);
  const res = { format: r.format, names: r.list().map((t) => t.name), sha, layers: (r.layers?.() ?? []).map((l) => [l.name, l.weights.length] as [string, number]) };
  await r.close();
  return res;
}

describe('legacy .h5 writer', () => {
  it('writes the save_weights layout that reads back with names, order and values', async () => {
    const p = out('w.h5');
    await writeKerasH5(p, model);
    const back = await readAll(p);
    expect(back.format).toBe('keras-h5');
    expect(back.layers).toEqual([['input_1', 0], ['dense', 2], ['flatten', 0], ['batch_normalization', 4]]);
    expect(back.names).toEqual(['dense/kernel', 'dense/bias', 'batch_normalization/gamma', 'batch_normalization/beta', 'batch_normalization/moving_mean', 'batch_normalization/moving_variance']);
    expect(back.sha.get('dense/kernel')).toBe(`float32[3,4]${canonicalSha256(model.layers[1]!.weights[0]!.tensor)}`);
  });

  it.skipIf(!python)('h5py sees the Keras 2 attribute layout and types', () => {
    const p = out('w.h5');
    return writeKerasH5(p, model).then(async () => {
      const d = await h5dump(p);
      expect(d.superblock).toBe(0);
      expect(d.objects['/']!.attrs).toEqual({
        backend: ['vlen-str-ascii', [], 'tensorflow'], keras_version: ['vlen-str-ascii', [], '2.13.1'],
        layer_names: ['S19-ascii-nullpad', [4], ['input_1', 'dense', 'flatten', 'batch_normalization']],
      });
      expect(d.objects.input_1!.attrs.weight_names).toEqual(['<f8', [0], []]);
      expect(d.objects.dense!.attrs.weight_names).toEqual(['S14-ascii-nullpad', [2], ['dense/kernel:0', 'dense/bias:0']]);
      expect(d.objects['dense/dense/kernel:0']).toMatchObject({ kind: 'dataset', dtype: '<f4', shape: [3, 4], contiguous: true });
    });
  });

  it('splits long name lists into layer_names0, layer_names1 … and reads them back', async () => {
    const many: KerasModelWeights = { layers: Array.from({ length: 3000 }, (_, i) => ({ name: `layer_with_a_long_name_${String(i).padStart(5, '0')}`, weights: [] })) };
    const p = out('many.h5');
    await writeKerasH5(p, many);
    const r = await openKeras(p);
    expect(r.layers().map((l) => l.name)).toEqual(many.layers.map((l) => l.name));
    await r.close();
    if (python) {
      const attrs = (await h5dump(p)).objects['/']!.attrs;
      expect(Object.keys(attrs).filter((k) => k.startsWith('layer_names')).sort()).toEqual(['layer_names0', 'layer_names1']);
      expect(attrs.layer_names0![1]).toEqual([1500]);
    }
  });

  it('stores float16/bfloat16 as exact float32 tagged with dtype, bool as int8, and reads them back', async () => {
    const h = narrow16([0.5, -2, 65504, 1 / 3], 'float16');
    const b = narrow16([1.5, -3, 1e30, 1 / 3], 'bfloat16');
    const m: KerasModelWeights = {
      layers: [{
        name: 'mixed', weights: [
          { name: 'h', tensor: makeTensor('h', 'float16', [4], bytesOf(h)) },
          { name: 'b', tensor: makeTensor('b', 'bfloat16', [2, 2], bytesOf(b)) },
          { name: 'flag', tensor: makeTensor('f', 'bool', [3], new Uint8Array([1, 0, 1])) },
          { name: 'step', tensor: makeTensor('s', 'int64', [], bytesOf(new BigInt64Array([123456789012n]))) },
        ],
      }],
    };
    const p = out('mixed.h5');
    await writeKerasH5(p, m);
    const r = await openKeras(p);
    const byName = new Map(r.list().map((t) => [t.name, t]));
    expect(byName.get('mixed/h')?.dtype).toBe('float16');
    expect(byName.get('mixed/b')?.dtype).toBe('bfloat16');
    expect((await r.read('mixed/h')).data).toEqual(bytesOf(h));
    expect((await r.read('mixed/b')).data).toEqual(bytesOf(b));
    expect(Array.from((await r.read('mixed/flag')).data)).toEqual([1, 0, 1]);
    expect(toFloat64(await r.read('mixed/step'))[0]).toBe(123456789012);
    await r.close();
  });

  it('writes and reads a dataset larger than one wasm-heap slab', async () => {
    const big = f32('big', [3000, 3000], 7); // 36 MB > 32 MiB slabs
    const p = out('big.h5');
    await writeKerasH5(p, { layers: [{ name: 'big', weights: [{ name: 'kernel', tensor: big }] }] });
    const r = await openKeras(p);
    expect(canonicalSha256(await r.read('big/kernel'))).toBe(canonicalSha256(big));
    await r.close();
    // Another process's libhdf5 must see a finished file (no dataset left open inside h5wasm).
    if (python) {
      const { createHash } = await import('node:crypto');
      expect((await h5dump(p)).objects['big/big/kernel:0']).toMatchObject({ dtype: '<f4', shape: [3000, 3000], sha: createHash('sha256').update(big.data).digest('hex') });
    }
  }, 30_000);

  it('never replaces an existing file unless asked, and refuses to write over an input', async () => {
    const p = out('exists.h5');
    await writeKerasH5(p, model);
    await expect(writeKerasH5(p, model)).rejects.toThrow(/already exists/);
    await writeKerasH5(p, model, { overwrite: true });
    await expect(writeKerasH5(p, model, { overwrite: true, inputs: [p] })).rejects.toThrow(/same path as an input/);
  });

  it('TensorWriter adapter groups tensors by layer from their names', async () => {
    const p = out('adapter.h5');
    const w = createKerasH5Writer(p);
    await w.write({ ...f32('x', [2, 2], 3), name: 'conv/kernel' });
    await w.write({ ...f32('y', [2], 4), name: 'conv/bias' });
    await w.write({ ...f32('z', [2], 5), name: 'head/bias' });
    await w.finish();
    const back = await readAll(p);
    expect(back.layers).toEqual([['conv', 2], ['head', 1]]);
  });
});

describe('Keras 3 writers', () => {
  it('writes .weights.h5 with class-derived keys and vars name attributes', async () => {
    const p = out('m.weights.h5');
    await writeKerasWeightsH5(p, { layers: model.layers.slice(1), optimizer: [{ name: 'iteration', tensor: makeTensor('i', 'int64', [], bytesOf(new BigInt64Array([7n]))) }] });
    const r = await openKeras(p);
    expect(r.format).toBe('keras3');
    // No config: HDF5 keeps no creation order, so layers come back sorted by key.
    expect(r.list().map((t) => t.key)).toEqual([
      'layers/batch_normalization/vars/0', 'layers/batch_normalization/vars/1', 'layers/batch_normalization/vars/2',
      'layers/batch_normalization/vars/3', 'layers/dense/vars/0', 'layers/dense/vars/1', 'optimizer/vars/0']);
    expect(r.layers().map((l) => l.name)).toEqual(['batch_normalization', 'dense', 'flatten']);
    await r.close();
    if (python) {
      const d = await h5dump(p);
      expect(Object.keys(d.objects['/']!.attrs)).toEqual([]);
      expect(d.objects.vars!.attrs.name).toEqual(['vlen-str-utf8', [], 'sequential']);
      expect(d.objects['layers/dense/vars']!.attrs.name).toEqual(['vlen-str-utf8', [], 'dense']);
      expect(d.objects['optimizer/vars/0']).toMatchObject({ dtype: '<i8', shape: [] });
    }
  });

  it('writes a .keras archive (stored members in Keras order) that reads back with config names', async () => {
    const p = out('m.keras');
    const config = { class_name: 'Sequential', config: { name: 'sequential', layers: model.layers.map((l) => ({ class_name: l.className, config: { name: l.name } })) } };
    await writeKerasArchive(p, model, { config });
    const r = await openKeras(p);
    expect(r.format).toBe('keras3');
    expect(r.list().map((t) => t.name).slice(0, 3)).toEqual(['dense/kernel', 'dense/bias', 'batch_normalization/gamma']);
    expect(r.metadata.keras_version).toBe('3.10.0');
    await r.close();
    if (python) {
      const { runPython } = await import('@tfweights/testkit');
      const info = await runPython(python, 'import zipfile,sys,json; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps([[i.filename,i.compress_type] for i in z.infolist()]))', [p]);
      expect(JSON.parse(info)).toEqual([['metadata.json', 0], ['config.json', 0], ['model.weights.h5', 0]]);
    }
  });
});

describe('clear errors for files that are not what their name says', () => {
  const write = (name: string, data: string | Uint8Array): string => {
    const p = out(name);
    writeFileSync(p, data);
    return p;
  };
  it('Git LFS pointer named model.h5', async () => {
    const p = write('model.h5', 'version https://git-lfs.github.com/spec/v1\noid sha256:4964fb55a82f370f\nsize 575480\n');
    await expect(openKeras(p)).rejects.toThrow(/Git LFS pointer/);
  });
  it('HTML page saved as .h5', async () => {
    const p = write('page.h5', '<!DOCTYPE html><html><body>Sign in</body></html>');
    await expect(openKeras(p)).rejects.toThrow(/HTML/);
  });
  it('truncated HDF5 file', async () => {
    const src = out('full.h5');
    await writeKerasH5(src, model);
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(src);
    const p = write('cut.h5', bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(openKeras(p)).rejects.toThrow(/truncated/);
  });
  it('.keras zip renamed .h5', async () => {
    const src = out('real.keras');
    await writeKerasArchive(src, model);
    const { readFileSync } = await import('node:fs');
    const p = write('renamed.h5', readFileSync(src));
    const { openKerasH5 } = await import('../src/node/index.js');
    await expect(openKerasH5(p)).rejects.toThrow(/zip archive \(looks like a Keras 3 \.keras file\)/);
    // openKeras goes by content and reads it anyway.
    const r = await openKeras(p);
    expect(r.format).toBe('keras3');
    await r.close();
  });
});

describe.skipIf(!haveFixtures())('round trips of real files (read → write → read with h5py)', () => {
  async function modelOf(path: string): Promise<{ model: KerasModelWeights; meta: Readonly<Record<string, unknown>> }> {
    const r = await openKeras(path);
    const layers = [];
    for (const l of r.layers()) {
      const weights = [];
      for (const k of l.weights) {
        const t = await r.read(k);
        weights.push({ name: t.name, tensor: t });
      }
      layers.push({ name: l.name, ...(l.className ? { className: l.className } : {}), weights });
    }
    const optimizer = [];
    for (const t of r.list().filter((x) => x.role === 'optimizer')) optimizer.push({ name: t.name.replace(/^optimizer\//, ''), tensor: await r.read(t.key) });
    const meta = r.metadata;
    await r.close();
    return { model: { layers, ...(optimizer.length ? { optimizer } : {}) }, meta };
  }

  function shape(d: Awaited<ReturnType<typeof h5dump>>, dropValues: string[] = []): unknown {
    return Object.fromEntries(Object.entries(d.objects).map(([k, v]) => [k, {
      ...v, attrs: Object.fromEntries(Object.entries(v.attrs).map(([a, x]) => [a, dropValues.includes(a) ? [x[0], x[1]] : x])),
    }]));
  }

  it.skipIf(!python)('save_weights file (Keras 2.0.0): same groups, attributes, types and values', async () => {
    const src = fixture('keras-h5/hls4ml-3layer-pair', 'KERAS_3layer_weights.h5');
    const { model: m, meta } = await modelOf(src);
    const p = out('hls.h5');
    await writeKerasH5(p, m, { kerasVersion: meta.keras_version as string, backend: meta.backend as string });
    expect(shape(await h5dump(p))).toEqual(shape(await h5dump(src)));
  });

  it.skipIf(!python)('model.save file (Keras 2.1.6) with model_config, training_config and optimizer', async () => {
    const src = fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5');
    const { model: m, meta } = await modelOf(src);
    const p = out('mnist.h5');
    await writeKerasH5(p, m, { kerasVersion: meta.keras_version as string, modelConfig: meta.model_config, trainingConfig: meta.training_config });
    expect(shape(await h5dump(p))).toEqual(shape(await h5dump(src)));
    const a = await readAll(src);
    const b = await readAll(p);
    expect(b.names).toEqual(a.names);
    expect(b.sha).toEqual(a.sha);
  });

  it.skipIf(!python)('Keras 3 .weights.h5: same layout and values', async () => {
    const src = fixture('keras3/diabetes-weights-h5', 'model.weights.h5');
    const { model: m } = await modelOf(src);
    const p = out('diabetes.weights.h5');
    await writeKerasWeightsH5(p, m);
    const a = await h5dump(src);
    const b = await h5dump(p);
    expect(shape(b)).toEqual(shape(a));
  });

  it('.keras: config.json and metadata.json carried over; values kept', async () => {
    const src = fixture('keras3/student-adam', 'model.keras');
    const { model: m, meta } = await modelOf(src);
    const p = out('student.keras');
    await writeKerasArchive(p, m, { config: meta.model_config, metadata: meta.metadata_json });
    const a = await readAll(src);
    const b = await readAll(p);
    expect(b.names).toEqual(a.names);
    expect(b.sha).toEqual(a.sha);
    const r = await openKeras(p);
    expect(r.metadata.metadata_json).toEqual(meta.metadata_json);
    expect(r.metadata.model_config).toEqual(meta.model_config);
    await r.close();
  });
});
