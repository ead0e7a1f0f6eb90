/**
 * How tensors become a Keras file, without touching files (browser-safe): which layer classes
 * and legacy model config to write, how a non-Keras input's tensors are named and laid out
 * the Keras way (`kerasWriter`), and what a Keras file can hold (`kerasAccepts`). The CLI's
 * adapters (`keras.ts`) and the web app both build their writers through these.
 */
import { InvalidArgumentError, type ChunkedTensor, type TensorInfo, type TensorReader } from '@tfweights/core';
import { placeOfTensor, type KerasLayout, type KerasLayoutWeight } from '@tfweights/keras/detect';
import type { CreateOptions, PipelineWriter } from './adapter.js';
import { normaliseName } from '../mapping/normalise.js';
import type { TrackedVariable } from '../mapping/keras3-tracking.js';
import { checkpointKerasMap, placeInKeras, type CheckpointKerasMap } from './keras3-from-checkpoint.js';

/** Layer name → class name, from the template first, then the input. */
export function layerClasses(...readers: (TensorReader | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of [...readers].reverse()) {
    for (const l of r?.layers?.() ?? []) if (l.className) out[l.name] = l.className;
  }
  return out;
}

/**
 * The legacy `model_config` (and the Keras version that wrote it): the template's, else a
 * legacy-h5 input's; else a Keras 3 config (`.keras`, config JSON), written as Keras 3's own
 * `model.save('x.h5')` writes it: `{class_name, config}` (keras/src/legacy/saving/saving_utils.py
 * model_metadata). Its `training_config` is left out: Keras 3 needs an `optimizer_config` there,
 * which a `.keras` compile_config does not hold in that form, so `load_model` gives an uncompiled model.
 */
