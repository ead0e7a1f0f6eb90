import { describe, expect, it } from 'vitest';
import { isTfwError, MemorySource, type ByteSource } from '@tfweights/core';
import { decodeSavedModel, selectMetaGraph } from '../src/decode-saved-model.js';
import { encode, shape, type Msg } from './proto-build.js';

/** A TF2-style MetaGraphDef with fields in descending order (as TF 2.14 writes them). */
function tf2MetaGraph(graphDef: Uint8Array): Msg {
  const variable = (name: string, dims: number[], trainable: boolean): Msg => [[1, 1], [2, shape(dims)], [3, trainable], [6, name]];
  return [
    [7, [
      [1, [[1, [[1, 1], [2, 'v']]], [1, [[1, 2], [2, 'w']]], [4, [[1, '_generic_user_object']]]]],
      [1, [[7, variable('Variable', [2, 3], true)]]],
      [1, [[7, variable('other', [], false)]]],
      [2, [[1, 'fn'], [2, new Uint8Array(300)]]], // concrete_functions: skipped
    ]],
    [5, [[1, 'serving_default'], [2, [
      [3, 'tensorflow/serving/predict'],
      [2, [[1, 'y'], [2, [[1, 'out:0'], [2, 1], [3, shape([-1, 1])]]]]],
      [1, [[1, 'x'], [2, [[1, 'in:0'], [2, 9], [3, shape(null)]]]]],
      [1, [[1, 'a'], [2, [[4, [[1, 'sp']]], [2, 1]]]]],
    ]]]],
    [5, [[1, '__saved_model_init_op'], [2, [[2, [[1, '__saved_model_init_op'], [2, [[1, 'NoOp']]]]]]]]],
    [4, [[1, 'collection'], [2, new Uint8Array(50)]]],
    [3, [[1, 'saver_filename:0'], [3, 'restore'], [6, { float: 10000 }], [7, 2]]],
    [2, graphDef],
    [1, [[8, [[1, 'alias'], [2, 'fn']]], [6, 'v2.14.0'], [5, '2.14.0'], [4, 'serve'], [2, new Uint8Array(40)]]],
  ];
}

/** ByteSource that records every range read. */
class RecordingSource implements ByteSource {
  readonly reads: [number, number][] = [];
  private readonly inner: MemorySource;
  constructor(bytes: Uint8Array, readonly name = 'saved_model.pb') {
    this.inner = new MemorySource(bytes, name);
  }
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, length: number, what?: string): Promise<Uint8Array> {
    this.reads.push([offset, length]);
    return this.inner.read(offset, length, what);
  }
}

