/**
 * The two Keras layouts, written with {@link H5Writer} to a path h5wasm can reach. The Node
 * entry wraps these with atomic temp-file-and-rename.
 */
import { InvalidArgumentError, type Tensor } from '@tfweights/core';
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

/** Keras 3 stores bfloat16 as opaque 2-byte data (saving_lib.py H5Entry). */
const KERAS3 = { bfloat16: 'opaque' } as const;

/** RNN layers keep their variables on the cell (`layers/<key>/cell/vars`). */
const CELL_LAYERS = new Set(['LSTM', 'GRU', 'SimpleRNN']);

/** The `layers/<key>` Keras derives for each layer: snake_case(class) plus `_1`, `_2` … per class (saving_lib `_walk_saveable`). */
export function keras3LayerKeys(layers: readonly KerasLayer[]): string[] {
  return keras3LayerGroups(layers).map((g) => g.slice(g.indexOf('/') + 1));
}

/** The group a tensor read from a Keras 3 file came from (attrs `layerKey` set by our reader). */
function sourceGroup(t: Tensor): string | undefined {
  const k = t.attrs?.layerKey;
  return typeof k === 'string' && t.key.startsWith(`${k}/`) ? k : undefined;
}

function checkGroupPath(p: string, what: string): void {
  if (!/^[^/]+(\/[^/]+)*$/.test(p) || p.split('/').some((s) => s === '.' || s === '..')) {
    throw new InvalidArgumentError(`invalid ${what} '${p}' (a relative HDF5 path without empty, '.' or '..' segments)`);
  }
}

/**
 * The full group path of each layer in a Keras 3 file: `layer.key` verbatim, else the group
 * its tensors came from, else `layers/` + the key Keras derives from the class (the layer name
 * without a class).
 */
export function keras3LayerGroups(layers: readonly KerasLayer[]): string[] {
  const fixed = layers.map((l) => {
    if (l.key !== undefined) {
      checkGroupPath(l.key, `group key of layer '${l.name}'`);
      return l.key;
    }
    const groups = new Set(l.weights.map((w) => sourceGroup(w.tensor)));
    return groups.size === 1 ? [...groups][0] : undefined;
  });
  const used = new Set<string>();
  for (const [i, g] of fixed.entries()) {
    if (g === undefined) continue;
    if (used.has(g)) throw new InvalidArgumentError(`two layers would both be written to group '${g}'`, { entry: layers[i]!.name });
    used.add(g);
  }
  const counters = new Map<string, number>();
  return layers.map((l, i) => {
    if (fixed[i] !== undefined) return fixed[i];
    let key: string;
    if (l.className) {
      const base = toSnakeCase(l.className);
      const n = counters.get(base) ?? 0;
      counters.set(base, n + 1);
      key = `layers/${n === 0 ? base : `${base}_${n}`}`;
    } else {
      key = `layers/${l.name}`;
    }
    while (used.has(key)) key = `${key}_`;
    used.add(key);
    return key;
  });
}

/** Where each weight of a layer goes, relative to the layer's group. */
function weightPaths(layer: KerasLayer): string[] {
  const dflt = layer.className && CELL_LAYERS.has(layer.className) ? 'cell/vars' : 'vars';
  const paths = layer.weights.map((w, j) => {
    const from = sourceGroup(w.tensor);
    const p = w.path ?? (from ? w.tensor.key.slice(from.length + 1) : `${dflt}/${j}`);
    checkGroupPath(p, `variable path of '${layer.name}/${w.name}'`);
    if (!/(^|\/)vars\/\d+$/.test(p)) throw new InvalidArgumentError(`variable path '${p}' of '${layer.name}/${w.name}' does not end in vars/<index>`);
    return p;
  });
  const dup = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dup) throw new InvalidArgumentError(`layer '${layer.name}' has two variables at '${dup}'`);
  return paths;
}

/** Write a Keras 3 `.weights.h5` (also the `model.weights.h5` inside a `.keras`). */
export function writeKeras3WeightsFile(api: H5Api, path: string, model: KerasModelWeights, opts: Keras3WeightsOptions = {}, name = path): void {
  checkUnique(model.layers);
  const groups = keras3LayerGroups(model.layers);
  const paths = model.layers.map(weightPaths);
  const w = H5Writer.create(api, path, name);
  try {
    w.group('layers');
    model.layers.forEach((layer, i) => {
      const top = groups[i]!;
      // Every saveable gets a vars group named after it (saving_lib H5IOStore.make), even without variables.
      w.group(`${top}/vars`);
      w.vlenString(`${top}/vars`, 'name', layer.name, true);
      const named = new Set([`${top}/vars`]);
      layer.weights.forEach((x, j) => {
        const full = `${top}/${paths[i]![j]}`;
        const vars = full.slice(0, full.lastIndexOf('/'));
        if (!named.has(vars)) {
          named.add(vars);
          w.group(vars);
          // The object's name when known (read from the source file, or an RNN layer's cell);
          // Keras < 3.6 wrote none and loading ignores it.
          const saved = x.tensor.attrs?.varsName;
          const cell = layer.className && CELL_LAYERS.has(layer.className) && vars === `${top}/cell/vars` ? toSnakeCase(`${layer.className}Cell`) : undefined;
          const objName = typeof saved === 'string' ? saved : cell;
          if (objName !== undefined) w.vlenString(vars, 'name', objName, true);
        }
        w.dataset(full, x.tensor, KERAS3);
      });
    });
    if (model.optimizer && model.optimizer.length > 0) {
      w.group('optimizer/vars');
      w.vlenString('optimizer/vars', 'name', opts.optimizerName ?? 'adam', true);
      model.optimizer.forEach((x, j) => w.dataset(`optimizer/vars/${j}`, x.tensor, KERAS3));
    }
    // Keras 3.0–3.5 loaders open `vars` of the root unconditionally (FORMATS.md §6.2).
    w.group('vars');
    w.vlenString('vars', 'name', opts.modelName ?? 'sequential', true);
  } finally {
    w.close();
  }
}
