/**
 * What a checkpoint output of a conversion holds, decided without touching files
 * (browser-safe): its style, object graph, the key each planned tensor is stored under and
 * the source bundle's layout to keep. The CLI's adapter (`checkpoint.ts`) hands it to
 * `writeCheckpoint`; the web app to a BundleWriter over the zip it streams.
 *
 * Styles: `tf1` keys are the readable (TF variable) names, no object graph; `tf2` builds an
 * object graph: Keras 3's tracked paths for a Keras input (from its model config), or the one
 * Keras-2 `load_weights` walks (`layer_with_weights-<i>`, tf_keras/engine/functional.py;
 * FORMATS.md §3.3); `keep` (a checkpoint input with keys kept) copies shards, data order,
 * slices, header version and the object graph tensor as they are; `template` stores the
 * template checkpoint's keys under its object graph.
 */
import { InvalidArgumentError, type ChunkedTensor, type Tensor, type TensorInfo, type TensorReader } from '@tfweights/core';
import type { BundleWriterOptions, CheckpointReader, GraphVariable, PartitionLayout, TrackableObjectGraph } from '@tfweights/checkpoint';
import { OBJECT_GRAPH_KEY } from '@tfweights/checkpoint/detect';
import { normaliseName } from '../mapping/normalise.js';
import { keras3ObjectPaths, modelConfigOf, optimizerClass } from './keras3-object-paths.js';
import type { CreateOptions } from './adapter.js';

/** The codec (protobuf, object graphs, bundle layout), loaded only when a checkpoint is written. */
const codec = () => import('@tfweights/checkpoint');

/** The source bundle's layout, as `writeCheckpoint` takes it. */
export interface CheckpointLayoutOptions extends BundleWriterOptions {
  numShards?: number;
  dataOrder?: readonly string[];
  partitions?: ReadonlyMap<string, PartitionLayout>;
}

/** How a conversion's checkpoint is written (see the module comment for the styles). */
export interface CheckpointWritePlan {
  readonly style: 'keep' | 'template' | 'tf2' | 'tf1';
  /** Stored last as `_CHECKPOINTABLE_OBJECT_GRAPH` (template, tf2). */
  readonly objectGraph?: TrackableObjectGraph;
  /** tf2: the object-graph key of each planned key. */
  readonly keyOf?: ReadonlyMap<string, string>;
  /** Shards, data order, slices and version kept from a checkpoint input (keep; tf1 from a TF1 checkpoint). */
  readonly layout: CheckpointLayoutOptions;
}

export function isCheckpointReader(r: TensorReader | undefined): r is CheckpointReader {
  return r?.format === 'checkpoint' && typeof (r as Partial<CheckpointReader>).entries === 'function';
}

/** Checkpoint style for this conversion: asked for, else like a checkpoint input, else tf2 for Keras, else tf1. */
function styleOf(opts: CreateOptions): 'tf1' | 'tf2' | 'keep' {
  const asked = opts.extra?.style;
  if (asked === 'tf1' || asked === 'tf2') return asked;
  const src = opts.source;
  if (isCheckpointReader(src)) return opts.plan.some((t) => t.key === OBJECT_GRAPH_KEY) ? 'keep' : src.objectGraph() ? 'tf2' : 'tf1';
  return src?.format === 'keras-h5' || src?.format === 'keras3' ? 'tf2' : 'tf1';
}

/**
 * Object paths for a Keras model's weights: weights of the i-th layer that has weights go to
 * `layer_with_weights-<i>/<attribute>` (attribute = last part of the weight name); a nested
 * model's layers nest the same way inside it (`layer_with_weights-0/layer_with_weights-1/kernel`),
 * as tf-keras tracks a sub-model's layers; anything else (optimizer state, counters) keeps its
 * readable path.
 */
export function kerasObjectPaths(plan: readonly TensorInfo[]): GraphVariable[] {
  const indexIn = new Map<string, Map<string, number>>();
  const slot = (parent: string, child: string) => {
    let m = indexIn.get(parent);
    if (!m) indexIn.set(parent, (m = new Map()));
    if (!m.has(child)) m.set(child, m.size);
    return `layer_with_weights-${m.get(child)}`;
  };
  return plan.map((t) => {
    // Keep a TF variable name the input already had; else the readable name stands in for it.
    const fullName = typeof t.attrs?.full_name === 'string' && t.attrs.full_name !== '' ? t.attrs.full_name : t.name;
    const parts = t.name.split('/');
    const layer = t.role === 'optimizer' || t.role === 'bookkeeping' ? undefined : (t.layer ?? (parts.length > 1 ? parts[0] : undefined));
    if (layer === undefined) return { path: t.key.split('/').filter(Boolean), fullName };
    const rel = parts[0] === layer ? parts.slice(1) : parts;
    const inner = rel.slice(0, -1);
    const path = [slot('', layer)];
    inner.forEach((seg, k) => path.push(slot([layer, ...inner.slice(0, k)].join('/'), seg)));
    return { path: [...path, rel[rel.length - 1] ?? parts[parts.length - 1]!], fullName };
  });
}

/**
 * Writer options that put each planned tensor where the source bundle has it: its shard, its
 * place in the data order, its slices (only while its shape is unchanged) and the header version.
 */
