/**
 * A TF2 checkpoint written from a Keras 3 model (`tf.train.Checkpoint(model=m, optimizer=…)`)
 * mapped back onto the model's layers, given the model config (`--template model.keras` or a
 * config JSON): each variable of the config (mapping/keras3-tracking.ts) is looked up by its
 * object path in the checkpoint's object graph, so a compiled model's trainable variables,
 * whose bundle keys are `optimizer/_trainable_variables/<n>` (the shortest path TF found), land
 * in their layers; the optimizer's `_variables/<n>` become `.weights.h5` `optimizer/vars/<n>`.
 */
import type { TensorInfo, TensorReader } from '@tfweights/core';
import { OBJECT_GRAPH_KEY, type CheckpointReader, type TrackableObjectGraph } from '@tfweights/checkpoint';
import { keras3Tracking, type TrackedModel, type TrackedVariable } from '../mapping/keras3-tracking.js';
import { modelConfigOf } from './keras3-object-paths.js';

export interface CheckpointKerasMap {
  readonly tracked: TrackedModel;
  /** Bundle key → the model variable it holds. */
  readonly variables: ReadonlyMap<string, TrackedVariable>;
  /** Bundle key → its index in `optimizer.variables` (Keras 3 `.weights.h5` `optimizer/vars/<n>`). */
  readonly optimizer: ReadonlyMap<string, number>;
  /** Optimizer variables of a wrapped optimizer (LossScaleOptimizer), not mapped. */
  readonly unmapped: ReadonlySet<string>;
  /** Model variables of the config that the checkpoint does not hold. */
  readonly missing: readonly TrackedVariable[];
}

function isCheckpointReader(r: TensorReader | undefined): r is CheckpointReader {
  return r?.format === 'checkpoint' && typeof (r as Partial<CheckpointReader>).objectGraph === 'function';
}

function child(g: TrackableObjectGraph, id: number | undefined, name: string): number | undefined {
  return id === undefined ? undefined : g.nodes[id]?.children.find((c) => c.localName === name)?.nodeId;
}

function keyOf(g: TrackableObjectGraph, id: number | undefined): string | undefined {
  return id === undefined ? undefined : g.nodes[id]?.attributes.find((a) => a.name === 'VARIABLE_VALUE')?.checkpointKey;
}

/** Per source: the template it was computed with and the result (accepts() and the writer ask for the same one). */
const cache = new WeakMap<object, { template: TensorReader | undefined; result: CheckpointKerasMap | undefined }>();

/**
 * The mapping, when the source is a TF2 checkpoint of a Keras 3 model and a model config is
 * known (template first, then the source); undefined otherwise.
 */
export function checkpointKerasMap(source: TensorReader | undefined, template: TensorReader | undefined): CheckpointKerasMap | undefined {
  if (!isCheckpointReader(source)) return undefined;
  const memo = cache.get(source);
  if (memo && memo.template === template) return memo.result;
  const result = computeMap(source, template);
  cache.set(source, { template, result });
  return result;
}

function computeMap(source: CheckpointReader, template: TensorReader | undefined): CheckpointKerasMap | undefined {
  const config = modelConfigOf(template, source);
  const graph = source.objectGraph();
  if (config === undefined || !graph) return undefined;
  let tracked: TrackedModel;
  try {
    tracked = keras3Tracking(config);
  } catch {
    return undefined;
  }
  // The model is the root child under which most of the config's variables resolve.
  let best: { root: number; found: Map<string, TrackedVariable> } | undefined;
  for (const c of graph.nodes[0]?.children ?? []) {
    const found = new Map<string, TrackedVariable>();
    for (const v of tracked.variables) {
      let id: number | undefined = c.nodeId;
      for (const part of v.object) id = child(graph, id, part);
      const key = keyOf(graph, id);
      if (key !== undefined) found.set(key, v);
    }
    if (found.size > (best?.found.size ?? 0)) best = { root: c.nodeId, found };
  }
  if (!best) return undefined;
  const optimizer = new Map<string, number>();
  const unmapped = new Set<string>();
  const opt = child(graph, 0, 'optimizer') ?? child(graph, best.root, 'optimizer');
  const listed = (id: number | undefined, into: (key: string, n: number) => void) => {
    for (const c of graph.nodes[child(graph, id, '_variables') ?? -1]?.children ?? []) {
      const key = keyOf(graph, c.nodeId);
      if (key !== undefined && /^\d+$/.test(c.localName)) into(key, Number(c.localName));
    }
  };
  const inner = child(graph, opt, 'inner_optimizer');
  if (inner !== undefined) {
    // A LossScaleOptimizer: its own and its inner optimizer's variables are not mapped here.
    listed(inner, (key) => unmapped.add(key));
    for (const name of ['step_counter', 'dynamic_scale']) {
      const key = keyOf(graph, child(graph, opt, name));
      if (key !== undefined) unmapped.add(key);
    }
  } else listed(opt, (key, n) => optimizer.set(key, n));
  for (const k of best.found.keys()) optimizer.delete(k);
  const have = new Set(best.found.values());
  return { tracked, variables: best.found, optimizer, unmapped, missing: tracked.variables.filter((v) => !have.has(v)) };
}

/** What a Keras writer does with one tensor of a mapped checkpoint: a layer weight, an optimizer variable, or nothing. */
export function placeInKeras(m: CheckpointKerasMap, t: Pick<TensorInfo, 'key'>): { variable: TrackedVariable } | { optimizer: number } | 'unmapped' | undefined {
  if (t.key === OBJECT_GRAPH_KEY) return undefined;
  const v = m.variables.get(t.key);
  if (v) return { variable: v };
  const n = m.optimizer.get(t.key);
  if (n !== undefined) return { optimizer: n };
  return m.unmapped.has(t.key) ? 'unmapped' : undefined;
}
