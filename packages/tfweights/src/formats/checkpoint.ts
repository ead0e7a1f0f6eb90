/**
 * TensorFlow checkpoints through @tfweights/checkpoint. Input: a prefix (`model.ckpt`), its
 * `.index`, a `.data-*` shard, or a directory with a `checkpoint` state file. Output: a prefix.
 *
 * Styles: `tf1` keys are the readable (TF variable) names, no object graph; `tf2` builds an
 * object graph Keras-2 `load_weights` walks: the model is the root and each layer with
 * weights is `layer_with_weights-<i>` (tf_keras/engine/functional.py; FORMATS.md §3.3).
 * Converting a checkpoint to a checkpoint with keys kept copies shards, data order, slices of
 * partitioned variables, the header version and the object graph tensor as they are, so an
 * unchanged conversion is byte-identical (TF1 and TF2 alike).
 */
import { basenameRemote, InvalidArgumentError, isRemoteLocation, type TensorInfo, type TensorReader } from '@tfweights/core';
import type { CheckpointReader, GraphVariable, TrackableObjectGraph } from '@tfweights/checkpoint';
import { checkpointFormat, OBJECT_GRAPH_KEY } from '@tfweights/checkpoint/detect';
import type { WriteCheckpointOptions } from '@tfweights/checkpoint/node';
import { normaliseName } from '../mapping/normalise.js';
import { keras3ObjectPaths, modelConfigOf, optimizerClass } from './keras3-object-paths.js';
import type { CreateOptions, FormatAdapter, PipelineWriter, Probe } from './adapter.js';
import { pushToPull } from './push-pull.js';

const node = () => import('@tfweights/checkpoint/node');
/** The codec (protobuf, object graphs, bundle layout), loaded only when a checkpoint is written. */
const codec = () => import('@tfweights/checkpoint');

const DATA_FILE = /\.data-\d{5}-of-\d{5}$/;

/** The file name of a path or URL (an hf revision or a URL query may follow it in the location). */
const fileName = (path: string) => (isRemoteLocation(path) ? basenameRemote(path) : path.replace(/^.*[\\/]/, ''));

function detect(p: Probe): boolean {
  if (p.kind === 'file') {
    if (p.sniff && checkpointFormat.sniff(p.sniff)) return true;
    return DATA_FILE.test(fileName(p.path)) || fileName(p.path) === 'checkpoint';
  }
  if (p.kind === 'missing') return (p.siblings ?? []).includes(`${fileName(p.path)}.index`);
  const entries = p.entries ?? [];
  return !entries.includes('saved_model.pb') && (entries.includes('checkpoint') || entries.some((e) => e.endsWith('.index')));
}

/** A checkpoint prefix for OUT: `x.index` and `x.ckpt.index` mean `x` / `x.ckpt`. */
export function prefixOf(out: string): string {
  return out.replace(/\.index$/, '').replace(/\/+$/, '');
}

function isCheckpointReader(r: TensorReader | undefined): r is CheckpointReader {
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
async function sourceLayout(src: CheckpointReader, plan: readonly TensorInfo[]): Promise<Partial<WriteCheckpointOptions>> {
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

async function create(out: string, opts: CreateOptions): Promise<PipelineWriter> {
  const prefix = prefixOf(out);
  const style = styleOf(opts);
  const src = opts.source;
  if (style === 'keep' && isCheckpointReader(src)) {
    // Same keys as the input: same shards, data order and slices, object graph copied verbatim.
    return pushToPull(async (tensors) => (await node()).writeCheckpoint(prefix, tensors, {
      overwrite: opts.overwrite, ...(await sourceLayout(src, opts.plan)),
    }), prefix);
  }
  const fromTemplate = await templateGraphFor(opts);
  if (fromTemplate) {
    // Keys are the template checkpoint's own: written verbatim under its object graph.
    return pushToPull(async (input) => {
      async function* withoutGraph() {
        for await (const t of input) if (t.key !== OBJECT_GRAPH_KEY) yield t;
      }
      return (await node()).writeCheckpoint(prefix, withoutGraph(), { overwrite: opts.overwrite, objectGraph: fromTemplate });
    }, prefix);
  }
  if (style === 'tf2') {
    const tensors = opts.plan.filter((t) => t.key !== OBJECT_GRAPH_KEY);
    const { buildObjectGraph } = await codec();
    const built = buildObjectGraph(objectPathsFor(tensors, opts));
    const keyOf = new Map(tensors.map((t, i) => [t.key, built.keys[i]!]));
    return pushToPull(async (input) => {
      async function* rekeyed() {
        for await (const t of input) {
          const key = keyOf.get(t.key);
          if (key !== undefined) yield { ...t, key };
        }
      }
      return (await node()).writeCheckpoint(prefix, rekeyed(), { overwrite: opts.overwrite, objectGraph: built.graph });
    }, prefix);
  }
  return pushToPull(async (input) => {
    async function* withoutGraph() {
      for await (const t of input) if (t.key !== OBJECT_GRAPH_KEY) yield t;
    }
    // A TF1 checkpoint's tensors keep their shards, data order and slices (Saver(sharded=True), partitioned variables).
    const layout = isCheckpointReader(src) && !src.objectGraph() ? await sourceLayout(src, opts.plan) : {};
    return (await node()).writeCheckpoint(prefix, withoutGraph(), { overwrite: opts.overwrite, ...layout });
  }, prefix);
}

export const checkpointAdapter: FormatAdapter = {
  id: 'checkpoint',
  title: 'TensorFlow checkpoint',
  extensions: ['.ckpt', '.index'],
  namedByPrefix: true,
  detect,
  open: async (path) => (await node()).openCheckpoint(path),
  create,
};
