/** Writing partitioned tensors from their full value (writeCheckpoint `partitions`) and keeping a bundle's layout. */
import { afterAll, describe, expect, it } from 'vitest';
import { makeStringTensor, makeTensor, type Tensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { bundleLayoutOf, extractSlice, openCheckpoint, writeCheckpoint } from '../src/node/index.js';

const tmp = tempDir('tfw-partitions-');
afterAll(() => tmp.cleanup());

const f32 = (key: string, shape: number[], values: number[]): Tensor => makeTensor(key, 'float32', shape, new Uint8Array(Float32Array.from(values).buffer));
const floats = (t: Tensor): number[] => Array.from(new Float32Array(t.data.slice().buffer));

describe('partitioned tensors written from their full value', () => {
  it('extractSlice cuts row, column and string slices', () => {
    const m = f32('m', [3, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(floats(extractSlice(m, [{ start: 1, length: 2 }, { start: 0 }]))).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    const cols = extractSlice(m, [{ start: 0 }, { start: 1, length: 2 }]);
    expect([cols.key, cols.shape, floats(cols)]).toEqual(['m@-:1,2', [3, 2], [1, 2, 5, 6, 9, 10]]);
    const s = extractSlice(makeStringTensor('s', [3], ['a', 'bb', '']), [{ start: 1, length: 2 }]);
    expect(s.strings!.map((b) => Buffer.from(b).toString())).toEqual(['bb', '']);
    expect(() => extractSlice(m, [{ start: 2, length: 2 }, { start: 0 }])).toThrow(/past the full shape/);
  });

  it('stores slices under slice keys, reads back the full tensor, and a rewrite by layout is byte-identical', async () => {
    const m = f32('m', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const other = f32('other', [1], [9]);
    const prefix = `${tmp.path}/a/ckpt`;
    const partitions = new Map([['m', { slices: [[{ start: 0, length: 1 }, { start: 0, length: 2 }], [{ start: 1, length: 3 }, { start: 0, length: 2 }]], shards: [1, 0] }]]);
    // Data order across shards: shard 0 holds `other` before m's second slice.
    await writeCheckpoint(prefix, [m, other], { numShards: 2, partitions, dataOrder: ['m@0,1:0,2', 'other', 'm@1,3:0,2'], shardOf: () => 0 });
    const r = await openCheckpoint(prefix);
    expect(r.list().map((i) => [i.key, i.shape])).toEqual([['m', [4, 2]], ['other', [1]]]);
    expect(floats(await r.read('m'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.entries().filter((e) => e.sliceOf).map((e) => [e.key, e.shardId, e.offset])).toEqual([['m@0,1:0,2', 1, 0], ['m@1,3:0,2', 0, 4]]);
    const layout = bundleLayoutOf(r);
    expect(layout.dataOrder).toEqual(['other', 'm@1,3:0,2', 'm@0,1:0,2']);
    const again = `${tmp.path}/b/ckpt`;
    const res = await writeCheckpoint(again, r.tensors(), {
      numShards: layout.numShards, dataOrder: layout.dataOrder, partitions: layout.partitions, shardOf: (t) => layout.shardOfKey.get(t.key)!,
    });
    await r.close();
    const { readFileSync } = await import('node:fs');
    for (const f of res.files) expect(Buffer.compare(readFileSync(f), readFileSync(prefix + f.slice(again.length)))).toBe(0);
  });

  it('a dataOrder naming a partitioned tensor both whole and by slice writes each slice once', async () => {
    const m = f32('m', [4], [1, 2, 3, 4]);
    const partitions = new Map([['m', { slices: [[{ start: 0, length: 1 }], [{ start: 1, length: 3 }]] }]]);
    for (const dataOrder of [['m@1,3', 'm', 'm@0,1', 'other'], ['m', 'm@0,1', 'other']]) {
      const prefix = `${tmp.path}/d-${dataOrder.length}/ckpt`;
      const res = await writeCheckpoint(prefix, [m, f32('other', [1], [9])], { partitions, dataOrder });
      expect(res.tensors).toBe(2);
      const r = await openCheckpoint(prefix);
      expect(floats(await r.read('m'))).toEqual([1, 2, 3, 4]);
      expect(r.dataOrder()).toEqual(dataOrder[0] === 'm' ? ['m@0,1', 'm@1,3', 'other'] : ['m@1,3', 'm@0,1', 'other']);
      await r.close();
    }
  });

  it('a slice covering the whole tensor is stored as a plain tensor, as TF does', async () => {
    const prefix = `${tmp.path}/c/ckpt`;
    await writeCheckpoint(prefix, [f32('w', [2], [1, 2])], { partitions: new Map([['w', { slices: [[{ start: 0, length: 2 }]] }]]) });
    const r = await openCheckpoint(prefix);
    expect(r.entries().map((e) => [e.key, e.slices, e.sliceOf])).toEqual([['w', undefined, undefined]]);
    await r.close();
  });
});
