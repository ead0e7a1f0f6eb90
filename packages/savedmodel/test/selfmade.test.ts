/**
 * SavedModels made here (saved_model.pb from proto-build, variables through the checkpoint
 * codec's writer): reader and writer tests that need no shared fixtures.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BundleWriter, encodeTrackableObjectGraph } from '@tfweights/checkpoint';
import { makeStringTensor, makeTensor, MemorySink, toFloat64, type Tensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { looksLikeSavedModelPb } from '../src/index.js';
import { isSavedModelDir, openSavedModel, writeSavedModel } from '../src/node/index.js';
import { encode, shape, type Msg } from './proto-build.js';

const tmp = tempDir('tfw-savedmodel-selfmade-');
afterAll(() => tmp.cleanup());

const f32 = (key: string, values: number[], dims: number[]) => makeTensor(key, 'float32', dims, new Uint8Array(Float32Array.from(values).buffer));

async function writeBundle(prefix: string, tensors: Tensor[]): Promise<void> {
  const index = new MemorySink(`${prefix}.index`);
  const data = new MemorySink(`${prefix}.data-00000-of-00001`);
  const w = new BundleWriter(index, [data]);
  for (const t of tensors) await w.write(t);
  await w.finish();
  writeFileSync(`${prefix}.index`, index.bytes());
  writeFileSync(`${prefix}.data-00000-of-00001`, data.bytes());
}

const savedVariable = (name: string, dims: number[], trainable: boolean, tfDtype = 1): Msg => [[7, [[1, tfDtype], [2, shape(dims)], [3, trainable], [6, name]]]];

/**
 * A TF2-style model: root → dense (user object) → kernel, bias; plus `step`. The saved graph
 * numbers its nodes differently from the checkpoint graph, so only name matching works.
 */
async function makeTf2(dir: string): Promise<void> {
  mkdirSync(join(dir, 'variables'), { recursive: true });
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'assets', 'vocab.txt'), 'a\nb\n');
  const objectGraph: Msg = [
    [1, [[1, [[1, 4], [2, 'dense']]], [1, [[1, 1], [2, 'step']]], [4, [[1, '_generic_user_object']]]]], // 0 root
    [1, savedVariable('step', [], false, 9)], // 1 (DT_INT64)
    [1, savedVariable('dense/bias', [2], true)], // 2
    [1, savedVariable('dense/kernel', [-1, 2], true)], // 3 (unknown first dim is allowed)
    [1, [[1, [[1, 3], [2, 'kernel']]], [1, [[1, 2], [2, 'bias']]], [4, [[1, '_tf_keras_layer']]]]], // 4 dense
  ];
  const pb = encode([[1, 1], [2, [
    [1, [[4, 'serve'], [5, '2.15.0']]],
    [2, new Uint8Array(1000)],
    [5, [[1, 'serving_default'], [2, [[1, [[1, 'x'], [2, [[1, 'serving_default_x:0'], [2, 1], [3, shape([-1, 3])]]]]], [2, [[1, 'y'], [2, [[1, 'out:0'], [2, 1], [3, shape([-1, 2])]]]]], [3, 'tensorflow/serving/predict']]]]],
    [7, objectGraph],
  ]]]);
  writeFileSync(join(dir, 'saved_model.pb'), pb);
  const ckpt = encodeTrackableObjectGraph({
    nodes: [
      { children: [{ nodeId: 1, localName: 'dense' }, { nodeId: 4, localName: 'step' }], attributes: [], slotVariables: [] },
      { children: [{ nodeId: 2, localName: 'bias' }, { nodeId: 3, localName: 'kernel' }], attributes: [], slotVariables: [] },
      { children: [], attributes: [{ name: 'VARIABLE_VALUE', fullName: 'dense/bias', checkpointKey: 'dense/bias/.ATTRIBUTES/VARIABLE_VALUE' }], slotVariables: [] },
      { children: [], attributes: [{ name: 'VARIABLE_VALUE', fullName: 'dense/kernel', checkpointKey: 'dense/kernel/.ATTRIBUTES/VARIABLE_VALUE' }], slotVariables: [] },
      { children: [], attributes: [{ name: 'VARIABLE_VALUE', fullName: 'step', checkpointKey: 'step/.ATTRIBUTES/VARIABLE_VALUE' }], slotVariables: [] },
    ],
  });
  await writeBundle(join(dir, 'variables', 'variables'), [
    f32('dense/kernel/.ATTRIBUTES/VARIABLE_VALUE', [1, 2, 3, 4, 5, 6], [3, 2]),
    f32('dense/bias/.ATTRIBUTES/VARIABLE_VALUE', [0.5, -0.5], [2]),
    makeTensor('step/.ATTRIBUTES/VARIABLE_VALUE', 'int64', [], new Uint8Array(8)),
    makeStringTensor('_CHECKPOINTABLE_OBJECT_GRAPH', [], [ckpt]),
  ]);
}

