/**
 * Checkpoints written by real TensorFlow 2.21 at test time (packages/testkit/tf-corpus): our
 * reader must list and read exactly what `tf.train.load_checkpoint` reads, rewriting the
 * tensors in data-file order must give TensorFlow's own bytes back, and TensorFlow must read
 * every value of our rewrite.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySink, type Tensor } from '@tfweights/core';
import { canonicalSha256, runTf, tempDir, tfCorpus, tfPython } from '@tfweights/testkit';
import { BundleWriter, dataFileName, indexFileName } from '../src/index.js';
import { openCheckpoint, readCheckpointState } from '../src/node/index.js';
import { loadBundleFiles, type MemoryBundle } from './helpers.js';

interface TfTruth { [key: string]: { dtype: string; shape: number[]; sha256?: string; refused?: string } }

const exe = tfPython();

/** This file's corpus cases (packages/testkit/tf-corpus/cases/<name>.py). */
const CASES = [
  'variables-every-dtype', 'ckpt-module-tree', 'ckpt-optimizer-slots', 'ckpt-manager',
  'ckpt-data-iterator', 'ckpt-lookup-table', 'ckpt-sharded',
];

/** Every `<prefix>.tf-truth.json` of a corpus case, as [prefix, truth]. */
function truths(caseName: string): [string, TfTruth][] {
  const dir = tfCorpus(caseName)!;
  const found: [string, TfTruth][] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.tf-truth.json')) found.push([p.slice(0, -'.tf-truth.json'.length), JSON.parse(readFileSync(p, 'utf8'))]);
    }
  };
  walk(dir);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

/** What TF serialised for each variant tensor of a prefix (cases write `variants.json` beside it). */
function variantTruth(prefix: string): Record<string, { count: number; sha256: string }> {
  const p = join(dirname(prefix), 'variants.json');
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : {};
}

/** Every data-bearing entry in data-file order through our writer (slices as slices, same shards). */
async function rewrite(prefix: string): Promise<MemoryBundle> {
  const r = await openCheckpoint(prefix);
  try {
    const index = new MemorySink('ours.index');
    const shards = Array.from({ length: r.header.numShards }, (_, i) => new MemorySink(`ours.data-${i}`));
    const w = new BundleWriter(index, shards);
    for (const key of r.dataOrder()) {
      const e = r.entries().find((x) => x.key === key)!;
      const t: Tensor = await r.read(key);
      if (e.sliceOf) {
        const full = r.entries().find((x) => x.key === e.sliceOf!.key)!;
        await w.writeSlice(full.key, full.shape, e.sliceOf.extents, t, { shard: e.shardId });
      } else await w.write(t, { shard: e.shardId });
    }
    await w.finish();
    return { index: index.bytes(), shards: shards.map((s) => s.bytes()) };
  } finally {
    await r.close();
  }
}

