/**
 * A Keras model config (`model.to_json()`, a `.keras` archive's `config.json`, a Keras 2
 * `model_config`) as a `--template`: it carries the structure — layer names and classes and
 * the config itself, written into `.keras` / `.h5` outputs so `load_model` works — but no
 * weights, so nothing is matched against it.
 */
import { readFile } from 'node:fs/promises';
import { NotThisFormatError, type LayerInfo } from '@tfweights/core';
import { TensorSet } from '../tensor-set.js';

interface LayerConfig {
  class_name?: unknown;
  name?: unknown;
  config?: { name?: unknown; layers?: unknown };
}

/** Open a Keras config JSON as a structure-only template; NotThisFormatError if it is not one. */
export async function openKerasConfigTemplate(path: string): Promise<TensorSet> {
  let json: LayerConfig;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as LayerConfig;
  } catch {
    throw new NotThisFormatError('not a Keras model config (JSON with class_name and config)', { file: path });
  }
  const cfg = (json as { model_config?: LayerConfig }).model_config ?? json;
  const layers = cfg.config?.layers;
  if (typeof cfg.class_name !== 'string' || !Array.isArray(layers)) {
    throw new NotThisFormatError('not a Keras model config (JSON with class_name and config.layers)', { file: path });
  }
  const keras3 = 'module' in cfg || 'build_config' in cfg;
  const infos: LayerInfo[] = (layers as LayerConfig[]).map((l) => ({
    name: String(l.config?.name ?? l.name ?? ''),
    ...(typeof l.class_name === 'string' ? { className: l.class_name } : {}),
    weights: [],
  }));
  return new TensorSet([], {
    source: path,
    format: keras3 ? 'keras3' : 'keras-h5',
    layers: infos,
    metadata: { model_config: cfg, ...(keras3 ? {} : { keras_version: '2.15.0', backend: 'tensorflow' }) },
  });
}
