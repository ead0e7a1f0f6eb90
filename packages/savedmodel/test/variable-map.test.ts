import { describe, expect, it } from 'vitest';
import { mapVariables, MAX_OBJECT_DEPTH, type TrackableGraphLike } from '../src/variable-map.js';
import type { SavedObjectInfo } from '../src/types.js';

const variable = (name: string): SavedObjectInfo => ({ kind: 'variable', children: [], variable: { name, tfDtype: 1, dtype: 'float32', shape: [], trainable: true, synchronization: 0, aggregation: 0, device: '' } });
const user = (children: [string, number][]): SavedObjectInfo => ({ kind: 'user_object', children: children.map(([localName, nodeId]) => ({ localName, nodeId })) });
const ck = (children: [string, number][], key?: string) => ({
  children: children.map(([localName, nodeId]) => ({ localName, nodeId })),
  attributes: key ? [{ name: 'VARIABLE_VALUE', checkpointKey: key, fullName: '' }] : [],
});

describe('mapVariables (joint walk of both object graphs)', () => {
  it('follows child names, not node ids', () => {
    // Saved graph numbers nodes differently from the checkpoint graph.
    const saved = [user([['layer', 2], ['b', 1]]), variable('bias'), user([['kernel', 3]]), variable('dense/kernel')];
    const ckpt: TrackableGraphLike = { nodes: [ck([['b', 1], ['layer', 2]]), ck([], 'b/.ATTRIBUTES/VARIABLE_VALUE'), ck([['kernel', 3]]), ck([], 'layer/kernel/.ATTRIBUTES/VARIABLE_VALUE')] };
    const m = mapVariables(saved, ckpt);
    expect(m.bindings.map((b) => [b.variable.name, b.path.join('/'), b.key, b.nodeId])).toEqual([
      ['bias', 'b', 'b/.ATTRIBUTES/VARIABLE_VALUE', 1],
      ['dense/kernel', 'layer/kernel', 'layer/kernel/.ATTRIBUTES/VARIABLE_VALUE', 3],
    ]);
    expect(m.unbound).toEqual([]);
    expect(m.missing).toEqual([]);
  });

  it('takes the first (depth-first) path to a shared node and survives cycles', () => {
    const saved = [user([['a', 1], ['alias', 2]]), user([['v', 2], ['back', 0]]), variable('v')];
    const ckpt: TrackableGraphLike = { nodes: [ck([['a', 1], ['alias', 2]]), ck([['v', 2], ['back', 0]]), ck([], 'a/v/.ATTRIBUTES/VARIABLE_VALUE')] };
    const m = mapVariables(saved, ckpt);
    expect(m.bindings.map((b) => b.path.join('/'))).toEqual(['a/v']);
  });

  it('reports checkpoint children the saved graph lacks and variables never reached', () => {
    const saved = [user([['x', 1]]), variable('x'), variable('orphan')];
    const ckpt: TrackableGraphLike = { nodes: [ck([['x', 1], ['gone', 2], ['bad', 9]]), ck([], 'x/.ATTRIBUTES/VARIABLE_VALUE'), ck([])] };
    const m = mapVariables(saved, ckpt);
    expect(m.bindings).toHaveLength(1);
    expect(m.missing).toEqual(['gone', 'bad (checkpoint node 9 does not exist)']);
    expect(m.unbound).toEqual([2]);
  });

  it('stops on absurdly deep graphs with LimitExceeded', () => {
    const n = MAX_OBJECT_DEPTH + 10;
    const saved = Array.from({ length: n }, (_, i) => user(i + 1 < n ? [['c', i + 1]] : []));
    const ckpt = { nodes: Array.from({ length: n }, (_, i) => ck(i + 1 < n ? [['c', i + 1]] : [])) };
    expect(() => mapVariables(saved, ckpt)).toThrow(expect.objectContaining({ code: 'LimitExceeded' }));
  });
});
