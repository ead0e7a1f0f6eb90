/** Node entry: paths, state files, atomic writes. */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeStringTensor, makeTensor, type Tensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { buildObjectGraph } from '../src/index.js';
import { openCheckpoint, parseCheckpointState, writeCheckpoint } from '../src/node/index.js';

const tmp = tempDir('tfw-ckpt-');
afterAll(() => tmp.cleanup());
const f32 = (key: string, values: number[]): Tensor => makeTensor(key, 'float32', [values.length], new Uint8Array(Float32Array.from(values).buffer));

describe('writeCheckpoint / openCheckpoint', () => {
  it('writes several shards with an object graph, and reads them back by every path form', async () => {
    const dir = join(tmp.path, 'a');
    const { graph, keys } = buildObjectGraph([{ path: 'dense/kernel', fullName: 'dense/kernel' }, { path: 'dense/bias', fullName: 'dense/bias' }]);
    async function* gen(): AsyncIterable<Tensor> {
      yield f32(keys[0]!, [1, 2, 3]);
      yield f32(keys[1]!, [4]);
    }
    const res = await writeCheckpoint(join(dir, 'ckpt-1'), gen(), { numShards: 2, objectGraph: graph });
    expect(res.files.map((f) => f.slice(dir.length + 1))).toEqual(['ckpt-1.index', 'ckpt-1.data-00000-of-00002', 'ckpt-1.data-00001-of-00002']);
    expect(readdirSync(dir).sort()).toEqual(['ckpt-1.data-00000-of-00002', 'ckpt-1.data-00001-of-00002', 'ckpt-1.index']);
    writeFileSync(join(dir, 'checkpoint'), 'model_checkpoint_path: "ckpt-1"\nall_model_checkpoint_paths: "ckpt-1"\n');
    for (const p of [dir, join(dir, 'ckpt-1'), join(dir, 'ckpt-1.index'), join(dir, 'ckpt-1.data-00001-of-00002')]) {
      const r = await openCheckpoint(p);
      expect(r.header.numShards).toBe(2);
      expect(r.list().map((i) => i.name)).toEqual(['_CHECKPOINTABLE_OBJECT_GRAPH', 'dense/bias', 'dense/kernel']);
      expect(r.list()[2]!.attrs?.full_name).toBe('dense/kernel');
      // TF appends the object graph last, on shard 0.
      const shard0 = r.entries().filter((e) => e.shardId === 0).sort((a, b) => a.offset - b.offset);
      expect(shard0.at(-1)!.key).toBe('_CHECKPOINTABLE_OBJECT_GRAPH');
      expect(r.entries().filter((e) => e.shardId === 1).length).toBe(1);
      expect(Array.from(new Float32Array((await r.read('dense/kernel')).data.slice().buffer))).toEqual([1, 2, 3]);
      await r.close();
    }
  });

  it('orders data by key or by an explicit list', async () => {
    const prefix = join(tmp.path, 'b', 'ckpt');
    await writeCheckpoint(prefix, [f32('c', [1]), f32('a', [2]), f32('b', [3])], { dataOrder: ['b', 'c'] });
    const r = await openCheckpoint(prefix);
    expect(r.dataOrder()).toEqual(['b', 'c', 'a']);
    await r.close();
    await writeCheckpoint(`${prefix}2`, [f32('c', [1]), f32('a', [2]), makeStringTensor('b', [], ['x'])], { dataOrder: 'key' });
    const r2 = await openCheckpoint(`${prefix}2`);
    expect(r2.dataOrder()).toEqual(['a', 'b', 'c']);
    await r2.close();
  });

  it('is atomic: a failing input leaves no file, an existing target is refused', async () => {
    const dir = join(tmp.path, 'c');
    mkdirSync(dir);
    async function* failing(): AsyncIterable<Tensor> {
      yield f32('a', [1]);
      throw new Error('source broke');
    }
    await expect(writeCheckpoint(join(dir, 'x'), failing())).rejects.toThrow('source broke');
    expect(readdirSync(dir)).toEqual([]);
    await writeCheckpoint(join(dir, 'y'), [f32('a', [1])]);
    await expect(writeCheckpoint(join(dir, 'y'), [f32('a', [2])])).rejects.toMatchObject({ code: 'InvalidArgument' });
    await writeCheckpoint(join(dir, 'y'), [f32('a', [2])], { overwrite: true });
    expect(readdirSync(dir).sort()).toEqual(['y.data-00000-of-00001', 'y.index']);
  });

  it('says what a non-checkpoint file is, and what is missing', async () => {
    const p = join(tmp.path, 'weights.h5');
    writeFileSync(p, Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    await expect(openCheckpoint(p)).rejects.toMatchObject({ code: 'NotThisFormat', message: expect.stringMatching(/HDF5/) });
    await expect(openCheckpoint(join(tmp.path, 'nothing'))).rejects.toMatchObject({ code: 'IoError' });
    const empty = join(tmp.path, 'emptydir');
    mkdirSync(empty);
    await expect(openCheckpoint(empty)).rejects.toMatchObject({ code: 'NotThisFormat' });
  });
});

describe('checkpoint state file', () => {
  it('parses relative, absolute and escaped paths', () => {
    const s = parseCheckpointState('model_checkpoint_path: "/abs/m\\303\\251"\nall_model_checkpoint_paths: "rel"\nall_model_checkpoint_paths: "/abs/m\\303\\251"\nlast_preserved_timestamp: 1.5\n', '/d');
    expect(s.latest).toBe('/abs/mé');
    expect(s.all).toEqual(['/d/rel', '/abs/mé']);
    expect(s.lastPreservedTimestamp).toBe(1.5);
    expect(() => parseCheckpointState('all_model_checkpoint_paths: "x"\n', '/d')).toThrowError(expect.objectContaining({ code: 'CorruptData' }));
  });
});
