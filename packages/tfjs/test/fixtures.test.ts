/**
 * Real tfjs models (../shared/fixtures/tfjs): every truth.json, the tensorspace [pair] against
 * its Keras .h5 twins, a write → read round trip, and tfjs-layers loading what we wrote.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { MemorySource } from '@tfweights/core';
import { canonicalSha256, fixture, fixtureFolders, haveFixtures, headValues, loadTruth } from '@tfweights/testkit';
import { MemoryTfjsOutput, readerIOHandler, TfjsReader, writeTfjs } from '../src/codec.js';
import { openTfjsModel } from '../src/node/index.js';

describe.skipIf(!haveFixtures())('tfjs fixtures (../shared/fixtures/tfjs)', () => {
  for (const folder of fixtureFolders('tfjs')) {
    for (const truth of loadTruth(folder)) {
      it(`${folder}/${truth.input} reads what truth.json says`, async () => {
        const r = await openTfjsModel(fixture(folder, truth.input));
        try {
          const listed = [...r.list()].sort((a, b) => (a.key < b.key ? -1 : 1));
          expect(listed.map((i) => [i.key, i.dtype, i.shape])).toEqual(truth.tensors.map((t) => [t.key, t.dtype, t.shape]));
          for (const t of truth.tensors) {
            const tensor = await r.read(t.key);
            expect(canonicalSha256(tensor), t.key).toBe(t.sha256);
            expect(headValues(tensor)).toEqual(t.head);
          }
        } finally {
          await r.close();
        }
      });
    }
  }

  it('tensorspace-lenet-layers agrees with its Keras .h5 twins (same canonical sha256)', async () => {
    const full = new Map(loadTruth('keras-h5/tensorspace-lenet-full')[0]!.tensors.map((t) => [t.key, t.sha256]));
    const weights = new Map(loadTruth('keras-h5/tensorspace-lenet-weights')[0]!.tensors.map((t) => [t.key, t.sha256]));
    const r = await openTfjsModel(fixture('tfjs/tensorspace-lenet-layers/model.json'));
    expect(r.list()).toHaveLength(10);
    for (const info of r.list()) {
      const [layer, w] = info.key.split('/') as [string, string];
      const sha = canonicalSha256(await r.read(info.key));
      expect(sha, info.key).toBe(full.get(`model_weights/${layer}/${layer}/${w}:0`));
      expect(sha, info.key).toBe(weights.get(`${layer}/${layer}/${w}:0`));
    }
    expect(r.layers().filter((l) => l.weights.length > 0).map((l) => [l.name, l.className, l.weights])).toEqual(
      ['Conv2D_1', 'Conv2D_2', 'Dense_1', 'Dense_2', 'Softmax'].map((n) => [n, n.startsWith('Conv') ? 'Conv2D' : 'Dense', [`${n}/kernel`, `${n}/bias`]]),
    );
    expect(r.modelFormat).toBeUndefined(); // tensorspace's converter wrote no "format" key
    await r.close();
  });

  it('every fixture round-trips through our writer unchanged', async () => {
    for (const folder of fixtureFolders('tfjs')) {
      const r = await openTfjsModel(fixture(folder, 'model.json'));
      const tensors = [];
      for await (const t of r.tensors()) tensors.push(t);
      const out = new MemoryTfjsOutput();
      await writeTfjs(out, tensors, { modelTopology: r.modelTopology, format: r.modelFormat, shardSize: 4096 });
      const back = await TfjsReader.open(out.files.get('model.json')!, { resolve: async (p) => new MemorySource(out.files.get(p)!, p) });
      expect(back.list().map((i) => [i.key, i.dtype, i.shape])).toEqual(r.list().map((i) => [i.key, i.dtype, i.shape]));
      for (const t of tensors) expect(canonicalSha256(await back.read(t.key))).toBe(canonicalSha256(t));
      await r.close();
    }
  });

  // load_predict_test.ts in tensorflow/tfjs expects these outputs for this input (MANIFEST.md).
  const INPUT = [[86, 11, 62, 40, 36, 75, 82, 94, 67, 75]];
  const EXPECTED = [-0.003578941337764263, 0.0028922036290168762, -0.002957976423203945, 0.00955402385443449];

  it('tf.loadLayersModel loads e2e-layers-model through our reader, and again after our writer, and predicts', async () => {
    await tf.setBackend('cpu');
    const r = await openTfjsModel(fixture('tfjs/e2e-layers-model/model.json'));
    const original = await tfl.loadLayersModel(readerIOHandler(r));
    const input = tf.tensor2d(INPUT);
    const y0 = Array.from((original.predict(input) as tf.Tensor).dataSync());
    y0.forEach((v, i) => expect(v).toBeCloseTo(EXPECTED[i]!, 6));

    const tensors = [];
    for await (const t of r.tensors()) tensors.push(t);
    const out = new MemoryTfjsOutput();
    await writeTfjs(out, tensors, { modelTopology: r.modelTopology, generatedBy: 'tfweights test', shardSize: 1000 });
    expect(out.files.size).toBe(11); // 9200 bytes in 1000-byte shards + model.json
    const written = await TfjsReader.open(out.files.get('model.json')!, { resolve: async (p) => new MemorySource(out.files.get(p)!, p) });
    const reloaded = await tfl.loadLayersModel(readerIOHandler(written));
    const y1 = Array.from((reloaded.predict(input) as tf.Tensor).dataSync());
    expect(y1).toEqual(y0);
    tf.dispose(input);
    await r.close();
  });

  it('the graph model json variants parse with their signature metadata kept', async () => {
    const r = await openTfjsModel(fixture('tfjs/e2e-graph-model/model_new.json'));
    expect(r.modelFormat).toBe('graph-model');
    expect(Object.keys(r.metadata)).toContain('signature');
    expect(r.layers()).toEqual([]);
    const json = JSON.parse(readFileSync(fixture('tfjs/e2e-graph-model/model.json'), 'utf8')) as { userDefinedMetadata: unknown };
    expect(json.userDefinedMetadata).toBeDefined();
    await r.close();
  });
});
