/** Shared by the tf-keras-* tests: the Keras 3 models of the TF-written corpus (cases/keras-models.py). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tfCorpus, tfPython } from '@tfweights/testkit';

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