/** A TF1-style model with two meta graphs (train, serve) and name-based keys. */
async function makeTf1(dir: string): Promise<void> {
  mkdirSync(join(dir, 'variables'), { recursive: true });
  const mg = (tag: string, sig: string): Msg => [[1, [[4, tag], [5, '1.15.0']]], [2, new Uint8Array(20)], [5, [[1, sig], [2, [[3, 'm']]]]]];
  writeFileSync(join(dir, 'saved_model.pb'), encode([[1, 1], [2, mg('train', 'train_sig')], [2, mg('serve', 'serving_default')]]));
  await writeBundle(join(dir, 'variables', 'variables'), [f32('w', [1, 2], [2]), f32('w/Adam', [0, 0], [2])]);
}

describe('self-made TF2 SavedModel', () => {
  const dir = join(tmp.path, 'tf2');

  it('names variables by the joint object-graph walk and reads their values', async () => {
    await makeTf2(dir);
    expect(await isSavedModelDir(dir)).toBe(true);
    expect(await isSavedModelDir(join(dir, 'variables'))).toBe(false);
    const r = await openSavedModel(dir);
    expect(r.variables().map((v) => [v.name, v.objectPath, v.key, v.shape, v.trainable])).toEqual([
      // Walk order = the checkpoint graph's child order (bias before kernel there).
      ['dense/bias', 'dense/bias', 'dense/bias/.ATTRIBUTES/VARIABLE_VALUE', [2], true],
      ['dense/kernel', 'dense/kernel', 'dense/kernel/.ATTRIBUTES/VARIABLE_VALUE', [3, 2], true],
      ['step', 'step', 'step/.ATTRIBUTES/VARIABLE_VALUE', [], false],
    ]);
    expect(Array.from(toFloat64(await r.read('dense/bias')))).toEqual([0.5, -0.5]);
    expect(r.signatures()[0]!.inputs[0]).toMatchObject({ key: 'x', shape: [-1, 3], dtype: 'float32' });
    expect(r.list().map((t) => t.key)).toEqual([
      '_CHECKPOINTABLE_OBJECT_GRAPH', 'dense/bias/.ATTRIBUTES/VARIABLE_VALUE', 'dense/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'step/.ATTRIBUTES/VARIABLE_VALUE',
    ]);
    expect(r.list().find((t) => t.key.startsWith('step'))?.attrs).toMatchObject({ trainable: false });
    await r.close();
  });

  it('rewrites one variable; everything else, assets included, is byte-identical', async () => {
    const out = join(tmp.path, 'tf2-out');
    const res = await writeSavedModel(dir, out, new Map([['dense/kernel', f32('k', [6, 5, 4, 3, 2, 1], [3, 2])]]));
    expect(res).toMatchObject({ replaced: ['dense/kernel/.ATTRIBUTES/VARIABLE_VALUE'], copied: 3, fingerprint: 'absent' });
    expect(readFileSync(join(out, 'saved_model.pb'))).toEqual(readFileSync(join(dir, 'saved_model.pb')));
    expect(readFileSync(join(out, 'assets', 'vocab.txt'), 'utf8')).toBe('a\nb\n');
    const r = await openSavedModel(out);
    expect(Array.from(toFloat64(await r.read('dense/kernel')))).toEqual([6, 5, 4, 3, 2, 1]);
    expect(Array.from(toFloat64(await r.read('dense/bias')))).toEqual([0.5, -0.5]);
    await r.close();
    const same = join(tmp.path, 'tf2-same');
    await writeSavedModel(dir, same, {});
    for (const f of ['variables/variables.index', 'variables/variables.data-00000-of-00001']) {
      expect(readFileSync(join(same, f))).toEqual(readFileSync(join(dir, f)));
    }
  });

  it('refuses a SavedVariable whose shape disagrees with its bundle entry', async () => {
    const bad = join(tmp.path, 'tf2-bad');
    await makeTf2(bad);
    await writeBundle(join(bad, 'variables', 'variables'), [
      f32('dense/kernel/.ATTRIBUTES/VARIABLE_VALUE', [1, 2, 3], [3]),
      f32('dense/bias/.ATTRIBUTES/VARIABLE_VALUE', [0.5, -0.5], [2]),
      makeTensor('step/.ATTRIBUTES/VARIABLE_VALUE', 'int64', [], new Uint8Array(8)),
      makeStringTensor('_CHECKPOINTABLE_OBJECT_GRAPH', [], [(await openSavedModel(dir).then(async (r) => {
        const t = await r.read('_CHECKPOINTABLE_OBJECT_GRAPH');
        await r.close();
        return t.strings![0]!;
      }))]),
    ]);
    await expect(openSavedModel(bad)).rejects.toThrow(/disagrees with its bundle entry.*expected float32 \[-1, 2\], found float32 \[3\]/);
  });
});

