/**
 * SavedModels written by real TensorFlow 2.21 at test time (packages/testkit/tf-corpus/cases/
 * savedmodel-*.py): a tf.Module with several signatures, a Keras 3 `model.export()`, a TF1
 * Builder with two tag sets and a TF1 Builder with partitioned variables. Our reader must list
 * what `tf.train.load_checkpoint` reads and the signatures TF sees; an unchanged rewrite keeps
 * the variables bundle byte for byte; a rewrite with every kernel × 2 loads in TF
 * (`tf.saved_model.load`, fingerprint read; TF1 through `loader.load` in a session) and its
 * signatures give exactly the output TF computes from the doubled weights.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapValues, type Tensor } from '@tfweights/core';
import { canonicalSha256, runTf, tempDir, tfCorpus, tfPython } from '@tfweights/testkit';
import { fingerprint64 } from '../src/index.js';
import { openSavedModel, writeSavedModel } from '../src/node/index.js';

interface TfTruth { [key: string]: { dtype: string; shape: number[]; sha256?: string } }
interface V2Sig { inputs: Record<string, { dtype: string; shape: number[] | null }>; outputs: Record<string, { dtype: string; shape: number[] | null }> }
interface V1Sig { method: string; inputs: Record<string, string>; outputs: Record<string, string> }

const exe = tfPython();
/** Each case, whether it is a TF1 SavedModel, and its tag sets. */
const CASES: { name: string; tf1: boolean; tagSets: string[][] }[] = [
  { name: 'savedmodel-module-signatures', tf1: false, tagSets: [['serve']] },
  { name: 'savedmodel-keras-export', tf1: false, tagSets: [['serve']] },
  { name: 'savedmodel-tf1-builder', tf1: true, tagSets: [['serve'], ['train', 'gpu']] },
  { name: 'savedmodel-tf1-partitioned', tf1: true, tagSets: [['serve']] },
];
const tmp = tempDir('tfw-savedmodel-corpus-');
afterAll(() => tmp.cleanup());

