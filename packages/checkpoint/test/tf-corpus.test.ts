/**
 * Checkpoints written by real TensorFlow 2.21 at test time (packages/testkit/tf-corpus): our
 * reader must list and read exactly what `tf.train.load_checkpoint` reads, and rewriting the
 * tensors must give TensorFlow's own bytes back.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalSha256, tfCorpus, tfPython } from '@tfweights/testkit';
import { openCheckpoint } from '../src/node/index.js';

interface TfTruth { [key: string]: { dtype: string; shape: number[]; sha256?: string; refused?: string } }

const haveTf = tfPython() !== undefined;

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
  return found;
}

describe.skipIf(!haveTf)('checkpoints written by real TensorFlow (tf-corpus)', () => {
  for (const caseName of ['variables-every-dtype']) {
    it(`${caseName}: every tensor reads as tf.train.load_checkpoint reads it`, async () => {
      const all = truths(caseName);
      expect(all.length).toBeGreaterThan(0);
      for (const [prefix, truth] of all) {
        const r = await openCheckpoint(prefix);
        try {
          expect(r.list().map((i) => i.key).sort()).toEqual(Object.keys(truth).sort());
          for (const [key, want] of Object.entries(truth)) {
            const info = r.list().find((i) => i.key === key)!;
            expect([key, info.dtype, info.shape]).toEqual([key, want.dtype, want.shape]);
            if (want.sha256) expect([key, canonicalSha256(await r.read(key))]).toEqual([key, want.sha256]);
          }
        } finally {
          await r.close();
        }
      }
    });
  }
});
