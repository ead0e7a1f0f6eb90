/**
 * Keras through @tfweights/keras: legacy HDF5 (`.h5`) and Keras 3 (`.weights.h5`, `.keras`).
 * Both HDF5 flavours share the HDF5 magic, so one detector opens any HDF5 file and the reader
 * says which layout it found; `.keras` zips are told apart from `.npz` by their members.
 *
 * Writers group tensors into layers by `tensor.layer` or `<layer>/<weight>` names. Layer
 * classes (which decide Keras 3 group keys) and a legacy model config come from the template
 * when there is one, else from a Keras input. The writers stream: each tensor is written to
 * the HDF5 file when it arrives, only names are kept for the name lists written at the end.
 * The Node entry (which starts h5wasm, ~600 MiB of address space) is loaded only when used.
 */
const node = () => import('@tfweights/keras/node');
import type { TensorInfo, TensorReader } from '@tfweights/core';
import { keras3Format, kerasH5Format, placeOfTensor, type KerasLayout, type KerasLayoutWeight } from '@tfweights/keras';
import type { CreateOptions, FormatAdapter, PipelineWriter } from './adapter.js';

/** Layer name → class name, from the template first, then the input. */
export function layerClasses(...readers: (TensorReader | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of [...readers].reverse()) {
    for (const l of r?.layers?.() ?? []) if (l.className) out[l.name] = l.className;
  }
  return out;
}

/** The legacy `model_config` (and the Keras version that wrote it): the template's, else a legacy-h5 input's. */
function legacyConfig(opts: CreateOptions): { modelConfig?: unknown; trainingConfig?: unknown; kerasVersion?: string } {
  const from = [opts.template, opts.source].find((r) => r?.format === 'keras-h5' && r.metadata?.model_config !== undefined);
  if (!from) return {};
  const md = from.metadata!;
  return {
    modelConfig: md.model_config,
    ...(md.training_config !== undefined ? { trainingConfig: md.training_config } : {}),
    ...(typeof md.keras_version === 'string' ? { kerasVersion: md.keras_version } : {}),
  };
}

/**
 * Keras groups weights by layer, and a layer name has no `/`. Tensors from a Keras file keep
 * their layers and order and stream straight through. Others are named the way Keras names
 * variables, decided up front from the conversion plan (every tensor that will be written),
 * which also gives the writer its layout, so each tensor is written as it arrives:
 * - a TF2 checkpoint variable by its `full_name` (`sequential/dense/kernel` → layer `dense`,
 *   weight `dense/kernel`) rather than its object path (`model/layer_with_weights-0/kernel`),
 *   when no other tensor has the same full_name (SavedModel variables are often all called
 *   `Variable`); else by its readable name;
 * - a path by its last two parts, a lone variable (a SavedModel's `a`) as a layer of its own;
 * - and in Keras's order inside each layer, since Keras assigns weights by position.
 */
async function kerasWriter(
  create: (layout: KerasLayout | undefined) => Promise<PipelineWriter>,
  opts: CreateOptions,
): Promise<PipelineWriter> {
  if (isKeras(opts.source)) return create(undefined);
  const named = kerasNamed(opts.plan);
  const byKey = new Map(named.map((t) => [t.key, t]));
  const w = await create(kerasLayout(inKerasOrder(named)));
  return {
    write: async (t) => {
      const n = byKey.get(t.key);
      await w.write(n ? { ...t, name: n.name, ...(n.layer !== undefined ? { layer: n.layer } : {}) } : t);
    },
    finish: () => w.finish(),
    abort: () => w.abort(),
  };
}

/** The writer's layout: layers in first-seen order, each tensor by its key. */
export function kerasLayout(infos: readonly TensorInfo[]): KerasLayout {
  const layers = new Map<string, { name: string; weights: KerasLayoutWeight[] }>();
  const optimizer: { name: string; tensor: string }[] = [];
  for (const t of infos) {
    const place = placeOfTensor(t);
    if (place.optimizer) {
      optimizer.push({ name: place.name, tensor: t.key });
      continue;
    }
    let l = layers.get(place.layer);
    if (!l) layers.set(place.layer, (l = { name: place.layer, weights: [] }));
    l.weights.push({ name: place.weight, tensor: t.key });
  }
  return { layers: [...layers.values()], ...(optimizer.length > 0 ? { optimizer } : {}) };
}

/** `<layer>/<weight>` names and layers for tensors that do not come from Keras. */
export function kerasNamed<T extends TensorInfo>(tensors: readonly T[]): T[] {
  const fullName = (t: T) => (typeof t.attrs?.full_name === 'string' && t.attrs.full_name !== '' ? t.attrs.full_name.replace(/:\d+$/, '') : undefined);
  const count = new Map<string, number>();
  for (const t of tensors) {
    const f = fullName(t);
    if (f !== undefined) count.set(f, (count.get(f) ?? 0) + 1);
  }
  const used = new Set<string>();
  return tensors.map((t) => {
    if (t.role === 'optimizer') return t;
    const f = fullName(t);
    const parts = (f !== undefined && count.get(f) === 1 ? f : t.name).split('/').filter(Boolean);
    let layer = parts.length < 2 ? parts[0]! : parts[parts.length - 2]!;
    const weight = parts[parts.length - 1]!;
    if (used.has(`${layer}/${weight}`)) layer = parts.slice(0, -1).join('_') || `${layer}_${used.size}`;
    used.add(`${layer}/${weight}`);
    return { ...t, name: parts.length < 2 ? layer : `${layer}/${weight}`, layer };
  });
}