describe('self-made TF1 SavedModel with two meta graphs', () => {
  const dir = join(tmp.path, 'tf1');

  it('lists bundle keys, picks the serve graph by default and another by tags', async () => {
    await makeTf1(dir);
    const r = await openSavedModel(dir);
    expect(r.metaGraphs().map((m) => m.tags)).toEqual([['train'], ['serve']]);
    expect(r.metaGraph.tags).toEqual(['serve']);
    expect(r.signatures().map((s) => s.key)).toEqual(['serving_default']);
    expect(r.variables().map((v) => v.name)).toEqual(['w', 'w/Adam']);
    expect(r.list().map((t) => t.role)).toEqual(['weight', 'optimizer']);
    await r.close();
    const t = await openSavedModel(dir, { tags: ['train'] });
    expect(t.signatures().map((s) => s.key)).toEqual(['train_sig']);
    await t.close();
    await expect(openSavedModel(dir, { tags: ['gpu'] })).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('rewrites by bundle key with the chosen tags', async () => {
    const out = join(tmp.path, 'tf1-out');
    await writeSavedModel(dir, out, { 'w/Adam': f32('x', [9, 9], [2]) }, { tags: ['train'] });
    const r = await openSavedModel(out);
    expect(Array.from(toFloat64(await r.read('w/Adam')))).toEqual([9, 9]);
    expect(Array.from(toFloat64(await r.read('w')))).toEqual([1, 2]);
    await r.close();
  });
});

describe('directory and sniffing errors', () => {
  it('says what a non-SavedModel directory is', async () => {
    const d = join(tmp.path, 'text-model');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'saved_model.pbtxt'), 'meta_graphs {}');
    await expect(openSavedModel(d)).rejects.toThrow(/saved_model\.pbtxt.*not supported/);
    await expect(openSavedModel(join(tmp.path, 'missing'))).rejects.toMatchObject({ code: 'NotThisFormat' });
  });

  it('sniffs saved_model.pb by name and first fields', () => {
    const head = encode([[1, 1], [2, [[1, [[4, 'serve']]]]]]);
    const input = (name: string, h: Uint8Array) => ({ name, size: h.length, head: h, tail: h });
    expect(looksLikeSavedModelPb(input('m/saved_model.pb', head))).toBe(true);
    expect(looksLikeSavedModelPb(input('m/other.pb', head))).toBe(false);
    expect(looksLikeSavedModelPb(input('m/saved_model.pb', Uint8Array.from([0x89, 0x48, 0x44, 0x46])))).toBe(false);
  });
});
