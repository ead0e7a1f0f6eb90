import { describe, expect, it } from 'vitest';
import { canonicalSha256, fixture, fixtureFolders, haveFixtures, loadTruth } from '@tfweights/testkit';
import { toFloat64, typedValues } from '@tfweights/core';
import { describeSignature } from '../src/index.js';
import { isSavedModelDir, openSavedModel } from '../src/node/index.js';

const folders = fixtureFolders('savedmodel');

describe.skipIf(!haveFixtures())('real SavedModels: every tensor matches truth.json', () => {
  it('finds the five SavedModel fixtures', () => {
    expect(folders).toEqual([
      'savedmodel/half-plus-two-tf1', 'savedmodel/half-plus-two-tf2', 'savedmodel/int64-multiply',
      'savedmodel/tensorspace-lenet-tf1', 'savedmodel/times-three-float',
    ]);
  });

  for (const folder of folders) {
    it(`${folder}: keys, dtypes, shapes and canonical SHA-256`, async () => {
      const truth = loadTruth(folder)[0]!;
      expect(await isSavedModelDir(fixture(folder))).toBe(true);
      const r = await openSavedModel(fixture(folder));
      try {
        expect(r.format).toBe('savedmodel');
        expect(r.list().map((t) => [t.key, t.dtype, t.shape])).toEqual(truth.tensors.map((t) => [t.key, t.dtype, t.shape]));
        for (const t of truth.tensors) {
          const got = await r.read(t.key);
          expect(canonicalSha256(got), t.key).toBe(t.sha256);
        }
        const streamed: string[] = [];
        for await (const t of r.tensors()) streamed.push(t.key);
        expect([...streamed].sort()).toEqual(truth.tensors.map((t) => t.key).sort());
      } finally {
        await r.close();
      }
    });
  }
});

