/**
 * SavedModels written by real TensorFlow (tf-corpus savedmodel-*) patched through `save()` with
 * the SavedModel as template: the result is the same, byte for byte, as the savedmodel package's
 * writer gives for the same new values — the output TF 2.21 loads and runs in
 * packages/savedmodel/test/tf-corpus.test.ts — partitioned TF1 variables included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapValues, type Tensor } from '@tfweights/core';
import { writeSavedModel } from '@tfweights/savedmodel/node';
import { tempDir, tfCorpus, tfPython } from '@tfweights/testkit';
import { open, save } from '../src/node.js';

const tmp = tempDir('tfw-savedmodel-save-');
afterAll(() => tmp.cleanup());

describe.skipIf(!tfPython())('SavedModels through save() (tf-corpus savedmodel-*)', () => {
  for (const c of ['savedmodel-module-signatures', 'savedmodel-keras-export', 'savedmodel-tf1-builder', 'savedmodel-tf1-partitioned']) {
    it(`${c}: every kernel × 2 through save() gives the savedmodel writer's bytes`, async () => {
      const src = join(tfCorpus(c)!, 'model');
      const m = await open(src);
      const edits: Tensor[] = [];
      for (const t of m.list()) if (t.dtype === 'float32' && t.shape.length === 2) edits.push(mapValues(await m.read(t.key), (v) => v * 2));
      expect(edits.length).toBeGreaterThan(0);
      const viaSave = join(tmp.path, `save-${c}`);
      const viaWriter = join(tmp.path, `writer-${c}`);
      await save(m.withValues(edits), viaSave, { format: 'savedmodel', template: src });
      await writeSavedModel(src, viaWriter, new Map(edits.map((t) => [t.key, t])));
      const files = (d: string): string[] => readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(d.length + 1)).sort();
      expect(files(viaSave)).toEqual(files(viaWriter));
      for (const f of files(viaWriter)) expect([f, Buffer.compare(readFileSync(join(viaSave, f)), readFileSync(join(viaWriter, f)))]).toEqual([f, 0]);
      // And the kernels really changed.
      expect(Buffer.compare(readFileSync(join(viaSave, 'variables/variables.index')), readFileSync(join(src, 'variables/variables.index')))).not.toBe(0);
    });
  }
});