const dirs = new Map<string, string>();
const caseDir = (c: string): string => dirs.get(c) ?? dirs.set(c, tfCorpus(c)!).get(c)!;
const modelDir = (c: string): string => join(caseDir(c), 'model');
const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe.skipIf(!exe)('SavedModels written by real TensorFlow (tf-corpus savedmodel-*)', () => {
  for (const c of CASES) {
    it(`${c.name}: variables read as tf.train.load_checkpoint reads them, signatures as TF loads them`, async () => {
      const truth = json<TfTruth>(join(modelDir(c.name), 'variables/variables.tf-truth.json'));
      const sigs = json<Record<string, unknown>>(join(caseDir(c.name), 'model.signatures.json'));
      for (const tags of c.tagSets) {
        const m = await openSavedModel(modelDir(c.name), { tags });
        try {
          expect(m.list().map((i) => i.key).sort()).toEqual(Object.keys(truth).sort());
          for (const [key, want] of Object.entries(truth)) {
            const info = m.info(key);
            expect([key, info.dtype, info.shape]).toEqual([key, want.dtype, want.shape]);
            expect([key, canonicalSha256(await m.read(key))]).toEqual([key, want.sha256]);
          }
          const ours = m.signatures().filter((s) => !s.key.startsWith('__'));
          if (c.tf1) {
            const want = sigs[tags.join(',')] as Record<string, V1Sig>;
            expect(ours.map((s) => s.key).sort()).toEqual(Object.keys(want).sort());
            for (const s of ours) {
              expect([s.key, s.methodName]).toEqual([s.key, want[s.key]!.method]);
              expect(Object.fromEntries(s.inputs.map((t) => [t.key, t.tensorName]))).toEqual(want[s.key]!.inputs);
              expect(Object.fromEntries(s.outputs.map((t) => [t.key, t.tensorName]))).toEqual(want[s.key]!.outputs);
            }
          } else {
            const want = sigs as Record<string, V2Sig>;
            expect(ours.map((s) => s.key).sort()).toEqual(Object.keys(want).sort());
            for (const s of ours) {
              const spec = (ts: typeof s.inputs) => Object.fromEntries(ts.map((t) => [t.key, { dtype: t.dtype, shape: t.shape }]));
              expect([s.key, spec(s.inputs), spec(s.outputs)]).toEqual([s.key, want[s.key]!.inputs, want[s.key]!.outputs]);
            }
          }
        } finally {
          await m.close();
        }
      }
    });
  }

  for (const c of CASES) {
    it(`${c.name}: an unchanged rewrite keeps variables.index and every data file byte for byte`, async () => {
      const out = join(tmp.path, `same-${c.name}`);
      const res = await writeSavedModel(modelDir(c.name), out, {}, { tags: c.tagSets[0] });
      expect(res.replaced).toEqual([]);
      for (const f of ['variables.index', 'variables.data-00000-of-00001']) {
        expect([f, Buffer.compare(readFileSync(join(out, 'variables', f)), readFileSync(join(modelDir(c.name), 'variables', f)))]).toEqual([f, 0]);
      }
    });
  }

  it('with every kernel × 2, TF loads each SavedModel and its signatures compute with exactly the doubled kernels', async () => {
    const jobs: { name: string; tf1: boolean; tagSets: string[][]; src: string; out: string }[] = [];
    for (const c of CASES) {
      const src = modelDir(c.name);
      const m = await openSavedModel(src, { tags: c.tagSets[0] });
      // Kernels: float32 variables of rank 2 (partitioned ones are given whole).
      const kernels = m.list().filter((t) => t.dtype === 'float32' && t.shape.length === 2);
      const values = Object.fromEntries(await Promise.all(kernels.map(async (t) => [t.key, mapValues(await m.read(t.key), (v) => v * 2)] as const)));
      await m.close();
      expect(kernels.length).toBeGreaterThan(0);
      const out = join(tmp.path, `x2-${c.name}`);
      const res = await writeSavedModel(src, out, values, { tags: c.tagSets[0] });
      expect(res.replaced).toEqual(kernels.map((t) => t.key).sort());
      jobs.push({ name: c.name, tf1: c.tf1, tagSets: c.tagSets, src, out });
    }
    // Expected outputs from the original weights as TF reads them, kernels doubled in NumPy;
    // actual outputs from the rewritten SavedModel as TF loads and runs it.
    const got = JSON.parse(await runTf(exe!, `
import json, sys
import numpy as np
import tensorflow as tf
relu = lambda a: np.maximum(a, 0)
def expected(name, w, sig, feed):
    x = np.asarray(feed["x"], np.float32)
    if name == "savedmodel-module-signatures":
        k = lambda p: 2 * w[p + "/kernel/.ATTRIBUTES/VARIABLE_VALUE"]
        b = lambda p: w[p + "/bias/.ATTRIBUTES/VARIABLE_VALUE"]
        h = relu(x @ k("hidden") + b("hidden"))
        y = h @ k("head") + b("head")
        if sig == "scaled":
            return {"y": y * w["scale/.ATTRIBUTES/VARIABLE_VALUE"] * feed["k"], "hidden": h}
        return {"y": y}
    if name == "savedmodel-keras-export":
        v = lambda i: w[f"variables/{i}/.ATTRIBUTES/VARIABLE_VALUE"]
        return {"output_0": relu(x @ (2 * v(0)) + v(1)) @ (2 * v(2)) + v(3)}
    y = x @ (2 * w["dense/kernel"]) + w["dense/bias"]
    if name == "savedmodel-tf1-builder":
        return {"z": 2 * y} if sig == "double" else {"y": y}
    return {"y": y, "p": y @ (2 * w["proj"])}
out = []
for job in json.loads(sys.argv[1]):
    r = tf.train.load_checkpoint(job["src"] + "/variables/variables")
    w = {k: r.get_tensor(k) for k in r.get_variable_to_shape_map()}
    sigs = json.load(open(job["src"] + "/../model.signatures.json"))
    rows = []
    if not job["tf1"]:
        fp = tf.saved_model.experimental.read_fingerprint(job["out"])
        loaded = tf.saved_model.load(job["out"])
        for sig, spec in sigs.items():
            if "feed" not in spec: continue
            res = loaded.signatures[sig](**{k: tf.constant(np.asarray(v, np.float32)) for k, v in spec["feed"].items()})
            rows.append([sig, {k: v.numpy().tolist() for k, v in res.items()}, expected(job["name"], w, sig, spec["feed"]), spec["result"]])
        src_fp = tf.saved_model.experimental.read_fingerprint(job["src"])
        out.append({"name": job["name"], "out": job["out"], "src": job["src"], "rows": rows,
                    "fingerprints": [str(src_fp.checkpoint_hash), str(fp.checkpoint_hash)]})
        continue
    for tags in job["tagSets"]:
        g = tf.Graph()
        with tf.compat.v1.Session(graph=g) as sess:
            meta = tf.compat.v1.saved_model.loader.load(sess, tags, job["out"])
            for sig, spec in sigs[",".join(tags)].items():
                s = meta.signature_def[sig]
                feed = {s.inputs[k].name: np.asarray(v, np.float32) for k, v in spec["feed"].items()}
                res = sess.run({k: v.name for k, v in s.outputs.items()}, feed)
                rows.append([sig, {k: v.tolist() for k, v in res.items()}, expected(job["name"], w, sig, spec["feed"]), spec["result"]])
    out.append({"name": job["name"], "rows": rows})
print(json.dumps(out, default=lambda a: np.asarray(a).tolist()))
`, [JSON.stringify(jobs)]));
    const close = (a: unknown, b: unknown): boolean => (Array.isArray(a) && Array.isArray(b)
      ? a.length === b.length && a.every((x, i) => close(x, b[i]))
      : Math.abs((a as number) - (b as number)) <= 1e-5 * Math.max(1, Math.abs(b as number)));
    const checked: string[] = [];
    type Job = { name: string; src: string; out: string; fingerprints?: [string, string]; rows: [string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>][] };
    for (const job of got as Job[]) {
      if (job.fingerprints) {
        // TF 2.21's own checkpoint_hash of its index, and the one we wrote for ours: FarmHash Fingerprint64 of variables.index.
        const hashOf = (dir: string) => String(fingerprint64(readFileSync(join(dir, 'variables/variables.index'))));
        expect([job.name, ...job.fingerprints]).toEqual([job.name, hashOf(job.src), hashOf(job.out)]);
        expect(job.fingerprints[0]).not.toBe(job.fingerprints[1]);
      }
      expect(job.rows.length).toBeGreaterThan(0);
      for (const [sig, actual, want, before] of job.rows) {
        expect(Object.keys(actual).sort()).toEqual(Object.keys(want).sort());
        for (const k of Object.keys(want)) {
          expect([job.name, sig, k, close(actual[k], want[k])]).toEqual([job.name, sig, k, true]);
          // The doubled kernels really changed the output (hidden activations of `scaled` aside).
          if (k !== 'hidden') expect([job.name, sig, k, close(actual[k], before[k])]).toEqual([job.name, sig, k, false]);
        }
        checked.push(`${job.name}:${sig}`);
      }
    }
    expect(checked.sort()).toEqual([
      'savedmodel-keras-export:serving_default', 'savedmodel-module-signatures:scaled', 'savedmodel-module-signatures:serving_default',
      'savedmodel-tf1-builder:double', 'savedmodel-tf1-builder:serving_default', 'savedmodel-tf1-partitioned:serving_default',
    ]);
  });
});
