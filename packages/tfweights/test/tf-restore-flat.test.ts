/**
 * Flat weight files → TF checkpoint, with TensorFlow 2.21 as the reader: `.npz` (written by
 * NumPy), `.safetensors` (written by the safetensors package) and a tfjs layers model (written
 * by tfjs, shared fixture) go through `save()` — the pipeline `tfweights convert … --to
 * checkpoint` runs — and `tf.train.load_checkpoint` must read every value with the SHA-256 of
 * the input's own value. Skipped, saying so, without the TF virtualenv.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OBJECT_GRAPH_KEY } from '@tfweights/checkpoint';
import { openCheckpoint } from '@tfweights/checkpoint/node';
import { fixture, haveFixtures, runTf, tempDir, tfPython } from '@tfweights/testkit';
import { open, save } from '../src/node.js';

const exe = tfPython();
const dir = tempDir('tfw-tf-restore-flat-');
afterAll(dir.cleanup);

interface Truth { [key: string]: { dtype: string; shape: number[]; sha256?: string } }

/** Inputs made by NumPy and safetensors in the TF venv; prints the canonical SHA-256 of each value. */
const MAKE_INPUTS = `
import json, sys
import numpy as np, ml_dtypes
import safetensors.numpy as sn
import common
out = sys.argv[1]
rng = np.random.default_rng(3)
npz = {
  "dense/kernel": rng.standard_normal((3, 4)).astype(np.float32),
  "dense/bias": np.arange(4, dtype=np.float64) / 3,
  "emb/table": rng.integers(-9, 9, (2, 3)).astype(np.int64),
  "counts": np.array([0, 255, 7], np.uint8),
  "mask": np.array([[True, False], [False, True]]),
  "half": rng.standard_normal(5).astype(np.float16),
  "z": np.array([1 + 2j, -0.5j], np.complex64),
  "scalar": np.float32(2.5),
  "empty": np.zeros((0, 2), np.float32),
  "words": np.array(["a", "grüße", ""]),
}
np.savez(out + "/in.npz", **npz)
st = {
  "encoder/w": rng.standard_normal((2, 2)).astype(np.float32),
  "encoder/w_bf16": rng.standard_normal(6).astype(ml_dtypes.bfloat16),
  "ids": np.array([1, -2, 3], np.int32),
  "flags": np.array([True, False]),
}
sn.save_file(st, out + "/in.safetensors")
shas = lambda d: {k: common.canonical_sha256(v) for k, v in d.items()}
print(json.dumps({"npz": shas(npz), "safetensors": shas(st)}))
`;

describe.skipIf(!exe || !haveFixtures())('flat files → checkpoint, restored by TensorFlow', () => {
  it('.npz, .safetensors and tfjs converted to TF1- and TF2-style checkpoints: tf.train.load_checkpoint reads every value', async () => {
    const inputs = JSON.parse((await runTf(exe!, MAKE_INPUTS, [dir.path])).trim().split('\n').pop()!) as Record<string, Record<string, string>>;
    const tfjsTruth = JSON.parse(readFileSync(fixture('tfjs', 'e2e-layers-model', 'truth.json'), 'utf8'))[0].tensors as { key: string; sha256: string }[];
    inputs.tfjs = Object.fromEntries(tfjsTruth.map((t) => [t.key, t.sha256]));
    const paths: Record<string, string> = {
      npz: join(dir.path, 'in.npz'), safetensors: join(dir.path, 'in.safetensors'), tfjs: fixture('tfjs', 'e2e-layers-model', 'model.json'),
    };
    const jobs: { label: string; prefix: string; style: 'tf1' | 'tf2'; want: Record<string, string> }[] = [];
    for (const [kind, path] of Object.entries(paths)) {
      for (const style of ['tf1', 'tf2'] as const) {
        const prefix = join(dir.path, `${kind}-${style}`, 'ckpt');
        const src = await open(path);
        // Names as the converter writes them: the readable name of each input tensor.
        const byName = new Map(src.list().map((t) => [t.name, t.key]));
        const result = await save(src, prefix, { format: 'checkpoint', extra: { style } });
        await src.close();
        expect([kind, style, result.written.length]).toEqual([kind, style, Object.keys(inputs[kind]!).length]);
        // Which checkpoint key holds which input tensor: TF1 keys are the names; TF2 keys are
        // object paths whose variables carry the name as their TF full_name.
        const written = await openCheckpoint(prefix);
        const want: Record<string, string> = {};
        for (const t of written.list()) {
          if (t.key === OBJECT_GRAPH_KEY) continue;
          const name = style === 'tf1' ? t.key : String(t.attrs?.full_name);
          want[t.key] = inputs[kind]![byName.get(name) ?? name]!;
        }
        await written.close();
        expect([kind, style, Object.values(want).filter((v) => v === undefined)]).toEqual([kind, style, []]);
        jobs.push({ label: `${kind} → ${style}`, prefix, style, want });
      }
    }
    const code = `
import json, sys
import common
print(json.dumps({p: common.checkpoint_truth(p) for p in json.loads(sys.argv[1])}))
`;
    const truths = JSON.parse((await runTf(exe!, code, [JSON.stringify(jobs.map((j) => j.prefix))])).trim().split('\n').pop()!) as Record<string, Truth>;
    for (const j of jobs) {
      const truth = truths[j.prefix]!;
      const read = Object.fromEntries(Object.entries(truth).filter(([k]) => k in j.want).map(([k, v]) => [k, v.sha256]));
      expect([j.label, read]).toEqual([j.label, j.want]);
      // Nothing else but TF2's own bookkeeping (object graph) in the checkpoint.
      const extra = Object.keys(truth).filter((k) => !(k in j.want));
      expect([j.label, extra]).toEqual([j.label, j.style === 'tf2' ? ['_CHECKPOINTABLE_OBJECT_GRAPH'] : []]);
    }
  }, 180_000);
});
