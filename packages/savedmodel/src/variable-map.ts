/**
 * Map TF2 SavedVariables to their bundle keys the way TensorFlow does: walk the SavedObjectGraph
 * (saved_model.pb) and the TrackableObjectGraph (the `_CHECKPOINTABLE_OBJECT_GRAPH` tensor)
 * together from node 0, following each checkpoint child to the saved child of the same
 * `local_name`, skipping checkpoint nodes already seen (graphs may have cycles); a saved
 * `variable` node takes the `checkpoint_key` of its checkpoint node's `VARIABLE_VALUE`
 * attribute. Source: tensorflow/cc/saved_model/bundle_v2.cc
 * (`SavedModelV2Bundle::VisitObjectsToRestore` / `RecurseObjectsToRestore`); FORMATS.md §4.3.
 * The walk uses an explicit stack (no recursion depth limit on hostile graphs) but visits
 * nodes in exactly TF's depth-first order.
 */
import { LimitExceededError } from '@tfweights/core';
import type { SavedObjectInfo, SavedVariableInfo } from './types.js';

/** Deepest object path followed; real models are a few dozen levels deep. */
export const MAX_OBJECT_DEPTH = 200;

/** The parts of a decoded TrackableObjectGraph the walk needs (structurally @tfweights/checkpoint's type). */
export interface TrackableGraphLike {
  readonly nodes: readonly {
    readonly children: readonly { readonly nodeId: number; readonly localName: string }[];
    readonly attributes: readonly { readonly name: string; readonly checkpointKey: string; readonly fullName?: string }[];
  }[];
}

/** A SavedVariable bound to its bundle key. */
export interface VariableBinding {
  /** SavedObjectGraph node id. */
  readonly nodeId: number;
  /** TrackableObjectGraph node id. */
  readonly checkpointNodeId: number;
  /** Local names from the root, e.g. `['layer_with_weights-0', 'kernel']`. */
  readonly path: readonly string[];
  readonly variable: SavedVariableInfo;
  readonly key: string;
}

/** Result of the joint walk. */
export interface VariableMapping {
  readonly bindings: readonly VariableBinding[];
  /** Saved variable node ids the walk did not reach, or reached without a VARIABLE_VALUE attribute. */
  readonly unbound: readonly number[];
  /** Checkpoint child edges with no saved child of the same name (TF's loader refuses these). */
  readonly missing: readonly string[];
}

interface Frame {
  saved: number;
  ckpt: number;
  /** Parent frame and the edge name, so a path is built only for variables. */
  parent?: Frame;
  name: string;
  next: number;
}

function pathOf(f: Frame): string[] {
  const out: string[] = [];
  for (let x: Frame | undefined = f; x?.parent; x = x.parent) out.push(x.name);
  return out.reverse();
}

export function mapVariables(saved: readonly SavedObjectInfo[], ckpt: TrackableGraphLike, file = 'saved_model.pb'): VariableMapping {
  const bindings: VariableBinding[] = [];
  const missing: string[] = [];
  const bound = new Set<number>();
  if (saved.length === 0 || ckpt.nodes.length === 0) return { bindings, unbound: variableIds(saved), missing };
  const seen = new Set<number>([0]);
  // First saved child of each name (TF takes the first match), indexed once per node so wide
  // hostile nodes cannot make the walk quadratic.
  const indexes = new Map<number, Map<string, number>>();
  const childIndex = (id: number): Map<string, number> => {
    let m = indexes.get(id);
    if (!m) {
      m = new Map();
      for (const c of saved[id]!.children) if (!m.has(c.localName)) m.set(c.localName, c.nodeId);
      indexes.set(id, m);
    }
    return m;
  };
  const stack: Frame[] = [{ saved: 0, ckpt: 0, name: '', next: 0 }];
  const visit = (f: Frame) => {
    const v = saved[f.saved]?.variable;
    if (f.saved === 0 || !v) return;
    const attr = ckpt.nodes[f.ckpt]!.attributes.find((a) => a.name === 'VARIABLE_VALUE');
    if (!attr || bound.has(f.saved)) return;
    bound.add(f.saved);
    bindings.push({ nodeId: f.saved, checkpointNodeId: f.ckpt, path: pathOf(f), variable: v, key: attr.checkpointKey });
  };
  visit(stack[0]!);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const children = ckpt.nodes[top.ckpt]!.children;
    if (top.next >= children.length) {
      stack.pop();
      continue;
    }
    const ref = children[top.next++]!;
    if (seen.has(ref.nodeId)) continue;
    seen.add(ref.nodeId);
    if (stack.length > MAX_OBJECT_DEPTH) {
      throw new LimitExceededError(`object graph is more than ${MAX_OBJECT_DEPTH} levels deep`, { file, entry: pathOf(top).slice(0, 20).join('/') });
    }
    const where = () => [...pathOf(top), ref.localName].join('/');
    if (ref.nodeId < 0 || ref.nodeId >= ckpt.nodes.length) {
      missing.push(`${where()} (checkpoint node ${ref.nodeId} does not exist)`);
      continue;
    }
    const savedChild = childIndex(top.saved).get(ref.localName);
    if (savedChild === undefined || savedChild < 0 || savedChild >= saved.length) {
      missing.push(where());
      continue;
    }
    const frame: Frame = { saved: savedChild, ckpt: ref.nodeId, parent: top, name: ref.localName, next: 0 };
    visit(frame);
    stack.push(frame);
  }
  return { bindings, unbound: variableIds(saved).filter((id) => !bound.has(id)), missing };
}

function variableIds(saved: readonly SavedObjectInfo[]): number[] {
  const ids: number[] = [];
  saved.forEach((n, i) => {
    if (n.kind === 'variable') ids.push(i);
  });
  return ids;
}