export function legacyConfig(opts: CreateOptions): { modelConfig?: unknown; trainingConfig?: unknown; kerasVersion?: string } {
  const from = [opts.template, opts.source].find((r) => r?.format === 'keras-h5' && r.metadata?.model_config !== undefined);
  if (!from) {
    const k3 = [opts.template, opts.source].find((r) => r?.format === 'keras3' && r.metadata?.model_config !== undefined);
    const cfg = k3?.metadata?.model_config as { class_name?: unknown; config?: unknown } | undefined;
    if (!k3 || typeof cfg?.class_name !== 'string') return {};
    const version = k3.metadata?.keras_version;
    // keras_version only decides Keras 1 conversions when loading (legacy_h5_format.py); any 3.x reads as Keras 3.
    return { modelConfig: { class_name: cfg.class_name, config: cfg.config }, kerasVersion: typeof version === 'string' ? version : '3.0.0' };
  }
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
export async function kerasWriter(
  create: (layout: KerasLayout | undefined) => Promise<PipelineWriter>,
  opts: CreateOptions,
): Promise<PipelineWriter> {
  if (isKeras(opts.source)) return create(undefined);
  const mapped = checkpointKerasMap(opts.source, opts.template);
  if (mapped) return create(mappedLayout(mapped, opts));
  const named = kerasNamed(opts.plan);
  const byKey = new Map(named.map((t) => [t.key, t]));
  const w = await create(kerasLayout(inKerasOrder(named)));
  const renamed = <T extends TensorInfo>(t: T): T => {
    const n = byKey.get(t.key);
    return n ? { ...t, name: n.name, ...(n.layer !== undefined ? { layer: n.layer } : {}) } : t;
  };
  return {
    write: (t) => w.write(renamed(t)),
    ...(w.writeChunked ? { writeChunked: (t: ChunkedTensor) => w.writeChunked!(renamed(t)) } : {}),
    finish: () => w.finish(),
    abort: () => w.abort(),
  };
}

/**
 * The layout for a TF2 checkpoint of a Keras 3 model with its config: the config's layers in
 * order, each variable where Keras keeps it (legacy order, `.weights.h5` group and path),
 * filled by the planned tensor that holds it; optimizer variables as `optimizer/vars/<n>`.
 * A config variable no tensor fills fails (the file would not load) unless allowed.
 */
function mappedLayout(m: CheckpointKerasMap, opts: CreateOptions): KerasLayout {
  const byName = new Map((opts.source?.list() ?? []).map((t) => [normaliseName(t.name), t.key]));
  const planKeyOf = new Map<string, string>();
  for (const p of opts.plan) {
    const src = byName.get(normaliseName(p.name));
    if (src !== undefined) planKeyOf.set(src, p.key);
  }
  const tensorOf = new Map<TrackedVariable, string>();
  const optimizer: { n: number; tensor: string }[] = [];
  for (const [srcKey, planKey] of planKeyOf) {
    const place = placeInKeras(m, { key: srcKey });
    if (place && place !== 'unmapped' && 'variable' in place) tensorOf.set(place.variable, planKey);
    else if (place && place !== 'unmapped') optimizer.push({ n: place.optimizer, tensor: planKey });
  }
  const missing = m.tracked.variables.filter((v) => !tensorOf.has(v));
  if (missing.length > 0 && !opts.allowUncertainMatch) {
    for (const v of missing) opts.log?.(`  + ${v.path}: in the model config, no checkpoint tensor holds it`);
    throw new InvalidArgumentError(`${missing.length} variable(s) of the model config are not in the checkpoint (${missing.slice(0, 3).map((v) => v.path).join(', ')}${missing.length > 3 ? ', …' : ''}); pass --allow-uncertain-match to write the rest anyway`, { file: opts.source!.source });
  }
  optimizer.sort((a, b) => a.n - b.n);
  const contiguous = optimizer.every((o, i) => o.n === i);
  if (!contiguous) opts.log?.('optimizer variables are not numbered 0…n-1 in the checkpoint: left out');
  const layers = m.tracked.layers.map((l) => {
    const weights = l.variables.filter((v) => tensorOf.has(v));
    const group = weights[0]?.h5.split('/').slice(0, 2).join('/');
    return {
      name: l.name, className: l.className, ...(group ? { key: group } : {}),
      weights: weights.map((v) => ({ name: v.path, tensor: tensorOf.get(v)!, path: v.h5.slice(group!.length + 1) })),
    };
  }).filter((l) => l.weights.length > 0);
  return { layers, ...(contiguous && optimizer.length > 0 ? { optimizer: optimizer.map((o) => ({ name: `vars/${o.n}`, tensor: o.tensor })) } : {}) };
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

export function isKeras(r: TensorReader | undefined): boolean {
  return r?.format === 'keras-h5' || r?.format === 'keras3';
}

/**
 * What a Keras file can hold: weights always; a Keras input's optimizer state when the output
 * has a place for it; never TensorFlow bookkeeping (save_counter, global_step), and never
 * another framework's optimizer slots, whose order Keras could not map.
 */
export function kerasAccepts(kind: 'keras-h5' | 'keras3') {
  return (t: TensorInfo, opts: Pick<CreateOptions, 'source' | 'template'>): true | string => {
    const mapped = checkpointKerasMap(opts.source, opts.template);
    const place = mapped ? placeInKeras(mapped, t) : undefined;
    if (place === 'unmapped') return 'a LossScaleOptimizer\'s state is not mapped onto a Keras file (pass --drop-optimizer to leave it out quietly)';
    if (place && 'variable' in place) return true;
    if (place && 'optimizer' in place) {
      return kind === 'keras3' ? true : 'a checkpoint\'s optimizer variables are not mapped onto a legacy .h5 optimizer_weights group (write .keras / .weights.h5 to keep them)';
    }
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

/** Writer options of a legacy `.h5` for this conversion: layer classes and the legacy model config. */
export function kerasH5WriterOptions(opts: CreateOptions): { classes: Record<string, string>; modelConfig?: unknown; trainingConfig?: unknown; kerasVersion?: string } {
  return { classes: layerClasses(opts.template, opts.source), ...legacyConfig(opts) };
}

/** Writer options of a Keras 3 file: layer classes and, for a `.keras`, the config.json of a Keras 3 template or input. */
export function keras3WriterOptions(opts: CreateOptions, archive: boolean): { classes: Record<string, string>; config?: unknown } {
  const cfg = archive ? [opts.template, opts.source].find((r) => r?.format === 'keras3' && r.metadata?.model_config !== undefined)?.metadata?.model_config : undefined;
  return { classes: layerClasses(opts.template, opts.source), ...(cfg !== undefined ? { config: cfg } : {}) };
}