describe.skipIf(!exe)('checkpoints written by real TensorFlow (tf-corpus)', () => {
  for (const caseName of CASES) {
    it(`${caseName}: every tensor reads as tf.train.load_checkpoint reads it`, async () => {
      const all = truths(caseName);
      expect(all.length).toBeGreaterThan(0);
      for (const [prefix, truth] of all) {
        const variants = variantTruth(prefix);
        const r = await openCheckpoint(prefix);
        try {
          expect(r.list().map((i) => i.key).sort()).toEqual(Object.keys(truth).sort());
          for (const [key, want] of Object.entries(truth)) {
            const info = r.list().find((i) => i.key === key)!;
            expect([key, info.dtype, info.shape]).toEqual([key, want.dtype, want.shape]);
            const t = await r.read(key);
            if (want.sha256) expect([key, canonicalSha256(t)]).toEqual([key, want.sha256]);
            // TF cannot hand a variant to Python; the case recorded what TF serialises for it.
            if (want.refused === 'DT_VARIANT') {
              expect(variants[key], `${key}: the case records its variant elements`).toBeDefined();
              expect([key, t.strings?.length, canonicalSha256({ ...t, dtype: 'string' })]).toEqual([key, variants[key]!.count, variants[key]!.sha256]);
            }
          }
          // Readable names are unique: each tensor can be read by its name.
          const names = r.list().map((i) => i.name);
          expect(new Set(names).size).toBe(names.length);
        } finally {
          await r.close();
        }
      }
    });
  }

  it('rewriting every case in data-file order reproduces TF\'s files, and TF reads every value of the rewrite', async () => {
    const dir = tempDir('tf-corpus-rewrite-').path;
    const jobs: { prefix: string; ours: string; truth: TfTruth; caseName: string }[] = [];
    for (const caseName of CASES) {
      const root = tfCorpus(caseName)!;
      for (const [prefix, truth] of truths(caseName)) {
        const ours = await rewrite(prefix);
        const orig = loadBundleFiles(prefix, ours.shards.length);
        const label = relative(root, prefix);
        expect([caseName, label, ours.shards.length]).toEqual([caseName, label, orig.shards.length]);
        ours.shards.forEach((s, i) => expect([caseName, label, `shard ${i}`, Buffer.compare(s, orig.shards[i]!)]).toEqual([caseName, label, `shard ${i}`, 0]));
        expect([caseName, label, 'index', Buffer.compare(ours.index, orig.index)]).toEqual([caseName, label, 'index', 0]);
        const out = join(dir, caseName, label);
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(indexFileName(out), ours.index);
        ours.shards.forEach((s, i) => writeFileSync(dataFileName(out, i, ours.shards.length), s));
        jobs.push({ prefix, ours: out, truth, caseName });
      }
    }
    expect(jobs.length).toBeGreaterThanOrEqual(CASES.length);
    // One TF process for every rewrite: what load_checkpoint reads, and the iterator restored
    // from our bytes yields what the original iterator yielded next.
    const iter = jobs.find((j) => j.caseName === 'ckpt-data-iterator')!;
    const code = `
import json, sys
import tensorflow as tf
import common
jobs = json.loads(sys.argv[1])
out = {"truths": {p: common.checkpoint_truth(p) for p in jobs["prefixes"]}}
ds = tf.data.Dataset.range(10).map(lambda x: x * 3).batch(2)
it = iter(ds)
tf.train.Checkpoint(iterator=it, w=tf.Variable([0.0, 0.0])).read(jobs["iterator"]).assert_existing_objects_matched()
out["next"] = [int(x) for x in next(it).numpy()]
print(json.dumps(out))
`;
    const got = JSON.parse((await runTf(exe!, code, [JSON.stringify({ prefixes: jobs.map((j) => j.ours), iterator: iter.ours })])).trim().split('\n').pop()!);
    for (const j of jobs) expect([j.caseName, basename(j.ours), got.truths[j.ours]]).toEqual([j.caseName, basename(j.ours), j.truth]);
    expect(got.next).toEqual(JSON.parse(readFileSync(join(dirname(iter.prefix), 'next.json'), 'utf8')));
  }, 120_000);

  it('ckpt-manager: the state file lists the kept checkpoints, latest last', async () => {
    const dir = join(tfCorpus('ckpt-manager')!, 'manager');
    const state = await readCheckpointState(dir);
    expect(state.modelCheckpointPath).toBe('ckpt-4');
    expect(state.all).toEqual(['ckpt-2', 'ckpt-3', 'ckpt-4'].map((c) => join(dir, c)));
    const r = await openCheckpoint(dir);
    try {
      expect(r.prefix).toBe(join(dir, 'ckpt-4'));
      expect(r.checkpoints).toEqual(state.all);
    } finally {
      await r.close();
    }
  });

  it('ckpt-lookup-table: keys and values of each table have distinct readable names', async () => {
    const r = await openCheckpoint(join(tfCorpus('ckpt-lookup-table')!, 'tables', 'ckpt-1'));
    try {
      const named = Object.fromEntries(r.list().map((i) => [i.key, [i.name, i.layer, i.attrs?.attribute]]));
      expect(named['words/.ATTRIBUTES/table-keys']).toEqual(['words/table-keys', 'words', 'table-keys']);
      expect(named['words/.ATTRIBUTES/table-values']).toEqual(['words/table-values', 'words', 'table-values']);
      expect(named['dense/.ATTRIBUTES/table-keys']).toEqual(['dense/table-keys', 'dense', 'table-keys']);
      const keys = await r.read('words/table-keys');
      expect(keys.strings!.map((s) => Buffer.from(s).toString('utf8')).sort()).toEqual(['alpha', 'beta', 'grüße']);
    } finally {
      await r.close();
    }
  });

  it('ckpt-sharded: MaxShardSizePolicy spreads slices over five data files and they assemble', async () => {
    const r = await openCheckpoint(join(tfCorpus('ckpt-sharded')!, 'max-size', 'ckpt-1'));
    try {
      expect(r.header.numShards).toBe(5);
      expect(r.entries().filter((e) => e.sliceOf).length).toBeGreaterThanOrEqual(8);
      expect(new Set(r.entries().filter((e) => e.sliceOf?.key === 'v3/.ATTRIBUTES/VARIABLE_VALUE').map((e) => e.shardId)).size).toBeGreaterThan(1);
    } finally {
      await r.close();
    }
  });
});
