/**
 * Readable names, roles and attributes of bundle entries: from the TF2 object graph when the
 * bundle has one (BFS paths, full_name, slot variables, optimizer subtrees), from key shapes
 * otherwise (FORMATS.md §3.3–§3.6).
 */
import type { TensorRole } from '@tfweights/core';
import type { TrackableObjectGraph } from './object-graph-proto.js';
import { OBJECT_GRAPH_KEY, parseObjectKey, roleOfTf1Key, VARIABLE_VALUE } from './key-names.js';

export interface NameFacts {
  name: string;
  role: TensorRole;
  layer?: string;
  attrs?: Record<string, string | number | boolean>;
}

/** Local names that make a node optimizer state (Keras-2 / tf.train.Checkpoint conventions). */
const OPTIMIZER_EDGE = /^(optimizer|base_optimizer|inner_optimizer|loss_scale)$/;

interface GraphFacts {
  byKey: Map<string, { node: number; fullName: string; attribute: string }>;
  optimizerNodes: Set<number>;
  slotNodes: Map<number, { slotName: string; original: number }>;
  bookkeeping: Set<number>;
}

function graphFacts(graph: TrackableObjectGraph): GraphFacts {
  const byKey = new Map<string, { node: number; fullName: string; attribute: string }>();
  const nodes = graph.nodes;
  nodes.forEach((n, id) => {
    for (const a of n.attributes) byKey.set(a.checkpointKey, { node: id, fullName: a.fullName, attribute: a.name });
  });
  // Optimizer roots: nodes owning slot variables, or reached by an optimizer-named edge.
  const roots: number[] = [];
  const slotNodes = new Map<number, { slotName: string; original: number }>();
  const bookkeeping = new Set<number>();
  nodes.forEach((n, id) => {
    if (n.slotVariables.length > 0) roots.push(id);
    for (const s of n.slotVariables) slotNodes.set(s.slotVariableNodeId, { slotName: s.slotName, original: s.originalVariableNodeId });
    for (const c of n.children) {
      if (OPTIMIZER_EDGE.test(c.localName)) roots.push(c.nodeId);
      if (id === 0 && (c.localName === 'save_counter' || c.localName === 'global_step')) bookkeeping.add(c.nodeId);
    }
  });
  const optimizerNodes = new Set<number>();
  const queue = roots.filter((r) => r > 0 && r < nodes.length);
  // Bounded: each node enters the set once.
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (optimizerNodes.has(id)) continue;
    optimizerNodes.add(id);
    for (const c of nodes[id]?.children ?? []) if (c.nodeId > 0 && c.nodeId < nodes.length) queue.push(c.nodeId);
  }
  for (const id of slotNodes.keys()) optimizerNodes.add(id);
  // What the root reaches without passing an optimizer edge is model state, even when an
  // optimizer also refers to it: Keras 3 optimizers track the model's trainable variables as
  // `_trainable_variables/<n>` (keras/src/optimizers/base_optimizer.py), and TF keys a variable
  // by its shortest path, which may be that one.
  const model = new Set<number>([0]);
  const todo = [0];
  while (todo.length > 0) {
    const id = todo.pop()!;
    for (const c of nodes[id]?.children ?? []) {
      if (OPTIMIZER_EDGE.test(c.localName) || model.has(c.nodeId) || c.nodeId <= 0 || c.nodeId >= nodes.length) continue;
      model.add(c.nodeId);
      todo.push(c.nodeId);
    }
  }
  for (const id of model) if (!slotNodes.has(id)) optimizerNodes.delete(id);
  return { byKey, optimizerNodes, slotNodes, bookkeeping };
}

/** Computes name facts for every key of one bundle. */
export class Namer {
  private readonly facts: GraphFacts | undefined;
  constructor(graph: TrackableObjectGraph | undefined) {
    this.facts = graph ? graphFacts(graph) : undefined;
  }

  of(key: string): NameFacts {
    if (key === OBJECT_GRAPH_KEY) return { name: key, role: 'metadata' };
    const parsed = parseObjectKey(key);
    if (!parsed) return { name: key, role: roleOfTf1Key(key) };
    // A variable's value is the object itself; any other attribute (a lookup table's
    // `table-keys` and `table-values`, an iterator's `ITERATOR_STATE`) is named after the
    // object plus the attribute, so tensors of one object keep distinct names.
    const objectName = parsed.objectPath.join('/');
    const name = parsed.attribute === VARIABLE_VALUE ? objectName : `${objectName}/${parsed.attribute}`;
    const attrs: Record<string, string | number | boolean> = {};
    let role: TensorRole = 'weight';
    const g = this.facts?.byKey.get(key);
    if (g) {
      if (g.fullName) attrs.full_name = g.fullName;
      attrs.node_id = g.node;
      if (this.facts!.optimizerNodes.has(g.node)) role = 'optimizer';
      if (this.facts!.bookkeeping.has(g.node)) role = 'bookkeeping';
    } else {
      if (parsed.objectPath[0] === 'optimizer') role = 'optimizer';
      if (parsed.objectPath.length === 1 && /^(save_counter|global_step)$/.test(parsed.objectPath[0]!)) role = 'bookkeeping';
    }
    if (parsed.attribute !== VARIABLE_VALUE) attrs.attribute = parsed.attribute;
    if (parsed.slot) {
      role = 'optimizer';
      attrs.slot = parsed.slot.slotName;
      attrs.slot_of = parsed.slot.variablePath.join('/');
      attrs.optimizer = parsed.slot.optimizerPath.join('/');
    }
    // The layer is the variable's parent; an attribute other than a variable's value belongs to its object.
    const ownPath = parsed.attribute === VARIABLE_VALUE ? parsed.objectPath.slice(0, -1) : parsed.objectPath;
    const layerPath = parsed.slot ? parsed.slot.variablePath.slice(0, -1) : ownPath;
    return {
      name, role, ...(layerPath.length > 0 && !parsed.slot ? { layer: layerPath.join('/') } : {}),
      ...(Object.keys(attrs).length > 0 ? { attrs } : {}),
    };
  }
}
