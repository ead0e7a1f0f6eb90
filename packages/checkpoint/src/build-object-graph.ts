/**
 * Building a TrackableObjectGraph for a set of variables, so that a bundle we write can be
 * restored by tf.train.Checkpoint.restore and Keras-2 load_weights (FORMATS.md §3.2–§3.5).
 * Node numbering is BFS from the root; slot variables follow all BFS nodes; keys are formed
 * from escaped local names (tensorflow/python/checkpoint/save_util_v1.py, trackable_utils.py).
 */
import { InvalidArgumentError } from '@tfweights/core';
import { ATTRIBUTES, escapeLocalName, OPTIMIZER_SLOT, VARIABLE_VALUE } from './key-names.js';
import type { TrackableObject, TrackableObjectGraph } from './object-graph-proto.js';

/** An object path: local names from the root, as an array or joined with `/`. */
export type ObjectPath = string | readonly string[];

export interface GraphVariable {
  /** Path of the variable object, e.g. `model/layer_with_weights-0/kernel`. */
  path: ObjectPath;
  /** TF variable name without `:0` (e.g. `dense/kernel`), stored as `full_name`. */
  fullName?: string;
}

export interface GraphSlotVariable {
  /** Path of the variable the slot belongs to (must be one of the variables). */
  variable: ObjectPath;
  /** Path of the optimizer object, e.g. `optimizer`. */
  optimizer: ObjectPath;
  /** Slot name, e.g. `m`, `v`, `momentum`. */
  slotName: string;
  fullName?: string;
}

export interface BuildObjectGraphOptions {
  /** Slot variables (optimizer state per variable). */
  slots?: readonly GraphSlotVariable[];
  /** Set has_checkpoint_values on every node as current TF does (default true). */
  hasCheckpointValues?: boolean;
}

export interface BuiltObjectGraph {
  graph: TrackableObjectGraph;
  /** Bundle key of each variable, in the order given. */
  keys: string[];
  /** Bundle key of each slot variable, in the order given. */
  slotKeys: string[];
}

function toPath(p: ObjectPath, what: string): string[] {
  const parts = typeof p === 'string' ? p.split('/') : [...p];
  if (parts.length === 0 || parts.some((s) => s === '')) throw new InvalidArgumentError(`${what} must be a non-empty path without empty parts`, { entry: String(p) });
  return parts;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  variable?: { fullName: string; index: number };
  id: number;
  path: string[];
}

/** Build the graph; children keep the order in which paths first mention them. */
export function buildObjectGraph(variables: readonly GraphVariable[], opts: BuildObjectGraphOptions = {}): BuiltObjectGraph {
  const root: TrieNode = { children: new Map(), id: 0, path: [] };
  const insert = (path: string[]): TrieNode => {
    let node = root;
    for (const name of path) {
      let next = node.children.get(name);
      if (!next) {
        next = { children: new Map(), id: -1, path: [...node.path, name] };
        node.children.set(name, next);
      }
      node = next;
    }
    return node;
  };
  variables.forEach((v, index) => {
    const node = insert(toPath(v.path, 'variable path'));
    if (node.variable) throw new InvalidArgumentError('two variables share one path', { entry: node.path.join('/') });
    node.variable = { fullName: v.fullName ?? '', index };
  });
  for (const s of opts.slots ?? []) insert(toPath(s.optimizer, 'optimizer path'));

  // BFS numbering.
  const order: TrieNode[] = [];
  const queue: TrieNode[] = [root];
  while (queue.length > 0) {
    const n = queue.shift()!;
    n.id = order.length;
    order.push(n);
    queue.push(...n.children.values());
  }
  const keyOf = (path: string[]): string => path.map(escapeLocalName).join('/');
  const keys: string[] = new Array<string>(variables.length);
  const nodes: TrackableObject[] = order.map((n) => {
    const obj: TrackableObject = {
      children: [...n.children.entries()].map(([localName, c]) => ({ nodeId: c.id, localName })),
      attributes: [],
      slotVariables: [],
    };
    if (n.variable && n.children.size > 0) throw new InvalidArgumentError('a variable cannot have child objects', { entry: n.path.join('/') });
    if (n.variable) {
      const key = `${keyOf(n.path)}/${ATTRIBUTES}/${VARIABLE_VALUE}`;
      keys[n.variable.index] = key;
      obj.attributes.push({ name: VARIABLE_VALUE, fullName: n.variable.fullName, checkpointKey: key });
    }
    return obj;
  });
  const slotKeys: string[] = [];
  for (const s of opts.slots ?? []) {
    const varNode = findNode(root, toPath(s.variable, 'slot variable owner'));
    if (!varNode?.variable) throw new InvalidArgumentError('slot variable refers to an unknown variable', { entry: String(s.variable) });
    const optNode = findNode(root, toPath(s.optimizer, 'optimizer path'))!;
    const id = nodes.length;
    const key = `${keyOf(varNode.path)}/${OPTIMIZER_SLOT}/${keyOf(optNode.path)}/${escapeLocalName(s.slotName)}/${ATTRIBUTES}/${VARIABLE_VALUE}`;
    slotKeys.push(key);
    nodes.push({ children: [], attributes: [{ name: VARIABLE_VALUE, fullName: s.fullName ?? '', checkpointKey: key }], slotVariables: [] });
    nodes[optNode.id]!.slotVariables.push({ originalVariableNodeId: varNode.id, slotName: s.slotName, slotVariableNodeId: id });
  }
  const graph: TrackableObjectGraph = { nodes };
  if (opts.hasCheckpointValues ?? true) setHasCheckpointValues(graph);
  return { graph, keys, slotKeys };
}

function findNode(root: TrieNode, path: string[]): TrieNode | undefined {
  let n: TrieNode | undefined = root;
  for (const p of path) n = n?.children.get(p);
  return n;
}

/**
 * Mark every node that has, or has a descendant with, attributes, slot variables or a
 * registered saver (tensorflow/python/checkpoint/util.py add_checkpoint_values_check).
 */
export function setHasCheckpointValues(graph: TrackableObjectGraph): void {
  const parents = new Map<number, number[]>();
  const marked = new Set<number>();
  graph.nodes.forEach((n, id) => {
    if (n.attributes.length > 0 || n.slotVariables.length > 0 || n.registeredSaver) marked.add(id);
    for (const c of n.children) {
      const list = parents.get(c.nodeId);
      if (list) list.push(id);
      else parents.set(c.nodeId, [id]);
    }
  });
  const todo = [...marked];
  while (todo.length > 0) {
    const id = todo.pop()!;
    for (const p of parents.get(id) ?? []) {
      if (!marked.has(p)) {
        marked.add(p);
        todo.push(p);
      }
    }
  }
  graph.nodes.forEach((n, id) => {
    n.hasCheckpointValues = marked.has(id);
  });
}
