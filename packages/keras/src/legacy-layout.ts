/**
 * Legacy Keras HDF5 layout (tf-keras `saving/legacy/hdf5_format.py`, Keras 3
 * `legacy/saving/legacy_h5_format.py`; FORMATS.md §5): `layer_names` on the weights group,
 * `weight_names` per layer group, datasets at `<layer>/<weight name>`, optional
 * `model_weights` / `optimizer_weights` groups from `model.save`.
 */
import { byteLengthOf, CorruptDataError, type LayerInfo, type TensorInfo } from '@tfweights/core';
import type { H5DatasetInfo, H5Reader } from './h5-file.js';
import { classesFromConfig, parseJsonAttr } from './model-config.js';

/** A layer as KerasReader.layers() gives it. */
export interface KerasLayerInfo extends LayerInfo {
  /** Keras 3 files: the layer's HDF5 group (e.g. `layers/dense_1`), which the Keras 3 writers reuse verbatim. */
  readonly key?: string;
}

export interface KerasEntry {
  readonly info: TensorInfo;
  readonly ds: H5DatasetInfo;
}

export interface ParsedLayout {
  readonly format: 'keras-h5' | 'keras3';
  readonly entries: KerasEntry[];
  readonly layers: KerasLayerInfo[];
  readonly metadata: Record<string, unknown>;
}

/** True when the root looks like a legacy weights file or whole-model file. */
export function isLegacyLayout(h5: H5Reader): boolean {
  return h5.nameList('/', 'layer_names') !== undefined || (h5.kind('model_weights') === 'group' && h5.nameList('model_weights', 'layer_names') !== undefined);
}

/** Strip the `:0` TF appends to variable names. */
export function stripOutputIndex(name: string): string {
  return name.replace(/:\d+$/, '');
}

/** A readable `layer/weight` name from a stored weight name (which may lack or over-qualify the layer). */
export function readableWeightName(layer: string, weightName: string): string {
  const n = stripOutputIndex(weightName);
  if (n.startsWith(`${layer}/`)) return n;
  const inner = n.indexOf(`/${layer}/`);
  if (inner >= 0) return n.slice(inner + 1);
  return `${layer}/${n}`;
}

/**
 * `config` (a model config given by the caller) only fills in what the file lacks: layer
 * classes and `model_config`; the order always comes from `layer_names`.
 */
export function parseLegacy(h5: H5Reader, config?: unknown): ParsedLayout {
  const root = h5.nameList('/', 'layer_names') !== undefined ? '' : 'model_weights';
  const prefix = root ? `${root}/` : '';
  const layerNames = h5.nameList(root || '/', 'layer_names') ?? [];
  const metadata: Record<string, unknown> = {};
  for (const k of ['keras_version', 'backend']) {
    const v = h5.stringAttr('/', k) ?? (root ? h5.stringAttr(root, k) : undefined);
    if (v !== undefined) metadata[k] = v;
  }
  const modelConfig = parseJsonAttr(h5, 'model_config') ?? config;
  if (modelConfig !== undefined) metadata.model_config = modelConfig;
  metadata.layer_order = 'layer_names';
  const trainingConfig = parseJsonAttr(h5, 'training_config');
  if (trainingConfig !== undefined) metadata.training_config = trainingConfig;
  const classes = classesFromConfig(modelConfig);

  const entries: KerasEntry[] = [];
  const taken = new Set<string>();
  const layers: LayerInfo[] = [];
  const add = (key: string, name: string, extra: Partial<TensorInfo>): void => {
    const ds = h5.datasetInfo(key);
    const byteLength = ds.dtype === 'string' ? 0 : byteLengthOf(ds.dtype, ds.shape);
    entries.push({ ds, info: { key, name, dtype: ds.dtype, shape: ds.shape, byteLength, role: 'weight', ...extra } });
    taken.add(key);
  };

  const groups = [...layerNames];
  // tf-keras ≥ 2.13 / Keras 3 keep the model's own weights in a group not in layer_names.
  if (h5.kind(`${prefix}top_level_model_weights`) === 'group' && !groups.includes('top_level_model_weights')) groups.push('top_level_model_weights');
  for (const layer of groups) {
    const gpath = `${prefix}${layer}`;
    if (h5.kind(gpath) !== 'group') {
      if (layer === 'top_level_model_weights') continue;
      throw new CorruptDataError(`layer '${layer}' is listed in layer_names but has no group`, { file: h5.name, entry: `/${gpath}` });
    }
    const weightNames = h5.nameList(gpath, 'weight_names') ?? [];
    const keys: string[] = [];
    for (const wn of weightNames) {
      const key = `${gpath}/${wn}`;
      if (h5.kind(key) !== 'dataset') {
        throw new CorruptDataError(`weight '${wn}' of layer '${layer}' has no dataset`, { file: h5.name, entry: `/${key}`, expected: 'a dataset at <layer>/<weight name>' });
      }
      add(key, readableWeightName(layer, wn), { layer });
      keys.push(key);
    }
    const className = classes.get(layer);
    if (layer !== 'top_level_model_weights' || keys.length > 0) layers.push({ name: layer, ...(className ? { className } : {}), weights: keys });
  }

  if (h5.kind('optimizer_weights') === 'group') {
    for (const wn of h5.nameList('optimizer_weights', 'weight_names') ?? []) {
      const key = `optimizer_weights/${wn}`;
      if (h5.kind(key) !== 'dataset') continue;
      add(key, `optimizer/${stripOutputIndex(wn)}`, { role: 'optimizer' });
    }
  }
  // Any dataset no name list points at still gets listed, under its own path.
  for (const path of h5.descendants('/')) {
    if (taken.has(path) || h5.kind(path) !== 'dataset') continue;
    add(path, path, path.startsWith('optimizer_weights/') ? { role: 'optimizer' } : {});
  }
  return { format: 'keras-h5', entries, layers, metadata };
}