/** Keras's own order of a layer's weights (trainable first, as `layer.weights` lists them). */
const KERAS_WEIGHT_ORDER = [
  'kernel', 'depthwise_kernel', 'pointwise_kernel', 'recurrent_kernel', 'embeddings', 'bias',
  'gamma', 'beta', 'moving_mean', 'moving_variance',
];

/** Stable: layers keep their first-seen order; inside a layer, known names go first in Keras order. */
export function inKerasOrder<T extends TensorInfo>(tensors: readonly T[]): T[] {
  const layerRank = new Map<string, number>();
  for (const t of tensors) if (t.layer !== undefined && !layerRank.has(t.layer)) layerRank.set(t.layer, layerRank.size);
  const weightRank = (t: T) => {
    const i = KERAS_WEIGHT_ORDER.indexOf(t.name.slice(t.name.lastIndexOf('/') + 1));
    return i < 0 ? KERAS_WEIGHT_ORDER.length : i;
  };
  return tensors
    .map((t, i) => ({ t, i }))
    .sort((a, b) => (layerRank.get(a.t.layer ?? '') ?? -1) - (layerRank.get(b.t.layer ?? '') ?? -1) || weightRank(a.t) - weightRank(b.t) || a.i - b.i)
    .map((x) => x.t);
}

/** A legacy .h5 written by Keras 1/2 (Keras 3 writes `keras_version` 3.x there too). */
function isKeras2(r: TensorReader | undefined): boolean {
  const v = r?.metadata?.keras_version;
  return r?.format === 'keras-h5' && !(typeof v === 'string' && /^3\./.test(v));
}

function isKeras(r: TensorReader | undefined): boolean {
  return r?.format === 'keras-h5' || r?.format === 'keras3';
}

/**
 * What a Keras file can hold: weights always; a Keras input's optimizer state when the output
 * has a place for it; never TensorFlow bookkeeping (save_counter, global_step), and never
 * another framework's optimizer slots, whose order Keras could not map.
 */
function kerasAccepts(kind: 'keras-h5' | 'keras3') {
  return (t: TensorInfo, opts: Pick<CreateOptions, 'source' | 'template'>): true | string => {
    if (t.role === 'bookkeeping') return 'a Keras file has no place for TensorFlow bookkeeping (save_counter, global_step)';
    if (t.role !== 'optimizer') return true;
    if (!isKeras(opts.source)) return `optimizer state of a ${opts.source?.format ?? 'non-Keras'} file cannot be mapped onto a Keras optimizer (pass --drop-optimizer to leave it out quietly)`;
    if (kind === 'keras3' && isKeras2(opts.source)) {
      // Keras 2 keeps one slot list per optimizer (iterations, then m and v per weight, in its own
      // order); Keras 3 rebuilds its variables per weight and warns "Skipping variable loading for
      // optimizer … N variables whereas the saved optimizer has M" on a Keras 2 list.
      return 'Keras 2 optimizer slots do not map onto a Keras 3 optimizer (Keras 3 would skip loading them with a warning); it builds fresh ones';
    }
    if (kind === 'keras-h5' && legacyConfig({ ...opts, overwrite: false, plan: [] }).modelConfig === undefined) {
      return 'a weights-only legacy .h5 has no optimizer group (give a model.save file as --template to keep it)';
    }
    return true;
  };
}

export const kerasH5Adapter: FormatAdapter = {
  id: 'keras-h5',
  title: 'Keras legacy HDF5 (.h5)',
  extensions: ['.h5', '.hdf5'],
  detect: (p) => p.kind === 'file' && p.sniff !== undefined && kerasH5Format.sniff(p.sniff),
  open: async (path, opts) => (await node()).openKeras(path, opts?.config !== undefined ? { config: opts.config } : {}),
  create: async (path, opts): Promise<PipelineWriter> => {
    const { createKerasH5Writer } = await node();
    return kerasWriter(async (layout) => createKerasH5Writer(path, {
      overwrite: opts.overwrite,
      classes: layerClasses(opts.template, opts.source),
      ...legacyConfig(opts),
      ...(opts.source ? { inputs: [opts.source.source] } : {}),
      ...(layout ? { layout } : {}),
    }), opts);
  },
  accepts: kerasAccepts('keras-h5'),
};

export const keras3Adapter: FormatAdapter = {
  id: 'keras3',
  title: 'Keras 3 (.weights.h5, .keras)',
  extensions: ['.weights.h5', '.keras'],
  detect: (p) => p.kind === 'file' && p.sniff !== undefined && keras3Format.sniff(p.sniff),
  open: async (path, opts) => (await node()).openKeras(path, opts?.config !== undefined ? { config: opts.config } : {}),
  create: async (path, opts): Promise<PipelineWriter> => {
    const common = { overwrite: opts.overwrite, classes: layerClasses(opts.template, opts.source), ...(opts.source ? { inputs: [opts.source.source] } : {}) };
    const k = await node();
    if (path.toLowerCase().endsWith('.keras')) {
      const cfg = [opts.template, opts.source].find((r) => r?.format === 'keras3' && r.metadata?.model_config !== undefined)?.metadata?.model_config;
      return kerasWriter(async (layout) => k.createKerasArchiveWriter(path, { ...common, ...(cfg !== undefined ? { config: cfg } : {}), ...(layout ? { layout } : {}) }), opts);
    }
    return kerasWriter(async (layout) => k.createKerasWeightsH5Writer(path, { ...common, ...(layout ? { layout } : {}) }), opts);
  },
  accepts: kerasAccepts('keras3'),
};
