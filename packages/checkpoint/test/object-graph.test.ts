/** TrackableObjectGraph codec and builder (FORMATS.md §3). */
import { describe, expect, it } from 'vitest';
import { fixture, haveFixtures } from '@tfweights/testkit';
import {
  buildObjectGraph, decodeTrackableObjectGraph, setHasCheckpointValues, encodeTrackableObjectGraph, escapeLocalName, parseObjectKey, unescapeLocalName,
} from '../src/index.js';
import { openCheckpoint } from '../src/node/index.js';
import { hex } from './helpers.js';

describe('object graph codec', () => {
  it('encodes hand-built graphs in ascending field order with has_checkpoint_values', () => {
    const { graph, keys } = buildObjectGraph([{ path: 'v', fullName: 'v' }]);
    expect(keys).toEqual(['v/.ATTRIBUTES/VARIABLE_VALUE']);
    // node0: children {node_id 1, local_name "v"}, has_checkpoint_values true
    // node1: attributes {name VARIABLE_VALUE, full_name v, checkpoint_key ...}, has_checkpoint_values true
    const bytes = encodeTrackableObjectGraph(graph);
    const key = Buffer.from('v/.ATTRIBUTES/VARIABLE_VALUE').toString('hex');
    const attr = '0a0e' + Buffer.from('VARIABLE_VALUE').toString('hex') + '1201' + '76' + '1a1c' + key;
    const node1 = '12' + (attr.length / 2).toString(16).padStart(2, '0') + attr + '2a020801';
    expect(hex(bytes)).toBe('0a0b' + '0a0508011201762a020801' + '0a' + (node1.length / 2).toString(16) + node1);
  });

  it('keeps descending field order and unknown fields through a round trip', () => {
    // ObjectReference with local_name (2) before node_id (1), plus an unknown field 9 and a non-canonical BoolValue.
    const ref = '1201610801' + '4803';
    const node = '0a' + (ref.length / 2).toString(16).padStart(2, '0') + ref + '2a020800';
    const bytes = Buffer.from('0a' + (node.length / 2).toString(16).padStart(2, '0') + node, 'hex');
    const g = decodeTrackableObjectGraph(bytes);
    expect(g.nodes[0]!.children[0]).toMatchObject({ nodeId: 1, localName: 'a' });
    expect(hex(encodeTrackableObjectGraph(g))).toBe(bytes.toString('hex'));
  });

  it('rejects a truncated graph with a typed error naming the entry', () => {
    expect(() => decodeTrackableObjectGraph(Uint8Array.of(0x0a, 0x10, 0x0a))).toThrowError(expect.objectContaining({ code: 'CorruptData', entry: '_CHECKPOINTABLE_OBJECT_GRAPH' }));
  });
});

describe('keys and escaping', () => {
  it('escapes and unescapes local names', () => {
    expect(escapeLocalName('a.b/c')).toBe('a..b.Sc');
    expect(unescapeLocalName('a..b.Sc')).toBe('a.b/c');
    expect(parseObjectKey('a..b.Sc/x/.ATTRIBUTES/VARIABLE_VALUE')).toEqual({ objectPath: ['a.b/c', 'x'], attribute: 'VARIABLE_VALUE' });
    expect(parseObjectKey('dense/kernel/Adam')).toBeUndefined();
  });

  it('builds BFS-numbered graphs with slot variables and has_checkpoint_values', () => {
    const { graph, keys, slotKeys } = buildObjectGraph(
      [
        { path: 'model/layer_with_weights-0/kernel', fullName: 'dense/kernel' },
        { path: ['model', 'layer_with_weights-0', 'bias'], fullName: 'dense/bias' },
        { path: 'optimizer/iter', fullName: 'Adam/iter' },
        { path: 'odd.name/x/y', fullName: '' },
      ],
      { slots: [{ variable: 'model/layer_with_weights-0/kernel', optimizer: 'optimizer', slotName: 'm' }, { variable: 'model/layer_with_weights-0/kernel', optimizer: 'optimizer', slotName: 'v' }] },
    );
    expect(keys).toEqual([
      'model/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'model/layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE',
      'optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE', 'odd..name/x/y/.ATTRIBUTES/VARIABLE_VALUE',
    ]);
    expect(slotKeys[0]).toBe('model/layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE');
    // BFS: 0 root; 1 model; 2 optimizer; 3 odd.name; 4 layer_with_weights-0; 5 iter; 6 x; 7 kernel; 8 bias; 9 y; 10,11 slots
    expect(graph.nodes[0]!.children.map((c) => [c.localName, c.nodeId])).toEqual([['model', 1], ['optimizer', 2], ['odd.name', 3]]);
    expect(graph.nodes.length).toBe(12);
    expect(graph.nodes[2]!.slotVariables).toEqual([
      { originalVariableNodeId: 7, slotName: 'm', slotVariableNodeId: 10 }, { originalVariableNodeId: 7, slotName: 'v', slotVariableNodeId: 11 },
    ]);
    expect(graph.nodes.every((n) => n.hasCheckpointValues === true)).toBe(true);
    const empty = buildObjectGraph([{ path: 'a/b' }]);
    expect(empty.graph.nodes.map((n) => n.hasCheckpointValues)).toEqual([true, true, true]);
    expect(() => buildObjectGraph([{ path: 'a' }, { path: 'a/b' }])).toThrow(/child objects/);
  });
});

describe.skipIf(!haveFixtures())('builder against a real TF2 checkpoint', () => {
  it('computes has_checkpoint_values exactly as TF 2.14 stored it (half-plus-two-tf2)', async () => {
    const r = await openCheckpoint(fixture('savedmodel/half-plus-two-tf2/variables'));
    const g = r.objectGraph()!;
    const stored = g.nodes.map((n) => n.hasCheckpointValues);
    expect(stored.filter((v) => v === true).length).toBe(4);
    for (const n of g.nodes) delete n.hasCheckpointValues;
    setHasCheckpointValues(g);
    expect(g.nodes.map((n) => n.hasCheckpointValues)).toEqual(stored);
    await r.close();
  });

  it('forms exactly the keys TF formed for tf2-ckpt-manager', async () => {
    const r = await openCheckpoint(fixture('checkpoint/tf2-ckpt-manager'));
    const variables = [];
    const slots = [];
    for (const i of r.list()) {
      const p = parseObjectKey(i.key);
      if (!p) continue;
      if (p.slot) slots.push({ variable: p.slot.variablePath, optimizer: p.slot.optimizerPath, slotName: p.slot.slotName });
      else variables.push({ path: p.objectPath });
    }
    const built = buildObjectGraph(variables, { slots });
    const tfKeys = r.list().map((i) => i.key).filter((k) => k !== '_CHECKPOINTABLE_OBJECT_GRAPH').sort();
    expect([...built.keys, ...built.slotKeys].sort()).toEqual(tfKeys);
    await r.close();
  });
});