describe('decodeSavedModel on hand-built protos', () => {
  it('decodes a TF2 meta graph written in descending field order', async () => {
    const bytes = encode([[2, tf2MetaGraph(new Uint8Array(10))], [1, 1]]);
    const m = await decodeSavedModel(bytes);
    expect(m.schemaVersion).toBe(1);
    expect(m.metaGraphs).toHaveLength(1);
    const g = m.metaGraphs[0]!;
    expect(g.tags).toEqual(['serve']);
    expect(g.tensorflowVersion).toBe('2.14.0');
    expect(g.tensorflowGitVersion).toBe('v2.14.0');
    expect(g.functionAliases).toEqual({ alias: 'fn' });
    expect(g.saverDef).toMatchObject({ filenameTensorName: 'saver_filename:0', restoreOpName: 'restore', keepCheckpointEveryNHours: 10000, version: 2 });
    expect(g.graphDefBytes).toBe(10);
    expect(g.signatures.map((s) => s.key)).toEqual(['__saved_model_init_op', 'serving_default']);
    const sig = g.signatures[1]!;
    expect(sig.methodName).toBe('tensorflow/serving/predict');
    expect(sig.inputs).toEqual([
      { key: 'a', encoding: 'coo_sparse', tfDtype: 1, dtype: 'float32', shape: null },
      { key: 'x', encoding: 'name', tensorName: 'in:0', tfDtype: 9, dtype: 'int64', shape: null },
    ]);
    expect(sig.outputs).toEqual([{ key: 'y', encoding: 'name', tensorName: 'out:0', tfDtype: 1, dtype: 'float32', shape: [-1, 1] }]);
    expect(g.signatures[0]!.outputs[0]).toMatchObject({ tensorName: 'NoOp', tfDtype: 0 });
    expect(g.signatures[0]!.outputs[0]!.dtype).toBeUndefined();
    const og = g.objectGraph!;
    expect(og).toHaveLength(3);
    expect(og[0]).toEqual({ kind: 'user_object', identifier: '_generic_user_object', children: [{ nodeId: 1, localName: 'v' }, { nodeId: 2, localName: 'w' }] });
    expect(og[1]!.variable).toMatchObject({ name: 'Variable', dtype: 'float32', shape: [2, 3], trainable: true });
    expect(og[2]!.variable).toMatchObject({ name: 'other', shape: [], trainable: false });
  });

  it('never reads inside graph_def (skipped by length)', async () => {
    const graphDef = new Uint8Array(3 * 1024 * 1024).fill(0xff);
    const bytes = encode([[1, 1], [2, tf2MetaGraph(graphDef)]]);
    const start = bytes.indexOf(0xff);
    const end = start + graphDef.length;
    const src = new RecordingSource(bytes);
    const m = await decodeSavedModel(src);
    expect(m.metaGraphs[0]!.graphDefBytes).toBe(graphDef.length);
    const touched = src.reads.filter(([o, l]) => o + l > start + 70 * 1024 && o < end - 70 * 1024);
    expect(touched).toEqual([]);
    expect(src.reads.reduce((n, [, l]) => n + l, 0)).toBeLessThan(bytes.length / 4);
  });

  it('reads several meta graphs and selects by tags', async () => {
    const mg = (tags: string[]): Msg => [[1, tags.map((t) => [4, t] as [number, string])]];
    const m = await decodeSavedModel(encode([[2, mg(['train'])], [2, mg(['serve'])], [2, mg(['serve', 'gpu'])]]));
    expect(m.metaGraphs.map((g) => g.tags)).toEqual([['train'], ['serve'], ['serve', 'gpu']]);
    expect(selectMetaGraph(m, undefined, 'x').index).toBe(1);
    expect(selectMetaGraph(m, ['gpu', 'serve'], 'x').index).toBe(2);
    expect(selectMetaGraph(m, ['train'], 'x').index).toBe(0);
    expect(() => selectMetaGraph(m, ['tpu'], 'x')).toThrow(/no MetaGraphDef with tags \{tpu\}.*\{train\}, \{serve\}, \{serve, gpu\}/);
    const noServe = await decodeSavedModel(encode([[2, mg(['train'])], [2, mg(['eval'])]]));
    expect(() => selectMetaGraph(noServe, undefined, 'x')).toThrow(/pass tags/);
  });

  it('accepts unknown fields of every wire type', async () => {
    const bytes = encode([[1, 1], [99, 5], [2, [[1, [[4, 'serve'], [50, 'x']]], [77, { float: 1 }]]]]);
    const m = await decodeSavedModel(bytes);
    expect(m.metaGraphs[0]!.tags).toEqual(['serve']);
  });

  it('refuses an empty file and a file without meta graphs with CorruptData', async () => {
    await expect(decodeSavedModel(new Uint8Array(0))).rejects.toMatchObject({ code: 'CorruptData' });
    await expect(decodeSavedModel(encode([[1, 1]]))).rejects.toThrow(/no MetaGraphDef/);
  });

  it('names the file and offset of a length that runs past the end', async () => {
    const bytes = encode([[1, 1], [2, tf2MetaGraph(new Uint8Array(10))]]);
    const err = await decodeSavedModel(bytes.subarray(0, bytes.length - 5), 'model/saved_model.pb').catch((e: unknown) => e);
    expect(isTfwError(err)).toBe(true);
    expect((err as Error).message).toMatch(/^model\/saved_model\.pb/);
    expect((err as { offset?: number }).offset).toBeTypeOf('number');
  });

  it('refuses group wire types and field number 0', async () => {
    await expect(decodeSavedModel(Uint8Array.from([0x0b, 0x0b, 0x0b]))).rejects.toMatchObject({ code: 'CorruptData' });
    await expect(decodeSavedModel(Uint8Array.from([0x00, 0x01]))).rejects.toThrow(/field number 0/);
  });
});
