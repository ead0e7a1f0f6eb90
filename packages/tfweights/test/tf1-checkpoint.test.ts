/**
 * TF1 Saver checkpoints written by real TensorFlow (tf-corpus tf1-partitioned, tf1-sharded)
 * through `save()`: an unchanged conversion keeps slices and shards and is byte-identical; an
 * edited one keeps them too and TF reads exactly the new values.
 */
import type { Tensor } from '@tfweights/core';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapValues } from '@tfweights/core';
import { openCheckpoint } from '@tfweights/checkpoint/node';
import { canonicalSha256, runTf, tempDir, tfCorpus, tfPython } from '@tfweights/testkit';
import { open, save } from '../src/node.js';

const exe = tfPython();
const tmp = tempDir('tfw-tf1-save-');
afterAll(() => tmp.cleanup());

describe.skipIf(!exe)('TF1 checkpoints through save() (tf-corpus tf1-*)', () => {
  for (const c of ['tf1-partitioned', 'tf1-sharded']) {
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
      const edited = join(tmp.path, `x2-${c}`, 'model.ckpt');
      await save(model.withValues(edits), edited, { format: 'checkpoint' });
      const [a, b] = [await openCheckpoint(src), await openCheckpoint(edited)];
      expect(b.header.numShards).toBe(a.header.numShards);
      expect(b.entries().map((e) => [e.key, e.shardId, e.slices])).toEqual(a.entries().map((e) => [e.key, e.shardId, e.slices]));
      await a.close();
      await b.close();
      const expected = Object.fromEntries(await Promise.all(model.list().map(async (t) => {
        const edit = edits.find((e) => e.key === t.key);
        return [t.key, canonicalSha256(edit ?? (await model.read(t.key)))] as const;
      })));
      const tfRead = JSON.parse(runTf(exe!, 'import json, sys, common\nprint(json.dumps({k: v["sha256"] for k, v in common.checkpoint_truth(sys.argv[1]).items()}))', [edited]));
      expect(tfRead).toEqual(expected);
    });
  }
});
