/**
 * TF1 `tf.compat.v1` Saver checkpoints written by real TensorFlow 2.21 at test time
 * (packages/testkit/tf-corpus/cases/tf1-*.py): partitioned variables (slice entries), a
 * Saver(sharded=True) save over four devices (four data files), and a sharded save whose
 * partitioned variables have their parts on different devices (slices spread over three shards). Our reader must list and read
 * what `tf.train.load_checkpoint` reads; a rewrite through bundleLayoutOf must give TF's bytes
 * back; and an edited rewrite must restore in TF through the checkpoint's own `.meta` graph
 * (`import_meta_graph` + `saver.restore`) with exactly the new values. The variables bundles of
 * the SavedModel cases (savedmodel-*.py) are rewritten the same way and read back by TF.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tfweights/core';
import { canonicalSha256, runTf, tempDir, tfCorpus, tfPython } from '@tfweights/testkit';
import { bundleLayoutOf, openCheckpoint, writeCheckpoint, type SliceExtent } from '../src/node/index.js';

interface TfTruth { [key: string]: { dtype: string; shape: number[]; sha256?: string } }

const exe = tfPython();
const CASES = ['tf1-partitioned', 'tf1-sharded', 'tf1-sharded-partitioned'] as const;
const tmp = tempDir('tfw-tf1-corpus-');
afterAll(() => tmp.cleanup());

const dirs = new Map<string, string>();
const caseDir = (c: string): string => dirs.get(c) ?? dirs.set(c, tfCorpus(c)!).get(c)!;
const prefixOf = (c: string): string => join(caseDir(c), c.startsWith('savedmodel-') ? 'model/variables/variables' : 'model.ckpt');
/** Every bundle of this helper's corpus cases: the TF1 checkpoints and the SavedModels' variables. */
const BUNDLES = [...CASES, 'savedmodel-module-signatures', 'savedmodel-keras-export', 'savedmodel-tf1-builder', 'savedmodel-tf1-partitioned'];
const truthOf = (c: string): TfTruth => JSON.parse(readFileSync(`${prefixOf(c)}.tf-truth.json`, 'utf8'));

/** Rewrite `src` at `out` with the source's layout, passing each tensor through `edit`. */
async function rewrite(src: string, out: string, edit: (t: Tensor) => Tensor = (t) => t): Promise<string[]> {
  const r = await openCheckpoint(src);
  try {
    const layout = bundleLayoutOf(r);
    async function* edited() {
      for await (const t of r.tensors()) yield edit(t);
    }
    const res = await writeCheckpoint(out, edited(), {
      numShards: layout.numShards, version: layout.version, dataOrder: layout.dataOrder, partitions: layout.partitions,
      shardOf: (t) => layout.shardOfKey.get(t.key)!,
    });
    return res.files;
  } finally {
    await r.close();
  }
}

/** Every float32 value doubled, every int64 value doubled; other dtypes unchanged. */
function doubled(t: Tensor): Tensor {
  if (t.dtype === 'float32') {
    const v = new Float32Array(t.data.slice().buffer).map((x) => x * 2);
    return { ...t, data: new Uint8Array(v.buffer) };
  }
  if (t.dtype === 'int64') {
    const v = new BigInt64Array(t.data.slice().buffer).map((x) => x * 2n);
    return { ...t, data: new Uint8Array(v.buffer) };
  }
  return t;
}