async function sourceLayout(src: CheckpointReader, plan: readonly TensorInfo[]): Promise<CheckpointLayoutOptions> {
  const layout = (await codec()).bundleLayoutOf(src);
  const planned = new Map(plan.map((t) => [t.key, t]));
  const full = new Map(src.list().map((t) => [t.key, t]));
  const partitions = new Map([...layout.partitions].filter(([k]) => planned.get(k)?.shape.join() === full.get(k)?.shape.join()));
  const sliceOwner = new Map(src.entries().filter((e) => e.sliceOf).map((e) => [e.key, e.sliceOf!.key]));
  const dataOrder = layout.dataOrder.filter((k) => (sliceOwner.has(k) ? partitions.has(sliceOwner.get(k)!) : planned.has(k)));
  return {
    numShards: layout.numShards, version: layout.version, dataOrder, partitions,
    shardOf: (t, sizes) => layout.shardOfKey.get(t.key) ?? sizes.indexOf(Math.min(...sizes)),
  };
}

/** Which Keras's object graph a Keras input is written with: `keras3` (default) or `tf-keras-2`. */
export type KerasObjectLayout = 'keras3' | 'tf-keras-2';

function kerasLayoutOf(opts: CreateOptions): KerasObjectLayout {
  const asked = opts.extra?.kerasLayout;
  if (asked === undefined || asked === 'keras3') return 'keras3';
  if (asked === 'tf-keras-2') return asked;
  throw new InvalidArgumentError(`unknown Keras object layout '${String(asked)}'`, { expected: 'keras3 or tf-keras-2' });
}

/** Object paths of a tf2 checkpoint: Keras 3's tracked paths for a Keras input (from its model config), else readable paths. */
function objectPathsFor(tensors: readonly TensorInfo[], opts: CreateOptions): GraphVariable[] {
  const src = opts.source;
  const fromKeras = src?.format === 'keras-h5' || src?.format === 'keras3';
  if (!fromKeras || kerasLayoutOf(opts) === 'tf-keras-2') return kerasObjectPaths(tensors);
  const config = modelConfigOf(opts.template, src);
  if (config === undefined) {
    throw new InvalidArgumentError('a Keras 3 object graph is derived from the model config, and this input has none: pass the model (.keras, model.save .h5) or its config JSON as --template, or --keras-layout tf-keras-2 for a tf.keras 2 checkpoint', { file: src!.source });
  }
  const byName = new Map(src!.list().map((t) => [normaliseName(t.name), t]));
  const cls = optimizerClass(opts.template, src);
  const { variables, report } = keras3ObjectPaths(tensors, config, {
    sourceOf: (t) => byName.get(normaliseName(t.name)), file: src!.source, ...(opts.log ? { log: opts.log } : {}),
    ...(opts.allowUncertainMatch ? { allowUncertain: true } : {}), ...(cls ? { optimizerClass: cls } : {}),
  });
  for (const line of report) opts.log?.(line);
  return variables;
}

/**
 * With a TF2 checkpoint as template, every tensor planned under one of its keys: the template's
 * object graph, keeping only the attributes of the keys written (a graph naming keys the bundle
 * lacks would fail TF's restore), so shared nodes (a compiled Keras 3 model's variables, also
 * under `optimizer/_trainable_variables`) stay as TF wrote them.
 */
async function templateGraphFor(opts: CreateOptions): Promise<TrackableObjectGraph | undefined> {
  const tpl = opts.template;
  if (!isCheckpointReader(tpl)) return undefined;
  const graph = tpl.objectGraph();
  const planned = new Set(opts.plan.map((t) => t.key).filter((k) => k !== OBJECT_GRAPH_KEY));
  const keys = new Set(tpl.list().map((t) => t.key));
  if (!graph || planned.size === 0 || ![...planned].every((k) => keys.has(k))) return undefined;
  const copy = structuredClone(graph);
  for (const n of copy.nodes) n.attributes = n.attributes.filter((a) => planned.has(a.checkpointKey));
  (await codec()).setHasCheckpointValues(copy);
  return copy;
}

/** Decide how the planned tensors are written as a checkpoint (throws when a Keras 3 graph cannot be derived). */
export async function checkpointWritePlan(opts: CreateOptions): Promise<CheckpointWritePlan> {
  const style = styleOf(opts);
  const src = opts.source;
  if (style === 'keep' && isCheckpointReader(src)) return { style, layout: await sourceLayout(src, opts.plan) };
  const fromTemplate = await templateGraphFor(opts);
  if (fromTemplate) return { style: 'template', objectGraph: fromTemplate, layout: {} };
  if (style === 'tf2') {
    const tensors = opts.plan.filter((t) => t.key !== OBJECT_GRAPH_KEY);
    const built = (await codec()).buildObjectGraph(objectPathsFor(tensors, opts));
    return { style, objectGraph: built.graph, keyOf: new Map(tensors.map((t, i) => [t.key, built.keys[i]!])), layout: {} };
  }
  // A TF1 checkpoint's tensors keep their shards, data order and slices (Saver(sharded=True), partitioned variables).
  return { style: 'tf1', layout: isCheckpointReader(src) && !src.objectGraph() ? await sourceLayout(src, opts.plan) : {} };
}

/** The tensors as the plan stores them: re-keyed (tf2), the input's object graph tensor dropped unless kept verbatim. */
export async function* checkpointTensors<T extends Tensor | ChunkedTensor>(plan: CheckpointWritePlan, input: AsyncIterable<T>): AsyncIterable<T> {
  for await (const t of input) {
    const key = storedKey(plan, t.key);
    if (key !== undefined) yield key === t.key ? t : { ...t, key };
  }
}

/** The key a planned tensor is stored under, or undefined when it is not stored (an input's object graph the plan rebuilds). */
export function storedKey(plan: CheckpointWritePlan, key: string): string | undefined {
  if (plan.style === 'keep') return key;
  if (plan.keyOf) return plan.keyOf.get(key);
  return key === OBJECT_GRAPH_KEY ? undefined : key;
}
