/**
 * The two Keras layouts for a whole model in memory, written with the streaming writers
 * ({@link LegacyH5Stream}, {@link Keras3WeightsStream}) to a path h5wasm can reach. The Node
 * entry wraps these with atomic temp-file-and-rename.
 */
import { InvalidArgumentError, type Tensor } from '@tfweights/core';
import type { H5Api } from './h5-api.js';
import type { H5Writer } from './h5-write.js';
import {
  checkGroupPath, checkVariablePath, Keras3WeightsStream, layerGroupsOf, LegacyH5Stream, sourceGroup,
  type Keras3WeightsOptions, type LegacyH5Options,
} from './stream-writers.js';
import type { KerasLayout } from './write-layout.js';
import type { KerasLayer, KerasModelWeights } from './writer-input.js';

export { legacyWeightName, type Keras3WeightsOptions, type LegacyH5Options } from './stream-writers.js';

/** RNN layers keep their variables on the cell (`layers/<key>/cell/vars`). */
const CELL_LAYERS = new Set(['LSTM', 'GRU', 'SimpleRNN']);

function checkUnique(layers: readonly KerasLayer[]): void {
  const seen = new Set<string>();
  for (const l of layers) {
    if (!l.name || l.name.includes('/')) throw new InvalidArgumentError(`invalid layer name '${l.name}' (empty or containing '/')`);
    if (seen.has(l.name)) throw new InvalidArgumentError(`layer name '${l.name}' appears twice`);
    seen.add(l.name);
  }
}

/** The layout of a model in memory (tensors are then written by position). */
function layoutOf(model: KerasModelWeights, keys?: readonly string[], paths?: readonly (readonly string[])[]): KerasLayout {
  return {
    layers: model.layers.map((l, i) => ({
      name: l.name,
      ...(l.className !== undefined ? { className: l.className } : {}),
      ...(keys ? { key: keys[i]! } : {}),
      weights: l.weights.map((w, j) => ({ name: w.name, tensor: `#${i}/${j}`, ...(paths ? { path: paths[i]![j]! } : {}) })),
    })),
    optimizer: (model.optimizer ?? []).map((w, j) => ({ name: w.name, tensor: `#opt/${j}` })),
  };
}

/**
 * Write a legacy Keras `.h5` (save_weights layout, or model.save layout with a model config).
 * Returns the names of the fixed-length string attributes written (h5wasm makes them
 * NULLTERM; the Node writer then marks them NULLPAD as Keras writes them).
 */
export function writeLegacyH5File(api: H5Api, path: string, model: KerasModelWeights, opts: LegacyH5Options = {}, name = path): string[] {
  return writeLegacyH5Model(api, path, model, opts, name).fixedStringAttrs;
}

/** {@link writeLegacyH5File}, returning the closed writer (its fixed-length string attributes and where they are). */
export function writeLegacyH5Model(api: H5Api, path: string, model: KerasModelWeights, opts: LegacyH5Options = {}, name = path): H5Writer {
  checkUnique(model.layers);
  const s = LegacyH5Stream.create(api, path, { ...opts, layout: layoutOf(model) }, name);
  fillFromModel(s, model);
  s.finish();
  return s.h5;
}

/** The `layers/<key>` Keras derives for each layer: snake_case(class) plus `_1`, `_2` … per class (saving_lib `_walk_saveable`). */
export function keras3LayerKeys(layers: readonly KerasLayer[]): string[] {
  return keras3LayerGroups(layers).map((g) => g.slice(g.indexOf('/') + 1));
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
  return layerGroupsOf(layers, fixed);
}

/** Where each weight of a layer goes, relative to the layer's group. */
function weightPaths(layer: KerasLayer): string[] {
  const dflt = layer.className && CELL_LAYERS.has(layer.className) ? 'cell/vars' : 'vars';
  const paths = layer.weights.map((w, j) => {
    const from = sourceGroup(w.tensor);
    const p = w.path ?? (from ? w.tensor.key.slice(from.length + 1) : `${dflt}/${j}`);
    checkVariablePath(p, layer.name, w.name);
    return p;
  });
  const dup = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dup) throw new InvalidArgumentError(`layer '${layer.name}' has two variables at '${dup}'`);
  return paths;
}

/** Write a Keras 3 `.weights.h5` (also the `model.weights.h5` inside a `.keras`). */
export function writeKeras3WeightsFile(api: H5Api, path: string, model: KerasModelWeights, opts: Keras3WeightsOptions = {}, name = path): void {
  checkUnique(model.layers);
  const layout = layoutOf(model, keras3LayerGroups(model.layers), model.layers.map(weightPaths));
  const s = Keras3WeightsStream.create(api, path, { ...opts, layout }, name);
  fillFromModel(s, model);
  s.finish();
}

/** Write every weight of a whole model into a streaming writer (aborting it on error). */
function fillFromModel(s: { writeSlot(layer: number, weight: number, t: Tensor): void; abort(): void }, model: KerasModelWeights): void {
  try {
    model.layers.forEach((l, i) => l.weights.forEach((w, j) => s.writeSlot(i, j, w.tensor)));
    (model.optimizer ?? []).forEach((w, j) => s.writeSlot(-1, j, w.tensor));
  } catch (err) {
    s.abort();
    throw err;
  }
}