describe.skipIf(!exe)('TF1 Saver checkpoints and SavedModel variables written by real TensorFlow (tf-corpus tf1-*, savedmodel-*)', () => {
  for (const c of CASES) {
    it(`${c}: every tensor lists and reads as tf.train.load_checkpoint reads it`, async () => {
      const truth = truthOf(c);
      const r = await openCheckpoint(prefixOf(c));
      try {
        expect(r.list().map((i) => i.key).sort()).toEqual(Object.keys(truth).sort());
        for (const [key, want] of Object.entries(truth)) {
          const info = r.list().find((i) => i.key === key)!;
          expect([key, info.dtype, info.shape]).toEqual([key, want.dtype, want.shape]);
          expect([key, canonicalSha256(await r.read(key))]).toEqual([key, want.sha256]);
        }
      } finally {
        await r.close();
      }
    });
  }

  it('tf1-partitioned: slice entries are the parts the Saver stored (offsets and shapes from the graph)', async () => {
    const parts: Record<string, { name: string; offset: number[]; shape: number[] }[]> =
      JSON.parse(readFileSync(join(caseDir('tf1-partitioned'), 'parts.json'), 'utf8'));
    const r = await openCheckpoint(prefixOf('tf1-partitioned'));
    try {
      const entries = r.entries();
      for (const [name, ps] of Object.entries(parts)) {
        const full = entries.find((e) => e.key === name)!;
        const want: SliceExtent[][] = ps.map((p) => p.offset.map((o, d) => ({ start: o, length: p.shape[d]! })));
        expect([name, full.slices]).toEqual([name, want]);
        const stored = entries.filter((e) => e.sliceOf?.key === name);
        expect(stored.map((e) => e.shape)).toEqual(ps.map((p) => p.shape));
      }
      expect(entries.filter((e) => e.sliceOf).length).toBe(8);
    } finally {
      await r.close();
    }
  });

  it('tf1-sharded-partitioned: slices of one variable in different shards, full entries as MergeV2Checkpoints leaves them', async () => {
    const r = await openCheckpoint(prefixOf('tf1-sharded-partitioned'));
    try {
      expect(r.header.numShards).toBe(3);
      const shardsOf = (k: string) => r.entries().filter((e) => e.sliceOf?.key === k).map((e) => e.shardId).sort();
      expect([shardsOf('a'), shardsOf('b'), shardsOf('m')]).toEqual([[0, 1, 2], [1, 2], [0, 1, 2]]);
      // b's parts are on /cpu:1 and /cpu:2: its full entry keeps the first of those shards.
      expect(r.entries().filter((e) => e.slices).map((e) => [e.key, e.shardId])).toEqual([['a', 0], ['b', 1], ['m', 0]]);
    } finally {
      await r.close();
    }
  });

  it('tf1-sharded: four data files, each tensor in the shard of its device', async () => {
    const r = await openCheckpoint(prefixOf('tf1-sharded'));
    try {
      expect(r.header.numShards).toBe(4);
      // Variables of /cpu:d are named layer<d>/… (tf1-sharded.py).
      for (const e of r.entries()) expect([e.key, e.shardId]).toEqual([e.key, Number(/^layer(\d)/.exec(e.key)![1])]);
    } finally {
      await r.close();
    }
  });

  for (const c of BUNDLES) {
    it(`${c}: an unchanged rewrite is byte-identical, every file`, async () => {
      const out = join(tmp.path, `same-${c}`, 'model.ckpt');
      const files = await rewrite(prefixOf(c), out);
      expect(files.length).toBe(({ 'tf1-sharded': 5, 'tf1-sharded-partitioned': 4 } as Record<string, number>)[c] ?? 2);
      for (const f of files) {
        const original = prefixOf(c) + f.slice(out.length);
        expect([f.slice(out.length), Buffer.compare(readFileSync(f), readFileSync(original))]).toEqual([f.slice(out.length), 0]);
      }
    });
  }

  it('TF restores edited TF1 rewrites through the original .meta graph, and load_checkpoint reads every value of every edited bundle', async () => {
    const jobs: { meta: string | null; prefix: string; expected: Record<string, string> }[] = [];
    for (const c of BUNDLES) {
      const out = join(tmp.path, `x2-${c}`, 'model.ckpt');
      await rewrite(prefixOf(c), out, doubled);
      const r = await openCheckpoint(prefixOf(c));
      const expected: Record<string, string> = {};
      for (const i of r.list()) expected[i.key] = canonicalSha256(doubled(await r.read(i.key)));
      await r.close();
      jobs.push({ meta: c.startsWith('tf1-') ? `${prefixOf(c)}.meta` : null, prefix: out, expected });
    }
    // Each job: restore through the .meta's Saver in a 4-CPU session, assemble partitioned
    // variables from their parts (save_slice_info), hash every variable; then load_checkpoint.
    const got = JSON.parse(await runTf(exe!, `
import json, sys
import numpy as np
import tensorflow as tf
import common
tf.compat.v1.disable_eager_execution()
out = []
for meta, prefix in json.loads(sys.argv[1]):
    read = {k: e["sha256"] for k, e in common.checkpoint_truth(prefix).items()}
    if meta is None:
        out.append({"read": read})
        continue
    g = tf.Graph()
    with g.as_default():
        saver = tf.compat.v1.train.import_meta_graph(meta)
        cfg = tf.compat.v1.ConfigProto(device_count={"CPU": 4})
        with tf.compat.v1.Session(graph=g, config=cfg) as sess:
            saver.restore(sess, prefix)
            values = {}
            for v in tf.compat.v1.global_variables():
                val = sess.run(v)
                info = v._save_slice_info
                if info is None:
                    values[v.op.name] = val
                    continue
                full = values.setdefault(info.full_name, np.zeros(info.full_shape, val.dtype))
                full[tuple(slice(o, o + n) for o, n in zip(info.var_offset, info.var_shape))] = val
    restored = {k: common.canonical_sha256(v) for k, v in values.items()}
    out.append({"restored": restored, "read": read})
print(json.dumps(out))
`, [JSON.stringify(jobs.map((j) => [j.meta, j.prefix]))]));
    jobs.forEach((j, n) => {
      if (j.meta) expect(got[n].restored).toEqual(j.expected);
      expect(got[n].read).toEqual(j.expected);
    });
    expect(jobs.filter((j) => j.meta).length).toBe(3);
  });
});
