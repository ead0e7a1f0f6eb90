import { describe, expect, it } from 'vitest';
import { canonicalSha256, fixture, fixtureFolders, haveFixtures, headValues, loadTruth } from '@tfweights/testkit';
import { openKeras } from '../src/node/index.js';
import * as core from '@tfweights/core';

describe.skipIf(!haveFixtures())('real Keras fixtures match truth.json', () => {
  const folders = [...fixtureFolders('keras-h5'), ...fixtureFolders('keras3')];
  for (const folder of folders) {
    for (const truth of haveFixtures() ? loadTruth(folder) : []) {
      it(`${folder}/${truth.input}`, async () => {
        const r = await openKeras(fixture(folder, truth.input));
        try {
          expect(r.format).toBe(truth.format);
          const listed = [...r.list()].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
          expect(listed.map((t) => t.key)).toEqual(truth.tensors.map((t) => t.key));
          for (const want of truth.tensors) {
            const t = await r.read(want.key);
            expect({ key: t.key, dtype: t.dtype, shape: t.shape }).toEqual({ key: want.key, dtype: want.dtype, shape: want.shape });
            expect(canonicalSha256(t)).toBe(want.sha256);
            expect(headValues(t)).toEqual(want.head);
          }
        } finally {
          await r.close();
        }
      });
    }
  }
});

async function values(path: string): Promise<Map<string, string>> {
  const r = await openKeras(path);
  const out = new Map<string, string>();
  for await (const t of r.tensors()) if (t.role !== 'optimizer') out.set(t.name, canonicalSha256(t));
  await r.close();
  return out;
}

describe.skipIf(!haveFixtures())('[pair] fixtures report equal values', () => {
  it('hls4ml full model (Keras 2.3.1) vs save_weights (Keras 2.0.0)', async () => {
    const a = await values(fixture('keras-h5/hls4ml-3layer-pair', 'keras_3layer.h5'));
    const b = await values(fixture('keras-h5/hls4ml-3layer-pair', 'KERAS_3layer_weights.h5'));
    expect(a.size).toBe(8);
    expect(a).toEqual(b);
  });
  it('tensorspace mnist.h5 (Keras 2.1.6) vs weights.h5 (Keras 2.2.2)', async () => {
    const a = await values(fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5'));
    const b = await values(fixture('keras-h5/tensorspace-lenet-weights', 'weights.h5'));
    expect(b.size).toBe(10);
    expect(a).toEqual(b);
  });
});

describe.skipIf(!haveFixtures())('layer view, names and metadata', () => {
  it('legacy whole-model file: layers in model order with classes, optimizer role', async () => {
    const r = await openKeras(fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5'));
    const layers = r.layers();
    expect(layers.map((l) => l.name)).toEqual(['input_1', 'reshape_1', 'Conv2D_1', 'MaxPooling2D_1', 'Conv2D_2', 'MaxPooling2D_2', 'flatten_1', 'Dense_1', 'Dense_2', 'Softmax']);
    expect(layers[2]).toMatchObject({ className: 'Conv2D', weights: ['model_weights/Conv2D_1/Conv2D_1/kernel:0', 'model_weights/Conv2D_1/Conv2D_1/bias:0'] });
    const k = r.list().find((t) => t.name === 'Conv2D_1/kernel');
    expect(k?.shape).toEqual([5, 5, 1, 6]);
    const opt = r.list().filter((t) => t.role === 'optimizer');
    expect(opt).toHaveLength(31);
    expect(opt[0]).toMatchObject({ key: 'optimizer_weights/Adam/iterations:0', dtype: 'int64', shape: [] });
    expect(r.metadata).toMatchObject({ keras_version: '2.1.6', backend: 'tensorflow' });
    expect((r.metadata.model_config as { class_name: string }).class_name).toBe('Sequential');
    expect(r.metadata.training_config).toBeTypeOf('object');
    // read by readable name
    const byName = await r.read('Softmax/bias');
    expect(Array.from(core.toFloat64(byName).slice(0, 2))).toEqual([Math.fround(-0.0183137655), Math.fround(-0.0124279)]);
    await r.close();
  });

  it('Keras 3 legacy h5 strips the model scope; custom layers need no registry', async () => {
    const r = await openKeras(fixture('keras-h5/keras3-legacy-churn', 'model.h5'));
    expect(r.list().filter((t) => t.role !== 'optimizer').map((t) => t.name)).toEqual([
      'dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias', 'dense_2/kernel', 'dense_2/bias']);
    expect(r.metadata.keras_version).toBe('3.10.0');
    await r.close();
    const h = await openKeras(fixture('keras-h5/tfkeras213-hgq-full', 'hgq_jet_classifier.h5'));
    expect(h.layers().find((l) => l.name === 'dense_1_quantizer')?.className).toBe('FixedPointQuantizer');
    expect(h.list().find((t) => t.key === 'model_weights/dense_1_quantizer/bits:0')).toMatchObject({ name: 'dense_1_quantizer/bits', dtype: 'int8' });
    await h.close();
  });

  it('Keras 3 .weights.h5: vars ordered as numbers (10 after 9)', async () => {
    const r = await openKeras(fixture('keras3/diabetes-weights-h5', 'model.weights.h5'));
    const opt = r.list().filter((t) => t.role === 'optimizer').map((t) => t.key);
    expect(opt.slice(8, 12)).toEqual(['optimizer/vars/8', 'optimizer/vars/9', 'optimizer/vars/10', 'optimizer/vars/11']);
    expect(r.layers().map((l) => [l.name, l.weights.length])).toEqual([['dense', 2], ['dense_1', 2], ['dense_2', 2]]);
    expect((await r.read('optimizer/vars/0')).data).toEqual(new Uint8Array(new BigInt64Array([5850n]).buffer));
    await r.close();
  });

  it('.keras: config.json gives layer classes and kernel/bias names; metadata.json is shown', async () => {
    const r = await openKeras(fixture('keras3/nested-container', 'pre_pr22362_nested_container.keras'));
    expect(r.format).toBe('keras3');
    expect(r.metadata.keras_version).toBe('3.15.0');
    expect(r.metadata.metadata_json).toMatchObject({ keras_version: '3.15.0' });
    const byKey = new Map(r.list().map((t) => [t.key, t]));
    // A subclassed model: config.json lists no layers, so layer names come from the vars `name` attribute.
    expect(byKey.get('layers/dense_3/vars/1')).toMatchObject({ name: 'layers/dense_3/vars/1', layer: 'dense' });
    expect(r.layers().map((l) => [l.name, l.weights.length])).toEqual([['d_0', 1], ['d_1', 1], ['d_2', 1], ['dense', 2]]);
    await r.close();
    const s = await openKeras(fixture('keras3/student-adam', 'model.keras'));
    expect(s.layers().map((l) => [l.name, l.className, l.weights.length])).toEqual([['dense', 'Dense', 2], ['dense_1', 'Dense', 2]]);
    expect(s.list().filter((t) => t.role !== 'optimizer').map((t) => t.name)).toEqual(['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias']);
    expect(s.list().filter((t) => t.role === 'optimizer')).toHaveLength(10);
    await s.close();
  });
});