describe.skipIf(!haveFixtures())('real SavedModels: variables by their SavedModel names (MANIFEST.md)', () => {
  const open = (name: string) => openSavedModel(fixture('savedmodel', name));
  const value = async (r: Awaited<ReturnType<typeof open>>, name: string) => Array.from(toFloat64(await r.read(name)));

  it('half-plus-two-tf2 (TF 2.14): a, b, c by SavedVariable name; a = 0.5, b = 2, c = 3', async () => {
    const r = await open('half-plus-two-tf2');
    expect(r.variables().map((v) => [v.name, v.variableName, v.objectPath, v.key, v.dtype, v.shape, v.trainable])).toEqual([
      ['a', 'a', 'a', 'a/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], true],
      ['b', 'b', 'b', 'b/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], true],
      ['c', 'c', 'c', 'c/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], true],
    ]);
    expect(await value(r, 'a')).toEqual([0.5]);
    expect(await value(r, 'b')).toEqual([2]);
    expect(await value(r, 'c')).toEqual([3]);
    const og = r.list().find((t) => t.key === '_CHECKPOINTABLE_OBJECT_GRAPH')!;
    expect(og.role).toBe('metadata');
    expect(r.list().find((t) => t.key === 'a/.ATTRIBUTES/VARIABLE_VALUE')).toMatchObject({ name: 'a', role: 'weight', attrs: { trainable: true } });
    expect(r.metaGraph.tensorflowVersion).toBe('2.14.0');
    expect(r.metaGraph.tags).toEqual(['serve']);
    expect(r.signatures().map((s) => s.key)).toEqual([
      '__saved_model_init_op', 'classify_x2_to_y3', 'classify_x_to_y', 'regress_x2_to_y3', 'regress_x_to_y', 'regress_x_to_y2', 'serving_default',
    ]);
    expect(describeSignature(r.signatures().at(-1)!)).toBe('serving_default(x: float32[1]) -> (y: float32[1])  [tensorflow/serving/predict]');
    expect(r.fingerprint?.checkpointHash).toBe(0xf3ce47477125e106n);
    await r.close();
  });

  it('half-plus-two-tf1 (TF 1.14): bundle keys a, a2, b, c, c2 and five signatures', async () => {
    const r = await open('half-plus-two-tf1');
    expect(r.variables().map((v) => v.name)).toEqual(['a', 'a2', 'b', 'c', 'c2']);
    expect(r.variables().every((v) => v.trainable === undefined && v.objectPath === undefined)).toBe(true);
    expect(await value(r, 'a')).toEqual([0.5]);
    expect(await value(r, 'b')).toEqual([2]);
    expect(await value(r, 'c')).toEqual([3]);
    expect(r.metaGraph.objectGraph).toBeUndefined();
    expect(r.metaGraph.tensorflowVersion).toBe('1.14.0');
    expect(r.metaGraph.saverDef).toMatchObject({ filenameTensorName: 'save/Const:0', restoreOpName: 'save/restore_all', maxToKeep: 5, sharded: true, keepCheckpointEveryNHours: 10000, version: 2 });
    const sigs = Object.fromEntries(r.signatures().map((s) => [s.key, s]));
    expect(Object.keys(sigs)).toEqual(['classify_x_to_y', 'regress_x2_to_y3', 'regress_x_to_y', 'regress_x_to_y2', 'serving_default']);
    expect(sigs.serving_default!.inputs).toEqual([{ key: 'x', encoding: 'name', tensorName: 'x:0', tfDtype: 1, dtype: 'float32', shape: [-1, 1] }]);
    expect(sigs.classify_x_to_y!.inputs[0]).toMatchObject({ key: 'inputs', tensorName: 'tf_example:0', dtype: 'string', shape: null });
    expect(sigs.classify_x_to_y!.methodName).toBe('tensorflow/serving/classify');
    await r.close();
  });

  it('times-three-float (TF 2.0.0-beta1): SavedVariable `Variable` at key v/…, value 3; signature as tfjs-node asserts', async () => {
    const r = await open('times-three-float');
    expect(r.variables().map((v) => [v.name, v.objectPath, v.key])).toEqual([['Variable', 'v', 'v/.ATTRIBUTES/VARIABLE_VALUE']]);
    expect(await value(r, 'Variable')).toEqual([3]);
    expect(r.metaGraphs()).toHaveLength(1);
    expect(r.metaGraph.tags).toEqual(['serve']);
    const sig = r.signatures().find((s) => s.key === 'serving_default')!;
    expect(sig.inputs.map((t) => [t.key, t.tensorName, t.dtype])).toEqual([['x', 'serving_default_x:0', 'float32']]);
    expect(sig.outputs.map((t) => [t.key, t.tensorName, t.dtype])).toEqual([['output_0', 'StatefulPartitionedCall:0', 'float32']]);
    await r.close();
  });

  it('int64-multiply (TF 2.3.1): two SavedVariables both named `Variable` are told apart by object path v1, v2', async () => {
    const r = await open('int64-multiply');
    expect(r.variables().map((v) => [v.name, v.variableName, v.key, v.dtype])).toEqual([
      ['v1', 'Variable', 'v1/.ATTRIBUTES/VARIABLE_VALUE', 'int64'],
      ['v2', 'Variable', 'v2/.ATTRIBUTES/VARIABLE_VALUE', 'int64'],
    ]);
    expect(Array.from(typedValues(await r.read('v1')) as BigInt64Array)).toEqual([3n]);
    expect(Array.from(typedValues(await r.read('v2')) as BigInt64Array)).toEqual([2n]);
    await expect(r.read('Variable')).rejects.toThrow(/names 2 variables/);
    await r.close();
  });

  it('tensorspace-lenet-tf1 (TF 1.12): the 32 bundle keys including Adam slots', async () => {
    const r = await open('tensorspace-lenet-tf1');
    const truth = loadTruth('savedmodel/tensorspace-lenet-tf1')[0]!;
    expect(r.variables().map((v) => v.name)).toEqual(truth.tensors.map((t) => t.key));
    expect(r.variables()).toHaveLength(32);
    expect(r.list().find((t) => t.key === 'Variable/Adam')?.role).toBe('optimizer');
    expect(r.list().find((t) => t.key === 'beta1_power')?.role).toBe('optimizer');
    expect(describeSignature(r.signatures()[0]!)).toBe('serving_default(input: float32[?, 32, 32, 1]) -> (output: float32[?, 10])  [tensorflow/serving/predict]');
    await r.close();
  });
});
