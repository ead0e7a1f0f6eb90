/** Every checkpoint fixture and SavedModel variables/ bundle against truth.json, MANIFEST.md values and byte identity. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalSha256, fixture, fixtureFolders, haveFixtures, loadTruth } from '@tfweights/testkit';
import { typedValues } from '@tfweights/core';
import { decodeTrackableObjectGraph, encodeTrackableObjectGraph, OBJECT_GRAPH_KEY } from '../src/index.js';
import { openCheckpoint, readCheckpointState } from '../src/node/index.js';
import { readTable } from '../src/sstable-read.js';
import { MemorySource } from '@tfweights/core';
import { loadBundleFiles, openMemoryBundle, writeMemoryBundle } from './helpers.js';

interface Case {
  folder: string;
  prefix: string;
  truth: ReturnType<typeof loadTruth>[number];
}

function cases(): Case[] {
  if (!haveFixtures()) return [];
  const out: Case[] = [];
  for (const folder of fixtureFolders('checkpoint')) {
    for (const t of loadTruth(folder)) out.push({ folder, prefix: fixture(folder, t.input), truth: t });
  }
  for (const folder of fixtureFolders('savedmodel')) {
    for (const t of loadTruth(folder)) out.push({ folder, prefix: fixture(folder, 'variables', 'variables'), truth: t });
  }
  return out;
}

describe.skipIf(!haveFixtures())('real bundles (shared fixtures)', () => {
  const all = cases();

  it('finds every checkpoint and SavedModel fixture', () => {
    expect(all.length).toBe(10);
  });

  for (const c of all) {
    const label = `${c.folder}:${c.truth.input}`;

    it(`${label}: lists and reads exactly what truth.json says`, async () => {
      const r = await openCheckpoint(c.prefix);
      expect(r.list().map((i) => i.key)).toEqual(c.truth.tensors.map((t) => t.key));
      for (const want of c.truth.tensors) {
        const info = r.list().find((i) => i.key === want.key)!;
        expect([info.dtype, info.shape]).toEqual([want.dtype, want.shape]);
        const t = await r.read(want.key);
        expect(canonicalSha256(t)).toBe(want.sha256);
      }
      const streamed: string[] = [];
      for await (const t of r.tensors()) streamed.push(t.key);
      expect([...streamed].sort()).toEqual(c.truth.tensors.map((t) => t.key).sort());
      await r.close();
    });

    it(`${label}: writing its tensors back in data-file order reproduces the files`, async () => {
      const r = await openCheckpoint(c.prefix);
      const orig = loadBundleFiles(c.prefix, r.header.numShards);
      const tensors = [];
      for (const key of r.dataOrder()) {
        const e = r.entries().find((x) => x.key === key)!;
        tensors.push({ tensor: await r.read(key), shard: e.shardId });
      }
      const ours = await writeMemoryBundle(tensors, r.header.numShards);
      ours.shards.forEach((s, i) => expect(Buffer.compare(s, orig.shards[i]!)).toBe(0));
      const snappy = r.layout.dataBlocks.some((b) => b.compression !== 0);
      if (!snappy) {
        expect(Buffer.compare(ours.index, orig.index)).toBe(0);
      } else {
        // Compare with the fixture's data block after decompression, and the index keys.
        const mine = await readTable(new MemorySource(ours.index, 'ours'));
        expect(mine.layout.dataBlocks.length).toBe(r.layout.dataBlocks.length);
        mine.layout.dataBlocks.forEach((b, i) => {
          expect(Buffer.compare(b.contents, r.layout.dataBlocks[i]!.contents)).toBe(0);
          expect(Buffer.from(b.indexKey).toString('hex')).toBe(Buffer.from(r.layout.dataBlocks[i]!.indexKey).toString('hex'));
        });
      }
      await r.close();
    });
  }

  it('TF2 object graphs decode and re-encode to their exact bytes', async () => {
    let n = 0;
    for (const c of all) {
      const r = await openCheckpoint(c.prefix);
      if (r.list().some((i) => i.key === OBJECT_GRAPH_KEY)) {
        const bytes = (await r.read(OBJECT_GRAPH_KEY)).strings![0]!;
        const g = decodeTrackableObjectGraph(bytes);
        expect(g.nodes.length).toBeGreaterThan(0);
        expect(Buffer.compare(encodeTrackableObjectGraph(g), bytes)).toBe(0);
        n++;
      }
      await r.close();
    }
    expect(n).toBeGreaterThanOrEqual(6);
  });

  it('the half-plus-two bundles really use Snappy', async () => {
    for (const m of ['half-plus-two-tf1', 'half-plus-two-tf2']) {
      const r = await openCheckpoint(fixture('savedmodel', m, 'variables'));
      expect(r.layout.dataBlocks.map((b) => b.compression)).toEqual([1]);
      await r.close();
    }
  });

  const values = async (path: string, key: string): Promise<number[]> => {
    const r = await openCheckpoint(path);
    const v = typedValues(await r.read(key));
    await r.close();
    return Array.from(v as ArrayLike<number | bigint>, Number);
  };

  it('MANIFEST.md known values: tf1-simple', async () => {
    const two = fixture('checkpoint/tf1-simple/model-two-variables.ckpt');
    const three = fixture('checkpoint/tf1-simple/model-three-variables.ckpt');
    expect(await values(two, 'v1')).toEqual([1, 1, 1]);
    expect(await values(two, 'v2')).toEqual([-1, -1, -1, -1, -1]);
    expect(await values(three, 'var1')).toEqual([2, 2, 2, 2, 2]);
    expect(await values(three, 'var3')).toEqual([-4, -4, -4, -4, -4]);
  });

  it('MANIFEST.md known values: tf2-keras-lso-2shards (tf-keras test assertions)', async () => {
    const p = fixture('checkpoint/tf2-keras-lso-2shards');
    const close = (a: number[], b: number[]): void => a.forEach((x, i) => expect(x).toBeCloseTo(b[i]!, 5));
    close(await values(p, 'layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE'), [9.229685, 10.901115, 10.370763, 9.757362]);
    close(await values(p, 'layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/base_optimizer/momentum/.ATTRIBUTES/VARIABLE_VALUE'), [10.049943, 9.917691, 10.049943, 9.917691]);
    expect(await values(p, 'optimizer/loss_scale/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([32768]);
    expect(await values(p, 'optimizer/loss_scale/good_steps/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([1]);
    const r = await openCheckpoint(p);
    expect(r.header.numShards).toBe(2);
    const og = r.entries().find((e) => e.key === OBJECT_GRAPH_KEY)!;
    expect([og.shardId, og.offset, og.size]).toEqual([0, 0, 1360]);
    const g = r.objectGraph()!;
    expect(g.nodes[0]!.children.map((c) => [c.localName, c.nodeId])).toEqual([['layer_with_weights-0', 1], ['layer-0', 1], ['optimizer', 2]]);
    expect(g.nodes[5]!.slotVariables.map((s) => [s.slotName, s.originalVariableNodeId, s.slotVariableNodeId])).toEqual([['momentum', 3, 13], ['momentum', 4, 14]]);
    const kernel = r.list().find((i) => i.key.startsWith('layer_with_weights-0/kernel/.ATTRIBUTES'))!;
    expect(kernel).toMatchObject({ name: 'layer_with_weights-0/kernel', role: 'weight', layer: 'layer_with_weights-0', attrs: { full_name: 'sequential/dense/kernel' } });
    const slot = r.list().find((i) => i.key.includes('kernel/.OPTIMIZER_SLOT'))!;
    expect(slot.role).toBe('optimizer');
    expect(slot.attrs).toMatchObject({ full_name: 'SGD/sequential/dense/kernel/momentum', slot: 'momentum', slot_of: 'layer_with_weights-0/kernel' });
    expect(r.list().filter((i) => i.role === 'optimizer').length).toBe(8);
    // A readable name reads the same tensor as its key.
    expect(canonicalSha256(await r.read('layer_with_weights-0/kernel'))).toBe(canonicalSha256(await r.read(kernel.key)));
    await r.close();
  });

  it('MANIFEST.md known values: tf2-ckpt-manager and its state file', async () => {
    const dir = fixture('checkpoint/tf2-ckpt-manager');
    const state = await readCheckpointState(dir);
    expect(state.modelCheckpointPath).toBe('ckpt-2');
    expect(state.all).toEqual([join(dir, 'ckpt-1'), join(dir, 'ckpt-2')]);
    expect(state.allModelCheckpointTimestamps).toEqual([1606867698.033619, 1606867791.8105]);
    expect(state.lastPreservedTimestamp).toBe(1606867659.7415721);
    const r = await openCheckpoint(dir);
    expect(r.prefix).toBe(join(dir, 'ckpt-2'));
    expect(r.checkpoints).toEqual(state.all);
    await r.close();
    expect(await values(dir, 'save_counter/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([2]);
    expect(await values(join(dir, 'ckpt-1'), 'save_counter/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([1]);
    expect(await values(dir, 'step/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([0]);
    expect(await values(dir, 'net/optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([84]);
    const r2 = await openCheckpoint(dir);
    const roles = Object.fromEntries(r2.list().map((i) => [i.key, i.role]));
    expect(roles['save_counter/.ATTRIBUTES/VARIABLE_VALUE']).toBe('bookkeeping');
    expect(roles['net/optimizer/beta_1/.ATTRIBUTES/VARIABLE_VALUE']).toBe('optimizer');
    expect(roles['net/layer_with_weights-2/kernel/.ATTRIBUTES/VARIABLE_VALUE']).toBe('weight');
    expect(roles[OBJECT_GRAPH_KEY]).toBe('metadata');
    await r2.close();
  });

  it('MANIFEST.md known values: SavedModel variables', async () => {
    const sm = (m: string): string => fixture('savedmodel', m, 'variables', 'variables');
    expect(await values(sm('half-plus-two-tf2'), 'a/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([0.5]);
    expect(await values(sm('half-plus-two-tf2'), 'b/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([2]);
    expect(await values(sm('half-plus-two-tf2'), 'c/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([3]);
    expect(await values(sm('times-three-float'), 'v/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([3]);
    expect(await values(sm('int64-multiply'), 'v1/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([3]);
    expect(await values(sm('int64-multiply'), 'v2/.ATTRIBUTES/VARIABLE_VALUE')).toEqual([2]);
    const lenet = await openCheckpoint(sm('tensorspace-lenet-tf1'));
    const roles = Object.fromEntries(lenet.list().map((i) => [i.key, i.role]));
    expect([roles['Variable'], roles['Variable/Adam'], roles['Variable/Adam_1'], roles['beta1_power']]).toEqual(['weight', 'optimizer', 'optimizer', 'optimizer']);
    await lenet.close();
  });

  it('opens a bundle from its .index, a .data shard, its prefix and its directory', async () => {
    const dir = fixture('checkpoint/tf2-keras-lso-2shards');
    for (const p of [join(dir, 'ckpt'), join(dir, 'ckpt.index'), join(dir, 'ckpt.data-00001-of-00002'), dir, join(dir, 'checkpoint')]) {
      const r = await openCheckpoint(p);
      expect(r.prefix).toBe(join(dir, 'ckpt'));
      expect(r.list().length).toBe(11);
      await r.close();
    }
  });

  it('in-memory reading of a fixture equals reading it from files', async () => {
    const prefix = fixture('checkpoint/tf2-keras-lso-2shards/ckpt');
    const r = await openMemoryBundle(loadBundleFiles(prefix, 2));
    expect(r.list().length).toBe(11);
    expect(r.objectGraph()).toBeDefined();
  });
});
