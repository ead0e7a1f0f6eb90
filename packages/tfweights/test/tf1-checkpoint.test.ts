/**
 * TF1 Saver checkpoints written by real TensorFlow (tf-corpus tf1-partitioned, tf1-sharded)
 * through `save()`: an unchanged conversion keeps slices and shards and is byte-identical; an
 * edited one keeps them too and TF reads exactly the new values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapValues, type Tensor } from '@tfweights/core';
import { openCheckpoint } from '@tfweights/checkpoint/node';
import { canonicalSha256, runTf, tempDir, tfCorpus, tfPython } from '@tfweights/testkit';
import { open, save } from '../src/node.js';

const exe = tfPython();
const tmp = tempDir('tfw-tf1-save-');
afterAll(() => tmp.cleanup());

describe.skipIf(!exe)('TF1 checkpoints through save() (tf-corpus tf1-*)', () => {
  /** Edited outputs and the canonical SHA-256 TF must read for each key, checked in one TF call at the end. */
  const edited: { prefix: string; expected: Record<string, string> }[] = [];
  for (const c of ['tf1-partitioned', 'tf1-sharded', 'tf1-sharded-partitioned']) {
    it(`${c}: converting to a checkpoint keeps every file byte for byte; an edit keeps slices and shards`, async () => {
      const dir = tfCorpus(c)!;
      const src = join(dir, 'model.ckpt');
      const out = join(tmp.path, `same-${c}`, 'model.ckpt');
      await save(await open(src), out, { format: 'checkpoint' });
      const written = readdirSync(join(tmp.path, `same-${c}`)).sort();
      expect(written).toEqual(readdirSync(dir).filter((f) => /^model\.ckpt\.(index|data-)/.test(f)).sort());
      for (const f of written) expect([f, Buffer.compare(readFileSync(join(tmp.path, `same-${c}`, f)), readFileSync(join(dir, f)))]).toEqual([f, 0]);

      // Every float32 × 2 through withValues: same layout, new values, read back by TF.
      const model = await open(src);
      const edits: Tensor[] = [];
      for (const t of model.list()) if (t.dtype === 'float32') edits.push(mapValues(await model.read(t.key), (v) => v * 2));
      const out2 = join(tmp.path, `x2-${c}`, 'model.ckpt');
      await save(model.withValues(edits), out2, { format: 'checkpoint' });
      const [a, b] = [await openCheckpoint(src), await openCheckpoint(out2)];
      expect(b.header.numShards).toBe(a.header.numShards);
      expect(b.entries().map((e) => [e.key, e.shardId, e.slices])).toEqual(a.entries().map((e) => [e.key, e.shardId, e.slices]));
      await a.close();
      await b.close();
      const expected = Object.fromEntries(await Promise.all(model.list().map(async (t) => {
        const edit = edits.find((e) => e.key === t.key);
        return [t.key, canonicalSha256(edit ?? (await model.read(t.key)))] as const;
      })));
      edited.push({ prefix: out2, expected });
    });
  }

  it('tf.train.load_checkpoint reads exactly the edited values of every output', async () => {
    expect(edited.length).toBe(3);
    const code = 'import json, sys, common\nprint(json.dumps([{k: v["sha256"] for k, v in common.checkpoint_truth(p).items()} for p in sys.argv[1:]]))';
    expect(JSON.parse(await runTf(exe!, code, edited.map((e) => e.prefix)))).toEqual(edited.map((e) => e.expected));
  });
});
