/** Shared by the tf-keras-* tests: the Keras 3 models of the TF-written corpus (cases/keras-models.py). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTf, tfCorpus, tfPython } from '@tfweights/testkit';

export const KERAS_MODELS = ['conv_bn', 'lstm', 'gru', 'bidirectional', 'embedding', 'mha', 'nested', 'custom_names', 'mixed_float16'] as const;
export type KerasModelName = (typeof KERAS_MODELS)[number];

/** [path, dtype, shape, sha256] as Keras lists `model.weights` / `optimizer.variables`. */
export type WeightRow = [string, string, number[], string];
export interface ModelTruth { weights: WeightRow[]; optimizer: WeightRow[]; iterations: number; next_losses: number[] }
export interface TfTruth { [key: string]: { dtype: string; shape: number[]; sha256?: string } }

export const haveTf = tfPython() !== undefined;

let root: string | undefined;
/** The folder of one model of the corpus (generated on first use). */
export function modelDir(name: KerasModelName): string {
  root ??= tfCorpus('keras-models');
  return join(root!, name);
}

export const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;
export const modelTruth = (name: KerasModelName): ModelTruth => readJson(join(modelDir(name), 'truth.json'));
export const modelConfig = (name: KerasModelName): unknown => readJson(join(modelDir(name), 'config.json'));
export const ckptTruth = (name: KerasModelName, which: 'ckpt' | 'plain'): TfTruth => readJson(join(modelDir(name), which, 'ckpt-1.tf-truth.json'));

/**
 * Python: restore each `[case, prefix, model dir]` of argv[1] into an uncompiled model built from
 * the dir's config.json with `tf.train.Checkpoint(model=m).read(p).assert_existing_objects_matched()`,
 * then compare its predictions on x.npy with y.npy; prints `{case: "ok" | what went wrong}`.
 */
export const RESTORE_INTO_MODEL = `
import json, sys, numpy as np, tensorflow as tf, keras
out = {}
for case, prefix, d in json.loads(sys.argv[1]):
    try:
        with open(d + "/config.json") as f:
            config = json.load(f)
        config.pop("compile_config", None)  # an uncompiled model: only the model's own variables
        m = keras.saving.deserialize_keras_object(config)
        tf.train.Checkpoint(model=m).read(prefix).assert_existing_objects_matched()
        diff = float(np.max(np.abs(m.predict(np.load(d + "/x.npy"), verbose=0) - np.load(d + "/y.npy"))))
        out[case] = "ok" if diff <= 1e-6 else f"predictions differ by {diff}"
    except Exception as e:
        out[case] = f"{type(e).__name__}: {str(e)[:300]}"
print(json.dumps(out))
`;

/** Run a case-checking snippet (argv[1] = JSON list of cases) in one TF process; its verdict per case. */
export async function tfVerdicts(code: string, cases: readonly unknown[]): Promise<Record<string, string>> {
  if (cases.length === 0) return {};
  return JSON.parse((await runTf(tfPython()!, code, [JSON.stringify(cases)])).trim().split('\n').pop()!) as Record<string, string>;
}
