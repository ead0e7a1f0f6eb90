/** Roles and readable names without an object graph, and index-only opening. */
import { describe, expect, it } from 'vitest';
import { makeStringTensor, makeTensor, MemorySource } from '@tfweights/core';
import { openBundle, roleOfTf1Key } from '../src/index.js';
import { encodeTrackableObjectGraph, buildObjectGraph } from '../src/index.js';
import { writeMemoryBundle } from './helpers.js';

describe('roles', () => {
  it('marks TF1 optimizer state and bookkeeping', () => {
    expect(['dense/kernel', 'dense/kernel/Adam', 'dense/kernel/Adam_1', 'beta1_power', 'beta2_power', 'w/Momentum', 'global_step', 'save_counter', '_CHECKPOINTABLE_OBJECT_GRAPH'].map(roleOfTf1Key))
      .toEqual(['weight', 'optimizer', 'optimizer', 'optimizer', 'optimizer', 'optimizer', 'bookkeeping', 'bookkeeping', 'metadata']);
  });

  it('opens from the index alone when the object graph is not wanted, and names keys from their shape', async () => {
    const { graph, keys } = buildObjectGraph([{ path: 'a.b/kernel', fullName: 'x/kernel' }]);
    const b = await writeMemoryBundle([
      makeTensor(keys[0]!, 'float32', [1], new Uint8Array(4)),
      makeTensor('optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE', 'int64', [], new Uint8Array(8)),
      makeStringTensor('_CHECKPOINTABLE_OBJECT_GRAPH', [], [encodeTrackableObjectGraph(graph)]),
    ]);
    let opened = 0;
    const open = async (): Promise<MemorySource> => {
      opened++;
      return new MemorySource(b.shards[0]!, 'd');
    };
    const lazy = await openBundle(new MemorySource(b.index, 'i'), open, { objectGraph: false });
    expect(opened).toBe(0);
    expect(lazy.objectGraph()).toBeUndefined();
    expect(lazy.list().map((i) => [i.name, i.role])).toEqual([
      ['_CHECKPOINTABLE_OBJECT_GRAPH', 'metadata'], ['a.b/kernel', 'weight'], ['optimizer/iter', 'optimizer'],
    ]);
    const full = await openBundle(new MemorySource(b.index, 'i'), open);
    expect(opened).toBe(1);
    expect(full.list()[1]!.attrs?.full_name).toBe('x/kernel');
  });
});
