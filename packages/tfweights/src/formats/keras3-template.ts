/**
 * `--template <TF2 checkpoint>` for a Keras input: each Keras tensor is placed where Keras 3
 * tracks it (its object path from the model config, mapping/keras3-tracking.ts), and that path
 * is walked in the template's object graph to the key TF wrote for it — exact, whatever path
 * TF chose as the key (a compiled model's `optimizer/_trainable_variables/<n>`,
 * `optimizer/_iterations` for `optimizer/_variables/0`).
 */
import type { TensorInfo, TensorReader } from '@tfweights/core';
import type { CheckpointReader } from '@tfweights/checkpoint';
import { keras3ObjectPaths, modelConfigOf } from './keras3-object-paths.js';

function isCheckpointReader(r: TensorReader | undefined): r is CheckpointReader {
  return r?.format === 'checkpoint' && typeof (r as Partial<CheckpointReader>).objectGraph === 'function';
}

/** Source tensor → template tensor for every source the template's graph places; undefined when this does not apply. */
export function pairsByObjectGraph(sources: readonly TensorInfo[], source: TensorReader, template: TensorReader | undefined): Map<TensorInfo, TensorInfo> | undefined {
  if ((source.format !== 'keras3' && source.format !== 'keras-h5') || !isCheckpointReader(template)) return undefined;
  const graph = template.objectGraph();
  const config = modelConfigOf(source);
  if (!graph || config === undefined) return undefined;
  let paths;
  try {
    paths = keras3ObjectPaths(sources, config, { sourceOf: (t) => t, allowUncertain: true }).variables;
  } catch {
    return undefined;
  }
  const byKey = new Map(template.list().map((t) => [t.key, t]));
  const out = new Map<TensorInfo, TensorInfo>();
  sources.forEach((s, i) => {
    let id: number | undefined = 0;
    for (const part of paths[i]!.path as readonly string[]) id = id === undefined ? undefined : graph.nodes[id]?.children.find((c) => c.localName === part)?.nodeId;
    const key = id === undefined ? undefined : graph.nodes[id]?.attributes.find((a) => a.name === 'VARIABLE_VALUE')?.checkpointKey;
    const t = key === undefined ? undefined : byKey.get(key);
    if (t && t.shape.length === s.shape.length && t.shape.every((d, k) => d === s.shape[k])) out.set(s, t);
  });
  return out;
}
