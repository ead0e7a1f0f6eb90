/**
 * The two Keras layouts, written with {@link H5Writer} to a path h5wasm can reach. The Node
 * entry wraps these with atomic temp-file-and-rename.
 */
import { InvalidArgumentError } from '@tfweights/core';
import type { H5Api } from './h5-api.js';
import { H5Writer } from './h5-write.js';
import { stripOutputIndex } from './legacy-layout.js';
import { toSnakeCase } from './variable-names.js';
import type { KerasLayer, KerasModelWeights } from './writer-input.js';

export interface LegacyH5Options {
  /** `keras_version` attribute (default `2.13.1`; tf-keras assumes Keras 1 when it is missing). */
  kerasVersion?: string;
  /** `backend` attribute (default `tensorflow`). */
  backend?: string;
  /**
   * Model config (object or JSON text). When given, the file gets the `model.save` layout:
   * root `model_config`, weights under `model_weights`, optimizer under `optimizer_weights`.
   */
  modelConfig?: unknown;
  /** `training_config` (object or JSON text), only with modelConfig. */
  trainingConfig?: unknown;
}

export interface Keras3WeightsOptions {
  /** `name` attribute of the root `/vars` group (default `sequential`). */
  modelName?: string;
  /** `name` attribute of `optimizer/vars` (default `adam`). */
  optimizerName?: string;
}

function jsonText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function checkUnique(layers: readonly KerasLayer[]): void {
  const seen = new Set<string>();
  for (const l of layers) {
    if (!l.name || l.name.includes('/')) throw new InvalidArgumentError(`invalid layer name '${l.name}' (empty or containing '/')`);
    if (seen.has(l.name)) throw new InvalidArgumentError(`layer name '${l.name}' appears twice`);
    seen.add(l.name);
  }
}

/** tf-keras names: `<layer>/<weight>:0` (hdf5_format.py `save_weights_to_hdf5_group` uses `w.name`). */
export function legacyWeightName(layer: string, weight: string): string {
  const bare = stripOutputIndex(weight);
  return `${bare.startsWith(`${layer}/`) ? bare : `${layer}/${bare}`}:0`;
}

/**
 * Write a legacy Keras `.h5` (save_weights layout, or model.save layout with a model config).
 * Returns the names of the fixed-length string attributes written (h5wasm makes them
 * NULLTERM; the Node writer then marks them NULLPAD as Keras writes them).
 */
export function writeLegacyH5File(api: H5Api, path: string, model: KerasModelWeights, opts: LegacyH5Options = {}, name = path): string[] {
  checkUnique(model.layers);
  const w = H5Writer.create(api, path, name);
  try {
    const version = opts.kerasVersion ?? '2.13.1';
    const backend = opts.backend ?? 'tensorflow';
    const full = opts.modelConfig !== undefined;
    const root = full ? 'model_weights' : '';
    if (full) {
      w.vlenString('/', 'backend', backend);
      w.vlenString('/', 'keras_version', version);
      w.vlenString('/', 'model_config', jsonText(opts.modelConfig));
      if (opts.trainingConfig !== undefined) w.vlenString('/', 'training_config', jsonText(opts.trainingConfig));
      w.group(root);
    }
    const at = (p: string): string => (root ? `${root}/${p}` : p);
    w.nameList(root || '/', 'layer_names', model.layers.map((l) => l.name));
    w.vlenString(root || '/', 'backend', backend);
    w.vlenString(root || '/', 'keras_version', version);
    for (const layer of model.layers) {
      w.group(at(layer.name));
      const names = layer.weights.map((x) => legacyWeightName(layer.name, x.name));
      if (new Set(names).size !== names.length) throw new InvalidArgumentError(`layer '${layer.name}' has two weights with the same name`);
      w.nameList(at(layer.name), 'weight_names', names);
      layer.weights.forEach((x, i) => w.dataset(at(`${layer.name}/${names[i]}`), x.tensor));
    }
    if (full && model.optimizer && model.optimizer.length > 0) {
      w.group('optimizer_weights');
      const names = model.optimizer.map((x) => (/:\d+$/.test(x.name) ? x.name : `${x.name}:0`));
      w.nameList('optimizer_weights', 'weight_names', names);
      model.optimizer.forEach((x, i) => w.dataset(`optimizer_weights/${names[i]}`, x.tensor));
    }
  } finally {
    w.close();
  }
  return w.fixedStringAttrs;
}

/** RNN layers keep their variables on the cell (`layers/<key>/cell/vars`). */
const CELL_LAYERS = new Set(['LSTM', 'GRU', 'SimpleRNN']);

/** The `layers/<key>` Keras derives for each layer: snake_case(class) plus `_1`, `_2` … per class (saving_lib `_walk_saveable`). */
export function keras3LayerKeys(layers: readonly KerasLayer[]): string[] {
  const counters = new Map<string, number>();
  const used = new Set<string>();
  return layers.map((l) => {
    let key: string;
    if (l.className) {
      const base = toSnakeCase(l.className);
      const n = counters.get(base) ?? 0;
      counters.set(base, n + 1);
      key = n === 0 ? base : `${base}_${n}`;
    } else {
      key = l.name;
    }
    while (used.has(key)) key = `${key}_`;
    used.add(key);
    return key;
  });
}

/** Write a Keras 3 `.weights.h5` (also the `model.weights.h5` inside a `.keras`). */
export function writeKeras3WeightsFile(api: H5Api, path: string, model: KerasModelWeights, opts: Keras3WeightsOptions = {}, name = path): void {
  checkUnique(model.layers);
  const w = H5Writer.create(api, path, name);
  try {
    w.group('layers');
    const keys = keras3LayerKeys(model.layers);
    model.layers.forEach((layer, i) => {
      const vars = `layers/${keys[i]}/${layer.className && CELL_LAYERS.has(layer.className) ? 'cell/' : ''}vars`;
      w.group(vars);
      w.vlenString(vars, 'name', layer.name, true);
      layer.weights.forEach((x, j) => w.dataset(`${vars}/${j}`, x.tensor));
    });
    if (model.optimizer && model.optimizer.length > 0) {
      w.group('optimizer/vars');
      w.vlenString('optimizer/vars', 'name', opts.optimizerName ?? 'adam', true);
      model.optimizer.forEach((x, j) => w.dataset(`optimizer/vars/${j}`, x.tensor));
    }
    // Keras 3.0–3.5 loaders open `vars` of the root unconditionally (FORMATS.md §6.2).
    w.group('vars');
    w.vlenString('vars', 'name', opts.modelName ?? 'sequential', true);
  } finally {
    w.close();
  }
}
